"""Active content in PDFs: scripts, automatic actions, launchers, attachments, Flash, XFA forms.

Two independent looks, because either alone can be fooled. pypdf walks every object it can reach
(including those inside compressed object streams and unreferenced ones in the cross-reference
table); a raw byte scan reads every name token in the file, undoing #xx escapes, so a name that
only a lenient viewer would find (a broken xref, an obfuscated /J#61vaScript) is still caught.
"""

import io
import logging
import re
from dataclasses import dataclass

from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

logger = logging.getLogger(__name__)

# Keys whose presence means the document can act by itself or carries another file.
ACTIVE_KEYS = frozenset(
    {
        "/JavaScript",
        "/JS",
        "/AA",
        "/Launch",
        "/EmbeddedFile",
        "/EmbeddedFiles",
        "/RichMedia",
        "/XFA",
    }
)
# Names used as values (an action's /S, a stream's /Type) with the same meaning.
ACTIVE_VALUES = frozenset(
    {"/JavaScript", "/Launch", "/EmbeddedFile", "/RichMedia", "/GoToE", "/ImportData"}
)
# /OpenAction may be a plain destination ("open at page 1, fit width"), which pdfTeX and others
# write by default; only an action dictionary there runs something.
OPEN_ACTION = "/OpenAction"
_RAW_ALWAYS_ACTIVE = ACTIVE_KEYS | ACTIVE_VALUES

MAX_OBJECTS = 500_000
_NAME_TOKEN = re.compile(rb"/([^\x00\t\n\x0c\r ()<>\[\]{}/%]{1,127})")
_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM_START = re.compile(rb">>[\x00\t\n\x0c\r ]{0,64}stream\r?\n")


@dataclass(frozen=True)
class PdfInspection:
    encrypted: bool
    readable: bool
    findings: tuple[str, ...]
    page_count: int | None

    @property
    def active_content(self) -> bool:
        return any(f.startswith(("pdf:", "pdf-raw:")) for f in self.findings)


def _decode_name(token: bytes) -> bytes:
    return _HEX_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), token)


def raw_name_findings(data: bytes) -> list[str]:
    """Active names found by scanning the bytes outside stream data, with #xx escapes undone."""
    findings = []
    for match in _NAME_TOKEN.finditer(_outside_streams(data)):
        token = match.group(1)
        decoded = b"/" + _decode_name(token)
        name = decoded.decode("latin-1")
        escaped = b"#" in token
        if name in _RAW_ALWAYS_ACTIVE or (escaped and name == OPEN_ACTION):
            label = f"pdf-raw:{name}" + (":obfuscated" if escaped else "")
            if label not in findings:
                findings.append(label)
    return findings


def _outside_streams(data: bytes) -> bytes:
    """The file without the bytes between "stream" and "endstream".

    Compressed stream data is random bytes, where "/JS" followed by a delimiter turns up by
    chance in a few large files in a hundred; object streams are read by the pypdf walk instead.
    One forward pass, so a file full of unterminated streams cannot make it slow.
    """
    parts = []
    position = 0
    while match := _STREAM_START.search(data, position):
        parts.append(data[position : match.start()])
        end = data.find(b"endstream", match.end())
        if end == -1:
            # No end: keep the rest in view rather than let a stray keyword hide it.
            position = match.start()
            break
        position = end + len(b"endstream")
    parts.append(data[position:])
    return b" ".join(parts)


def _tree_findings(reader: PdfReader) -> list[str]:
    findings: list[str] = []

    def note(label: str) -> None:
        if label not in findings:
            findings.append(label)

    stack: list = [reader.trailer]
    for generation, objects in reader.xref.items():
        stack.extend(IndirectObject(idnum, generation, reader) for idnum in objects)
    stack.extend(IndirectObject(idnum, 0, reader) for idnum in reader.xref_objStm)
    seen: set[tuple[int, int]] = set()
    visited = 0
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                continue
            seen.add(key)
            try:
                obj = obj.get_object()
            except (PdfReadError, ValueError, KeyError, TypeError, OSError, RecursionError):
                continue
        visited += 1
        if visited > MAX_OBJECTS:
            note("pdf:too-many-objects")
            break
        if isinstance(obj, DictionaryObject):
            for key, value in dict.items(obj):
                if key in ACTIVE_KEYS:
                    note(f"pdf:{key}")
                if key == OPEN_ACTION:
                    try:
                        target = value.get_object()
                    except (PdfReadError, ValueError, KeyError, TypeError, OSError):
                        target = None
                    # An unreadable target is treated as an action: the safe reading.
                    if target is None or isinstance(target, DictionaryObject):
                        note(f"pdf:{OPEN_ACTION}")
                stack.append(value)
        elif isinstance(obj, ArrayObject):
            stack.extend(list.__iter__(obj))
        elif isinstance(obj, NameObject) and obj in ACTIVE_VALUES:
            note(f"pdf:{obj}")
    return findings


def inspect_pdf(data: bytes) -> PdfInspection:
    """Find active content and encryption; never raises on malformed input."""
    findings = raw_name_findings(data)
    raw_encrypt = re.search(rb"/Encrypt\b", data) is not None
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        encrypted = reader.is_encrypted
        if encrypted:
            return PdfInspection(True, True, tuple(findings), None)
        findings.extend(f for f in _tree_findings(reader) if f not in findings)
        page_count = len(reader.pages)
    except Exception as exc:  # noqa: BLE001 - pypdf raises many types on hostile input
        logger.info("PDF could not be parsed: %s", type(exc).__name__)
        return PdfInspection(raw_encrypt, False, tuple(findings), None)
    return PdfInspection(encrypted, True, tuple(findings), page_count)
