"""Template filters shared by every app."""

from django import template
from django.utils.safestring import mark_safe

from intranet.core.markdown import render_markdown
from intranet.core.sections import sections_for, tabs_for
from intranet.core.text import elide

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(source):
    """User Markdown rendered by the project's one renderer."""
    return render_markdown(source)


@register.filter(name="elide", is_safe=True)
def elide_filter(text):
    """French elision in a generated phrase: {% filter elide %}{% blocktranslate %}…"""
    return elide(text)


@register.filter
def get_item(mapping, key):
    """mapping[key] in a template, or None."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.simple_tag(takes_context=True)
def page_tabs(context, slot, obj):
    """The tabs of slot this agent is shown (`{% page_tabs "group.tabs" group as tabs %}`),
    for a higher app's page that sits in a lower app's tabs (a group's library)."""
    return tabs_for(slot, context.get("request"), obj)


@register.simple_tag(takes_context=True)
def page_sections(context, slot, obj):
    """Every section registered for slot that this agent is shown (intranet.core.sections),
    rendered in order, each with its own context on top of the page's."""
    parts = []
    for template_name, extra in sections_for(slot, context.get("request"), obj):
        template = context.template.engine.get_template(template_name)
        with context.push(extra):
            parts.append(template.render(context))
    return mark_safe("".join(parts))  # noqa: S308 - each part is a rendered, escaped template
