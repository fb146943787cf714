"""Input of the learning-path pages: a path, a step (a target chosen among what the
animator sees in the group, or a link), a cohort (members picked with the person picker).
Validation of substance (hosts, targets, lengths) lives in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from intranet.accounts.fields import AgentFieldsMixin, AgentsField
from intranet.paths.models import MAX_DESCRIPTION, MAX_TITLE, MAX_URL, Step


class PathForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE)
    description = forms.CharField(
        label=_("Description"), max_length=MAX_DESCRIPTION, required=False, widget=forms.Textarea
    )


class StepForm(forms.Form):
    target = forms.ChoiceField(label=_("Content of the group"), required=False)
    url = forms.CharField(
        label=_("Or a link on the administration’s sites"),
        max_length=MAX_URL,
        required=False,
        widget=forms.URLInput,
    )
    label = forms.CharField(label=_("Link label"), max_length=MAX_TITLE, required=False)

    def __init__(self, *args, candidates=(), **kwargs):
        """candidates: [(kind label, [(\"kind:id\", title), ...]), ...] as the animator sees."""
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [("", "—"), *candidates]

    def clean(self):
        data = super().clean()
        target, url = data.get("target"), (data.get("url") or "").strip()
        if bool(target) == bool(url):
            raise forms.ValidationError(_("Choose a content of the group, or give a link."))
        if url:
            return {"kind": Step.Kind.LINK, "url": url, "label": data.get("label", "")}
        kind, _sep, target_id = target.partition(":")
        return {"kind": kind, "target_id": target_id}


class CohortForm(AgentFieldsMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=MAX_TITLE)
    starts_on = forms.DateField(
        label=_("Start date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    members = AgentsField(label=_("Members"), required=False, max_agents=200)
