"""Images are decoded and written again from pixels alone.

Re-encoding throws away everything that is not the picture: EXIF (camera, GPS position), comments,
text chunks, ICC profiles, trailing data such as an appended zip or script (polyglots), so what is
stored and served is only what a person sees. EXIF orientation is applied first so the picture
still stands the right way up without it.
"""

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

# Pillow's format names for the image types accepted as evidence.
FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/gif": "GIF"}
MAX_PIXELS = 50_000_000  # a 50 megapixel camera is the largest a phone will send
MAX_FRAMES = 100


class ImageRejected(Exception):
    def __init__(self, finding: str, *, damaged: bool = False, too_large: bool = False):
        super().__init__(finding)
        self.finding = finding
        self.damaged = damaged
        self.too_large = too_large


@dataclass(frozen=True)
class ReencodedImage:
    data: bytes
    width: int
    height: int


# Which palette entry is see-through is part of the picture, and only ever a number or a short
# table of alpha values: the one piece of metadata kept.
_PICTURE_INFO = "transparency"


def _strip(frame: Image.Image) -> Image.Image:
    """A copy of the pixels (and palette) with no other metadata."""
    clean = frame.copy()
    kept = {_PICTURE_INFO: frame.info[_PICTURE_INFO]} if _PICTURE_INFO in frame.info else {}
    clean.info = kept
    if hasattr(clean, "_exif"):
        clean._exif = None  # noqa: SLF001 - Pillow caches parsed EXIF here and would write it back
    return clean


def reencode_image(
    data: bytes, content_type: str, *, max_pixels: int = MAX_PIXELS
) -> ReencodedImage:
    """Decode and re-encode in the same format; raises ImageRejected on bombs or damaged files."""
    expected = FORMATS[content_type]
    with warnings.catch_warnings():
        # Pillow only warns between its own limit and twice it; any bomb warning is a refusal.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=[expected]) as image:
                width, height = image.size
                # Checked on the header, before a single pixel is decoded.
                if width * height > max_pixels or width <= 0 or height <= 0:
                    raise ImageRejected(f"image:too-many-pixels:{width}x{height}", too_large=True)
                frames = getattr(image, "n_frames", 1)
                if frames > MAX_FRAMES or frames * width * height > 4 * max_pixels:
                    raise ImageRejected(f"image:too-many-frames:{frames}", too_large=True)
                out = io.BytesIO()
                if expected == "GIF" and frames > 1:
                    sequence = [
                        _strip(frame.convert("RGBA")) for frame in ImageSequence.Iterator(image)
                    ]
                    durations = image.info.get("duration", 100)
                    sequence[0].save(
                        out,
                        "GIF",
                        save_all=True,
                        append_images=sequence[1:],
                        duration=durations,
                        loop=0,
                    )
                    result = sequence[0]
                else:
                    image.load()
                    result = _strip(ImageOps.exif_transpose(image) or image)
                    if expected == "JPEG":
                        if result.mode not in {"RGB", "L", "CMYK"}:
                            result = result.convert("RGB")
                        result.save(out, "JPEG", quality=90, optimize=True)
                    else:
                        result.save(out, expected, optimize=expected == "PNG")
        except ImageRejected:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ImageRejected("image:decompression-bomb", too_large=True) from exc
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
            # Pillow reports truncated and corrupt data as OSError or SyntaxError.
            raise ImageRejected(f"image:damaged:{type(exc).__name__}", damaged=True) from exc
    return ReencodedImage(out.getvalue(), result.width, result.height)
