"""Topic pages (#tag): the posts the agent may see on it, and following it."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from intranet.stream.selectors import topic_feed
from intranet.topics.models import Topic, TopicFollow
from intranet.topics.services import topic_follow, topic_unfollow


@require_GET
def topic_detail(request, key):
    topic = get_object_or_404(Topic, key=key[:60])
    context = {
        "topic": topic,
        "feed": topic_feed(request.user, topic, cursor=request.GET.get("after")),
        "following": TopicFollow.objects.filter(agent=request.user, topic=topic).exists(),
    }
    return render(request, "topics/topic_detail.html", context)


@require_POST
def topic_follow_toggle(request, key):
    topic = get_object_or_404(Topic, key=key[:60])
    if request.POST.get("follow") == "1":
        topic_follow(request.user, topic)
        messages.success(request, _("You now follow #%(topic)s.") % {"topic": topic.label})
    else:
        topic_unfollow(request.user, topic)
        messages.success(request, _("You no longer follow #%(topic)s.") % {"topic": topic.label})
    return redirect("topics:topic-detail", key=topic.key)
