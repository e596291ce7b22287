"""A client for the ClamAV daemon (clamd), speaking its protocol over TCP or a Unix socket.

Commands use the null-terminated "z" form. A scan is INSTREAM: the data goes in chunks, each
preceded by its length as a 4-byte big-endian integer, and a zero-length chunk ends it; clamd
answers "stream: OK", "stream: <signature> FOUND" or "<reason> ERROR".

Anything short of a clear answer raises: ScannerUnavailable when clamd cannot be reached or does
not answer in time, ScanError when it answers with an error. Callers fail closed: a document
that could not be scanned stays pending and is never served.
"""

import io
import socket
import struct
from dataclasses import dataclass
from typing import BinaryIO

from django.conf import settings

DEFAULT_PORT = 3310
DEFAULT_TIMEOUT = 30.0
# clamd's own default StreamMaxLength; sending more makes it drop the connection mid-stream.
DEFAULT_STREAM_MAX_LENGTH = 25 * 1024 * 1024
CHUNK_SIZE = 64 * 1024
_MAX_REPLY = 64 * 1024


class ClamdError(Exception):
    """Base class: no verdict was reached, so the file must be treated as not yet scanned."""


class ScannerUnavailable(ClamdError):
    """clamd could not be reached, or did not answer in time."""


class ScanError(ClamdError):
    """clamd answered with an error (too large, out of memory, unreadable stream)."""


class StreamTooLong(ScanError):
    """The data is longer than clamd's StreamMaxLength, so clamd would not scan all of it."""


@dataclass(frozen=True)
class ScanResult:
    infected: bool
    signature: str | None
    reply: str

    @property
    def clean(self) -> bool:
        return not self.infected


def parse_scan_reply(reply: str) -> ScanResult:
    """Parse one INSTREAM reply; raises ScanError for an ERROR reply or anything unexpected."""
    text = reply.strip()
    if text.endswith(" ERROR"):
        if "size limit exceeded" in text:
            raise StreamTooLong(text)
        raise ScanError(text)
    _, separator, verdict = text.partition(": ")
    if not separator:
        raise ScanError(f"unexpected reply from clamd: {text!r}")
    if verdict == "OK":
        return ScanResult(infected=False, signature=None, reply=text)
    if verdict.endswith(" FOUND"):
        return ScanResult(infected=True, signature=verdict[: -len(" FOUND")], reply=text)
    raise ScanError(f"unexpected reply from clamd: {text!r}")


class ClamdClient:
    """One connection per command, as clamd expects for INSTREAM without IDSESSION."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = DEFAULT_PORT,
        socket_path: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        stream_max_length: int | None = DEFAULT_STREAM_MAX_LENGTH,
        chunk_size: int = CHUNK_SIZE,
    ):
        self.host = host
        self.port = port
        self.socket_path = socket_path or None
        self.timeout = timeout
        self.stream_max_length = stream_max_length
        self.chunk_size = chunk_size

    @classmethod
    def from_settings(cls) -> "ClamdClient":
        """CLAMAV_SOCKET wins when set; otherwise CLAMAV_HOST and CLAMAV_PORT."""
        return cls(
            host=getattr(settings, "CLAMAV_HOST", "127.0.0.1"),
            port=getattr(settings, "CLAMAV_PORT", DEFAULT_PORT),
            socket_path=getattr(settings, "CLAMAV_SOCKET", "") or None,
            timeout=getattr(settings, "CLAMAV_TIMEOUT", DEFAULT_TIMEOUT),
            stream_max_length=getattr(
                settings, "CLAMAV_STREAM_MAX_LENGTH", DEFAULT_STREAM_MAX_LENGTH
            ),
        )

    def __repr__(self) -> str:
        where = self.socket_path or f"{self.host}:{self.port}"
        return f"<ClamdClient {where}>"

    def _connect(self) -> socket.socket:
        try:
            if self.socket_path:
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                sock.settimeout(self.timeout)
                try:
                    sock.connect(self.socket_path)
                except BaseException:
                    sock.close()
                    raise
                return sock
            return socket.create_connection((self.host, self.port), timeout=self.timeout)
        except OSError as exc:
            raise ScannerUnavailable(f"cannot connect to clamd at {self!r}: {exc}") from exc

    def _read_reply(self, sock: socket.socket) -> str:
        """Read up to the null terminator of a z-command reply."""
        buffer = bytearray()
        while not buffer.endswith(b"\0"):
            chunk = sock.recv(4096)
            if not chunk:
                break
            buffer += chunk
            if len(buffer) > _MAX_REPLY:
                raise ScanError("clamd reply too long")
        if not buffer:
            raise ScannerUnavailable(f"clamd at {self!r} closed the connection without replying")
        return buffer.rstrip(b"\0").decode("utf-8", "replace")

    def _command(self, command: str) -> str:
        try:
            with self._connect() as sock:
                sock.sendall(f"z{command}\0".encode("ascii"))
                return self._read_reply(sock)
        except TimeoutError as exc:
            raise ScannerUnavailable(f"clamd at {self!r} did not answer in time") from exc
        except OSError as exc:
            raise ScannerUnavailable(f"clamd at {self!r} failed: {exc}") from exc

    def ping(self) -> bool:
        """True when clamd answers PONG; raises ScannerUnavailable otherwise."""
        reply = self._command("PING")
        if reply != "PONG":
            raise ScannerUnavailable(f"unexpected reply to PING: {reply!r}")
        return True

    def version(self) -> str:
        return self._command("VERSION")

    def scan(self, data: bytes | bytearray | memoryview | BinaryIO) -> ScanResult:
        """Scan bytes or a binary file object with INSTREAM and return the verdict."""
        stream: BinaryIO = (
            io.BytesIO(bytes(data)) if isinstance(data, bytes | bytearray | memoryview) else data
        )
        if self.stream_max_length is not None:
            length = _known_length(stream)
            if length is not None and length > self.stream_max_length:
                raise StreamTooLong(
                    f"{length} bytes is more than StreamMaxLength {self.stream_max_length}"
                )
        try:
            with self._connect() as sock:
                sock.sendall(b"zINSTREAM\0")
                sent = 0
                try:
                    while chunk := stream.read(self.chunk_size):
                        sent += len(chunk)
                        if self.stream_max_length is not None and sent > self.stream_max_length:
                            raise StreamTooLong(
                                f"more than StreamMaxLength {self.stream_max_length}"
                            )
                        sock.sendall(struct.pack("!L", len(chunk)) + chunk)
                    sock.sendall(struct.pack("!L", 0))
                except (BrokenPipeError, ConnectionResetError):
                    # clamd stops reading and replies when the stream passes its own limit:
                    # the reply, if it arrived, says why.
                    pass
                return parse_scan_reply(self._read_reply(sock))
        except TimeoutError as exc:
            raise ScannerUnavailable(f"clamd at {self!r} did not answer in time") from exc
        except ClamdError:
            raise
        except OSError as exc:
            raise ScannerUnavailable(f"clamd at {self!r} failed: {exc}") from exc


def _known_length(stream: BinaryIO) -> int | None:
    """Bytes left in a seekable stream, or None when it cannot be known without reading."""
    try:
        position = stream.tell()
        end = stream.seek(0, io.SEEK_END)
        stream.seek(position)
    except (AttributeError, OSError, ValueError):
        return None
    return end - position


def scan(data: bytes | BinaryIO) -> ScanResult:
    """Scan with the clamd named in settings."""
    return ClamdClient.from_settings().scan(data)
