"""Reads of moderation: the queue of reports a moderator handles."""

from django.db.models import QuerySet

from intranet.moderation import access
from intranet.moderation.models import Report

QUEUE_LENGTH = 100


def report_queue(actor, *, status: str) -> QuerySet[Report]:
    """The latest reports of one status that actor may handle, with what the queue shows."""
    return (
        access.visible_reports(actor)
        .filter(status=status)
        .select_related(
            "reporter", "post__author", "post__group", "comment__author", "comment__post"
        )
        .order_by("-created_at")[:QUEUE_LENGTH]
    )
