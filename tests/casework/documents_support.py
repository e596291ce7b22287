"""Fixtures and helpers shared by the document tests (services, tasks, views, evidence pages).

Test modules import the fixtures they use from here; the clamd fixture is the real daemon from
tests/casework/evidence/conftest.py.
"""

import io
import socket

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.roles import Role
from casework.models import CaseKind
from casework.services import case_create
from tests.casework.evidence.conftest import clamd  # noqa: F401 - re-exported fixture
from tests.casework.evidence.hostile import EICAR, pdf_document, text_image
from tests.factories import UserFactory

__all__ = [
    "EICAR",
    "clamd",
    "clamd_settings",
    "closed_port",
    "evidence_storage",
    "jpeg_photo",
    "make_case",
    "pdf_bytes",
    "upload",
]


@pytest.fixture(autouse=True)
def evidence_storage(settings, tmp_path):
    """Stored evidence goes to a directory of this test's own, never var/media."""
    root = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    settings.MEDIA_ROOT = str(root)
    return root


def stored_files(root) -> list:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def clamd_settings(settings, clamd):  # noqa: F811 - the fixture imported above
    settings.CLAMAV_SOCKET = ""
    settings.CLAMAV_HOST = clamd.host
    settings.CLAMAV_PORT = clamd.port
    settings.CLAMAV_STREAM_MAX_LENGTH = clamd.stream_max_length
    return clamd


@pytest.fixture
def closed_port():
    """A loopback port nothing listens on: clamd is 'down'."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def make_case(db):
    def make(complainant=None, **kwargs):
        complainant = complainant or UserFactory(roles=[Role.COMPLAINANT])
        return case_create(kind=CaseKind.PARLIAMENTARY, complainant=complainant, **kwargs)

    return make


def pdf_bytes(text: str = "The trust's letter of 3 March refusing my complaint") -> bytes:
    return pdf_document(text)


def jpeg_photo(text: str = "RECEIPT 42") -> bytes:
    buffer = io.BytesIO()
    text_image(text).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)
