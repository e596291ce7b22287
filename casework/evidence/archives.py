"""Zip containers (DOCX is one) inspected before anything in them is trusted or unpacked.

Every limit is checked against the central directory first, so a bomb is refused without being
inflated; then each entry is inflated in bounded chunks and counted, because the sizes in the
directory are written by the uploader and may be lies.
"""

import io
import stat
import zipfile
import zlib
from dataclasses import dataclass, field

MAX_ENTRIES = 2000
MAX_TOTAL_UNCOMPRESSED = 200 * 1024 * 1024
# Text and XML compress about 10:1 and images not at all; 100:1 on a large entry is a bomb.
MAX_RATIO = 100
RATIO_APPLIES_ABOVE = 1024 * 1024
_CHUNK = 64 * 1024


class ArchiveRejected(Exception):
    """The archive breaks a safety rule; `finding` says which, for logs."""

    def __init__(self, finding: str):
        super().__init__(finding)
        self.finding = finding


@dataclass(frozen=True)
class ArchiveEntry:
    name: str
    size: int
    compressed_size: int


@dataclass(frozen=True)
class ArchiveListing:
    entries: tuple[ArchiveEntry, ...]
    total_uncompressed: int
    names: frozenset[str] = field(default_factory=frozenset)


def _unsafe_name(name: str) -> bool:
    if "\x00" in name or not name:
        return True
    normalised = name.replace("\\", "/")
    if normalised.startswith("/") or (len(normalised) > 1 and normalised[1] == ":"):
        return True
    return any(part == ".." for part in normalised.split("/"))


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    # Only Unix-made archives carry a file mode in the high 16 bits of external_attr.
    return info.create_system == 3 and stat.S_ISLNK(info.external_attr >> 16)


def inspect_zip(
    data: bytes,
    *,
    max_entries: int = MAX_ENTRIES,
    max_total_uncompressed: int = MAX_TOTAL_UNCOMPRESSED,
    max_ratio: int = MAX_RATIO,
) -> ArchiveListing:
    """List a zip's entries once names, counts, sizes and ratios pass, then verify by inflating.

    Raises ArchiveRejected on traversal or absolute names, symlinks, encrypted or duplicate
    entries, too many entries, too much uncompressed data (declared or actual) or a bomb ratio.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError) as exc:
        raise ArchiveRejected(f"zip:unreadable:{type(exc).__name__}") from exc
    with archive:
        if len(infos) > max_entries:
            raise ArchiveRejected(f"zip:too-many-entries:{len(infos)}")
        seen: set[str] = set()
        declared_total = 0
        for info in infos:
            name = info.filename
            if _unsafe_name(name):
                raise ArchiveRejected(f"zip:unsafe-name:{name!r}")
            if _is_symlink(info):
                raise ArchiveRejected(f"zip:symlink:{name!r}")
            if info.flag_bits & 0x1:
                raise ArchiveRejected(f"zip:encrypted-entry:{name!r}")
            # Two entries with one name let different readers see different files.
            folded = name.replace("\\", "/").casefold()
            if folded in seen:
                raise ArchiveRejected(f"zip:duplicate-name:{name!r}")
            seen.add(folded)
            declared_total += info.file_size
            if declared_total > max_total_uncompressed:
                raise ArchiveRejected(f"zip:too-large-uncompressed:{declared_total}")
            if info.file_size > RATIO_APPLIES_ABOVE and info.file_size > max_ratio * max(
                info.compress_size, 1
            ):
                raise ArchiveRejected(f"zip:bomb-ratio:{name!r}")
        actual_total = 0
        for info in infos:
            if info.is_dir():
                continue
            actual = _inflated_size(archive, info, limit=max_total_uncompressed - actual_total)
            if actual != info.file_size:
                raise ArchiveRejected(f"zip:size-mismatch:{info.filename!r}")
            actual_total += actual
    entries = tuple(ArchiveEntry(i.filename, i.file_size, i.compress_size) for i in infos)
    return ArchiveListing(
        entries=entries, total_uncompressed=actual_total, names=frozenset(i.filename for i in infos)
    )


def _inflated_size(archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, limit: int) -> int:
    """Inflate one entry in bounded chunks, counting, and stop as soon as it passes `limit`.

    zipfile stops at the declared size and checks the CRC at the end, so a directory that
    understates an entry fails the CRC and one that overstates it shows as a size mismatch.
    """
    size = 0
    try:
        with archive.open(info) as member:
            while chunk := member.read(_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise ArchiveRejected(f"zip:too-large-uncompressed:{info.filename!r}")
    except ArchiveRejected:
        raise
    # Unsupported compression methods surface as a RuntimeError subclass.
    except (zipfile.BadZipFile, RuntimeError, zlib.error, OSError, EOFError) as exc:
        raise ArchiveRejected(
            f"zip:unreadable-entry:{info.filename!r}:{type(exc).__name__}"
        ) from exc
    return size


def read_entry(data: bytes, name: str, *, limit: int) -> bytes:
    """Read one entry of an already inspected zip, refusing more than `limit` bytes."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open(name) as member:
        content = member.read(limit + 1)
    if len(content) > limit:
        raise ArchiveRejected(f"zip:entry-too-large:{name!r}")
    return content
