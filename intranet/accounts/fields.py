"""Form fields that choose agents by name or by login: the server side of the person picker.

Agents do not know each other's logins, so every field that names an agent accepts what a
person would type: "Anne Martin", "anne martin", "Martin Anne", a login ("amartin",
"@amartin") or the picker's own choice, "Anne Martin (amartin)", which stays unambiguous
when two agents share a name. Without JavaScript the field is a plain text input and
works the same way; with it, static/transverse/picker.js suggests agents by name,
department and title from people's suggestions endpoint.

Only agents the actor may see (accounts.access.visible_agents) are found: a former agent
is "unknown", never "forbidden".
"""

import re

from django import forms
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from intranet.accounts.access import visible_agents
from intranet.accounts.models import User, login_is
from intranet.core.text import fold

# "Anne Martin (amartin)": the picker's unambiguous form.
CHOSEN = re.compile(r"^(?P<name>.*?)\s*\(@?(?P<login>[\w.@+-]{1,150})\)$")
MAX_TERMS = 8
MAX_CANDIDATES = 20


def picked(agent: User) -> str:
    """agent as the picker writes it into a field: "Anne Martin (amartin)"."""
    if agent.display_name == agent.username:
        return agent.username
    return f"{agent.display_name} ({agent.username})"


def agent_lookup(actor, text: str) -> User:
    """The one visible agent text names (login, name, or "Name (login)").

    Raises ValidationError with the reason otherwise: nobody, or several agents by that name.
    """
    text = " ".join((text or "").split())[:300].lstrip("@")
    agents = visible_agents(actor)
    chosen = CHOSEN.match(text)
    login = chosen.group("login") if chosen else text
    agent = agents.filter(login_is(login[:150])).first() if login else None
    if agent is not None:
        return agent
    wanted = fold(chosen.group("name") if chosen else text)
    terms = wanted.split()[:MAX_TERMS]
    candidates = agents
    for term in terms:
        candidates = candidates.filter(sort_name__contains=term)
    named = [
        a
        for a in (candidates[:MAX_CANDIDATES] if terms else [])
        if wanted in (fold(f"{a.first_name} {a.last_name}"), fold(f"{a.last_name} {a.first_name}"))
    ]
    if len(named) == 1:
        return named[0]
    if named:
        raise forms.ValidationError(
            _(
                "Several agents are called “%(name)s”: choose one in the suggestions "
                "or give the login."
            ),
            params={"name": text},
            code="ambiguous",
        )
    if " " not in text:  # looks like a login
        raise forms.ValidationError(
            _("No active agent has the login “%(login)s”."),
            params={"login": text[:150]},
            code="unknown",
        )
    raise forms.ValidationError(
        _("No active agent is called “%(name)s”."), params={"name": text[:150]}, code="unknown"
    )


class PersonPickerInput(forms.TextInput):
    """A text input the person picker (picker.js) turns into a combobox."""

    def __init__(self, attrs=None, *, multiple=False):
        self.multiple = multiple
        super().__init__(attrs)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        extra = {
            "data-person-picker": "multiple" if self.multiple else "single",
            "data-picker-url": reverse("people:agent-suggestions"),
            "data-picker-label": gettext("Suggested agents"),
            "data-picker-status": gettext(
                "{n} suggestions: arrow keys to choose, Enter to confirm."
            ),
            "autocomplete": "off",
            "spellcheck": "false",
        }
        context["widget"]["attrs"] = {**extra, **context["widget"]["attrs"]}
        return context


class AgentField(forms.CharField):
    """One agent, by name or login; cleaned to the User.

    The form sets `actor` (the agent filling it in) before validation: see AgentFieldsMixin.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 300)
        kwargs.setdefault("widget", PersonPickerInput())
        kwargs.setdefault("help_text", _("Type part of a name, then choose in the suggestions."))
        super().__init__(**kwargs)
        self.actor = None

    def clean(self, value):
        text = super().clean(value)
        return agent_lookup(self.actor, text) if text else None


class AgentsField(forms.CharField):
    """Several agents, by names or logins separated by commas; cleaned to a list of Users
    (in the order given, without duplicates)."""

    def __init__(self, *, max_agents: int = 50, **kwargs):
        kwargs.setdefault("max_length", 8000)
        kwargs.setdefault("widget", PersonPickerInput(multiple=True))
        kwargs.setdefault(
            "help_text",
            _("Type part of a name, then choose in the suggestions; separate agents with commas."),
        )
        super().__init__(**kwargs)
        self.max_agents = max_agents
        self.actor = None

    def clean(self, value):
        text = super().clean(value) or ""
        parts = [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]
        if len(parts) > self.max_agents:
            raise forms.ValidationError(
                _("At most %(n)d agents at once."), params={"n": self.max_agents}, code="too_many"
            )
        agents, errors = {}, []
        for part in parts:
            try:
                agent = agent_lookup(self.actor, part)
            except forms.ValidationError as error:
                errors.append(error)
            else:
                agents.setdefault(agent.pk, agent)
        if errors:
            raise forms.ValidationError(errors)
        return list(agents.values())


class AgentFieldsMixin:
    """A form whose agent fields find agents as `actor` may see them: Form(..., actor=...)."""

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, AgentField | AgentsField):
                field.actor = actor
