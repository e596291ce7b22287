"""File names as uploaders send them are untrusted text: make them safe to show and to send back."""

import re
import unicodedata
from pathlib import PurePosixPath
from urllib.parse import quote

# Bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) and the marks
# (LRM, RLM, ALM) let "invoice\u202efdp.exe" display as "invoiceexe.pdf". They are all in
# Unicode category Cf, which is removed wholesale, but are named here because they are the reason.
BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
)

# Characters Windows refuses in file names; a caseworker saving the download must not be surprised.
_WINDOWS_FORBIDDEN = re.compile(r'[<>:"/\\|?*]')
# Device names Windows treats specially whatever the extension ("CON.txt" opens the console).
_WINDOWS_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL"]
    + [f"COM{i}" for i in range(1, 10)]
    + [f"LPT{i}" for i in range(1, 10)]
    + ["COM\u00b9", "COM\u00b2", "COM\u00b3", "LPT\u00b9", "LPT\u00b2", "LPT\u00b3"]
)
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,10}$")

DEFAULT_NAME = "document"
MAX_NAME_LENGTH = 120
# File systems and object stores count bytes, not characters: 255 is the usual limit.
MAX_NAME_BYTES = 240


def safe_display_name(name: str | None, *, max_length: int = MAX_NAME_LENGTH) -> str:
    """Return a name that is safe to show in a page, store and offer as a download name.

    Keeps only the last path element, removes control and formatting characters (NUL, bidi
    overrides), Windows-forbidden characters and leading/trailing dots and spaces, defuses Windows
    device names and trims long names while keeping the extension.
    """
    text = unicodedata.normalize("NFC", name or "")
    # Uploads from Windows browsers can carry a full "C:\\Users\\..." path: keep the last part.
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(
        " " if ch in "\t\r\n" else ch
        for ch in text
        if ch in "\t\r\n" or unicodedata.category(ch) not in {"Cc", "Cf", "Cs", "Co", "Cn"}
    )
    text = _WINDOWS_FORBIDDEN.sub("_", text)
    text = re.sub(r"\s+", " ", text).strip(" .")
    if not text or set(text) <= {".", "_", " "}:
        return DEFAULT_NAME
    stem = text.split(".", 1)[0].strip().upper()
    if stem in _WINDOWS_RESERVED:
        text = f"_{text}"
    if len(text) > max_length or len(text.encode()) > MAX_NAME_BYTES:
        match = _EXTENSION.search(text)
        extension = match.group(0) if match else ""
        stem = text[: len(text) - len(extension)][: max_length - len(extension)]
        while len((stem + extension).encode()) > MAX_NAME_BYTES:
            stem = stem[:-1]
        text = stem.rstrip(" .") + extension
    return text


def file_extension(name: str) -> str:
    """The lower-case last extension of a name, without the dot ("" if none)."""
    suffix = PurePosixPath(name).suffix
    return suffix[1:].lower() if suffix else ""


# RFC 5987 attr-char: everything else in filename* is percent-encoded.
_ATTR_CHARS = "!#$&+-.^_`|~"


def rfc6266_content_disposition(name: str | None, *, disposition: str = "attachment") -> str:
    """A Content-Disposition header value with an ASCII fallback and the exact UTF-8 name.

    Old clients read filename="..."; current browsers prefer filename*=UTF-8''... (RFC 6266 s.4.3).
    """
    display = safe_display_name(name)
    fallback = unicodedata.normalize("NFKD", display).encode("ascii", "ignore").decode("ascii")
    fallback = re.sub(r'["\\%;]', "_", fallback)
    fallback = re.sub(r"[^\x20-\x7e]", "", fallback).strip(" ")
    if not re.search(r"[A-Za-z0-9]", _EXTENSION.sub("", fallback)):
        # Nothing readable survives (a name wholly in another script): keep the extension at least.
        extension = file_extension(display)
        fallback = DEFAULT_NAME + (f".{extension}" if extension else "")
    encoded = quote(display, safe=_ATTR_CHARS)
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"
