"""Onboarding paths and their modules (Wagtail pages), enrolments and progress.

Whether a module is available is derived from the person's start date and the
module's release day, never stored, so no job has to "release" anything.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from identity.models import ReaderLanguageMixin

from .blocks import CheckStreamBlock, ModuleStreamBlock, PulseStreamBlock


def _lines(text: str) -> set[str]:
    return {line.strip().casefold() for line in text.splitlines() if line.strip()}


class PathIndexPage(ReaderLanguageMixin, Page):
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["identity.HomePage"]
    subpage_types = ["onboarding.PathPage"]
    max_count_per_parent = 1
    # The same page as a path's: an introduction and a way to "My path".
    template = "onboarding/path_page.html"

    class Meta:
        verbose_name = _("path index page")


class PathPage(ReaderLanguageMixin, Page):
    """An ordered set of modules for an audience."""

    intro = RichTextField(
        _("introduction"), blank=True, features=["bold", "italic", "link"]
    )
    departments = ParentalManyToManyField(
        "people.Department", verbose_name=_("departments"), blank=True
    )
    teams = ParentalManyToManyField("people.Team", verbose_name=_("teams"), blank=True)
    locations = models.TextField(
        _("locations"), blank=True, help_text=_("One per line. Empty means everywhere.")
    )
    job_titles = models.TextField(
        _("job titles"), blank=True, help_text=_("One per line. Empty means every job.")
    )
    auto_enrol = models.BooleanField(
        _("enrol matching people automatically"), default=True
    )
    grants_certification = models.BooleanField(
        _("completing it certifies an advocate"), default=False
    )
    certification_valid_days = models.PositiveIntegerField(
        _("certification valid for (days)"), default=365
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        MultiFieldPanel(
            [
                FieldPanel("departments"),
                FieldPanel("teams"),
                FieldPanel("locations"),
                FieldPanel("job_titles"),
                FieldPanel("auto_enrol"),
            ],
            heading=_("Who it is for (empty means everyone)"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("grants_certification"),
                FieldPanel("certification_valid_days"),
            ],
            heading=_("Advocate certification"),
        ),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    parent_page_types = ["onboarding.PathIndexPage"]
    subpage_types = ["onboarding.ModulePage"]

    class Meta:
        verbose_name = _("path")
        verbose_name_plural = _("paths")

    def matches(self, employee) -> bool:
        """Whether ``employee`` is in this path's audience (empty rules match all)."""
        department_ids = {d.pk for d in self.departments.all()}
        if department_ids and employee.department_id not in department_ids:
            return False
        team_ids = {t.pk for t in self.teams.all()}
        if team_ids and employee.team_id not in team_ids:
            return False
        locations = _lines(self.locations)
        if locations and employee.location.strip().casefold() not in locations:
            return False
        titles = _lines(self.job_titles)
        return not (titles and employee.job_title.strip().casefold() not in titles)


class ModulePage(ReaderLanguageMixin, Page):
    """One unit of socialisation, released on a day relative to the start date."""

    class TaskFor(models.TextChoices):
        NOBODY = "", _("Nobody")
        MANAGER = "manager", _("Their manager")
        BUDDY = "buddy", _("Their buddy")

    body = StreamField(ModuleStreamBlock(), verbose_name=_("body"), blank=True)
    estimated_minutes = models.PositiveSmallIntegerField(
        _("estimated minutes"), default=10
    )
    release_day = models.SmallIntegerField(
        _("release day"),
        default=1,
        help_text=_(
            "Relative to the start date: 1 is the first day, -7 a week before "
            "(pre-boarding)."
        ),
    )
    due_days = models.PositiveSmallIntegerField(
        _("due after (days)"), default=7, help_text=_("Days after release.")
    )
    recurrence_days = models.PositiveSmallIntegerField(
        _("repeat every (days)"),
        null=True,
        blank=True,
        help_text=_("For refreshers: due again this many days after completion."),
    )
    required = models.BooleanField(_("required to complete the path"), default=True)
    prerequisites = ParentalManyToManyField(
        "self", verbose_name=_("prerequisites"), symmetrical=False, blank=True
    )
    reacknowledge_on_publish = models.BooleanField(
        _("ask for acknowledgement again when published"),
        default=False,
        help_text=_(
            "Everyone who acknowledged an earlier version gets the module back. "
            "Cleared once published."
        ),
    )
    reacknowledge_within_days = models.PositiveSmallIntegerField(
        _("days to acknowledge again"), default=14
    )
    questions = StreamField(
        CheckStreamBlock(),
        verbose_name=_("knowledge check questions"),
        blank=True,
        help_text=_("Leave empty for a module without a knowledge check."),
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"),
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    max_attempts = models.PositiveSmallIntegerField(
        _("attempts allowed"), default=3, help_text=_("0 means no limit.")
    )
    shuffle = models.BooleanField(_("shuffle questions and answers"), default=True)
    reflection_prompt = models.CharField(
        _("reflection prompt"),
        max_length=300,
        blank=True,
        help_text=_("Optional question the person answers in their own words."),
    )
    pulse_questions = StreamField(
        PulseStreamBlock(),
        verbose_name=_("pulse survey questions"),
        blank=True,
        help_text=_("Answered anonymously; reports only show groups of five or more."),
    )
    pulse_enps = models.BooleanField(_("ask the eNPS question (0–10)"), default=False)
    task_for = models.CharField(
        _("task for"),
        max_length=10,
        choices=TaskFor.choices,
        blank=True,
        default=TaskFor.NOBODY,
        help_text=_(
            "Someone else does this module: it appears on their to-do list and is "
            "done when they mark it done."
        ),
    )
    task_description = models.CharField(
        _("task"),
        max_length=200,
        blank=True,
        help_text=_("For example: hold a welcome 1:1."),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldPanel("release_day"),
                FieldPanel("due_days"),
                FieldPanel("recurrence_days"),
                FieldPanel("estimated_minutes"),
                FieldPanel("required"),
                FieldPanel("prerequisites"),
            ],
            heading=_("Schedule"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("questions"),
                FieldPanel("pass_mark"),
                FieldPanel("max_attempts"),
                FieldPanel("shuffle"),
            ],
            heading=_("Knowledge check"),
            classname="collapsed",
        ),
        MultiFieldPanel(
            [
                FieldPanel("reacknowledge_on_publish"),
                FieldPanel("reacknowledge_within_days"),
            ],
            heading=_("Policy acknowledgement"),
            classname="collapsed",
        ),
        MultiFieldPanel(
            [
                FieldPanel("reflection_prompt"),
                FieldPanel("pulse_questions"),
                FieldPanel("pulse_enps"),
            ],
            heading=_("Reflection and pulse survey"),
            classname="collapsed",
        ),
        MultiFieldPanel(
            [FieldPanel("task_for"), FieldPanel("task_description")],
            heading=_("Task for someone else"),
            classname="collapsed",
        ),
    ]
    search_fields = [*Page.search_fields, index.SearchField("body")]
    parent_page_types = ["onboarding.PathPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")

    def serve(self, request, *args, **kwargs):
        """Only people enrolled in the path, and only once it is released to them."""
        from django.shortcuts import render

        from .selectors import module_activity

        employee = getattr(request.user, "employee", None)
        activity = module_activity(employee=employee, module=self) if employee else None
        if activity is None:
            if request.user.has_perm("wagtailadmin.access_admin"):
                return super().serve(request, *args, **kwargs)
            raise Http404
        if not activity.state.is_open:
            return render(
                request,
                "onboarding/module_not_open.html",
                {"page": self, "state": activity.state},
                status=403,
            )
        if activity.state.completed_at is None:
            from .services import module_started

            module_started(activity=activity)
        request.module_activity = activity
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from .views import activity_context

        context = super().get_context(request, *args, **kwargs)
        activity = getattr(request, "module_activity", None)
        context["state"] = activity.state if activity else None
        if activity is not None:
            context.update(activity_context(page=self, activity=activity))
        return context

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.pk and any(p.pk == self.pk for p in self.prerequisites.all()):
            errors["prerequisites"] = _("A module cannot be its own prerequisite.")
        if self.task_for and not self.task_description.strip():
            errors["task_description"] = _("Say what the task is.")
        if self.task_description.strip() and not self.task_for:
            errors["task_for"] = _("Choose who does this task.")
        if errors:
            raise ValidationError(errors)

    # What the module asks of the person, beyond reading it.

    @property
    def policies(self) -> list:
        return [block.value for block in self.body if block.block_type == "policy"]

    @property
    def has_check(self) -> bool:
        return len(self.questions) > 0

    @property
    def has_pulse(self) -> bool:
        return len(self.pulse_questions) > 0 or self.pulse_enps

    @property
    def is_task(self) -> bool:
        return bool(self.task_for)


class Enrolment(models.Model):
    class Source(models.TextChoices):
        AUTOMATIC = "auto", _("Automatic")
        MANUAL = "manual", _("By HR")

    employee = models.ForeignKey(
        "people.Employee",
        verbose_name=_("employee"),
        on_delete=models.CASCADE,
        related_name="enrolments",
    )
    path = models.ForeignKey(
        PathPage,
        verbose_name=_("path"),
        on_delete=models.CASCADE,
        related_name="enrolments",
    )
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.AUTOMATIC
    )
    reason = models.CharField(_("reason"), max_length=250, blank=True)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("enrolled by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    enrolled_at = models.DateTimeField(_("enrolled at"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawal_reason = models.CharField(
        _("withdrawal reason"), max_length=250, blank=True
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "path"], name="onboarding_enrolment_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.employee} · {self.path}"


class ModuleProgress(models.Model):
    enrolment = models.ForeignKey(
        Enrolment,
        verbose_name=_("enrolment"),
        on_delete=models.CASCADE,
        related_name="progress",
    )
    module = models.ForeignKey(
        ModulePage,
        verbose_name=_("module"),
        on_delete=models.CASCADE,
        related_name="progress",
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    # A task module is completed by the manager or buddy, not the person.
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("completed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Set when a changed policy asks the person to acknowledge it again.
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    due_override = models.DateField(_("due again by"), null=True, blank=True)
    # Knowledge-check attempts on top of the module's limit, given by HR.
    extra_attempts = models.PositiveSmallIntegerField(
        _("extra attempts given by HR"), default=0
    )

    class Meta:
        verbose_name = _("module progress")
        verbose_name_plural = _("module progress")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "module"], name="onboarding_progress_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enrolment} · {self.module}"


class CheckAttempt(models.Model):
    """One go at a module's knowledge check, scored on the server.

    ``layout`` keeps the shuffled order the person saw: a list of
    ``[question block id, [option ids]]``.
    """

    enrolment = models.ForeignKey(
        Enrolment,
        verbose_name=_("enrolment"),
        on_delete=models.CASCADE,
        related_name="attempts",
    )
    module = models.ForeignKey(
        ModulePage,
        verbose_name=_("module"),
        on_delete=models.CASCADE,
        related_name="attempts",
    )
    number = models.PositiveSmallIntegerField(_("attempt"))
    layout = models.JSONField(default=list)
    answers = models.JSONField(_("answers"), default=dict)
    score = models.PositiveSmallIntegerField(_("score (%)"), null=True, blank=True)
    passed = models.BooleanField(_("passed"), null=True)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("knowledge check attempt")
        verbose_name_plural = _("knowledge check attempts")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "module", "number"], name="onboarding_attempt_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enrolment} · {self.module} #{self.number}"


class Acknowledgement(models.Model):
    """The person accepted the policies of one revision of a module."""

    enrolment = models.ForeignKey(
        Enrolment,
        verbose_name=_("enrolment"),
        on_delete=models.CASCADE,
        related_name="acknowledgements",
    )
    module = models.ForeignKey(
        ModulePage,
        verbose_name=_("module"),
        on_delete=models.CASCADE,
        related_name="acknowledgements",
    )
    # The revision of the page the person read (theirs may be a translation).
    revision = models.ForeignKey(
        "wagtailcore.Revision",
        verbose_name=_("revision"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), auto_now_add=True)

    class Meta:
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")
        ordering = ["-acknowledged_at"]

    def __str__(self) -> str:
        return f"{self.enrolment} · {self.module}"


class Reflection(models.Model):
    enrolment = models.ForeignKey(
        Enrolment,
        verbose_name=_("enrolment"),
        on_delete=models.CASCADE,
        related_name="reflections",
    )
    module = models.ForeignKey(
        ModulePage,
        verbose_name=_("module"),
        on_delete=models.CASCADE,
        related_name="reflections",
    )
    text = models.TextField(_("reflection"), max_length=4000)
    shared = models.BooleanField(_("let my manager and buddy read this"), default=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("reflection")
        verbose_name_plural = _("reflections")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "module"], name="onboarding_reflection_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enrolment} · {self.module}"


class PulseSubmission(models.Model):
    """That a person answered a pulse survey, and nothing about what they said."""

    enrolment = models.ForeignKey(
        Enrolment,
        verbose_name=_("enrolment"),
        on_delete=models.CASCADE,
        related_name="pulse_submissions",
    )
    module = models.ForeignKey(
        ModulePage, on_delete=models.CASCADE, related_name="pulse_submissions"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "module"], name="onboarding_pulse_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enrolment} · {self.module}"


class PulseResponse(models.Model):
    """Anonymous answers: no link to the person, a random id and only the month.

    The department is kept so reports can group, and they only show groups of
    five answers or more.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    module = models.ForeignKey(
        ModulePage, on_delete=models.CASCADE, related_name="pulse_responses"
    )
    path = models.ForeignKey(
        PathPage, on_delete=models.CASCADE, related_name="pulse_responses"
    )
    department = models.ForeignKey(
        "people.Department",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    month = models.DateField()
    # {question block id: 1..5}; the eNPS answer under "enps" (0..10).
    scores = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"{self.module} · {self.month:%Y-%m}"


def certificate_code() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


class Certificate(models.Model):
    """Proof that a path was completed; a certifying path's one expires."""

    enrolment = models.ForeignKey(
        Enrolment,
        verbose_name=_("enrolment"),
        on_delete=models.CASCADE,
        related_name="certificates",
    )
    code = models.CharField(
        _("verification code"), max_length=11, unique=True, default=certificate_code
    )
    issued_at = models.DateTimeField(_("issued at"))
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    advocate = models.BooleanField(_("advocate certification"), default=False)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return self.code


class Reminder(models.Model):
    """One email to one person, keyed so the same reminder is never sent twice."""

    class Kind(models.TextChoices):
        DIGEST = "digest", _("Weekly digest")
        OVERDUE = "overdue", _("Overdue module")
        TASKS = "tasks", _("Tasks due this week")
        REACKNOWLEDGE = "reack", _("Policy changed")

    employee = models.ForeignKey(
        "people.Employee", on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    key = models.CharField(max_length=120, unique=True)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")

    def __str__(self) -> str:
        return self.key


class DigestOptOut(models.Model):
    employee = models.OneToOneField(
        "people.Employee", on_delete=models.CASCADE, related_name="digest_opt_out"
    )
    opted_out_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return str(self.employee)
