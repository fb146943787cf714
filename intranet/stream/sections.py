"""Stream's sections on other apps' pages (intranet.core.sections): a group's posts, an
agent's activity and follow button on their profile, a #topic's posts."""

from django.http import Http404
from django.shortcuts import render

from intranet.core.sections import Section, section_register
from intranet.groups import access as group_access
from intranet.stream.forms import PostForm
from intranet.stream.selectors import (
    department_activity,
    group_feed,
    group_feed_with_pinned,
    is_following,
    profile_activity,
    topic_feed,
)


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


def agent_activity(request, agent) -> dict:
    """A profile's activity: the agent's posts that the viewer may see (visible_posts)."""
    return {"feed": profile_activity(request.user, agent, cursor=request.GET.get("after"))}


def agent_activity_page(request, agent):
    """ "Voir plus" on a profile: only the agent's next posts."""
    feed = profile_activity(request.user, agent, cursor=request.GET.get("after"))
    return render(request, "stream/_feed_page.html", {"feed": feed})


def agent_follow(request, agent) -> dict | None:
    """The follow button of a profile: not on one's own, nor on a former agent's."""
    if agent.pk == request.user.pk or not agent.is_active:
        return None
    return {"following": is_following(request.user, agent)}


def topic_posts(request, topic) -> dict:
    """A #topic page's posts, among those the viewer may see."""
    return {"feed": topic_feed(request.user, topic, cursor=request.GET.get("after"))}


def topic_posts_page(request, topic):
    """ "Voir plus" on a #topic page: only its next posts."""
    feed = topic_feed(request.user, topic, cursor=request.GET.get("after"))
    return render(request, "stream/_feed_page.html", {"feed": feed})


section_register(
    Section(
        slot="profile.main",
        template="stream/_agent_activity.html",
        context=agent_activity,
        fragment=agent_activity_page,
        order=50,
    )
)
section_register(
    Section(slot="profile.actions", template="stream/_agent_follow.html", context=agent_follow)
)
section_register(
    Section(
        slot="topic.main",
        template="stream/_topic_posts.html",
        context=topic_posts,
        fragment=topic_posts_page,
        order=50,
    )
)


def department_recent_activity(request, department) -> dict | None:
    """A department's page: its agents' latest public posts the viewer may see."""
    feed = department_activity(request.user, department)
    return {"feed": feed} if feed.posts else None


section_register(
    Section(
        slot="department.main",
        template="stream/_department_activity.html",
        context=department_recent_activity,
        order=70,
    )
)
