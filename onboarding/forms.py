"""Forms for HR's onboarding screens in the Wagtail admin."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.models import Locale

from people.models import Employee
from people.viewsets import employee_chooser_viewset

from .models import Enrolment, PathPage


class PathChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: PathPage) -> str:
        return obj.title


def enrolment_paths():
    """Paths HR may enrol people in: live, in the default language."""
    return PathPage.objects.live().filter(locale=Locale.get_default()).order_by("title")


class EnrolmentCreateForm(forms.Form):
    """Who, in which path and why; the service does the enrolling."""

    employee = forms.ModelChoiceField(
        label=_("Person"),
        queryset=Employee.objects.all(),
        widget=employee_chooser_viewset.widget_class(),
        error_messages={"required": _("Choose the person to enrol.")},
    )
    path = PathChoiceField(
        label=_("Path"),
        queryset=PathPage.objects.none(),
        empty_label=_("Choose a path"),
        help_text=_("Only published paths in the default language are listed."),
        error_messages={
            "required": _("Choose a path."),
            "invalid_choice": _("Choose one of the published paths."),
        },
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=Enrolment._meta.get_field("reason").max_length,
        help_text=_("Why this person is enrolled by hand; it is kept with the record."),
        error_messages={"required": _("Say why you are enrolling this person.")},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["path"].queryset = enrolment_paths()

    def clean_employee(self) -> Employee:
        employee = self.cleaned_data["employee"]
        if employee.status == Employee.Status.LEFT:
            raise ValidationError(
                _("%(name)s has left; people who have left cannot be enrolled.")
                % {"name": employee.full_name}
            )
        return employee

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(self.fields["reason"].error_messages["required"])
        return reason

    def clean(self) -> dict:
        cleaned_data = super().clean()
        employee = cleaned_data.get("employee")
        path = cleaned_data.get("path")
        if employee is None or path is None:
            return cleaned_data
        existing = Enrolment.objects.filter(employee=employee, path=path).first()
        if existing is not None and existing.withdrawn_at is None:
            message = (
                _("%(name)s has already completed “%(path)s”. Nothing was changed.")
                if existing.completed_at
                else _(
                    "%(name)s is already enrolled in “%(path)s”. Nothing was changed."
                )
            )
            raise ValidationError(
                message % {"name": employee.full_name, "path": path.title}
            )
        return cleaned_data


class EnrolmentWithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=Enrolment._meta.get_field("withdrawal_reason").max_length,
        help_text=_("Why this person no longer follows the path."),
        error_messages={"required": _("Say why you are withdrawing this person.")},
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(self.fields["reason"].error_messages["required"])
        return reason


class CertificateVerifyForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=40,
        help_text=_("As printed on the certificate, for example ABCDE-FGHJK."),
        error_messages={"required": _("Enter the code printed on the certificate.")},
    )

    def clean_code(self) -> str:
        """Upper case, without spaces; the dash is optional when typing."""
        code = re.sub(r"\s+", "", self.cleaned_data["code"]).upper()
        if len(code) == 10 and "-" not in code:
            code = f"{code[:5]}-{code[5:]}"
        if not code:
            raise ValidationError(self.fields["code"].error_messages["required"])
        return code
