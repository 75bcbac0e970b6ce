from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Employee


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=Employee.Language.choices)
    next = forms.CharField(required=False, widget=forms.HiddenInput)
