"""Checking files attached to chat messages.

Images are accepted after Pillow has decoded them (core.images, the site's one check) and
are the only files ever shown inline. Other files must be of an allowed kind, recognised by
their content, not by the name the agent gave them; they are always downloaded as
attachments, with nosniff and a sandboxing CSP.
"""

import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from intranet.core.images import check_image

IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
OFFICE_TYPES = {
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


def max_attachment_bytes() -> int:
    return int(getattr(settings, "TRANSVERSE_CHAT_MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024))


def _extension(name: str) -> str:
    return (name or "").rsplit(".", 1)[-1].lower() if "." in (name or "") else ""


def _sniff(upload) -> str | None:
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    extension = _extension(upload.name)
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"PK\x03\x04") and extension in OFFICE_TYPES:
        try:
            with zipfile.ZipFile(upload) as archive:
                archive.getinfo("[Content_Types].xml" if "x" in extension[-1:] else "mimetype")
        except (zipfile.BadZipFile, KeyError, OSError):
            return None
        finally:
            upload.seek(0)
        return OFFICE_TYPES[extension]
    if extension in {"txt", "csv", "md"}:
        try:
            upload.read().decode("utf-8")
        except UnicodeDecodeError:
            return None
        finally:
            upload.seek(0)
        return "text/csv" if extension == "csv" else "text/plain"
    return None


def attachment_check(upload) -> None:
    """Raise ValidationError unless upload may be attached; sets upload.content_type_checked."""
    limit = max_attachment_bytes()
    if upload.size > limit:
        raise ValidationError(
            _("The file is too large (%(size)s); the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    content_type = _sniff(upload)
    if content_type is None:
        try:
            check_image(upload, max_bytes=limit)
        except ValidationError:
            raise ValidationError(
                _("Attach an image, a PDF, an office document or a text file."),
                code="bad_type",
            ) from None
        from PIL import Image

        upload.seek(0)
        with Image.open(upload) as image:
            content_type = IMAGE_TYPES[image.format]
        upload.seek(0)
    upload.content_type_checked = content_type
