from __future__ import annotations

import datetime
import functools
import zoneinfo
from collections.abc import Iterator

from django.conf import settings
from django.contrib.auth.models import (
    AbstractBaseUser,
    BaseUserManager,
    PermissionsMixin,
)
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, email: str) -> User:
        return self.get(email__iexact=email)

    @classmethod
    def normalize_email(cls, email: str | None) -> str:
        return (email or "").strip().lower()


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in. Email is the identifier; case never matters."""

    email = models.EmailField(_("email address"), max_length=254, unique=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="people_user_email_ci_unique",
                violation_error_message=_("A user with this email already exists."),
            )
        ]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = UserManager.normalize_email(self.email)

    def save(self, *args, **kwargs) -> None:
        self.email = UserManager.normalize_email(self.email)
        super().save(*args, **kwargs)

    # Django checks this hash against the session on every request: a change
    # of password or of sign-in email ends every session of the person.
    def get_session_auth_hash(self) -> str:
        return self._session_hash()

    def get_session_auth_fallback_hash(self) -> Iterator[str]:
        for secret in settings.SECRET_KEY_FALLBACKS:
            yield self._session_hash(secret=secret)

    def _session_hash(self, secret: str | None = None) -> str:
        return salted_hmac(
            "people.User.session_auth_hash",
            f"{self.password}\n{self.email}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    # Wagtail and allauth call these for display.
    def get_full_name(self) -> str:
        employee = getattr(self, "employee", None)
        return employee.full_name if employee else self.email

    def get_short_name(self) -> str:
        employee = getattr(self, "employee", None)
        return employee.display_name if employee else self.email

    @property
    def first_name(self) -> str:
        return self.get_short_name()

    @property
    def last_name(self) -> str:
        return ""


class Department(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    name = models.CharField(_("name"), max_length=120)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.CASCADE,
        related_name="teams",
    )

    class Meta:
        ordering = ["department__name", "name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [
            models.UniqueConstraint(
                fields=["department", "name"], name="people_team_unique_per_department"
            )
        ]

    def __str__(self) -> str:
        return f"{self.department} · {self.name}"


# Nobody working today started before this; and HR plans hires at most a
# couple of years ahead. Dates outside would only be typing mistakes.
START_DATE_EARLIEST = datetime.date(1950, 1, 1)
START_DATE_YEARS_AHEAD = 2


def start_date_range() -> tuple[datetime.date, datetime.date]:
    """The start dates a person may have: 1950-01-01 to 31 December in two years."""
    latest = datetime.date(timezone.localdate().year + START_DATE_YEARS_AHEAD, 12, 31)
    return START_DATE_EARLIEST, latest


@functools.cache
def timezone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class Employee(models.Model):
    """Everything the organisation knows about a person, beside their sign-in."""

    class Language(models.TextChoices):
        SPANISH = "es", _("Spanish")
        ENGLISH = "en", _("English")

    class Status(models.TextChoices):
        PRE_HIRE = "pre_hire", _("Pre-hire")
        ACTIVE = "active", _("Active")
        LEFT = "left", _("Left")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="employee",
    )
    full_name = models.CharField(_("full name"), max_length=200)
    preferred_name = models.CharField(_("preferred name"), max_length=100, blank=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=2,
        choices=Language.choices,
        default=Language.SPANISH,
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="employees",
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="employees",
    )
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    location = models.CharField(_("location"), max_length=150, blank=True)
    manager = models.ForeignKey(
        "self",
        verbose_name=_("manager"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
    )
    buddy = models.ForeignKey(
        "self",
        verbose_name=_("buddy"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="buddies",
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    status = models.CharField(
        _("employment status"),
        max_length=10,
        choices=Status.choices,
        default=Status.PRE_HIRE,
    )
    timezone = models.CharField(
        _("time zone"),
        max_length=64,
        choices=timezone_choices,
        default="Europe/Madrid",
    )

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        indexes = [models.Index(fields=["manager"], name="people_emp_manager_idx")]

    def __str__(self) -> str:
        return self.full_name

    @property
    def display_name(self) -> str:
        return self.preferred_name or self.full_name.split(" ")[0]

    def clean(self) -> None:
        from .selectors import employee_chain_of_command

        super().clean()
        if self.manager_id and self.pk:
            if self.manager_id == self.pk:
                raise ValidationError(
                    {"manager": _("A person cannot manage themself.")}
                )
            if self.pk in employee_chain_of_command(employee_id=self.manager_id):
                raise ValidationError(
                    {
                        "manager": _(
                            "%(manager)s already reports to %(person)s: "
                            "this would make a reporting cycle."
                        )
                        % {"manager": self.manager, "person": self}
                    }
                )
        if self.buddy_id and self.pk and self.buddy_id == self.pk:
            raise ValidationError({"buddy": _("A person cannot be their own buddy.")})
        earliest, latest = start_date_range()
        if self.start_date and not earliest <= self.start_date <= latest:
            raise ValidationError(
                {
                    "start_date": _(
                        "The start date must be between %(earliest)s and %(latest)s."
                    )
                    % {
                        "earliest": earliest.isoformat(),
                        "latest": latest.isoformat(),
                    }
                }
            )
        if (
            self.team_id
            and self.department_id
            and self.team.department_id != (self.department_id)
        ):
            raise ValidationError(
                {"team": _("This team belongs to another department.")}
            )


class Invitation(models.Model):
    """A sign-in link sent by HR. Only a hash of the token is stored."""

    employee = models.ForeignKey(
        Employee,
        verbose_name=_("employee"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.employee} ({self.created_at:%Y-%m-%d})"

    @property
    def is_usable(self) -> bool:
        return self.accepted_at is None and self.expires_at > timezone.now()


class PeopleImport(models.Model):
    """One CSV upload by HR and what became of it.

    The file is kept as text so a background worker can run the import and HR
    can see afterwards exactly what was uploaded.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    content = models.TextField(_("file contents"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    created_count = models.PositiveIntegerField(_("people created"), default=0)
    updated_count = models.PositiveIntegerField(_("people updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("people unchanged"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("people import")
        verbose_name_plural = _("people imports")

    def __str__(self) -> str:
        return f"{self.file_name or self.pk} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}
