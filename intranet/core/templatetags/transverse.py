"""Template filters shared by every app."""

from django import template

from intranet.core.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(source):
    """User Markdown rendered by the project's one renderer."""
    return render_markdown(source)


@register.filter
def get_item(mapping, key):
    """mapping[key] in a template, or None."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def reaction_symbol(kind):
    from intranet.stream.models import REACTION_SYMBOLS

    return REACTION_SYMBOLS.get(kind, "")


@register.simple_tag
def reaction_kinds():
    from intranet.stream.models import ReactionKind

    return ReactionKind.choices
