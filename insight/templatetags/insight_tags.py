from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

register = template.Library()


@register.filter
def count(value):
    """A published count: withheld ones (None) read "fewer than 5"."""
    return "fewer than 5" if value is None else intcomma(value)


@register.filter
def lookup(mapping, key):
    return mapping.get(key, "")
