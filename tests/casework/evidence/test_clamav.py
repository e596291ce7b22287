"""The clamd client against a real ClamAV daemon (see conftest.py), and against a dead one."""

import io
import socket
import threading

import pytest

from casework.evidence.clamav import (
    ClamdClient,
    ScanError,
    ScannerUnavailable,
    StreamTooLong,
    parse_scan_reply,
)
from casework.evidence.screening import screen_upload
from tests.casework.evidence.conftest import free_loopback_port
from tests.casework.evidence.hostile import EICAR, pdf_document, zip_bytes


class TestParseScanReply:
    def test_ok_is_clean(self):
        result = parse_scan_reply("stream: OK")

        assert result.clean and result.signature is None

    def test_found_names_the_signature(self):
        result = parse_scan_reply("stream: Eicar-Test-Signature FOUND")

        assert result.infected and result.signature == "Eicar-Test-Signature"

    def test_error_raises(self):
        with pytest.raises(ScanError, match="Can't allocate memory"):
            parse_scan_reply("stream: Can't allocate memory ERROR")

    def test_size_limit_error_is_stream_too_long(self):
        with pytest.raises(StreamTooLong):
            parse_scan_reply("INSTREAM size limit exceeded. ERROR")

    def test_unexpected_reply_raises_rather_than_passing_the_file(self):
        with pytest.raises(ScanError):
            parse_scan_reply("stream: MAYBE")


class TestClamdClientAgainstRealClamd:
    def test_ping_answers_pong_over_tcp_and_unix_socket(self, clamd):
        assert clamd.tcp_client().ping() is True
        assert clamd.unix_client().ping() is True

    def test_version_names_clamav(self, clamd):
        assert clamd.tcp_client().version().startswith("ClamAV")

    def test_eicar_is_found(self, clamd):
        result = clamd.tcp_client().scan(EICAR)

        # Signatures outside ClamAV's official databases are reported with ".UNOFFICIAL".
        assert result.infected
        assert result.signature.startswith("Eicar-Test-Signature")
        assert result.reply == f"stream: {result.signature} FOUND"

    def test_eicar_is_found_over_the_unix_socket(self, clamd):
        assert clamd.unix_client().scan(EICAR).infected

    def test_clean_pdf_is_clean(self, clamd):
        result = clamd.tcp_client().scan(pdf_document("Minutes of the meeting"))

        assert result.clean and result.reply == "stream: OK"

    def test_eicar_inside_a_zip_is_found(self, clamd):
        archive = zip_bytes([("notes/readme.txt", b"hello"), ("notes/eicar.com", EICAR)])

        result = clamd.tcp_client().scan(archive)

        assert result.infected and result.signature.startswith("Eicar-Test-Signature")

    def test_eicar_embedded_in_a_larger_file_is_found(self, clamd):
        padded = b"Dear caseworker,\n" * 500 + EICAR + b"\nYours faithfully\n" * 500

        result = clamd.tcp_client().scan(padded)

        # Only the body signature can match here: the file's MD5 is not EICAR's.
        assert result.infected and result.signature.startswith("Eicar-Test-Signature-Embedded")

    def test_file_object_streams_in_small_chunks(self, clamd):
        # Seven-byte chunks split the signature across many length-prefixed frames.
        result = clamd.tcp_client(chunk_size=7).scan(io.BytesIO(EICAR))

        assert result.infected

    def test_eicar_passes_screening_as_text_but_the_scanner_catches_it(self, clamd):
        screening = screen_upload("eicar.txt", EICAR)

        assert screening.accepted
        assert clamd.tcp_client().scan(EICAR).infected

    def test_zipped_eicar_is_refused_by_screening_and_found_by_the_scanner(self, clamd):
        archive = zip_bytes([("eicar.com", EICAR)])

        assert not screen_upload("evidence.zip", archive).accepted
        assert clamd.tcp_client().scan(archive).infected

    def test_client_refuses_data_longer_than_stream_max_length_before_sending(self, clamd):
        client = clamd.tcp_client(stream_max_length=1024)

        with pytest.raises(StreamTooLong):
            client.scan(b"x" * 2048)

    def test_unseekable_stream_longer_than_limit_raises(self, clamd):
        class Unseekable(io.RawIOBase):
            def __init__(self, total):
                self.left = total

            def readable(self):
                return True

            def read(self, size=-1):
                size = min(size, self.left)
                self.left -= size
                return b"y" * size

        with pytest.raises(StreamTooLong):
            clamd.tcp_client(stream_max_length=4096, chunk_size=1000).scan(Unseekable(10_000))

    def test_server_limit_reported_when_client_limit_is_off(self, clamd):
        client = clamd.tcp_client(stream_max_length=None)

        with pytest.raises(StreamTooLong, match="size limit exceeded"):
            client.scan(b"z" * (clamd.stream_max_length + 1024 * 1024))

    def test_from_settings_reads_host_port_and_timeout(self, clamd, settings):
        settings.CLAMAV_SOCKET = ""
        settings.CLAMAV_HOST = clamd.host
        settings.CLAMAV_PORT = clamd.port
        settings.CLAMAV_TIMEOUT = 7.5

        client = ClamdClient.from_settings()

        assert (client.host, client.port, client.timeout) == (clamd.host, clamd.port, 7.5)
        assert client.scan(EICAR).infected

    def test_from_settings_prefers_the_unix_socket(self, clamd, settings):
        settings.CLAMAV_SOCKET = clamd.socket_path
        settings.CLAMAV_PORT = 1

        assert ClamdClient.from_settings().ping()


class TestClamdUnavailable:
    def test_connection_refused_raises_scanner_unavailable(self):
        client = ClamdClient(host="127.0.0.1", port=free_loopback_port(), timeout=2)

        with pytest.raises(ScannerUnavailable):
            client.scan(EICAR)
        with pytest.raises(ScannerUnavailable):
            client.ping()

    def test_missing_unix_socket_raises_scanner_unavailable(self, tmp_path):
        client = ClamdClient(socket_path=str(tmp_path / "absent.sock"), timeout=2)

        with pytest.raises(ScannerUnavailable):
            client.scan(EICAR)

    def test_silent_server_times_out_as_scanner_unavailable(self):
        # Accepts the connection (the kernel does, from the backlog) but never answers.
        with socket.socket() as listener:
            listener.bind(("127.0.0.1", 0))
            listener.listen(1)
            client = ClamdClient(host="127.0.0.1", port=listener.getsockname()[1], timeout=0.5)

            with pytest.raises(ScannerUnavailable, match="in time"):
                client.scan(EICAR)

    def test_server_closing_without_a_reply_is_scanner_unavailable(self):
        with socket.socket() as listener:
            listener.bind(("127.0.0.1", 0))
            listener.listen(1)

            def accept_and_hang_up():
                connection, _ = listener.accept()
                connection.recv(64)
                connection.close()

            thread = threading.Thread(target=accept_and_hang_up)
            thread.start()
            client = ClamdClient(host="127.0.0.1", port=listener.getsockname()[1], timeout=5)

            with pytest.raises(ScannerUnavailable):
                client.ping()
            thread.join(timeout=5)
