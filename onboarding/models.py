"""Onboarding paths and their modules (Wagtail pages), enrolments and progress.

Whether a module is available is derived from the person's start date and the
module's release day, never stored, so no job has to "release" anything.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from identity.blocks import IdentityStreamBlock
from identity.models import ReaderLanguageMixin


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

    body = StreamField(IdentityStreamBlock(), verbose_name=_("body"), blank=True)
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

        from .selectors import module_state_for

        employee = getattr(request.user, "employee", None)
        found = module_state_for(employee=employee, module=self) if employee else None
        if found is None:
            if request.user.has_perm("wagtailadmin.access_admin"):
                return super().serve(request, *args, **kwargs)
            raise Http404
        _enrolment, state = found
        if not state.is_open:
            return render(
                request,
                "onboarding/module_not_open.html",
                {"page": self, "state": state},
                status=403,
            )
        request.module_state = state
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["state"] = getattr(request, "module_state", None)
        return context

    def clean(self) -> None:
        super().clean()
        if self.pk and any(p.pk == self.pk for p in self.prerequisites.all()):
            raise ValidationError(
                {"prerequisites": _("A module cannot be its own prerequisite.")}
            )


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
