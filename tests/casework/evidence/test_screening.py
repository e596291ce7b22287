"""Upload screening against hostile files, all built in memory (see hostile.py beside this file)."""

import io
import time
import zipfile

import pytest
from PIL import Image

from casework.evidence import archives
from casework.evidence.pdf import inspect_pdf
from casework.evidence.screening import (
    DOCX,
    EMAIL,
    GIF,
    JPEG,
    MESSAGE_EMPTY,
    MESSAGE_ENCRYPTED,
    MESSAGE_MACROS,
    MESSAGE_OLD_WORD,
    MESSAGE_PDF_ACTIVE,
    MESSAGE_WRONG_TYPE,
    MESSAGE_ZIP,
    PDF,
    PNG,
    TEXT,
    format_size,
    rfc6266_content_disposition,
    safe_display_name,
    screen_upload,
)
from tests.casework.evidence import hostile


def refused(result, message: str | None = None) -> bool:
    return not result.accepted and (message is None or result.reason == message)


class TestScreenUploadSize:
    def test_file_over_the_limit_is_refused_naming_the_limit(self):
        result = screen_upload("letter.txt", b"a" * 2048, size_limit=1024)

        assert refused(result, "The selected file must be smaller than 1KB")

    def test_default_limit_comes_from_settings(self, settings):
        settings.EVIDENCE_MAX_UPLOAD_BYTES = 5 * 1024 * 1024

        result = screen_upload("big.txt", b"b" * (5 * 1024 * 1024 + 1))

        assert refused(result, "The selected file must be smaller than 5MB")

    def test_oversize_stream_is_not_read_past_the_limit(self):
        class Endless(io.RawIOBase):
            read_total = 0

            def readable(self):
                return True

            def read(self, size=-1):
                Endless.read_total += size
                return b"\x00" * size

        result = screen_upload("endless.pdf", Endless(), size_limit=1024 * 1024)

        assert refused(result, "The selected file must be smaller than 1MB")
        assert Endless.read_total <= 1024 * 1024 + 1

    def test_file_exactly_at_the_limit_is_accepted(self):
        data = b"x" * 1000 + b"\n"

        assert screen_upload("notes.txt", data, size_limit=len(data)).accepted

    def test_empty_file_is_refused(self):
        assert refused(screen_upload("empty.pdf", b""), MESSAGE_EMPTY)

    def test_uploaded_file_object_is_read_from_the_start(self):
        content = b"Notes from the call with the practice manager.\n"
        stream = io.BytesIO(content)
        stream.read(5)

        result = screen_upload("notes.txt", stream)

        assert result.accepted and result.size == len(content)

    def test_sizes_are_written_the_govuk_way(self):
        assert [format_size(n) for n in (20 * 1024 * 1024, 1536 * 1024, 10 * 1024, 12)] == [
            "20MB",
            "1.5MB",
            "10KB",
            "12 bytes",
        ]


class TestScreenUploadAcceptsCleanEvidence:
    def test_clean_pdf(self):
        result = screen_upload("Discharge letter.pdf", hostile.pdf_document("Discharge letter"))

        assert result.accepted and result.content_type == PDF and result.reason == ""
        assert len(result.sha256) == 64 and result.reencoded is None

    def test_pdf_opening_at_a_page_destination_is_not_active_content(self):
        # pdfTeX and others write /OpenAction [page /Fit] by default: it runs nothing.
        data = hostile.pdf_document(catalog_extra=b"/OpenAction [3 0 R /Fit]")

        assert screen_upload("report.pdf", data).accepted

    def test_scanned_pdf(self):
        assert screen_upload("scan.pdf", hostile.pdf_scanned("Ward 7 notes")).accepted

    def test_clean_docx(self):
        result = screen_upload("statement.docx", hostile.docx_document("My statement"))

        assert result.accepted and result.content_type == DOCX

    def test_docx_with_an_external_hyperlink_is_accepted(self):
        rels = (
            b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            b'relationships/hyperlink" Target="https://www.nhs.uk/" TargetMode="External"/>'
            b"</Relationships>"
        )
        data = hostile.docx_with_added_parts(
            hostile.docx_document("See the NHS website"), {"word/_rels/footnotes.xml.rels": rels}
        )

        assert screen_upload("links.docx", data).accepted

    @pytest.mark.parametrize(
        "text",
        [
            b"Dear Sir,\nI am writing about my mother's care.\n",
            "Caf\u00e9 bill \u2013 \u00a3100\n".encode("cp1252"),
            "Complaint about the surgery\n".encode("utf-16"),
            b"date,event\n2025-01-14,admitted\n2025-01-20,discharged\n",
        ],
        ids=["utf8", "cp1252", "utf16", "csv-shaped"],
    )
    def test_plain_text(self, text):
        result = screen_upload("notes.txt", text)

        assert result.accepted and result.content_type == TEXT

    def test_email(self):
        result = screen_upload("reply from PALS.eml", hostile.email_message())

        assert result.accepted and result.content_type == EMAIL

    def test_email_starting_with_headers_libmagic_does_not_know(self):
        data = b"Subject: Your appointment\nFrom: clinic@nhs.invalid\n\nSee you on Monday.\n"

        result = screen_upload("appointment.eml", data)

        assert result.accepted and result.content_type == EMAIL

    @pytest.mark.parametrize(
        ("name", "fmt", "content_type"),
        [
            ("photo.jpg", "JPEG", JPEG),
            ("photo.JPEG", "JPEG", JPEG),
            ("screenshot.png", "PNG", PNG),
            ("x.gif", "GIF", GIF),
        ],
    )
    def test_images_are_accepted_and_re_encoded(self, name, fmt, content_type):
        result = screen_upload(name, hostile.image_bytes(fmt, size=(32, 24)))

        assert result.accepted and result.content_type == content_type
        with Image.open(io.BytesIO(result.reencoded)) as image:
            assert image.format == fmt and image.size == (32, 24)

    def test_result_offers_a_content_disposition_for_the_download(self):
        result = screen_upload("résumé.pdf", hostile.pdf_document())

        assert result.content_disposition == (
            "attachment; filename=\"resume.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf"
        )


class TestScreenUploadRefusesByType:
    def test_windows_executable_renamed_pdf(self):
        result = screen_upload("invoice.pdf", hostile.windows_executable())

        assert refused(result, MESSAGE_WRONG_TYPE)
        assert result.findings[0].startswith("type:executable")

    def test_elf_executable_renamed_txt(self):
        assert refused(screen_upload("readme.txt", hostile.elf_executable()), MESSAGE_WRONG_TYPE)

    def test_real_pdf_named_pdf_exe(self):
        result = screen_upload("report.pdf.exe", hostile.pdf_document())

        assert refused(result, MESSAGE_WRONG_TYPE)
        assert result.findings == ("extension:mismatch:exe:application/pdf",)

    def test_html_disguised_as_jpg(self):
        html = (
            b"<html><body><script>document.location='https://evil.invalid'</script></body></html>"
        )

        result = screen_upload("photo.jpg", html)

        assert refused(result, MESSAGE_WRONG_TYPE) and result.content_type == "text/html"

    def test_html_named_txt(self):
        assert refused(
            screen_upload("notes.txt", b"<!DOCTYPE html><html><script>x()</script></html>")
        )

    @pytest.mark.parametrize("name", ["drawing.svg", "drawing.png", "drawing.txt"])
    def test_svg_with_script_under_any_name(self, name):
        svg = (
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
            b"<script>alert(document.cookie)</script></svg>"
        )

        result = screen_upload(name, svg)

        assert refused(result) and result.content_type == "image/svg+xml"

    def test_pdf_named_jpg_says_what_is_wrong(self):
        result = screen_upload("photo.jpg", hostile.pdf_document())

        assert refused(
            result,
            "The selected file is not a JPG image, but its name ends in .jpg. "
            "Check you chose the right file",
        )

    def test_plain_text_named_eml_is_not_an_email(self):
        result = screen_upload("message.eml", b"Just some words, no headers at all.\n")

        assert refused(result) and "is not an email" in result.reason

    def test_zip_archive_is_refused_by_policy(self):
        archive = hostile.zip_bytes([("a.pdf", hostile.pdf_document()), ("b.txt", b"hello")])

        assert refused(screen_upload("evidence.zip", archive), MESSAGE_ZIP)

    def test_zip_with_traversal_named_zip_is_refused(self):
        archive = hostile.zip_bytes([("../../../etc/cron.d/evil", b"* * * * * root sh")])

        assert refused(screen_upload("evidence.zip", archive))

    def test_old_word_document_gets_a_specific_message(self):
        ole = bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 1024

        assert refused(screen_upload("letter.doc", ole), MESSAGE_OLD_WORD)

    def test_spreadsheet_is_refused(self):
        workbook = hostile.zip_bytes(
            [("[Content_Types].xml", b"<Types/>"), ("xl/workbook.xml", b"<workbook/>")]
        )

        assert refused(screen_upload("figures.docx", workbook), MESSAGE_WRONG_TYPE)

    def test_heic_and_tiff_are_refused(self):
        assert refused(screen_upload("scan.tif", hostile.image_bytes("TIFF")), MESSAGE_WRONG_TYPE)
        heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64
        assert refused(screen_upload("IMG_0001.heic", heic), MESSAGE_WRONG_TYPE)

    def test_unexpected_parser_failure_refuses_the_file(self, monkeypatch, caplog):
        def explode(data):
            raise RecursionError("deeply nested objects")

        monkeypatch.setattr("casework.evidence.screening.inspect_pdf", explode)

        result = screen_upload("deep.pdf", hostile.pdf_document())

        assert refused(result, "The selected file could not be uploaded – try again")
        assert result.findings == ("screening:error",)
        assert "Upload screening failed unexpectedly" in caplog.text

    def test_file_without_an_extension_is_refused(self):
        assert refused(screen_upload("statement", hostile.pdf_document()), MESSAGE_WRONG_TYPE)


class TestScreenUploadPdfActiveContent:
    def test_open_action_running_javascript(self):
        data = hostile.pdf_document(
            catalog_extra=b"/OpenAction 6 0 R",
            extra_objects=(b"<< /Type /Action /S /JavaScript /JS (app.alert\\(1\\)) >>",),
        )

        result = screen_upload("letter.pdf", data)

        assert refused(result, MESSAGE_PDF_ACTIVE)
        assert {"pdf:/OpenAction", "pdf:/JS", "pdf:/JavaScript"} <= set(result.findings)

    def test_open_action_opening_a_web_address(self):
        data = hostile.pdf_document(
            catalog_extra=b"/OpenAction << /S /URI /URI (https://tracker.invalid/pixel) >>"
        )

        result = screen_upload("letter.pdf", data)

        assert refused(result, MESSAGE_PDF_ACTIVE) and "pdf:/OpenAction" in result.findings

    def test_document_level_javascript(self):
        result = screen_upload("letter.pdf", hostile.pdf_with_document_script())

        assert refused(result, MESSAGE_PDF_ACTIVE)

    def test_launch_action_on_a_link(self):
        data = hostile.pdf_document(
            page_extra=b"/Annots [6 0 R]",
            extra_objects=(
                b"<< /Type /Annot /Subtype /Link /Rect [0 0 612 792] "
                b"/A << /S /Launch /F (cmd.exe) /Win << /F (cmd.exe) /P (/c calc) >> >> >>",
            ),
        )

        result = screen_upload("letter.pdf", data)

        assert refused(result, MESSAGE_PDF_ACTIVE) and "pdf:/Launch" in result.findings

    def test_embedded_file(self):
        result = screen_upload("letter.pdf", hostile.pdf_with_attachment())

        assert refused(result, MESSAGE_PDF_ACTIVE)
        assert {"pdf:/EmbeddedFiles", "pdf:/EmbeddedFile"} <= set(result.findings)

    def test_page_additional_actions(self):
        data = hostile.pdf_document(page_extra=b"/AA << /O << /S /JavaScript /JS (go\\(\\)) >> >>")

        result = screen_upload("letter.pdf", data)

        assert refused(result, MESSAGE_PDF_ACTIVE) and "pdf:/AA" in result.findings

    def test_rich_media_and_xfa(self):
        data = hostile.pdf_document(
            catalog_extra=b"/AcroForm << /Fields [] /XFA 6 0 R >>",
            page_extra=b"/Annots [7 0 R]",
            extra_objects=(
                hostile._pdf_stream(b"<xdp:xdp/>"),
                b"<< /Type /Annot /Subtype /RichMedia /Rect [0 0 10 10] >>",
            ),
        )

        result = screen_upload("form.pdf", data)

        assert refused(result, MESSAGE_PDF_ACTIVE)
        assert {"pdf:/XFA", "pdf:/RichMedia"} <= set(result.findings)

    def test_obfuscated_javascript_name_is_decoded_by_both_checks(self):
        data = hostile.pdf_document(
            catalog_extra=b"/Names << /J#61vaScript 6 0 R >>",
            extra_objects=(b"<< /Names [(a) 7 0 R] >>", b"<< /S /J#61vaScript /J#53 (x\\(\\)) >>"),
        )

        result = screen_upload("letter.pdf", data)

        assert refused(result, MESSAGE_PDF_ACTIVE)
        assert {
            "pdf-raw:/JavaScript:obfuscated",
            "pdf-raw:/JS:obfuscated",
            "pdf:/JavaScript",
        } <= set(result.findings)

    def test_obfuscated_script_outside_the_xref_is_caught_by_the_byte_scan(self):
        # Unreferenced, so the parser never sees it; a viewer rebuilding a broken xref might.
        data = hostile.pdf_document(tail=b"9 0 obj\n<< /S /J#61vaScript /J#53 (x) >>\nendobj\n")

        result = screen_upload("letter.pdf", data)

        assert refused(result, MESSAGE_PDF_ACTIVE)
        assert result.findings == ("pdf-raw:/JavaScript:obfuscated", "pdf-raw:/JS:obfuscated")

    def test_script_in_a_compressed_object_stream_is_caught_by_the_parser(self):
        result = screen_upload("letter.pdf", hostile.pdf_with_script_in_object_stream())

        assert refused(result, MESSAGE_PDF_ACTIVE)
        assert not any(f.startswith("pdf-raw:") for f in result.findings)
        assert {"pdf:/JS", "pdf:/JavaScript", "pdf:/OpenAction"} <= set(result.findings)

    def test_encrypted_pdf(self):
        result = screen_upload("locked.pdf", hostile.pdf_encrypted())

        assert refused(result, MESSAGE_ENCRYPTED)

    def test_damaged_pdf(self):
        result = screen_upload("broken.pdf", b"%PDF-1.4\nthis is not really a pdf at all\n")

        assert refused(result) and "could not be opened" in result.reason

    def test_unterminated_streams_do_not_slow_the_byte_scan(self):
        # Twenty thousand stream openings without an end: one pass, not one pass per opening.
        data = hostile.pdf_document() + b"<< >>\nstream\n/x " * 20_000

        started = time.monotonic()
        inspect_pdf(data)

        assert time.monotonic() - started < 5

    def test_compressed_page_content_does_not_trigger_the_byte_scan(self):
        # Random-looking stream data can contain "/JS" followed by a delimiter by chance.
        noise = b"\x00/JS \x00/AA]\x00/Launch(" * 50
        data = hostile.build_pdf(
            [
                b"<< /Type /Catalog /Pages 2 0 R >>",
                b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
                hostile._pdf_stream(noise, b"/Filter /FlateDecode "),
            ]
        )

        assert inspect_pdf(data).findings == ()


class TestScreenUploadWordDocuments:
    def test_macro_enabled_document_renamed_docx(self):
        result = screen_upload("minutes.docx", hostile.docm_renamed())

        assert refused(result, MESSAGE_MACROS)
        assert "docx:active-part:word/vbaProject.bin" in result.findings

    def test_remote_template_injection(self):
        result = screen_upload("minutes.docx", hostile.docx_remote_template())

        assert refused(result, MESSAGE_MACROS)
        assert result.findings == ("docx:external:attachedtemplate:word/_rels/settings.xml.rels",)

    def test_embedded_ole_object(self):
        data = hostile.docx_with_added_parts(
            hostile.docx_document("See attached"),
            {"word/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0" + b"\x00" * 100},
        )

        assert refused(screen_upload("minutes.docx", data), MESSAGE_MACROS)

    def test_dde_auto_field(self):
        base = hostile.docx_document("Totals")
        with zipfile.ZipFile(io.BytesIO(base)) as archive:
            body = archive.read("word/document.xml")
        field = (
            b'<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve">'
            b' DDEAUTO c:\\windows\\system32\\cmd.exe "/k calc.exe"</w:instrText></w:r>'
        )
        data = hostile.docx_with_added_parts(
            base,
            {},
            replace={"word/document.xml": body.replace(b"</w:body>", field + b"</w:body>")},
        )

        result = screen_upload("totals.docx", data)

        assert refused(result, MESSAGE_MACROS) and result.findings == ("docx:dde-field",)

    def test_chart_data_workbook_is_not_an_embedded_object(self):
        data = hostile.docx_with_added_parts(
            hostile.docx_document("Waiting times chart"),
            {
                "word/embeddings/Microsoft_Excel_Worksheet.xlsx": hostile.zip_bytes(
                    [("xl/x.xml", b"")]
                )
            },
        )

        assert screen_upload("chart.docx", data).accepted

    def test_zip_bomb_shaped_as_docx(self):
        result = screen_upload("minutes.docx", hostile.docx_shaped_zip(hostile.zip_bomb_entry()))

        assert refused(result) and result.findings[0].startswith("zip:bomb-ratio")

    def test_zip_with_understated_sizes(self):
        result = screen_upload("minutes.docx", hostile.zip_with_understated_size())

        assert refused(result) and result.findings[0].startswith("zip:unreadable-entry")

    @pytest.mark.parametrize(
        "entry",
        [
            ("../../etc/passwd", b"root::0:0"),
            ("/etc/passwd", b"root::0:0"),
            ("word\\..\\..\\evil.bat", b"calc"),
            ("C:/Windows/evil.bat", b"calc"),
            hostile.symlink_entry("word/media/image1.png", "/etc/shadow"),
        ],
        ids=["dot-dot", "absolute", "backslash-dot-dot", "drive-letter", "symlink"],
    )
    def test_unsafe_entries_in_a_docx(self, entry):
        result = screen_upload("minutes.docx", hostile.docx_shaped_zip(entry))

        assert refused(result) and result.findings[0].startswith(("zip:unsafe-name", "zip:symlink"))

    def test_docx_without_content_types_is_damaged(self):
        data = hostile.zip_bytes([("word/document.xml", b"<w:document/>")])

        assert refused(screen_upload("minutes.docx", data))


class TestInspectZip:
    def test_bomb_is_refused_from_the_directory_without_inflating(self, monkeypatch):
        data = hostile.docx_shaped_zip(hostile.zip_bomb_entry())
        monkeypatch.setattr(archives, "_inflated_size", lambda *a, **k: pytest.fail("inflated"))

        with pytest.raises(archives.ArchiveRejected, match="bomb-ratio"):
            archives.inspect_zip(data)

    def test_total_uncompressed_size_limit(self):
        data = hostile.zip_bytes([(f"part{i}.xml", bytes(600)) for i in range(4)])

        with pytest.raises(archives.ArchiveRejected, match="too-large-uncompressed"):
            archives.inspect_zip(data, max_total_uncompressed=2000)

    def test_entry_count_limit(self):
        data = hostile.zip_bytes([(f"f{i}.txt", b"x") for i in range(30)])

        with pytest.raises(archives.ArchiveRejected, match="too-many-entries"):
            archives.inspect_zip(data, max_entries=20)

    def test_encrypted_entry(self):
        data = hostile.zip_with_encrypted_entry()

        with pytest.raises(archives.ArchiveRejected, match="encrypted-entry"):
            archives.inspect_zip(data)

    def test_duplicate_names(self):
        with pytest.warns(UserWarning, match="Duplicate name"):
            data = hostile.zip_bytes([("word/document.xml", b"a"), ("word/document.xml", b"b")])

        with pytest.raises(archives.ArchiveRejected, match="duplicate-name"):
            archives.inspect_zip(data)

    def test_not_a_zip(self):
        with pytest.raises(archives.ArchiveRejected, match="unreadable"):
            archives.inspect_zip(b"PK\x03\x04 but nothing else")

    def test_clean_listing_counts_actual_sizes(self):
        listing = archives.inspect_zip(hostile.zip_bytes([("a.txt", b"x" * 100), ("b/", b"")]))

        assert listing.total_uncompressed == 100 and listing.names == {"a.txt", "b/"}


class TestScreenUploadImages:
    def test_gps_exif_and_comment_are_stripped(self):
        original = hostile.jpeg_with_gps_and_orientation()
        with Image.open(io.BytesIO(original)) as image:
            assert image.getexif().get_ifd(0x8825)  # the fixture really carries a position

        result = screen_upload("photo.jpg", original)

        assert result.accepted
        with Image.open(io.BytesIO(result.reencoded)) as image:
            assert not image.getexif()
            assert "exif" not in image.info and "comment" not in image.info
        assert b"GPS" not in result.reencoded and b"<?php" not in result.reencoded

    def test_exif_orientation_is_applied_before_it_is_stripped(self):
        # Orientation 6: the camera was turned a quarter; the stored 60x20 pixels show as 20x60.
        result = screen_upload("photo.jpg", hostile.jpeg_with_gps_and_orientation(orientation=6))

        with Image.open(io.BytesIO(result.reencoded)) as image:
            assert image.size == (20, 60)

    def test_gif_html_polyglot_loses_its_script(self):
        payload = b"<script>alert(document.domain)</script>"
        polyglot = hostile.image_bytes("GIF", comment=payload) + b"<html>" + payload

        result = screen_upload("avatar.gif", polyglot)

        assert result.accepted and payload in polyglot
        assert b"<script" not in result.reencoded and b"<html" not in result.reencoded

    def test_gifar_style_image_with_a_zip_appended_loses_the_zip(self):
        jar = hostile.zip_bytes(
            [("META-INF/MANIFEST.MF", b"Main-Class: Evil\n"), ("Evil.class", b"\xca\xfe\xba\xbe")]
        )
        polyglot = hostile.image_bytes("PNG") + jar
        assert zipfile.is_zipfile(io.BytesIO(polyglot))

        result = screen_upload("photo.png", polyglot)

        assert result.accepted
        assert not zipfile.is_zipfile(io.BytesIO(result.reencoded))
        assert b"PK\x03\x04" not in result.reencoded

    def test_png_text_chunk_is_stripped(self):
        result = screen_upload(
            "chart.png", hostile.png_with_text_chunk(b"<?php eval($_POST[0]); ?>")
        )

        assert result.accepted and b"eval" not in result.reencoded

    def test_transparent_gif_stays_transparent(self):
        image = Image.new("P", (10, 10), 0)
        image.putpalette([255, 255, 255, 200, 0, 0] + [0] * 762)
        image.putpixel((5, 5), 1)
        buffer = io.BytesIO()
        image.save(buffer, "GIF", transparency=0, comment=b"<script>")

        result = screen_upload("icon.gif", buffer.getvalue())

        with Image.open(io.BytesIO(result.reencoded)) as clean:
            rgba = clean.convert("RGBA")
            assert rgba.getpixel((0, 0))[3] == 0 and rgba.getpixel((5, 5)) == (200, 0, 0, 255)
        assert b"<script>" not in result.reencoded

    def test_animated_gif_keeps_its_frames(self):
        frames = [Image.new("RGB", (8, 8), c) for c in ("red", "green", "blue")]
        buffer = io.BytesIO()
        frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], comment=b"<script>")

        result = screen_upload("anim.gif", buffer.getvalue())

        with Image.open(io.BytesIO(result.reencoded)) as image:
            assert image.n_frames == 3
        assert b"<script>" not in result.reencoded

    @pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
    def test_truncated_image_is_refused(self, fmt):
        whole = hostile.image_bytes(fmt, size=(300, 300), colour=(10, 200, 90))

        result = screen_upload(f"photo.{fmt.lower()}", whole[: len(whole) // 2])

        assert refused(result) and "damaged or incomplete" in result.reason

    def test_decompression_bomb_png_is_refused_quickly(self):
        result = screen_upload("bomb.png", hostile.png_header_only_bomb())

        assert refused(result) and "too large" in result.reason

    def test_image_over_the_configured_pixel_limit_is_refused(self):
        image = hostile.image_bytes("PNG", size=(400, 300))

        result = screen_upload("wide.png", image, max_image_pixels=100_000)

        assert refused(
            result,
            "The selected image is too large. "
            "Resize it to under 0.1 megapixels and upload it again",
        )
        assert result.findings == ("image:too-many-pixels:400x300",)


class TestSafeDisplayName:
    @pytest.mark.parametrize(
        ("name", "expected"),
        [
            ("../../etc/passwd", "passwd"),
            ("..\\..\\windows\\system32\\evil.pdf", "evil.pdf"),
            ("C:\\Users\\jo\\Documents\\letter.pdf", "letter.pdf"),
            ("report\x00.pdf", "report.pdf"),
            ("line\nbreak\r\ttab.txt", "line break tab.txt"),
            ("invoice\u202efdp.exe", "invoicefdp.exe"),
            ("\u2066\u2067photo\u2069\u202a.jpg", "photo.jpg"),
            ("...", "document"),
            ("", "document"),
            (None, "document"),
            ("CON.txt", "_CON.txt"),
            ("lpt1", "_lpt1"),
            ("a<b>c:d|e?f*.pdf", "a_b_c_d_e_f_.pdf"),
            ("  trailing dots... ", "trailing dots"),
            ("Café notes.docx", "Café notes.docx"),
        ],
    )
    def test_neutralises(self, name, expected):
        assert safe_display_name(name) == expected

    def test_very_long_name_is_trimmed_keeping_its_extension(self):
        name = safe_display_name("a" * 1000 + ".pdf")

        assert len(name) == 120 and name.endswith("aaa.pdf")

    def test_long_name_in_a_multibyte_script_fits_file_system_limits(self):
        name = safe_display_name("報" * 200 + ".pdf")

        assert name.endswith("報.pdf") and len(name.encode()) <= 240 and len(name) <= 120

    def test_decomposed_unicode_is_composed(self):
        assert safe_display_name("Cafe\u0301.txt") == "Caf\u00e9.txt"

    def test_right_to_left_override_no_longer_hides_an_executable(self):
        result = screen_upload("invoice\u202efdp.exe", hostile.windows_executable())

        assert refused(result) and result.display_name == "invoicefdp.exe"

    def test_hostile_name_on_a_clean_file_is_stored_safely(self):
        result = screen_upload("../../var/www/shell.pdf", hostile.pdf_document())

        assert result.accepted and result.display_name == "shell.pdf"


class TestRfc6266ContentDisposition:
    def test_ascii_name(self):
        assert rfc6266_content_disposition("letter.pdf") == (
            "attachment; filename=\"letter.pdf\"; filename*=UTF-8''letter.pdf"
        )

    def test_unicode_name_has_ascii_fallback_and_exact_utf8(self):
        assert rfc6266_content_disposition("Zoë’s notes.pdf") == (
            'attachment; filename="Zoes notes.pdf"; '
            "filename*=UTF-8''Zo%C3%AB%E2%80%99s%20notes.pdf"
        )

    def test_quotes_backslashes_and_semicolons_cannot_break_the_header(self):
        header = rfc6266_content_disposition('a";b\\c\r\nSet-Cookie: x=1.pdf')

        fallback = header.split('filename="', 1)[1].split('"', 1)[0]
        assert '"' not in fallback and ";" not in fallback and "\\" not in fallback
        assert "\r" not in header and "\n" not in header

    def test_name_in_another_script_falls_back_to_a_generic_ascii_name(self):
        assert rfc6266_content_disposition("报告.pdf").startswith(
            'attachment; filename="document.pdf";'
        )

    def test_inline_disposition(self):
        assert rfc6266_content_disposition("a.png", disposition="inline").startswith("inline;")
