"""Each agent's delivery choice per kind of notification."""

from django import forms

from intranet.notifications.models import DEFAULT_CHANNELS, Channel, Kind


class PreferencesForm(forms.Form):
    def __init__(self, *args, current: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        for kind in Kind:
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label,
                choices=Channel.choices,
                initial=current.get(kind.value, DEFAULT_CHANNELS[kind]),
            )
