"""Template helpers for GOV.UK Design System markup, loaded as a builtin in every template."""

from django import template

register = template.Library()

# GOV.UK component class for each Django widget type (BoundField.widget_type).
_WIDGET_CLASSES = {
    "textarea": "govuk-textarea",
    "select": "govuk-select",
    "radioselect": "govuk-radios__input",
    "checkboxselectmultiple": "govuk-checkboxes__input",
    "checkbox": "govuk-checkboxes__input",
    "clearablefile": "govuk-file-upload",
    "file": "govuk-file-upload",
}
_ERROR_CLASSES = {
    "textarea": "govuk-textarea--error",
    "select": "govuk-select--error",
    "clearablefile": "govuk-file-upload--error",
    "file": "govuk-file-upload--error",
}
_FIELDSET_WIDGETS = {"radioselect", "checkboxselectmultiple"}


@register.filter
def govuk_widget(bound_field):
    """Render a field's widget with GOV.UK classes, aria-describedby pointing at hint and error."""
    widget_type = bound_field.widget_type
    classes = [_WIDGET_CLASSES.get(widget_type, "govuk-input")]
    existing = bound_field.field.widget.attrs.get("class")
    if existing:
        classes.append(existing)
    if bound_field.errors and widget_type not in _FIELDSET_WIDGETS | {"checkbox"}:
        classes.append(_ERROR_CLASSES.get(widget_type, "govuk-input--error"))
    attrs = {"class": " ".join(classes)}
    if widget_type not in _FIELDSET_WIDGETS:
        describedby = describedby_ids(bound_field)
        if describedby:
            attrs["aria-describedby"] = describedby
    if widget_type in _FIELDSET_WIDGETS:
        # Subwidgets take their attributes from the widget itself.
        bound_field.field.widget.attrs["class"] = attrs["class"]
        return ""
    return bound_field.as_widget(attrs=attrs)


@register.filter
def describedby_ids(bound_field):
    ids = []
    if bound_field.help_text:
        ids.append(f"{bound_field.auto_id}-hint")
    if bound_field.errors:
        ids.append(f"{bound_field.auto_id}-error")
    return " ".join(ids)


@register.filter
def is_fieldset(bound_field):
    return bound_field.widget_type in _FIELDSET_WIDGETS


@register.inclusion_tag("forms/error_summary.html")
def govuk_error_summary(*forms):
    """The error summary at the top of a page: one link per error, to the field it is about."""
    items = []
    for form in forms:
        if form is None or not form.errors:
            continue
        for error in form.non_field_errors():
            items.append({"text": error, "href": ""})
        for field in form:
            for error in field.errors:
                target = field.auto_id
                if field.widget_type in _FIELDSET_WIDGETS:
                    target = f"{field.auto_id}_0"
                items.append({"text": error, "href": f"#{target}"})
    return {"errors": items}
