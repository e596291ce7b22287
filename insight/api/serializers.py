from rest_framework import serializers

from insight.models import CaseFact


class PublishedDecisionSerializer(serializers.ModelSerializer):
    """A published decision: the redacted summary and where it sits, never who complained."""

    organisation = serializers.CharField(source="organisation_name")
    constituency = serializers.CharField(source="constituency_name")
    summary = serializers.CharField(source="published_summary")
    themes = serializers.SerializerMethodField(
        help_text="The complaint themes a caseworker confirmed (slugs)."
    )

    class Meta:
        model = CaseFact
        fields = [
            "reference",
            "published_on",
            "organisation_id",
            "organisation",
            "organisation_kind",
            "sector",
            "region",
            "constituency_code",
            "constituency",
            "local_authority_code",
            "outcome",
            "themes",
            "summary",
        ]
        read_only_fields = fields

    def get_themes(self, fact) -> list[str]:
        return [code.code for code in fact.theme_codes]


class CaseCountSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The code or value grouped by.")
    label = serializers.CharField(help_text="Its name.")
    received = serializers.IntegerField(
        allow_null=True, help_text="Complaints received; null when fewer than 5."
    )
    decided = serializers.IntegerField(
        allow_null=True, help_text="Complaints decided; null when fewer than 5."
    )
