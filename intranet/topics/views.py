"""Topic pages (#tag): what the agent may see on it (the "topic.main" slot), and following it.

A topic nothing the agent may see carries answers 404 like an unknown one (topics.access).
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from intranet.core.redirects import redirect_back
from intranet.core.sections import section_fragment
from intranet.topics.access import access_topic, can_see_topic
from intranet.topics.selectors import is_following
from intranet.topics.services import topic_follow, topic_unfollow


@require_GET
def topic_detail(request, key):
    topic = access_topic(request.user, key)
    if request.GET.get("fragment"):
        # "Voir plus": the next page of what fills the topic's main slot, nothing around it.
        response = section_fragment("topic.main", request, topic)
        if response is None:
            raise Http404
        return response
    # The posts on the topic are a section of the slot "topic.main" (stream fills it).
    context = {
        "topic": topic,
        "following": is_following(request.user, topic),
    }
    return render(request, "topics/topic_detail.html", context)


@require_POST
def topic_follow_toggle(request, key):
    follow = request.POST.get("follow") == "1"
    topic = access_topic(request.user, key, to_unfollow=not follow)
    if follow:
        topic_follow(request.user, topic)
        messages.success(request, _("You now follow #%(topic)s.") % {"topic": topic.label})
    else:
        topic_unfollow(request.user, topic)
        messages.success(request, _("You no longer follow #%(topic)s.") % {"topic": topic.label})
    if not can_see_topic(request.user, topic):  # unfollowed a topic gone out of sight
        return redirect("home")
    # Back where the agent followed it from (the welcome, the home's suggestions), if given.
    return redirect_back(request, reverse("topics:topic-detail", args=[topic.key]))
