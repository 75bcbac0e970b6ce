"""Forms for HR's screens in the Wagtail admin."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from .imports import NUL_MESSAGE
from .models import Employee, User, UserManager

MAX_UPLOAD_BYTES = 10 * 1024 * 1024

PROFILE_FIELDS = [
    "full_name",
    "preferred_name",
    "preferred_language",
    "department",
    "team",
    "job_title",
    "location",
    "manager",
    "buddy",
    "start_date",
    "status",
    "timezone",
]


class PeopleImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "UTF-8, separated by commas or semicolons, with a header row. "
            "The columns are described in the README."
        ),
    )

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("The file is larger than 10 MB."))
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ValidationError(
                _(
                    "The file is not UTF-8 text. In Excel, save it as "
                    "“CSV UTF-8 (comma delimited)”."
                )
            ) from error
        if "\x00" in text:
            # PostgreSQL cannot even store it; refuse before anything is saved.
            raise ValidationError(NUL_MESSAGE)
        return text


class EmployeeAdminForm(WagtailAdminModelForm):
    """The profile plus the sign-in email, which lives on the user."""

    email = forms.EmailField(label=_("Email address"), max_length=254)

    class Meta:
        model = Employee
        fields = ["email", *PROFILE_FIELDS]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["email"].initial = self.instance.user.email
        self.order_fields(["email", *PROFILE_FIELDS])

    def clean_email(self) -> str:
        email = UserManager.normalize_email(self.cleaned_data["email"])
        others = User.objects.filter(email__iexact=email)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.user_id)
        if others.exists():
            raise ValidationError(_("A user with this email already exists."))
        return email

    def profile_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in PROFILE_FIELDS}
