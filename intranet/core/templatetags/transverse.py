"""Template filters shared by every app."""

from django import template

from intranet.core.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(source):
    """User Markdown rendered by the project's one renderer."""
    return render_markdown(source)
