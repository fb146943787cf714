"""Template filters of the libraries: a file type in words, in the agent's language."""

from django import template
from django.utils.translation import gettext as _

register = template.Library()


def _labels() -> dict[str, str]:
    return {
        "application/pdf": _("PDF document"),
        "image/png": _("PNG image"),
        "image/jpeg": _("JPEG image"),
        "image/gif": _("GIF image"),
        "image/webp": _("WebP image"),
        "text/plain": _("Text"),
        "text/csv": _("CSV table"),
        "text/markdown": _("Markdown text"),
        "application/vnd.oasis.opendocument.text": _("OpenDocument text"),
        "application/vnd.oasis.opendocument.spreadsheet": _("OpenDocument spreadsheet"),
        "application/vnd.oasis.opendocument.presentation": _("OpenDocument presentation"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document": _(
            "Word document"
        ),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": _("Excel spreadsheet"),
        "application/vnd.openxmlformats-officedocument.presentationml.presentation": _(
            "PowerPoint presentation"
        ),
        "application/zip": _("ZIP archive"),
    }


@register.filter
def document_type(mime: str) -> str:
    """ "application/pdf" -> "PDF document" (the agent's language); unknown: "File"."""
    return _labels().get(mime or "", _("File"))
