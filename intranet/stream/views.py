"""Stream pages: the home feed, posting, a post with its comments, reactions, follows."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from intranet.accounts.access import visible_agents
from intranet.accounts.services import agent_welcome_seen
from intranet.core.redirects import redirect_back
from intranet.core.text import fold
from intranet.departments.selectors import department_breadcrumb
from intranet.groups import access as group_access
from intranet.groups.selectors import suggested_groups
from intranet.moderation.services import charter_accept
from intranet.people.selectors import agent_colleagues, newcomers
from intranet.skills.selectors import agent_skills
from intranet.stream import access, selectors
from intranet.stream.forms import (
    CommentForm,
    EditForm,
    FeedFilterForm,
    PostForm,
    ReactionForm,
    ShareForm,
)
from intranet.stream.models import PostRevision
from intranet.stream.services import comments, posts, reactions
from intranet.topics.access import visible_topic
from intranet.topics.services import topic_key


@require_GET
def home(request):
    if request.user.welcomed_at is None and not request.GET:
        # A new agent's first visit: the welcome, once (it remembers that it was seen).
        return redirect("stream:welcome")
    form = FeedFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    show = data.get("show") or "all"
    topic = None
    if data.get("topic"):
        topic = visible_topic(request.user, topic_key(data["topic"]))
        show = "topic" if topic else show
    feed = selectors.home_feed(
        request.user, feed_filter=show, topic=topic, cursor=data.get("after")
    )
    if request.GET.get("fragment"):
        # "Voir plus": only the next posts, none of the page around them.
        return render(request, "stream/_feed_page.html", {"feed": feed})
    context = {
        "feed": feed,
        "show": show,
        "topic": topic,
        "post_form": PostForm(actor=request.user),
        "breadcrumb": department_breadcrumb(request.user.department),
        "colleagues": agent_colleagues(request.user, request.user, limit=6),
        "newcomers": newcomers(request.user, limit=4),
    }
    if show == "all" and not data.get("after"):
        context["suggestions"] = _home_suggestions(request.user, feed)
    return render(request, "stream/home.html", context)


def _home_suggestions(actor, feed) -> dict | None:
    """What to follow and read when the agent follows nothing yet (or sees nothing): the
    home feed is never a blank page."""
    follows_nothing = selectors.follows_nothing(actor)
    if feed.posts and not follows_nothing:
        return None
    return {
        "follows_nothing": follows_nothing,
        "groups": suggested_groups(actor, limit=4),
        "topics": selectors.popular_topics(actor, limit=6),
        "posts": selectors.popular_posts(actor, limit=3, exclude=[p.pk for p in feed.posts]),
        "my_groups": group_access.member_group_ids(actor),
    }


@require_GET
def welcome(request):
    """The first-visit welcome: complete one's profile, join groups, follow #topics."""
    actor = request.user
    agent_welcome_seen(actor)
    context = {
        "has_photo": bool(actor.photo),
        "skill_count": len(agent_skills(actor)),
        "groups": suggested_groups(actor, limit=6),
        "my_groups": group_access.member_group_ids(actor),
        "topics": selectors.popular_topics(actor, limit=8),
    }
    return render(request, "stream/welcome.html", context)


def _group_for_post(request):
    raw = request.POST.get("group")
    if not raw:
        return None
    return group_access.access_group_by_id(request.user, raw)


def _accept_charter_if_asked(request, form) -> None:
    if form.cleaned_data.get("accept_charter"):
        charter_accept(request.user, version_id=form.cleaned_data["charter_version"])


@require_POST
def post_create(request):
    group = _group_for_post(request)
    form = PostForm(request.POST, request.FILES, actor=request.user, group=group)
    fallback = reverse("groups:group-detail", args=[group.slug]) if group else reverse("home")
    if form.is_valid():
        data = form.cleaned_data
        try:
            _accept_charter_if_asked(request, form)
            posts.post_create(
                request.user,
                body=data["body"],
                visibility=data["visibility"],
                group=group,
                image=data["image"],
                image_alt=data.get("image_alt", ""),
                image_decorative=data.get("image_decorative", False),
                requires_ack=data.get("requires_ack", False),
                idempotency_key=data["idempotency_key"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your post has been published."))
            return redirect_back(request, fallback)
    return render(request, "stream/post_form.html", {"form": form, "group": group}, status=400)


@require_GET
def post_detail(request, post_id):
    post = access.access_post(request.user, post_id)
    selectors.decorate_posts(request.user, [post])
    ack_count, acked = selectors.acknowledgement_state(request.user, post)
    context = {
        "post": post,
        "comments": selectors.post_comments(request.user, post),
        "comment_form": CommentForm(actor=request.user),
        "can_comment": access.can_comment_post(request.user, post),
        "ack_count": ack_count,
        "acked": acked,
        "can_share": posts.can_share_post(request.user, post),
        "can_moderate": access.can_moderate_post(request.user, post),
    }
    return render(request, "stream/post_detail.html", context)


def post_edit(request, post_id):
    post = access.access_post(request.user, post_id, for_write=True)
    form = EditForm(request.POST or None, initial={"body": post.body})
    if request.method == "POST" and form.is_valid():
        try:
            posts.post_edit(request.user, post.pk, body=form.cleaned_data["body"])
        except ValidationError as error:
            form.add_error("body", error)
        else:
            messages.success(request, _("Your post has been updated."))
            return redirect("stream:post-detail", post_id=post.pk)
    return render(request, "stream/post_edit.html", {"form": form, "post": post})


@require_POST
def post_delete(request, post_id):
    post = posts.post_delete(request.user, post_id)
    messages.success(request, _("The post has been deleted."))
    fallback = (
        reverse("groups:group-detail", args=[post.group.slug]) if post.group else reverse("home")
    )
    return redirect_back(request, fallback)


@require_POST
def post_restore(request, post_id):
    posts.post_restore(request.user, post_id)
    messages.success(request, _("The post has been restored."))
    return redirect("stream:post-detail", post_id=post_id)


@require_POST
def post_pin(request, post_id):
    pinned = request.POST.get("pinned") == "1"
    post = posts.post_pin(request.user, post_id, pinned=pinned)
    messages.success(request, _("The post is pinned.") if pinned else _("The post is unpinned."))
    return redirect_back(request, reverse("groups:group-detail", args=[post.group.slug]))


def post_share(request, post_id):
    post = access.access_post(request.user, post_id)
    form = ShareForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        group = group_access.access_group_by_id(request.user, form.cleaned_data["group"])
        shared = posts.post_share(
            request.user,
            post.pk,
            group=group,
            body=form.cleaned_data["body"],
            idempotency_key=form.cleaned_data["idempotency_key"],
        )
        messages.success(request, _("The post has been shared."))
        return redirect("stream:post-detail", post_id=shared.pk)
    selectors.decorate_posts(request.user, [post])
    return render(request, "stream/post_share.html", {"form": form, "post": post})


@require_POST
def post_acknowledge(request, post_id):
    try:
        posts.post_acknowledge(request.user, post_id)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Thank you: your acknowledgement is recorded."))
    return redirect_back(request, reverse("stream:post-detail", args=[post_id]))


@require_GET
def post_revisions(request, post_id):
    post = access.access_post(request.user, post_id, include_removed=True)
    if not access.can_moderate_post(request.user, post):
        raise Http404
    revisions = PostRevision.objects.filter(post=post).select_related("edited_by").order_by("-pk")
    return render(request, "stream/post_revisions.html", {"post": post, "revisions": revisions})


@require_GET
def post_image(request, post_id):
    post = access.access_post(request.user, post_id)
    if not post.image:
        raise Http404
    return FileResponse(post.image.open("rb"), content_type="image/jpeg")


@require_POST
def react(request, post_id=None, comment_id=None):
    form = ReactionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Unknown reaction."))
    else:
        reactions.reaction_toggle(
            request.user, kind=form.cleaned_data["kind"], post_id=post_id, comment_id=comment_id
        )
    anchor = f"#comment-{comment_id}" if comment_id else f"#post-{post_id}"
    fallback = reverse("stream:post-detail", args=[post_id]) if post_id else reverse("home")
    return redirect_back(request, fallback + anchor)


@require_POST
def comment_create(request, post_id):
    post = access.access_post(request.user, post_id)
    form = CommentForm(request.POST, actor=request.user)
    if form.is_valid():
        try:
            _accept_charter_if_asked(request, form)
            comment = comments.comment_create(
                request.user,
                post.pk,
                body=form.cleaned_data["body"],
                parent_id=form.cleaned_data["parent"],
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect(
                reverse("stream:post-detail", args=[post.pk]) + f"#comment-{comment.pk}"
            )
    context = {"form": form, "post": post}
    return render(request, "stream/comment_form.html", context, status=400)


def comment_edit(request, comment_id):
    comment = access.access_comment(request.user, comment_id, for_write=True)
    form = EditForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        comments.comment_edit(request.user, comment.pk, body=form.cleaned_data["body"])
        return redirect(
            reverse("stream:post-detail", args=[comment.post_id]) + f"#comment-{comment.pk}"
        )
    return render(request, "stream/comment_edit.html", {"form": form, "comment": comment})


@require_POST
def comment_delete(request, comment_id):
    comment = comments.comment_delete(request.user, comment_id)
    messages.success(request, _("The comment has been deleted."))
    return redirect("stream:post-detail", post_id=comment.post_id)


@require_POST
def follow(request, username):
    if request.POST.get("follow") == "1":
        try:
            reactions.agent_follow(request.user, username)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("You now follow this colleague."))
    else:
        reactions.agent_unfollow(request.user, username)
        messages.success(request, _("You no longer follow this colleague."))
    return redirect_back(request, reverse("people:agent-detail", args=[username]))


@require_GET
def mention_suggestions(request):
    """Agents for @mention autocomplete: visible agents only, by login or name."""
    term = fold(request.GET.get("q", ""))[:50]
    if len(term) < 2:
        return JsonResponse({"results": []})
    agents = visible_agents(request.user).filter(sort_name__contains=term) | visible_agents(
        request.user
    ).filter(username__istartswith=term)
    rows = agents.order_by("sort_name").values("username", "first_name", "last_name")[:8]
    return JsonResponse(
        {
            "results": [
                {"login": r["username"], "name": f"{r['first_name']} {r['last_name']}".strip()}
                for r in rows
            ]
        }
    )
