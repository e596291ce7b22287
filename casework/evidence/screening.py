"""Decide whether an uploaded file may be kept as evidence, by what it is rather than what it says.

Accepted: PDF, Word (.docx), plain text (.txt), email (.eml) and JPEG, PNG and GIF images.
Everything else is refused, zip archives included: an archive hides its contents from preview,
text extraction and caseworkers, each file in it would have to become a document of its own
anyway, and the upload page takes several files at once, so a zip gives the uploader nothing
while adding bombs and path tricks to defend against. DOCX is itself a zip, so the same
inspection (archives.inspect_zip) still guards it.

The virus scan (clamav.py) is a separate, later step: a file accepted here stays pending until
the scanner says it is clean.
"""

import email
import email.policy
import hashlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO

import magic
from django.conf import settings

from casework.evidence import archives, images
from casework.evidence.filenames import (
    file_extension,
    rfc6266_content_disposition,
    safe_display_name,
)
from casework.evidence.pdf import inspect_pdf

__all__ = [
    "ScreeningResult",
    "rfc6266_content_disposition",
    "safe_display_name",
    "screen_upload",
]

logger = logging.getLogger(__name__)

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TEXT = "text/plain"
EMAIL = "message/rfc822"
JPEG = "image/jpeg"
PNG = "image/png"
GIF = "image/gif"

# Detected content type -> the extensions a file of that type may have.
ALLOWED_EXTENSIONS: dict[str, frozenset[str]] = {
    PDF: frozenset({"pdf"}),
    DOCX: frozenset({"docx"}),
    TEXT: frozenset({"txt"}),
    # An email saved with a .txt name is still plain text to whoever opens it.
    EMAIL: frozenset({"eml", "txt"}),
    JPEG: frozenset({"jpg", "jpeg"}),
    PNG: frozenset({"png"}),
    GIF: frozenset({"gif"}),
}
ACCEPTED_EXTENSIONS = frozenset().union(*ALLOWED_EXTENSIONS.values())
# What libmagic calls the same things.
_MAGIC_ALIASES = {"text/csv": TEXT}
_ZIP_TYPES = frozenset({"application/zip", "application/x-zip-compressed", DOCX})
_EXECUTABLE_TYPES = frozenset(
    {
        "application/x-dosexec",
        "application/x-msdownload",
        "application/x-executable",
        "application/x-sharedlib",
        "application/x-pie-executable",
        "application/x-mach-binary",
        "application/x-elf",
        "application/vnd.microsoft.portable-executable",
    }
)

DEFAULT_SIZE_LIMIT = 20 * 1024 * 1024
_READ_CHUNK = 1024 * 1024

MESSAGE_TOO_LARGE = "The selected file must be smaller than {limit}"
MESSAGE_EMPTY = "The selected file is empty"
MESSAGE_UNCHECKED = "The selected file could not be uploaded – try again"
MESSAGE_WRONG_TYPE = (
    "The selected file must be a PDF, Word document (.docx), JPG, PNG or GIF image, "
    "text file (.txt) or email (.eml)"
)
MESSAGE_ZIP = "The selected file is a zip file. Upload the files inside it one at a time"
MESSAGE_OLD_WORD = (
    "The selected file is an older Word document (.doc). "
    "Save it as a .docx or PDF and upload it again"
)
MESSAGE_MISMATCH = (
    "The selected file is not {kind}, but its name ends in .{extension}. "
    "Check you chose the right file"
)
MESSAGE_ENCRYPTED = (
    "The selected file is password protected. Remove the password and upload it again"
)
MESSAGE_PDF_ACTIVE = (
    "The selected PDF contains scripts, attachments or other active content. "
    "Save it again as a plain PDF (for example, print it to PDF) and upload the new file"
)
MESSAGE_PDF_DAMAGED = (
    "The selected PDF could not be opened. It may be damaged: save it again and upload the new file"
)
MESSAGE_MACROS = (
    "The selected Word document contains macros or embedded objects. "
    "Save it as a Word document (.docx) without macros, or as a PDF, and upload it again"
)
MESSAGE_DOCX_DAMAGED = (
    "The selected Word document could not be opened. "
    "It may be damaged: save it again and upload the new file"
)
MESSAGE_IMAGE_DAMAGED = "The selected image could not be opened. It may be damaged or incomplete"
MESSAGE_IMAGE_TOO_LARGE = (
    "The selected image is too large. "
    "Resize it to under {megapixels} megapixels and upload it again"
)
MESSAGE_EMAIL_DAMAGED = (
    "The selected email could not be read. Save it again as an .eml file and upload the new file"
)

_KIND_NAMES = {
    PDF: "a PDF",
    DOCX: "a Word document",
    TEXT: "a text file",
    EMAIL: "an email",
    JPEG: "a JPG image",
    PNG: "a PNG image",
    GIF: "a GIF image",
}
# Which kind a trusted extension promises, for the "name ends in .jpg but it is not a JPG" message.
_EXTENSION_KINDS = {
    "pdf": PDF,
    "docx": DOCX,
    "txt": TEXT,
    "eml": EMAIL,
    "jpg": JPEG,
    "jpeg": JPEG,
    "png": PNG,
    "gif": GIF,
}

# Parts of a Word package that run code or pull in other content when the document opens.
_DOCX_ACTIVE_PARTS = ("vbaproject.bin", "vbadata.xml", "activex", "attachedtoolbars.bin")
# Embedded objects are refused, except the workbooks that hold the data behind Word charts.
_DOCX_EMBEDDINGS = "word/embeddings/"
_DOCX_CHART_DATA = ".xlsx"
# A DDE field runs a program when the document's fields update (the "DDEAUTO" attack).
_DOCX_DDE = re.compile(
    rb"<w:instrtext[^>]*>\s*dde(auto)?\b|<w:fldsimple[^>]*w:instr=\"\s*dde", re.IGNORECASE
)
_DOCX_MACRO_CONTENT_TYPES = (b"macroenabled", b"vbaproject", b"activex", b"oleobject")
# External relationships of these types fetch a template or document from elsewhere on open
# (remote template injection); external hyperlinks and images are ordinary and allowed.
_DOCX_EXTERNAL_ACTIVE = (b"attachedtemplate", b"oleobject", b"subdocument", b"frame")


@dataclass(frozen=True)
class ScreeningResult:
    """The decision on one upload. `reason` is written for the uploader; `findings` are for logs."""

    accepted: bool
    reason: str
    content_type: str
    display_name: str
    sha256: str
    size: int
    # For images, the re-encoded bytes: store these rather than what was uploaded.
    reencoded: bytes | None = None
    findings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def content_disposition(self) -> str:
        return rfc6266_content_disposition(self.display_name)


def format_size(size: int) -> str:
    """Sizes as GOV.UK writes them in messages: "20MB", "500KB"."""
    if size >= 1024 * 1024:
        value, unit = size / (1024 * 1024), "MB"
    elif size >= 1024:
        value, unit = size / 1024, "KB"
    else:
        return f"{size} bytes"
    return f"{value:.0f}{unit}" if value == int(value) else f"{value:.1f}{unit}"


def _read_bounded(
    data: bytes | bytearray | memoryview | BinaryIO, limit: int
) -> tuple[bytes, bool]:
    """The upload's bytes, reading at most limit + 1 so an oversize stream is never held whole."""
    if isinstance(data, bytes | bytearray | memoryview):
        raw = bytes(data)
        return raw, len(raw) > limit
    if hasattr(data, "seek"):
        try:
            data.seek(0)
        except (OSError, ValueError):
            pass
    chunks, total = [], 0
    while total <= limit:
        chunk = data.read(min(_READ_CHUNK, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks), total > limit


def _setting(name: str, default):
    return getattr(settings, name, default) if settings.configured else default


def detect_content_type(data: bytes) -> str:
    detected = magic.from_buffer(data[: 8 * 1024 * 1024], mime=True)
    return _MAGIC_ALIASES.get(detected, detected)


def screen_upload(
    name: str,
    data: bytes | BinaryIO,
    *,
    size_limit: int | None = None,
    max_image_pixels: int | None = None,
) -> ScreeningResult:
    """Screen one upload: size, type by content, extension agreement and type-specific checks.

    `data` is bytes or a binary file object (a Django UploadedFile works). Never raises for bad
    input: every refusal is a result with a message the uploader can act on.
    """
    if size_limit is None:
        size_limit = _setting("EVIDENCE_MAX_UPLOAD_BYTES", DEFAULT_SIZE_LIMIT)
    if max_image_pixels is None:
        max_image_pixels = _setting("EVIDENCE_MAX_IMAGE_PIXELS", images.MAX_PIXELS)
    display_name = safe_display_name(name)
    raw, too_large = _read_bounded(data, size_limit)

    def result(
        accepted: bool, reason: str = "", content_type: str = "", *, findings=(), reencoded=None
    ):
        outcome = ScreeningResult(
            accepted=accepted,
            reason=reason,
            content_type=content_type,
            display_name=display_name,
            sha256="" if too_large else hashlib.sha256(raw).hexdigest(),
            size=len(raw),
            reencoded=reencoded,
            findings=tuple(findings),
        )
        if not accepted:
            logger.info("Upload refused: %s %s", content_type or "-", ",".join(outcome.findings))
        return outcome

    if too_large:
        return result(
            False,
            MESSAGE_TOO_LARGE.format(limit=format_size(size_limit)),
            findings=["size:over-limit"],
        )
    if not raw:
        return result(False, MESSAGE_EMPTY, findings=["size:empty"])
    try:
        return _screen_content(raw, display_name, result, max_image_pixels=max_image_pixels)
    except Exception:
        # A parser tripping over a file nobody foresaw: refuse it (fail closed) and keep the trace.
        logger.exception("Upload screening failed unexpectedly")
        return result(False, MESSAGE_UNCHECKED, findings=["screening:error"])


def _screen_content(
    raw: bytes,
    display_name: str,
    result: Callable[..., ScreeningResult],
    *,
    max_image_pixels: int,
) -> ScreeningResult:
    """The checks on what the bytes are; `result` builds the outcome."""
    content_type = detect_content_type(raw)
    extension = file_extension(display_name)

    if content_type in _EXECUTABLE_TYPES or raw.startswith((b"MZ", b"\x7fELF")):
        return result(
            False, MESSAGE_WRONG_TYPE, content_type, findings=[f"type:executable:{content_type}"]
        )

    listing: archives.ArchiveListing | archives.ArchiveRejected | None = None
    if raw.startswith(b"PK\x03\x04") or content_type in _ZIP_TYPES:
        try:
            listing = archives.inspect_zip(raw)
        except archives.ArchiveRejected as exc:
            listing = exc
        content_type = _classify_zip(listing)
        if content_type != DOCX:
            message = MESSAGE_ZIP if content_type == "application/zip" else MESSAGE_WRONG_TYPE
            return result(False, message, content_type, findings=[f"type:{content_type}"])

    if content_type == TEXT and extension == "eml" and _looks_like_email(raw):
        # libmagic only recognises emails that start with certain headers.
        content_type = EMAIL

    if content_type not in ALLOWED_EXTENSIONS:
        message = (
            MESSAGE_OLD_WORD
            if content_type in {"application/msword", "application/x-ole-storage"}
            and extension == "doc"
            else MESSAGE_WRONG_TYPE
        )
        return result(False, message, content_type, findings=[f"type:not-allowed:{content_type}"])

    if extension not in ALLOWED_EXTENSIONS[content_type]:
        if extension in _EXTENSION_KINDS:
            message = MESSAGE_MISMATCH.format(
                kind=_KIND_NAMES[_EXTENSION_KINDS[extension]], extension=extension
            )
        else:
            message = MESSAGE_WRONG_TYPE
        return result(
            False,
            message,
            content_type,
            findings=[f"extension:mismatch:{extension or '-'}:{content_type}"],
        )

    if content_type == PDF:
        inspection = inspect_pdf(raw)
        if inspection.encrypted:
            return result(
                False,
                MESSAGE_ENCRYPTED,
                content_type,
                findings=["pdf:encrypted", *inspection.findings],
            )
        if inspection.active_content:
            return result(False, MESSAGE_PDF_ACTIVE, content_type, findings=inspection.findings)
        if not inspection.readable:
            return result(False, MESSAGE_PDF_DAMAGED, content_type, findings=["pdf:unreadable"])
        return result(True, content_type=content_type)

    if content_type == DOCX:
        findings, message = _docx_findings(raw, listing)
        if findings:
            return result(False, message, content_type, findings=findings)
        return result(True, content_type=content_type)

    if content_type == EMAIL and not _looks_like_email(raw):
        return result(False, MESSAGE_EMAIL_DAMAGED, content_type, findings=["email:no-headers"])

    if content_type in images.FORMATS:
        try:
            image = images.reencode_image(raw, content_type, max_pixels=max_image_pixels)
        except images.ImageRejected as exc:
            if exc.too_large:
                message = MESSAGE_IMAGE_TOO_LARGE.format(megapixels=f"{max_image_pixels / 1e6:g}")
            else:
                message = MESSAGE_IMAGE_DAMAGED
            return result(False, message, content_type, findings=[exc.finding])
        return result(True, content_type=content_type, reencoded=image.data)

    return result(True, content_type=content_type)


def _classify_zip(listing: archives.ArchiveListing | archives.ArchiveRejected) -> str:
    """DOCX if the package has a main Word part; another Office format or a plain zip otherwise."""
    if isinstance(listing, archives.ArchiveRejected):
        # Damaged or hostile: judged as a Word document, whose checks refuse it and say why.
        return DOCX
    names = {n.casefold() for n in listing.names}
    if "word/document.xml" in names or any(n.startswith("word/") for n in names):
        return DOCX
    if any(n.startswith(("xl/", "ppt/")) for n in names):
        return "application/vnd.openxmlformats-officedocument"
    return "application/zip"


def _docx_findings(
    raw: bytes, listing: archives.ArchiveListing | archives.ArchiveRejected | None
) -> tuple[list[str], str]:
    if listing is None:
        try:
            listing = archives.inspect_zip(raw)
        except archives.ArchiveRejected as exc:
            listing = exc
    if isinstance(listing, archives.ArchiveRejected):
        return [listing.finding], MESSAGE_DOCX_DAMAGED
    names = {n.casefold(): n for n in listing.names}
    if "word/document.xml" not in names or "[content_types].xml" not in names:
        return ["docx:missing-main-part"], MESSAGE_DOCX_DAMAGED
    findings = [
        f"docx:active-part:{names[n]}"
        for n in names
        if any(p in n for p in _DOCX_ACTIVE_PARTS)
        or (n.startswith(_DOCX_EMBEDDINGS) and not n.endswith(_DOCX_CHART_DATA))
    ]
    content_types = archives.read_entry(
        raw, names["[content_types].xml"], limit=1024 * 1024
    ).lower()
    findings += [
        f"docx:content-type:{t.decode()}" for t in _DOCX_MACRO_CONTENT_TYPES if t in content_types
    ]
    main = archives.read_entry(raw, names["word/document.xml"], limit=listing.total_uncompressed)
    if _DOCX_DDE.search(main):
        findings.append("docx:dde-field")
    for lowered, original in names.items():
        if lowered.endswith(".rels"):
            rels = archives.read_entry(raw, original, limit=1024 * 1024).lower()
            if b'targetmode="external"' in rels:
                findings += [
                    f"docx:external:{kind.decode()}:{original}"
                    for kind in _DOCX_EXTERNAL_ACTIVE
                    if _has_external_relationship(rels, kind)
                ]
    return findings, MESSAGE_MACROS if findings else ""


def _has_external_relationship(rels: bytes, kind: bytes) -> bool:
    """True if a <Relationship> of type .../kind has TargetMode="External"."""
    for element in rels.split(b"<relationship")[1:]:
        tag = element.split(b">", 1)[0]
        if b'targetmode="external"' in tag and (b"/" + kind + b'"') in tag:
            return True
    return False


def _looks_like_email(raw: bytes) -> bool:
    """An RFC 822 message: a sender and at least one other standard header before the body."""
    try:
        message = email.message_from_bytes(raw[: 256 * 1024], policy=email.policy.compat32)
    except Exception:  # noqa: BLE001 - the email parser is lenient but not total
        return False
    present = {key.lower() for key in message.keys()}
    return "from" in present and bool(present & {"date", "subject", "to", "message-id"})
