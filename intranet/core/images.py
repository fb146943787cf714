"""Checking and normalising uploaded images with Pillow.

An upload is trusted only after Pillow has decoded it; what is stored is always a fresh
JPEG we encoded ourselves (no EXIF, no embedded script, no SVG), under a generated name.
"""

import io
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}
MAX_PIXELS = 40_000_000


def check_image(upload, *, max_bytes: int) -> None:
    """Raise ValidationError with a clear message unless upload is an acceptable image."""
    if upload.size > max_bytes:
        raise ValidationError(
            _("The file is too large (%(size)s); the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(max_bytes)},
            code="too_large",
        )
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            if image.format not in ACCEPTED_FORMATS:
                raise ValidationError(_("Send a JPEG, PNG, GIF or WebP image."), code="bad_format")
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError(_("The image has too many pixels."), code="too_many_pixels")
            image.verify()
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        raise ValidationError(
            _("This file is not an image that can be read."), code="not_image"
        ) from None
    finally:
        upload.seek(0)


def square_jpeg(upload, *, size: int = 400, folder: str) -> ContentFile:
    """A size×size JPEG of the image's centre, orientation applied, metadata dropped."""
    fitted = ImageOps.fit(_upright_rgb(upload), (size, size), Image.Resampling.LANCZOS)
    return _jpeg_file(fitted, folder)


def _upright_rgb(upload) -> Image.Image:
    """The decoded image, EXIF orientation applied, transparency flattened on white."""
    upload.seek(0)
    with Image.open(upload) as image:
        image.load()
        image = ImageOps.exif_transpose(image)
        if image.mode not in ("RGB", "L"):
            background = Image.new("RGB", image.size, (255, 255, 255))
            rgba = image.convert("RGBA")
            background.paste(rgba, mask=rgba.getchannel("A"))
            image = background
        return image.convert("RGB")


def _jpeg_file(image: Image.Image, folder: str) -> ContentFile:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85, optimize=True)
    return ContentFile(buffer.getvalue(), name=f"{folder}/{uuid.uuid4().hex}.jpg")


def fitted_jpeg(upload, *, longest_side: int = 1600, folder: str) -> ContentFile:
    """A JPEG no larger than longest_side on either side, orientation applied, no metadata."""
    image = _upright_rgb(upload)
    image.thumbnail((longest_side, longest_side), Image.Resampling.LANCZOS)
    return _jpeg_file(image, folder)


# A text alternative describes an image in a sentence or two; past this it is not one.
MAX_ALT_TEXT = 1000


def checked_alt_text(alt: str, *, decorative: bool) -> str:
    """The text alternative of an uploaded image: required unless it is decorative (then "").

    Raises ValidationError with the message the author reads (RGAA criterion 1.2 / 1.3).
    """
    if decorative:
        return ""
    alt = " ".join(str(alt or "").replace("\x00", "").split())
    if not alt:
        raise ValidationError(
            _("Describe the image for those who cannot see it, or mark it as decorative."),
            code="alt_required",
        )
    if len(alt) > MAX_ALT_TEXT:
        raise ValidationError(
            _("The description is too long: %(max)d characters at most.") % {"max": MAX_ALT_TEXT},
            code="alt_too_long",
        )
    return alt
