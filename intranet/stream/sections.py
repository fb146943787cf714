"""Stream's sections on other apps' pages (intranet.core.sections)."""

from django.http import Http404
from django.shortcuts import render

from intranet.core.sections import Section, section_register
from intranet.groups import access as group_access
from intranet.stream.forms import PostForm
from intranet.stream.selectors import group_feed, group_feed_with_pinned


def group_posts(request, group) -> dict:
    """A group page's posts: the composer, pinned posts and the latest posts, or a note
    saying that only members read them."""
    actor = request.user
    if not group_access.can_read_group_content(actor, group):
        return {"readable": False}
    feed, pinned = group_feed_with_pinned(actor, group, cursor=request.GET.get("after"))
    return {
        "readable": True,
        "feed": feed,
        "pinned": pinned,
        "can_post": group_access.can_post_in_group(actor, group),
        "post_form": PostForm(actor=actor, group=group),
    }


def group_posts_page(request, group):
    """ "Voir plus": only the next posts of the group, none of the page around them."""
    if not group_access.can_read_group_content(request.user, group):
        raise Http404
    feed = group_feed(request.user, group, cursor=request.GET.get("after"))
    return render(request, "stream/_feed_page.html", {"feed": feed, "hide_group": True})


section_register(
    Section(
        slot="group.main",
        template="stream/_group_posts.html",
        context=group_posts,
        fragment=group_posts_page,
        order=50,
    )
)
