from django.forms.renderers import TemplatesSetting


class GovUKFormRenderer(TemplatesSetting):
    """Every Django form renders as GOV.UK Design System markup (labels, hints, inline errors)."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"
