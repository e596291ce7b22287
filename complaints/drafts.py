"""Save and return: how long drafts and return links last, and which drafts a browser holds.

A signed-in person's drafts belong to their account. Someone who has not signed in holds their
drafts through the session, so a draft of theirs lasts no longer than the session unless they ask
for a link by email, sign in, or create an account.
"""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache

from complaints.models import DraftReturnLink

# Kept this long after the last change, then purged (complaints.tasks.purge_expired_drafts).
DRAFT_KEEP_DAYS = 30
# A save-and-return link works once, within this many days.
RETURN_LINK_DAYS = 7
# Links a draft may be sent in a day: enough for a typo or two, too few to flood an inbox.
RETURN_LINKS_PER_DAY = 5
# Links sent from one network address in an hour, across all drafts: anyone can start drafts,
# so without this the save page could be used to send our emails to strangers.
RETURN_LINKS_PER_ADDRESS_PER_HOUR = 20
# The newest drafts a browser session remembers.
SESSION_DRAFTS_KEPT = 10
SESSION_KEY = "complaint_form_drafts"


def draft_keep_period() -> timedelta:
    return timedelta(days=DRAFT_KEEP_DAYS)


def session_period() -> timedelta:
    return timedelta(seconds=settings.SESSION_COOKIE_AGE)


def session_length_text() -> str:
    """How long a session lasts, in words, for the pages that warn about it."""
    hours, seconds = divmod(settings.SESSION_COOKIE_AGE, 3600)
    if hours and not seconds:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    minutes = max(1, settings.SESSION_COOKIE_AGE // 60)
    return f"{minutes} minutes"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def session_draft_ids(request) -> list[str]:
    ids = request.session.get(SESSION_KEY)
    return [i for i in ids if isinstance(i, str)] if isinstance(ids, list) else []


def session_draft_remember(request, draft) -> None:
    """This browser may open the draft from now on (a draft it started or restored)."""
    draft_id = str(draft.public_id)
    ids = [i for i in session_draft_ids(request) if i != draft_id]
    request.session[SESSION_KEY] = [draft_id, *ids][:SESSION_DRAFTS_KEPT]


def return_link_allowance_take(address: str) -> bool:
    """Count one link against this network address; False once its hourly allowance is spent."""
    key = f"complaint-form:return-links:{address}"
    cache.add(key, 0, timeout=3600)
    try:
        sent = cache.incr(key)
    except ValueError:  # expired between add and incr: this is the first of a new hour
        cache.set(key, 1, timeout=3600)
        sent = 1
    return sent <= RETURN_LINKS_PER_ADDRESS_PER_HOUR


def return_link_problem(link, *, now) -> str:
    """ "" when the link can be used, else why not: unknown, used or expired."""
    if link is None:
        return "unknown"
    if link.used_at is not None:
        return "used"
    draft = link.draft
    if link.expires_at <= now or draft.expires_at <= now or draft.submitted or draft.owner_id:
        # A draft since sent, purged or kept in an account is no longer this link's to restore.
        return "expired"
    return ""


def return_link_find(token: str, *, now):
    """(link or None, problem) for a token from a return link."""
    link = (
        DraftReturnLink.objects.select_related("draft").filter(token_hash=token_hash(token)).first()
        if token
        else None
    )
    return link, return_link_problem(link, now=now)
