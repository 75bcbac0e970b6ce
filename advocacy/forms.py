from __future__ import annotations

import re

from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from .intents import mastodon_instance_clean
from .models import Network
from .rewards import Period

HOST = re.compile(r"^(?=.{4,200}$)([a-z0-9-]+\.)+[a-z]{2,}$")


class ConsentForm(forms.Form):
    on_leaderboards = forms.BooleanField(
        label=_("Show me on leaderboards"), required=False, initial=True
    )
    visible_to_manager = forms.BooleanField(
        label=_("Let my manager see my advocacy numbers"), required=False
    )
    agree = forms.BooleanField(
        label=_(
            "I want to share approved content in my own words, and I know I can "
            "stop at any time."
        ),
        error_messages={"required": _("Tick the box to opt in.")},
    )


class ShareForm(forms.Form):
    network = forms.ChoiceField(label=_("Network"), choices=Network.choices)
    caption = forms.CharField(
        label=_("Your words"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=3000,
        required=False,
    )
    mastodon_instance = forms.CharField(
        label=_("Your Mastodon instance"),
        required=False,
        max_length=200,
        help_text=_("For example mastodon.social; saved for next time."),
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean_mastodon_instance(self) -> str:
        host = mastodon_instance_clean(self.cleaned_data["mastodon_instance"])
        if host and not HOST.match(host):
            raise forms.ValidationError(
                _("Write the instance's address, e.g. mastodon.social.")
            )
        return host

    def clean(self):
        data = super().clean()
        if data.get("network") == Network.MASTODON and not data.get(
            "mastodon_instance"
        ):
            self.add_error(
                "mastodon_instance", _("Say which Mastodon instance you use.")
            )
        return data


class SuggestionForm(forms.Form):
    """A link an employee thinks colleagues could share; Communications decide."""

    url = forms.CharField(
        label=_("Link"),
        max_length=500,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
        help_text=_("A web page (http or https) you think colleagues could share."),
    )
    why = forms.CharField(
        label=_("Why should colleagues share it?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Tell Communications why it is worth sharing.")},
    )
    title = forms.CharField(
        label=_("Title (optional)"),
        max_length=200,
        required=False,
    )

    def clean_url(self) -> str:
        url = self.cleaned_data["url"].strip()
        if not url.lower().startswith(("http://", "https://")):
            raise forms.ValidationError(
                _("Only http and https links can be shared."), code="scheme"
            )
        try:
            URLValidator(schemes=["http", "https"])(url)
        except forms.ValidationError:
            raise forms.ValidationError(
                _("Enter a complete web address, like https://example.com/page."),
                code="invalid",
            ) from None
        return url


class LeaderboardFilterForm(forms.Form):
    period = forms.ChoiceField(
        label=_("Period"),
        choices=[
            (Period.WEEK, _("This week")),
            (Period.MONTH, _("This month")),
            (Period.ALL, _("All time")),
        ],
        required=False,
    )
    scope = forms.ChoiceField(
        label=_("Who"),
        choices=[("all", _("Everyone")), ("team", _("My team"))],
        required=False,
    )
