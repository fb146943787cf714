"""The chat pages: list, conversation, HTTP send (same idempotency as the socket), history,
attachments. JavaScript enhances them through one WebSocket; they work without it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from intranet.chat import access, selectors, services
from intranet.chat.forms import DirectForm, MessageForm, NamedConversationForm
from intranet.chat.models import Reaction
from intranet.groups.access import access_group
from intranet.notifications.selectors import unread_count


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@require_GET
def chat_index(request):
    services.group_rooms_ensure(request.user)
    context = {
        "conversations": selectors.conversation_list(request.user),
        "direct_form": DirectForm(),
        "named_form": NamedConversationForm(),
    }
    return render(request, "chat/chat_index.html", context)


@require_GET
def conversation_detail(request, pk):
    conversation = access.access_conversation(request.user, pk)
    page = selectors.message_page(conversation)
    read_seq = selectors.read_position(request.user, conversation)
    if page:
        services.conversation_mark_read(request.user, conversation.pk, seq=page[-1].seq)
    payloads = selectors.message_payloads(page)
    context = {
        "conversation": conversation,
        "conversations": selectors.conversation_list(request.user),
        "title": selectors.conversation_detail_title(request.user, conversation),
        "messages_data": selectors.message_thread(
            selectors.payload_cards_attach(request.user, payloads),
            me=request.user.pk,
            read_seq=read_seq,
        ),
        "participants": selectors.conversation_participants(conversation)[:60],
        "can_write": access.can_write_conversation(request.user, conversation),
        "form": MessageForm(),
        "reaction_kinds": Reaction.Kind.choices,
        "group_within": int(selectors.GROUP_WITHIN.total_seconds()),
    }
    return render(request, "chat/conversation_detail.html", context)


@require_GET
def group_room(request, slug):
    group = access_group(request.user, slug)
    return redirect("chat:conversation-detail", services.group_room(request.user, group).pk)


@require_POST
def message_send(request, pk):
    form = MessageForm(request.POST, request.FILES)
    if not form.is_valid():
        return _send_failed(request, pk, " ".join(e for errs in form.errors.values() for e in errs))
    data = form.cleaned_data
    try:
        message, created = services.message_send(
            request.user,
            pk,
            body=data["body"],
            idempotency_key=data["key"],
            parent_id=data["parent"],
            attachment=data["attachment"],
            attachment_alt=data["attachment_alt"],
            attachment_decorative=data["attachment_decorative"],
        )
    except ValidationError as exc:
        return _send_failed(request, pk, " ".join(exc.messages), code=exc.code)
    if _wants_json(request):
        payload = selectors.message_payloads([message])[0]
        return JsonResponse(
            {
                "message": payload,
                "created": created,
                "stored": True,
                "live": message.broadcast is not False,
            }
        )
    if message.broadcast is False:
        messages.warning(request, _("Message stored; live updates are paused for now."))
    return redirect("chat:conversation-detail", message.conversation_id)


def _send_failed(request, pk, text: str, code="invalid"):
    if _wants_json(request):
        status = 429 if code == "rate_limited" else 400
        return JsonResponse({"error": {"code": code or "invalid", "message": text}}, status=status)
    access.access_conversation(request.user, pk)
    messages.error(request, text)
    return redirect("chat:conversation-detail", pk)


@require_GET
def message_history(request, pk):
    conversation = access.access_conversation(request.user, pk)
    try:
        before = int(request.GET["before"]) if request.GET.get("before") else None
        since = int(request.GET["since"]) if request.GET.get("since") else None
    except ValueError:
        raise Http404 from None
    if since is not None:
        rows, truncated = selectors.messages_since(conversation, since)
        return JsonResponse(
            {
                "messages": selectors.message_payloads(rows),
                "truncated": truncated,
                "last_rev": conversation.last_rev,
            }
        )
    page = selectors.message_page(conversation, before_seq=before)
    return JsonResponse(
        {"messages": selectors.message_payloads(page), "has_more": bool(page) and page[0].seq > 1}
    )


@require_GET
def message_cards(request, pk):
    """The cards of linked documents this reader may see: live messages carry only ids."""
    access.access_conversation(request.user, pk)
    cards = selectors.cards_for_reader(request.user, request.GET.get("ids", ""))
    response = JsonResponse({"cards": cards})
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def conversation_start_direct(request):
    form = DirectForm(request.POST, actor=request.user)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["username"]))
        return redirect("chat:chat-index")
    try:
        conversation = services.conversation_direct_open(
            request.user, other=form.cleaned_data["username"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("chat:chat-index")
    return redirect("chat:conversation-detail", conversation.pk)


@require_POST
def conversation_create(request):
    form = NamedConversationForm(request.POST, actor=request.user)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("chat:chat-index")
    data = form.cleaned_data
    try:
        conversation = services.conversation_named_create(
            request.user, name=data["name"], agents=data["usernames"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("chat:chat-index")
    return redirect("chat:conversation-detail", conversation.pk)


@require_GET
def chat_counts(request):
    return JsonResponse(
        {
            "chat_unread": selectors.unread_total(request.user),
            "notifications_unread": unread_count(request.user),
        }
    )


@require_GET
def attachment_download(request, message_id):
    """Files only through here: the message's access check, never a public media URL."""
    message = access.access_message(request.user, message_id)
    if not message.attachment or message.is_deleted:
        raise Http404
    is_image = message.attachment_type.startswith("image/")
    content_type = message.attachment_type if is_image else "application/octet-stream"
    response = FileResponse(
        default_storage.open(message.attachment.name, "rb"),
        as_attachment=not is_image,
        filename=message.attachment_name or "fichier",
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
