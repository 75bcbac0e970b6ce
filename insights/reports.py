"""HR reports in the Wagtail admin: the path funnel and the overdue list.

Both are Wagtail ``ReportView``s, so filters, pagination and the CSV/XLSX
downloads are Wagtail's own. The rows are computed by the selectors below in a
fixed number of queries, whatever the number of people.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import django_filters
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import path as url_path
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.reports import ReportView
from wagtail.models import Locale

from onboarding.models import (
    Certificate,
    Enrolment,
    ModulePage,
    ModuleProgress,
    PathPage,
)
from onboarding.selectors import (
    ModuleStatus,
    module_state,
    modules_prerequisites,
    paths_modules,
    zone_named,
)
from people.admin_views import forbidden_as_403
from people.models import Department, Employee

REPORTS_PERMISSION = "insights.view_reports"
DASHBOARD_DAYS = 30


def reports_allowed(user) -> bool:
    return user.has_perm(REPORTS_PERMISSION)


def report_paths() -> QuerySet[PathPage]:
    """Live paths in the default language (enrolments point at those), tree order."""
    return PathPage.objects.live().filter(locale=Locale.get_default()).order_by("path")


# --- Path funnel ----------------------------------------------------------------


@dataclass(frozen=True)
class FunnelRow:
    step: str
    people: int
    percent: int  # of the enrolled
    drop_off: int | None  # people lost since the previous step


@dataclass(frozen=True)
class Funnel:
    rows: list[FunnelRow]
    median_days: float | None  # start (or enrolment) to path completion


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def path_funnel(*, path: PathPage, enrolments: QuerySet[Enrolment]) -> Funnel:
    """Enrolled → started → each required module completed → path completed.

    Three queries: the path's required modules, one aggregate with a count per
    step, and the completion dates for the median.
    """
    enrolments = enrolments.filter(path=path, withdrawn_at__isnull=True)
    modules = list(
        ModulePage.objects.child_of(path)
        .live()
        .filter(required=True)
        .order_by("path")
        .only("pk", "title")
    )
    progress = ModuleProgress.objects.filter(enrolment=OuterRef("pk"))
    counts = enrolments.aggregate(
        enrolled=Count("pk"),
        started=Count(
            "pk",
            filter=Exists(
                progress.filter(
                    Q(started_at__isnull=False) | Q(completed_at__isnull=False)
                )
            ),
        ),
        completed=Count("pk", filter=Q(completed_at__isnull=False)),
        **{
            f"module_{module.pk}": Count(
                "pk",
                filter=Exists(
                    progress.filter(module_id=module.pk, completed_at__isnull=False)
                ),
            )
            for module in modules
        },
    )
    steps = [
        (_("Enrolled"), counts["enrolled"]),
        (_("Started"), counts["started"]),
        *(
            (
                _("%(module)s completed") % {"module": module.title},
                counts[f"module_{module.pk}"],
            )
            for module in modules
        ),
        (_("Path completed"), counts["completed"]),
    ]
    rows = []
    previous = None
    for step, people in steps:
        rows.append(
            FunnelRow(
                step=str(step),
                people=people,
                percent=_percent(people, counts["enrolled"]),
                drop_off=None if previous is None else previous - people,
            )
        )
        previous = people

    days = [
        (
            timezone.localdate(completed_at)
            - (start_date or timezone.localdate(enrolled_at))
        ).days
        for completed_at, start_date, enrolled_at in enrolments.filter(
            completed_at__isnull=False
        ).values_list("completed_at", "employee__start_date", "enrolled_at")
    ]
    median = statistics.median(days) if days else None
    return Funnel(rows=rows, median_days=median)


class FunnelFilterSet(WagtailFilterSet):
    path = django_filters.ModelChoiceFilter(
        label=_("Path"),
        queryset=lambda request: report_paths(),
        empty_label=None,
    )
    department = django_filters.ModelChoiceFilter(
        label=_("Department"),
        field_name="employee__department",
        queryset=Department.objects.all(),
    )
    start_date = django_filters.DateFromToRangeFilter(
        label=_("Start date"),
        field_name="employee__start_date",
        widget=DateRangePickerWidget,
    )

    class Meta:
        model = Enrolment
        fields = ["path", "department", "start_date"]


class HRReportView(ReportView):
    """What every HR report shares.

    Only HR editors, HR leads and administrators (``insights.view_reports``)
    get in. Downloads name their columns in the admin's language: Wagtail
    writes a CSV's heading row while the response streams, after the admin's
    own language (which may differ from the person's profile) is no longer
    active, so the headings are resolved while it still is.
    """

    def dispatch(self, request, *args, **kwargs):
        if not reports_allowed(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def as_spreadsheet(self, queryset, spreadsheet_format):
        self._headings = {
            field: str(super(HRReportView, self).get_heading(queryset, field))
            for field in self.list_export
        }
        return super().as_spreadsheet(queryset, spreadsheet_format)

    def get_heading(self, queryset, field):
        headings = getattr(self, "_headings", {})
        if field in headings:
            return headings[field]
        return super().get_heading(queryset, field)


class ReportMenuItem(MenuItem):
    """Under Reports, only for people who may read HR reports."""

    def is_shown(self, request) -> bool:
        return reports_allowed(request.user)


def report_urls(route: str, name: str, view: type[HRReportView]) -> list:
    """A report's page, and the results-only page its filters refresh, both
    answering 403 (not a redirect) to anyone without the permission."""
    return [
        url_path(route, forbidden_as_403(view.as_view()), name=name),
        url_path(
            f"{route}results/",
            forbidden_as_403(view.as_view(results_only=True)),
            name=f"{name}_results",
        ),
    ]


class PathFunnelView(HRReportView):
    page_title = _("Path funnel")
    header_icon = "list-ol"
    index_url_name = "insights_path_funnel"
    index_results_url_name = "insights_path_funnel_results"
    results_template_name = "insights/admin/path_funnel_results.html"
    filterset_class = FunnelFilterSet
    paginate_by = None
    export_filename = "path-funnel"
    columns = [
        Column("step", label=_("Step")),
        Column("people", label=_("People")),
        Column("percent", label=_("% of enrolled")),
        Column("drop_off", label=_("Drop-off")),
    ]
    list_export = ["step", "people", "percent", "drop_off"]
    export_headings = {
        "step": _("Step"),
        "people": _("People"),
        "percent": _("% of enrolled"),
        "drop_off": _("Drop-off"),
    }

    def get_queryset(self):
        return Enrolment.objects.all()

    @cached_property
    def path(self) -> PathPage | None:
        """The chosen path, or the first live one when none is chosen."""
        chosen = None
        if self.filters is not None and self.filters.is_valid():
            chosen = self.filters.form.cleaned_data.get("path")
        return chosen or report_paths().first()

    @cached_property
    def funnel(self) -> Funnel | None:
        if self.path is None:
            return None
        enrolments = self.filter_queryset(self.get_queryset())
        return path_funnel(path=self.path, enrolments=enrolments)

    def get_filtered_queryset(self):
        return self.funnel.rows if self.funnel else []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["path"] = self.path
        context["median_days"] = self.funnel.median_days if self.funnel else None
        return context


# --- Overdue list ---------------------------------------------------------------


@dataclass(frozen=True)
class OverdueRow:
    employee_id: int
    person: str
    department: str
    manager: str
    path: str
    module: str
    due_date: date
    days_overdue: int


def overdue_rows(
    *, enrolments: QuerySet[Enrolment], now: datetime | None = None
) -> list[OverdueRow]:
    """Every (person, module) that is overdue now, most overdue first.

    "Overdue" is ``onboarding.selectors.module_state``'s, as the person sees it
    on their path: released, not locked by a prerequisite, not done, past its
    due date (or the new date of a re-opened module). Six queries: enrolments,
    paths, modules, prerequisites, progress and certificates, however many
    people.
    """
    now = now or timezone.now()
    # A whole organisation's enrolments: the columns used, not model instances
    # (a path page alone carries a dozen dates to decode).
    enrolments = list(
        enrolments.filter(withdrawn_at__isnull=True)
        .exclude(employee__status=Employee.Status.LEFT)
        .values_list(
            "pk",
            "path_id",
            "employee_id",
            "employee__full_name",
            "employee__start_date",
            "employee__timezone",
            "employee__department__name",
            "employee__manager__full_name",
            named=True,
        )
    )
    if not enrolments:
        return []
    paths = PathPage.objects.in_bulk({e.path_id for e in enrolments})
    modules = paths_modules(paths=paths.values())
    prerequisites = modules_prerequisites(
        module_ids=[m.pk for ms in modules.values() for m in ms]
    )

    enrolment_ids = [e.pk for e in enrolments]
    # Tens of thousands of rows for a large organisation: the columns used
    # only, not model instances.
    progress = {
        (p.enrolment_id, p.module_id): p
        for p in ModuleProgress.objects.filter(
            enrolment_id__in_ids=enrolment_ids
        ).values_list(
            "enrolment_id", "module_id", "completed_at", "due_override", named=True
        )
    }
    # As ``enrolment_renew_after``: completions before an expired certificate
    # of a certifying path no longer count.
    latest_certificate: dict[int, Certificate] = {}
    for certificate in (
        Certificate.objects.filter(
            enrolment_id__in_ids=enrolment_ids,
            enrolment__path__grants_certification=True,
        )
        .order_by("enrolment_id", "-issued_at")
        .only("enrolment_id", "expires_at")
    ):
        latest_certificate.setdefault(certificate.enrolment_id, certificate)

    rows = []
    for enrolment in enrolments:
        today = now.astimezone(zone_named(enrolment.employee__timezone)).date()
        start = enrolment.employee__start_date or today
        certificate = latest_certificate.get(enrolment.pk)
        renew_after = None
        if certificate and certificate.expires_at and certificate.expires_at <= now:
            renew_after = certificate.expires_at
        path_modules = modules.get(enrolment.path_id, [])
        in_path = {m.pk: m for m in path_modules}
        for module in path_modules:
            row = progress.get((enrolment.pk, module.pk))
            blocked = tuple(
                in_path[pid]
                for pid in prerequisites.get(module.pk, [])
                if pid in in_path
                and (
                    progress.get((enrolment.pk, pid)) is None
                    or progress[(enrolment.pk, pid)].completed_at is None
                )
            )
            state = module_state(
                module=module,
                start_date=start,
                today=today,
                progress=row,
                incomplete_prerequisites=blocked,
                renew_after=renew_after,
            )
            if state.status != ModuleStatus.OVERDUE:
                continue
            rows.append(
                OverdueRow(
                    employee_id=enrolment.employee_id,
                    person=enrolment.employee__full_name,
                    department=enrolment.employee__department__name or "",
                    manager=enrolment.employee__manager__full_name or "",
                    path=paths[enrolment.path_id].title,
                    module=module.title,
                    due_date=state.due_date,
                    days_overdue=(today - state.due_date).days,
                )
            )
    rows.sort(key=lambda r: (-r.days_overdue, r.person, r.path, r.module))
    return rows


class OverdueFilterSet(WagtailFilterSet):
    department = django_filters.ModelChoiceFilter(
        label=_("Department"),
        field_name="employee__department",
        queryset=Department.objects.all(),
    )
    manager = django_filters.ModelChoiceFilter(
        label=_("Manager"),
        field_name="employee__manager",
        queryset=lambda request: Employee.objects.filter(
            Exists(Employee.objects.filter(manager=OuterRef("pk")))
        ).order_by("full_name"),
    )
    path = django_filters.ModelChoiceFilter(
        label=_("Path"), queryset=lambda request: report_paths()
    )

    class Meta:
        model = Enrolment
        fields = ["department", "manager", "path"]


class OverdueView(HRReportView):
    page_title = _("Overdue modules")
    header_icon = "warning"
    index_url_name = "insights_overdue"
    index_results_url_name = "insights_overdue_results"
    filterset_class = OverdueFilterSet
    verbose_name_plural = _("overdue modules")
    export_filename = "overdue-modules"
    columns = [
        Column("person", label=_("Person")),
        Column("department", label=_("Department")),
        Column("manager", label=_("Manager")),
        Column("path", label=_("Path")),
        Column("module", label=_("Module")),
        Column("due_date", label=_("Due date")),
        Column("days_overdue", label=_("Days overdue")),
    ]
    list_export = [
        "person",
        "department",
        "manager",
        "path",
        "module",
        "due_date",
        "days_overdue",
    ]
    export_headings = {
        "person": _("Person"),
        "department": _("Department"),
        "manager": _("Manager"),
        "path": _("Path"),
        "module": _("Module"),
        "due_date": _("Due date"),
        "days_overdue": _("Days overdue"),
    }

    def get_queryset(self):
        return Enrolment.objects.all()

    def get_filtered_queryset(self):
        return overdue_rows(enrolments=self.filter_queryset(self.get_queryset()))


# --- Dashboard panel ------------------------------------------------------------


@dataclass(frozen=True)
class RecentNumbers:
    started: int
    modules_completed: int
    paths_completed: int
    overdue: int
    counted_at: datetime


def recent_numbers(
    *, now: datetime | None = None, days: int = DASHBOARD_DAYS
) -> RecentNumbers:
    """The last ``days`` days across the organisation, and what is overdue now.

    "Started": people whose start date fell in those days.
    """
    now = now or timezone.now()
    since = now - timedelta(days=days)
    today = timezone.localdate(now)
    return RecentNumbers(
        started=Employee.objects.filter(
            start_date__gt=today - timedelta(days=days), start_date__lte=today
        ).count(),
        modules_completed=ModuleProgress.objects.filter(
            completed_at__gt=since, completed_at__lte=now
        ).count(),
        paths_completed=Enrolment.objects.filter(
            completed_at__gt=since, completed_at__lte=now
        ).count(),
        overdue=len(overdue_rows(enrolments=Enrolment.objects.all(), now=now)),
        counted_at=now,
    )


RECENT_NUMBERS_CACHE_KEY = "insights:recent-numbers"
RECENT_NUMBERS_MINUTES = 5


def recent_numbers_counted() -> RecentNumbers:
    """The panel's figures, counted at most every few minutes.

    "Overdue now" works out every module of every person: about 1.5 s for an
    organisation of 10,000, too slow to repeat on every visit to the admin's
    home page. The panel says when its figures were counted.
    """
    return cache.get_or_set(
        RECENT_NUMBERS_CACHE_KEY, recent_numbers, RECENT_NUMBERS_MINUTES * 60
    )


class RecentNumbersPanel(Component):
    name = "insights_recent_numbers"
    template_name = "insights/admin/recent_numbers_panel.html"
    order = 90

    def get_context_data(self, parent_context=None):
        return {
            "numbers": recent_numbers_counted(),
            "days": DASHBOARD_DAYS,
            "minutes": RECENT_NUMBERS_MINUTES,
            "overdue_url": reverse("insights_overdue"),
            "funnel_url": reverse("insights_path_funnel"),
        }
