"""Assembling and purging the self-service data download (UK GDPR Art. 15(3), Art. 20).

Only what is about the account holder goes in: their profile and contact preferences, their own
cases with the timeline they can already see (never internal notes or the audit trail), their own
message thread, the shared clean documents on their cases, files they sent outside a case (proof
of identity) and their own information requests.
Anything reached through another person (their cases, their threads) is left out, because
Art. 15(4) says the right of access must not adversely affect the rights of others.

Called by foi.tasks; imports no tasks or services, so nothing here is circular.
"""

import io
import json
import logging
import re
import uuid
import zipfile
from datetime import timedelta

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from casework.documents import document_bytes_delete, document_bytes_open, document_bytes_store
from casework.models import Case, CaseEvent, Document, Message, MessageParty
from foi.models import DataExport, ExportStatus, InformationRequest

logger = logging.getLogger(__name__)

# A download stays available for seven days, then its bytes are deleted (UK GDPR Art. 5(1)(e)).
EXPORT_LIFETIME = timedelta(days=7)


def _iso(value):
    return value.isoformat() if value else None


def _contact_preferences(user) -> dict | None:
    try:
        model = apps.get_model("accounts", "ContactPreferences")
    except LookupError:
        return None
    prefs = model.objects.filter(user=user).first()
    if prefs is None:
        return None
    return {
        f.name: (str(getattr(prefs, f.attname)) if getattr(prefs, f.attname) is not None else None)
        for f in model._meta.concrete_fields
        if f.name not in {"id", "user"}
    }


def personal_data_collect(user) -> tuple[dict, list[Document]]:
    """Everything held about `user`, as JSON-safe data, and the documents whose files go with it."""
    cases = list(Case.objects.filter(complainant=user).order_by("received_at", "id"))
    case_ids = [c.pk for c in cases]
    events = (
        CaseEvent.objects.filter(case_id__in=case_ids)
        .visible_to_complainant()
        .order_by("created_at", "id")
    )
    messages = Message.objects.filter(
        case_id__in=case_ids, party=MessageParty.COMPLAINANT
    ).order_by("created_at", "id")
    documents = list(
        Document.objects.filter(case_id__in=case_ids, internal=False)
        .usable()
        .order_by("created_at", "id")
    )
    # Files they sent that belong to no case, such as proof of identity for a SAR.
    own_files = list(
        Document.objects.filter(case__isnull=True, uploaded_by=user, internal=False)
        .usable()
        .order_by("created_at", "id")
    )
    requests = InformationRequest.objects.filter(user=user).order_by("received_on", "id")
    events_by_case: dict[int, list] = {}
    for event in events:
        events_by_case.setdefault(event.case_id, []).append(
            {
                "what": event.get_kind_display(),
                "when": _iso(event.created_at),
                "status": event.to_status or None,
            }
        )
    messages_by_case: dict[int, list] = {}
    for message in messages:
        messages_by_case.setdefault(message.case_id, []).append(
            {
                "from": "the ombudsman" if message.from_ombudsman else "you",
                "sent": _iso(message.created_at),
                "text": message.body,
            }
        )
    documents_by_case: dict[int, list] = {}
    for document in documents:
        documents_by_case.setdefault(document.case_id, []).append(_document_entry(document))
    data = {
        "generated_at": _iso(timezone.now()),
        "profile": {
            "email": user.email,
            "full_name": user.full_name,
            "joined": _iso(user.date_joined),
            "last_sign_in": _iso(user.last_login),
        },
        "contact_preferences": _contact_preferences(user),
        "cases": [
            {
                "reference": case.reference,
                "kind": case.get_kind_display(),
                "status": case.get_status_display(),
                "received": _iso(case.received_at),
                "summary": case.summary,
                "timeline": events_by_case.get(case.pk, []),
                "messages": messages_by_case.get(case.pk, []),
                "documents": documents_by_case.get(case.pk, []),
            }
            for case in cases
        ],
        "other_documents": [_document_entry(document) for document in own_files],
        "information_requests": [
            {
                "reference": r.reference,
                "kind": r.kind_label,
                "received": _iso(r.received_on),
                "status": r.get_status_display(),
                "request": r.text,
                "response_sent": _iso(r.sent_on),
            }
            for r in requests
        ],
    }
    return data, documents + own_files


def _document_entry(document: Document) -> dict:
    return {
        "file": _archive_name(document),
        "name": document.original_filename,
        "type": document.content_type,
        "size": document.size,
        "uploaded": _iso(document.created_at),
    }


def _archive_name(document: Document) -> str:
    safe = re.sub(r"[^A-Za-z0-9._ -]+", "_", document.original_filename).strip() or "document"
    return f"documents/{document.pk}-{safe}"


def data_export_build(*, export_id: int) -> DataExport:
    """Write the zip (summary.html, data.json, documents/) and make it available for seven days."""
    export = DataExport.objects.select_related("user").get(pk=export_id)
    if export.status != ExportStatus.PENDING:
        return export
    user = get_user_model().objects.get(pk=export.user_id)
    data, documents = personal_data_collect(user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(data, indent=2, ensure_ascii=False))
        archive.writestr(
            "summary.html", render_to_string("foi/export/summary.html", {"data": data})
        )
        for document in documents:
            with document_bytes_open(document) as handle:
                archive.writestr(_archive_name(document), handle.read())
    key = document_bytes_store(key=f"exports/{uuid.uuid4().hex}.zip", content=buffer.getvalue())
    return _export_ready(export_id=export.pk, key=key, size=buffer.tell())


@transaction.atomic
def _export_ready(*, export_id: int, key: str, size: int) -> DataExport:
    export = DataExport.objects.select_for_update().get(pk=export_id)
    now = timezone.now()
    export.status = ExportStatus.READY
    export.storage_key = key
    export.size = size
    export.ready_at = now
    export.expires_at = now + EXPORT_LIFETIME
    export.save()
    return export


def data_export_open(export: DataExport):
    return default_storage.open(export.storage_key, "rb")


def data_exports_purge(*, now=None) -> int:
    """Delete downloads past their seven days: personal data is kept no longer than needed."""
    now = now or timezone.now()
    count = 0
    for export_id in DataExport.objects.due_for_purge(now).values_list("pk", flat=True):
        with transaction.atomic():
            export = DataExport.objects.select_for_update().get(pk=export_id)
            if export.status != ExportStatus.READY:
                continue
            document_bytes_delete(key=export.storage_key)
            export.status = ExportStatus.PURGED
            export.purged_at = now
            export.storage_key = ""
            export.save()
            count += 1
    return count
