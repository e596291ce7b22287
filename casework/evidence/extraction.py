"""Text from accepted evidence, for search, clinical coding and caseworkers' reading.

Run on files screening.py has accepted, but written as if it had not: hostile or damaged input
gives an empty result with a reason, never an exception, because extraction runs in a background
task whose failure must not hold up the case. Scanned documents and photos are read with
Tesseract OCR when the `tesseract` program is installed; without it they are marked no_text.
"""

import email
import email.policy
import io
import logging
import re
import shutil
import time
import warnings
from dataclasses import dataclass, field
from html.parser import HTMLParser

import docx
from charset_normalizer import from_bytes
from django.conf import settings
from PIL import Image
from pypdf import PdfReader

from casework.evidence import archives, images
from casework.evidence.filenames import safe_display_name
from casework.evidence.screening import DOCX, EMAIL, GIF, JPEG, PDF, PNG, TEXT

logger = logging.getLogger(__name__)

DEFAULT_MAX_CHARS = 2_000_000
# A page with less text than this is taken to be a scan (a signature, a page number at most).
MIN_CHARS_PER_PAGE = 25
MAX_OCR_PAGES = 50
OCR_TIMEOUT_SECONDS = 60
# All the OCR of one document ends within this, under the Celery task's soft time limit (300 s).
OCR_BUDGET_SECONDS = 240


@dataclass(frozen=True)
class ExtractionResult:
    text: str
    page_count: int | None
    method: str
    no_text: bool
    reason: str = ""
    truncated: bool = False
    attachments: tuple[str, ...] = field(default_factory=tuple)


def ocr_available() -> bool:
    return shutil.which("tesseract") is not None


def _max_chars() -> int:
    return getattr(settings, "EVIDENCE_MAX_EXTRACTED_CHARS", DEFAULT_MAX_CHARS)


def _finish(text: str, *, page_count, method, reason="", attachments=()) -> ExtractionResult:
    text = text.replace("\x00", "")
    text = re.sub(r"[ \t]+\n", "\n", text).strip()
    limit = _max_chars()
    truncated = len(text) > limit
    if truncated:
        text = text[:limit]
    return ExtractionResult(
        text=text,
        page_count=page_count,
        method=method,
        no_text=not text,
        reason=reason if text else (reason or "no text found"),
        truncated=truncated,
        attachments=tuple(attachments),
    )


def _nothing(method: str, reason: str, page_count: int | None = None) -> ExtractionResult:
    return ExtractionResult(
        text="", page_count=page_count, method=method, no_text=True, reason=reason
    )


def extract_text(data: bytes, content_type: str) -> ExtractionResult:
    """Text of one document by its detected content type; never raises."""
    extractor = _EXTRACTORS.get(content_type)
    if extractor is None:
        return _nothing("none", f"no text extraction for {content_type or 'unknown type'}")
    try:
        return extractor(data)
    except Exception as exc:  # noqa: BLE001 - a damaged file must never fail the task
        logger.info("Text extraction failed for %s: %s", content_type, type(exc).__name__)
        return _nothing(
            extractor.__name__.removeprefix("_extract_"), f"unreadable: {type(exc).__name__}"
        )


def _extract_pdf(data: bytes) -> ExtractionResult:
    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        return _nothing("pdf", "password protected")
    pages = reader.pages
    page_count = len(pages)
    limit = _max_chars()
    parts: list[str] = []
    total = 0
    for page in pages:
        try:
            text = page.extract_text() or ""
        except Exception:  # noqa: BLE001 - one bad page should not lose the others
            text = ""
        parts.append(text)
        total += len(text)
        if total > limit:
            break
    text = "\n\n".join(parts)
    if len(text.strip()) >= MIN_CHARS_PER_PAGE * max(page_count, 1) or total > limit:
        return _finish(text, page_count=page_count, method="pdf")
    if not ocr_available():
        # Keep whatever little text there was, but say it needs reading by a person.
        return ExtractionResult(
            text=text.strip(),
            page_count=page_count,
            method="pdf",
            no_text=True,
            reason="scanned document: OCR is not installed",
        )
    ocr_parts = []
    deadline = time.monotonic() + OCR_BUDGET_SECONDS
    for page in list(pages)[:MAX_OCR_PAGES]:
        if time.monotonic() > deadline:
            break
        try:
            page_images = list(page.images)
        except Exception:  # noqa: BLE001 - one page's broken image must not lose the rest
            page_images = []
        page_text = [_ocr_image_bytes(image_file.data) for image_file in page_images]
        ocr_parts.append("\n".join(t for t in page_text if t))
    ocr_text = "\n\n".join(ocr_parts)
    read = len(ocr_parts)
    reason = "" if read == page_count else f"OCR read the first {read} of {page_count} pages"
    if len(ocr_text.strip()) > len(text.strip()):
        return _finish(ocr_text, page_count=page_count, method="ocr", reason=reason)
    return _finish(
        text, page_count=page_count, method="pdf", reason="scanned document: OCR found no text"
    )


def _ocr_image_bytes(data: bytes) -> str:
    """OCR one image; images too large or unreadable give no text rather than an error."""
    # pytesseract loads pandas, seconds at every process start; only OCR needs it.
    import pytesseract

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as image:
                if image.width * image.height > images.MAX_PIXELS:
                    return ""
                image.load()
                if image.mode not in {"RGB", "L"}:
                    image = image.convert("RGB")
                return pytesseract.image_to_string(image, lang="eng", timeout=OCR_TIMEOUT_SECONDS)
        except (
            OSError,
            SyntaxError,
            ValueError,
            RuntimeError,
            Image.DecompressionBombError,
            Image.DecompressionBombWarning,
            pytesseract.TesseractError,
        ):
            return ""


def _extract_image(data: bytes) -> ExtractionResult:
    if not ocr_available():
        return _nothing("ocr", "image: OCR is not installed", page_count=1)
    return _finish(
        _ocr_image_bytes(data), page_count=1, method="ocr", reason="image: OCR found no text"
    )


def _extract_docx(data: bytes) -> ExtractionResult:
    # python-docx inflates parts whole: let the zip checks refuse a bomb first.
    archives.inspect_zip(data)
    document = docx.Document(io.BytesIO(data))
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append("\t".join(cell.text for cell in row.cells))
    for section in document.sections:
        for part in (section.header, section.footer):
            parts.extend(p.text for p in part.paragraphs if p.text)
    return _finish("\n".join(parts), page_count=_docx_pages(data), method="docx")


def _docx_pages(data: bytes) -> int | None:
    """Word records its own page count in docProps/app.xml; other writers may not."""
    try:
        app = archives.read_entry(data, "docProps/app.xml", limit=256 * 1024)
    except (KeyError, archives.ArchiveRejected):
        return None
    match = re.search(rb"<Pages>(\d{1,6})</Pages>", app)
    return int(match.group(1)) if match else None


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode text as UTF-8 (with or without BOM), else by detection, else as Windows-1252.

    Short texts fit several single-byte encodings equally well; in a UK service Windows-1252 is
    by far the likeliest of them, so it wins whenever detection finds it plausible at all.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace"), "utf-16"
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    matches = from_bytes(data[: 1024 * 1024])
    candidates = [match.encoding for match in matches if match.encoding]
    if "cp1252" not in candidates and candidates:
        try:
            return data.decode(candidates[0]), candidates[0]
        except (UnicodeDecodeError, LookupError):
            pass
    return data.decode("cp1252", "replace"), "cp1252"


def _extract_text_file(data: bytes) -> ExtractionResult:
    text, _encoding = decode_text(data)
    return _finish(text, page_count=None, method="text")


class _HTMLText(HTMLParser):
    """Visible text of an HTML email body: tags dropped, script and style skipped."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style", "head"}:
            self._skip += 1
        elif tag in {"br", "p", "div", "tr", "li"}:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in {"script", "style", "head"} and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def _html_to_text(html: str) -> str:
    parser = _HTMLText()
    parser.feed(html)
    parser.close()
    return re.sub(r"\n{3,}", "\n\n", "".join(parser.parts))


def _extract_email(data: bytes) -> ExtractionResult:
    message = email.message_from_bytes(data, policy=email.policy.default)
    header_lines = []
    for header in ("From", "To", "Cc", "Date", "Subject"):
        try:
            value = message.get(header)
        except Exception:  # noqa: BLE001 - malformed headers raise on access under policy.default
            value = None
        if value:
            header_lines.append(f"{header}: {value}")
    body = ""
    try:
        part = message.get_body(preferencelist=("plain", "html"))
        if part is not None:
            content = part.get_content()
            body = _html_to_text(content) if part.get_content_subtype() == "html" else content
    except Exception:  # noqa: BLE001 - undecodable bodies still leave the headers
        body = ""
    attachments = []
    try:
        for attachment in message.iter_attachments():
            filename = attachment.get_filename()
            if filename:
                attachments.append(safe_display_name(filename))
    except Exception:  # noqa: BLE001 - a broken MIME tree still leaves the headers and body
        logger.info("Email attachments could not be listed")
    text = "\n".join(header_lines) + "\n\n" + body
    if attachments:
        text += "\n\nAttachments: " + ", ".join(attachments)
    return _finish(text, page_count=None, method="email", attachments=attachments)


_EXTRACTORS = {
    PDF: _extract_pdf,
    DOCX: _extract_docx,
    TEXT: _extract_text_file,
    EMAIL: _extract_email,
    JPEG: _extract_image,
    PNG: _extract_image,
    GIF: _extract_image,
}
