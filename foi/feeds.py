"""Atom feed of the disclosure log: published responses only, never anything about the requester."""

from datetime import datetime, time

from django.contrib.syndication.views import Feed
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.text import Truncator

from foi.models import DisclosureEntry


class DisclosureLogFeed(Feed):
    feed_type = Atom1Feed
    title = "Disclosure log"
    subtitle = "Responses to freedom of information and environmental information requests"
    link = reverse_lazy("foi:disclosure_log")

    def items(self):
        return DisclosureEntry.objects.only("reference", "title", "response_text", "published_on")[
            :50
        ]

    def item_title(self, item):
        return f"{item.reference}: {item.title}"

    def item_description(self, item):
        return Truncator(item.response_text).words(80)

    def item_link(self, item):
        return reverse("foi:disclosure_detail", args=[item.reference])

    def item_pubdate(self, item):
        return timezone.make_aware(datetime.combine(item.published_on, time(9)))
