"""Template filters shared by every app."""

from django import template
from django.core.signals import setting_changed
from django.urls import get_script_prefix
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

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


# Rendered frame fragments, per process: {(template, name, language, prefix, *vary): html}.
_fragments: dict[tuple, str] = {}
FRAGMENTS_MAX = 2048


def _fragments_forget(**kwargs) -> None:
    _fragments.clear()


# A test's override_settings may change what a fragment shows (URLs, static files, names).
setting_changed.connect(_fragments_forget, dispatch_uid="transverse_frame_fragments")


class FrameFragmentNode(template.Node):
    def __init__(self, nodelist, name, vary):
        self.nodelist, self.name, self.vary = nodelist, name, vary

    def render(self, context):
        if context.template.engine.debug:
            return self.nodelist.render(context)  # templates edited while serving
        key = (
            self.origin.template_name,
            self.name,
            get_language(),
            get_script_prefix(),
            *(value.resolve(context) for value in self.vary),
        )
        html = _fragments.get(key)
        if html is None:
            html = self.nodelist.render(context)
            if len(_fragments) >= FRAGMENTS_MAX:
                _fragments.clear()  # a few branding changes or many URL names: start afresh
            _fragments[key] = html
        return html


@register.tag
def frame_fragment(parser, token):
    """`{% frame_fragment "nav" value... %}...{% endframe_fragment %}`: a part of the page
    frame rendered once per process for each language and each set of the values named
    (what it shows must depend on nothing else: no user, no CSRF token, no query)."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("frame_fragment needs a name")
    nodelist = parser.parse(("endframe_fragment",))
    parser.delete_first_token()
    vary = [parser.compile_filter(bit) for bit in bits[2:]]
    return FrameFragmentNode(nodelist, bits[1].strip("\"'"), vary)
