"""The checks a chat write makes before and around storing: the frame's identifiers, the
body's size, the idempotency key, the rate limit and why a send was refused.

Access itself is chat.access's; these raise the same exceptions the services do
(Http404, PermissionDenied, ValidationError with the protocol's codes).
"""

import re

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from intranet.chat import access
from intranet.chat.models import MAX_ALT_CHARS, SendCount

MENTION = re.compile(r"(?<![\w@])@([\w.-]{1,150})")
KEY = re.compile(r"[A-Za-z0-9._:-]{8,64}")


def setting_limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


def check_key(idempotency_key) -> str:
    key = str(idempotency_key or "")
    if not KEY.fullmatch(key):
        raise ValidationError(
            _("Each message needs an identifier of 8 to 64 letters, digits or - _ . :"),
            code="bad_key",
        )
    return key


def check_body(body, *, has_attachment=False) -> str:
    body = str(body or "").strip()
    limit = setting_limit("TRANSVERSE_CHAT_MAX_MESSAGE_CHARS", 10_000)
    if len(body) > limit:
        raise ValidationError(
            _("The message is too long (%(n)d characters); the limit is %(limit)d.")
            % {"n": len(body), "limit": limit},
            code="message_too_long",
        )
    if not body and not has_attachment:
        raise ValidationError(_("The message is empty."), code="empty")
    return body


def check_alt(attachment, alt, decorative: bool) -> str:
    """An image's text alternative: required unless the sender marked it decorative (then
    none is kept); other files need none."""
    if not attachment.content_type_checked.startswith("image/"):
        return ""
    alt = " ".join(str(alt or "").split())
    if decorative:
        return ""
    if not alt:
        raise ValidationError(
            _("Describe the image for those who cannot see it, or mark it as decorative."),
            code="alt_required",
        )
    if len(alt) > MAX_ALT_CHARS:
        raise ValidationError(
            _("The image's description is too long (%(n)d characters); the limit is %(limit)d.")
            % {"n": len(alt), "limit": MAX_ALT_CHARS},
            code="alt_too_long",
        )
    return alt


def rate_limited() -> ValidationError:
    return ValidationError(
        _("You are sending messages too quickly; wait a moment."), code="rate_limited"
    )


def rate_window(actor) -> list:
    """The agent, the current minute and the limit: what the rate limit counts by."""
    minute = int(timezone.now().timestamp() // 60)
    return [actor.pk, minute, setting_limit("TRANSVERSE_CHAT_RATE_PER_MINUTE", 60)]


def at_rate_limit(actor) -> bool:
    agent, minute, limit = rate_window(actor)
    return SendCount.objects.filter(agent_id=agent, minute=minute, sent__gte=limit).exists()


def refused(actor, pk: int) -> None:
    """Why the numbering UPDATE matched nothing: not writable (the access model says
    whether that is a 404 or a 403), the rate limit, or a stale copy of the actor (the
    database knows them deactivated or removed since): 404."""
    access.access_conversation(actor, pk, for_write=True)
    if at_rate_limit(actor):
        raise rate_limited()
    raise Http404


def conversation_pk(value) -> int:
    """A conversation id from a frame or a URL: anything else is a conversation that does
    not exist."""
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def frame_int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError(_("Invalid identifier."), code="bad_id") from None


def clean_filename(name: str) -> str:
    """An attachment's name as shown (never used as a path)."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>:|?*')
    return name.strip()[:200] or "fichier"
