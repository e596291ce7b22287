"""Text extraction from accepted evidence, and its calm refusal of garbage."""

import io
import shutil

import pytest

from casework.evidence import extraction
from casework.evidence.extraction import decode_text, extract_text
from casework.evidence.screening import DOCX, EMAIL, GIF, JPEG, PDF, PNG, TEXT, screen_upload
from tests.casework.evidence import hostile


@pytest.fixture
def tesseract():
    """OCR tests need the real Tesseract; its absence is a broken environment, not a skip."""
    if shutil.which("tesseract") is None:
        pytest.fail("tesseract is not installed: `apt-get install -y tesseract-ocr`")


@pytest.fixture
def no_tesseract(monkeypatch):
    real_which = shutil.which
    monkeypatch.setattr(
        extraction.shutil,
        "which",
        lambda cmd, *a, **k: None if cmd == "tesseract" else real_which(cmd, *a, **k),
    )


RUSSIAN = (
    "Я пишу, чтобы пожаловаться на обслуживание в больнице. Врачи не ответили на мои письма "
    "в течение трёх месяцев, и никто не объяснил, почему операцию отменили."
)


def words(text: str) -> set[str]:
    return {w.strip(".,:;").lower() for w in text.split()}


class TestExtractTextFromPdf:
    def test_text_pdf(self):
        result = extract_text(hostile.pdf_document("Appointment cancelled twice"), PDF)

        assert result.text == "Appointment cancelled twice"
        assert (result.page_count, result.method, result.no_text) == (1, "pdf", False)

    def test_scanned_pdf_is_read_by_ocr(self, tesseract):
        result = extract_text(hostile.pdf_scanned("Discharge summary ward seven"), PDF)

        assert result.method == "ocr" and not result.no_text and result.page_count == 1
        assert {"discharge", "summary", "ward", "seven"} <= words(result.text)

    def test_ocr_stops_at_the_page_limit_and_says_so(self, tesseract, monkeypatch):
        monkeypatch.setattr(extraction, "MAX_OCR_PAGES", 1)
        pages = [hostile.text_image("First page here"), hostile.text_image("Second page")]
        buffer = io.BytesIO()
        pages[0].save(buffer, "PDF", save_all=True, append_images=pages[1:])

        result = extract_text(buffer.getvalue(), PDF)

        assert result.page_count == 2 and result.reason == "OCR read the first 1 of 2 pages"
        assert "first" in words(result.text) and "second" not in words(result.text)

    def test_scanned_pdf_without_ocr_is_marked_no_text(self, no_tesseract):
        result = extract_text(hostile.pdf_scanned("Discharge summary"), PDF)

        assert result.no_text and result.text == "" and result.page_count == 1
        assert result.reason == "scanned document: OCR is not installed"

    def test_encrypted_pdf_gives_no_text(self):
        result = extract_text(hostile.pdf_encrypted(), PDF)

        assert result.no_text and result.reason == "password protected"

    def test_garbage_labelled_pdf_gives_no_text_instead_of_raising(self):
        result = extract_text(b"%PDF-1.7\n\x00\xff garbage " * 50, PDF)

        assert result.no_text and result.reason.startswith("unreadable")


class TestExtractTextFromDocx:
    def test_paragraphs_and_tables(self):
        data = hostile.docx_document(
            "Statement of Mrs Smith",
            "The nurse did not check my mother's medication.",
            table=[["Date", "Event"], ["14 January", "Admitted to ward 7"]],
        )

        result = extract_text(data, DOCX)

        assert result.method == "docx" and not result.no_text
        assert "Statement of Mrs Smith" in result.text
        assert "The nurse did not check my mother's medication." in result.text
        assert "14 January\tAdmitted to ward 7" in result.text

    def test_zip_bomb_labelled_docx_gives_no_text_without_inflating_it(self):
        result = extract_text(hostile.docx_shaped_zip(hostile.zip_bomb_entry()), DOCX)

        assert result.no_text and result.reason == "unreadable: ArchiveRejected"

    def test_random_bytes_labelled_docx_gives_no_text(self):
        assert extract_text(b"PK\x03\x04" + bytes(range(256)) * 4, DOCX).no_text


class TestExtractTextFromPlainText:
    @pytest.mark.parametrize(
        ("data", "expected", "encoding"),
        [
            ("Café – £100 refund".encode(), "Café – £100 refund", "utf-8"),
            ("\ufeffWith a byte order mark".encode(), "With a byte order mark", "utf-8"),
            (
                "Caf\u00e9 \u2013 \u00a3100 refund owed".encode("cp1252"),
                "Café – £100 refund owed",
                "cp1252",
            ),
            (
                "Complaint about the surgery".encode("utf-16"),
                "Complaint about the surgery",
                "utf-16",
            ),
            (RUSSIAN.encode("koi8-r"), RUSSIAN, "koi8_r"),
        ],
        ids=["utf8", "utf8-bom", "cp1252", "utf16", "koi8-r"],
    )
    def test_decoding(self, data, expected, encoding):
        text, used = decode_text(data)

        assert (text, used) == (expected, encoding)

    def test_text_file(self):
        result = extract_text(b"Line one\r\nLine two   \n", TEXT)

        assert result.text == "Line one\r\nLine two" and result.method == "text"

    def test_nul_bytes_are_removed(self):
        assert "\x00" not in extract_text(b"abc\x00def\xff\xfe", TEXT).text

    def test_blank_text_file_is_no_text(self):
        assert extract_text(b" \n\t\n", TEXT).no_text


class TestExtractTextFromEmail:
    def test_headers_body_and_attachment_names(self):
        result = extract_text(hostile.email_message(), EMAIL)

        assert result.method == "email" and not result.no_text
        assert "From: Patient Advice <pals@trust.nhs.invalid>" in result.text
        assert "Subject: Your complaint about ward 7" in result.text
        assert "Date: Tue, 14 Jan 2025 09:30:00 +0000" in result.text
        assert "We have reviewed your complaint and apologise for the delay." in result.text
        assert result.attachments == ("meeting-minutes.pdf",)
        assert "Attachments: meeting-minutes.pdf" in result.text

    def test_html_only_body_is_reduced_to_visible_text(self):
        result = extract_text(hostile.email_message(html_only=True), EMAIL)

        body = result.text.split("\n\n", 1)[1]
        assert body.strip() == "We have reviewed your complaint."

    def test_hostile_attachment_name_is_neutralised(self):
        data = (
            b"From: a@b.invalid\nSubject: x\nMIME-Version: 1.0\n"
            b'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain\n\nhi\n'
            b"--b\nContent-Type: application/octet-stream\n"
            b"Content-Disposition: attachment; "
            b'filename="../../evil\xe2\x80\xaegpj.exe"\n\nMZ\n--b--\n'
        )

        result = extract_text(data, EMAIL)

        assert result.attachments == ("evilgpj.exe",)


class TestExtractTextFromImages:
    def test_photo_of_a_letter_is_read_by_ocr(self, tesseract):
        image = hostile.text_image("Reference HC 2026 000123")
        data = screen_upload("letter.png", _png(image)).reencoded

        result = extract_text(data, PNG)

        assert result.method == "ocr" and not result.no_text
        assert {"reference", "hc", "2026", "000123"} <= words(result.text)

    def test_image_without_ocr_is_marked_no_text(self, no_tesseract):
        result = extract_text(hostile.image_bytes("JPEG"), JPEG)

        assert result.no_text and result.reason == "image: OCR is not installed"

    def test_truncated_image_gives_no_text(self, tesseract):
        whole = hostile.image_bytes("GIF", size=(200, 200))

        assert extract_text(whole[: len(whole) // 2], GIF).no_text


class TestExtractTextLimits:
    def test_text_is_capped(self, settings):
        settings.EVIDENCE_MAX_EXTRACTED_CHARS = 100

        result = extract_text(b"word " * 1000, TEXT)

        assert len(result.text) == 100 and result.truncated and not result.no_text

    def test_unknown_type_gives_no_text(self):
        result = extract_text(b"MZ\x90\x00", "application/x-dosexec")

        assert result.no_text and result.method == "none"

    @pytest.mark.parametrize("content_type", [PDF, DOCX, TEXT, EMAIL, JPEG, PNG, GIF])
    def test_random_bytes_never_raise(self, content_type):
        noise = bytes((i * 7919 + 13) % 256 for i in range(4096))

        result = extract_text(noise, content_type)

        assert isinstance(result.text, str) and result.method


def _png(image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()
