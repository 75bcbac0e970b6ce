"""Reads for the manager dashboard: the onboarding of a manager's reporting line.

The scope is always ``employee_reporting_line`` (direct and indirect reports):
nothing here takes a list of people from the caller, so no filter or URL can
widen it.

The table costs the same handful of queries for a line of five as for a line
of five hundred: people, enrolments, modules, prerequisites, progress,
certificates and two aggregates are each loaded once for the whole line, and
every module's state is then computed in Python with the same
``module_state`` the person's own "My path" uses, so "released", "due" and
"overdue" mean the same thing on both pages.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onboarding.models import (
    Acknowledgement,
    Certificate,
    CheckAttempt,
    Enrolment,
    ModulePage,
    ModuleProgress,
    PathPage,
)
from onboarding.selectors import (
    ModuleStatus,
    employee_paths,
    employee_today,
    module_state,
)
from people.models import Employee, Team
from people.selectors import employee_reporting_line

NEW_HIRE_DAYS = 90
PAGE_SIZE = 25


class CertStatus:
    VALID = "valid"
    EXPIRED = "expired"
    NONE = "none"


CERT_LABELS = {
    CertStatus.VALID: _("Certified"),
    CertStatus.EXPIRED: _("Expired"),
    CertStatus.NONE: _("Not certified"),
}


@dataclass(frozen=True)
class TeamFilters:
    """What the screen and the exports filter and sort by (already validated)."""

    overdue: bool = False
    new: bool = False
    team_id: int | None = None
    sort: str = "name"
    descending: bool = False


@dataclass
class TeamRow:
    employee_id: int
    name: str
    team_id: int | None
    team: str
    start_date: dt.date | None
    paths: list[str] = field(default_factory=list)
    required: int = 0
    done: int = 0
    overdue: int = 0
    max_days_overdue: int = 0
    last_activity: dt.datetime | None = None
    checks_passed: int = 0
    checks_attempted: int = 0
    certificate: str = CertStatus.NONE
    certificate_expires: dt.datetime | None = None

    @property
    def percent(self) -> int | None:
        """Required modules done, in %; None when nothing is required."""
        if not self.required:
            return None
        return round(100 * self.done / self.required)

    @property
    def on_track(self) -> bool:
        return self.overdue == 0

    @property
    def certified(self) -> bool:
        return self.certificate == CertStatus.VALID

    @property
    def certificate_label(self) -> str:
        return str(CERT_LABELS[self.certificate])


@dataclass(frozen=True)
class TeamSummary:
    people: int
    on_track: int
    overdue: int
    certified: int


def team_line(*, manager: Employee):
    """The people on the dashboard: the reporting line, without people who left."""
    return employee_reporting_line(manager=manager).exclude(status=Employee.Status.LEFT)


def team_member(*, manager: Employee, employee_id: int) -> Employee | None:
    """One person of the manager's line, or None when they are outside it."""
    return (
        team_line(manager=manager)
        .select_related("team", "department")
        .filter(pk=employee_id)
        .first()
    )


def team_member_paths(*, employee: Employee, now: dt.datetime | None = None):
    """The person's own timelines, exactly what their "My path" shows."""
    return employee_paths(employee=employee, now=now)


def _path_titles(paths: dict[int, PathPage]) -> dict[int, str]:
    """Each path's title in the active language, in one query."""
    from wagtail.models import Locale

    titles = {pk: p.title for pk, p in paths.items()}
    try:
        locale = Locale.get_active()
    except Locale.DoesNotExist:
        return titles
    keys = {
        p.translation_key: pk for pk, p in paths.items() if p.locale_id != locale.pk
    }
    if keys:
        for translation_key, title in (
            PathPage.objects.live()
            .filter(locale=locale, translation_key__in=list(keys))
            .values_list("translation_key", "title")
        ):
            titles[keys[translation_key]] = title
    return titles


def _modules_by_path(paths: dict[int, PathPage]) -> dict[int, list[ModulePage]]:
    """Live modules of every path, in path order, in one query."""
    if not paths:
        return {}
    where = Q()
    for p in paths.values():
        where |= Q(path__startswith=p.path, depth=p.depth + 1)
    by_tree_path = {p.path: pk for pk, p in paths.items()}
    modules: dict[int, list[ModulePage]] = defaultdict(list)
    for module in ModulePage.objects.live().filter(where).order_by("path"):
        parent = by_tree_path.get(module.path[: -ModulePage.steplen])
        if parent is not None:
            modules[parent].append(module)
    return modules


def _latest(*values: dt.datetime | None) -> dt.datetime | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def team_rows(
    *, manager: Employee, filters: TeamFilters, now: dt.datetime | None = None
) -> list[TeamRow]:
    """One row per person of the line, filtered and sorted; a fixed query count."""
    now = now or timezone.now()
    people = list(team_line(manager=manager).select_related("team"))
    if not people:
        return []
    ids = [p.pk for p in people]
    enrolments = list(
        Enrolment.objects.filter(employee_id__in=ids, withdrawn_at__isnull=True)
        .select_related("path")
        .order_by("enrolled_at", "pk")
    )
    paths = {e.path_id: e.path for e in enrolments}
    titles = _path_titles(paths)
    modules = _modules_by_path(paths)
    module_ids = [m.pk for ms in modules.values() for m in ms]
    prerequisites: dict[int, list[int]] = defaultdict(list)
    through = ModulePage.prerequisites.through
    for from_id, to_id in through.objects.filter(
        from_modulepage_id__in=module_ids
    ).values_list("from_modulepage_id", "to_modulepage_id"):
        prerequisites[from_id].append(to_id)
    enrolment_ids = [e.pk for e in enrolments]
    progress: dict[int, dict[int, ModuleProgress]] = defaultdict(dict)
    for row in ModuleProgress.objects.filter(enrolment_id__in=enrolment_ids):
        progress[row.enrolment_id][row.module_id] = row
    # Every certificate of the line (withdrawn enrolments too: a certification
    # stays earned), newest first.
    certificates: dict[int, list[Certificate]] = defaultdict(list)
    by_employee_certificates: dict[int, list[Certificate]] = defaultdict(list)
    for certificate in (
        Certificate.objects.filter(enrolment__employee_id__in=ids)
        .select_related("enrolment")
        .order_by("-issued_at", "-pk")
    ):
        certificates[certificate.enrolment_id].append(certificate)
        if certificate.advocate:
            by_employee_certificates[certificate.enrolment.employee_id].append(
                certificate
            )
    checks = {
        row["enrolment__employee_id"]: row
        for row in CheckAttempt.objects.filter(enrolment_id__in=enrolment_ids)
        .values("enrolment__employee_id")
        .annotate(
            attempted=Count("module", distinct=True),
            passed=Count("module", filter=Q(passed=True), distinct=True),
            last_started=Max("started_at"),
            last_submitted=Max("submitted_at"),
        )
    }
    acknowledged = dict(
        Acknowledgement.objects.filter(enrolment_id__in=enrolment_ids)
        .values("enrolment__employee_id")
        .annotate(last=Max("acknowledged_at"))
        .values_list("enrolment__employee_id", "last")
    )

    by_employee: dict[int, list[Enrolment]] = defaultdict(list)
    for enrolment in enrolments:
        by_employee[enrolment.employee_id].append(enrolment)

    rows = []
    for person in people:
        today = employee_today(employee=person, now=now)
        start = person.start_date or today
        row = TeamRow(
            employee_id=person.pk,
            name=person.full_name,
            team_id=person.team_id,
            team=person.team.name if person.team else "",
            start_date=person.start_date,
        )
        for enrolment in by_employee[person.pk]:
            row.paths.append(titles.get(enrolment.path_id, ""))
            done = progress[enrolment.pk]
            renew_after = _renew_after(
                enrolment=enrolment, certificates=certificates[enrolment.pk], now=now
            )
            for module in modules.get(enrolment.path_id, []):
                blocked = tuple(
                    m
                    for m in modules[enrolment.path_id]
                    if m.pk in prerequisites.get(module.pk, ())
                    and (done.get(m.pk) is None or done[m.pk].completed_at is None)
                )
                state = module_state(
                    module=module,
                    start_date=start,
                    today=today,
                    progress=done.get(module.pk),
                    incomplete_prerequisites=blocked,
                    renew_after=renew_after,
                )
                if module.required:
                    row.required += 1
                    row.done += state.status == ModuleStatus.DONE
                if state.status == ModuleStatus.OVERDUE:
                    row.overdue += 1
                    row.max_days_overdue = max(
                        row.max_days_overdue, (today - state.due_date).days
                    )
            for item in done.values():
                row.last_activity = _latest(
                    row.last_activity, item.started_at, item.completed_at
                )
        attempts = checks.get(person.pk)
        if attempts:
            row.checks_attempted = attempts["attempted"]
            row.checks_passed = attempts["passed"]
            row.last_activity = _latest(
                row.last_activity,
                attempts["last_started"],
                attempts["last_submitted"],
            )
        row.last_activity = _latest(row.last_activity, acknowledged.get(person.pk))
        _set_certificate(row, by_employee_certificates[person.pk], now=now)
        rows.append(row)
    return team_sort(rows=team_filter(rows=rows, filters=filters), filters=filters)


def _renew_after(
    *, enrolment: Enrolment, certificates: list[Certificate], now: dt.datetime
) -> dt.datetime | None:
    """``enrolment_renew_after`` from certificates already loaded (newest first)."""
    if not enrolment.path.grants_certification or not certificates:
        return None
    latest = certificates[0]
    if latest.expires_at and latest.expires_at <= now:
        return latest.expires_at
    return None


def _set_certificate(
    row: TeamRow, certificates: list[Certificate], *, now: dt.datetime
) -> None:
    """As ``employee_advocate_certificate``: valid means an expiry still ahead."""
    valid = [c for c in certificates if c.expires_at and c.expires_at > now]
    if valid:
        row.certificate = CertStatus.VALID
        row.certificate_expires = max(c.expires_at for c in valid)
    elif certificates:
        row.certificate = CertStatus.EXPIRED
        row.certificate_expires = certificates[0].expires_at


def team_filter(*, rows: list[TeamRow], filters: TeamFilters) -> list[TeamRow]:
    """Filters only ever narrow the line."""
    if filters.overdue:
        rows = [r for r in rows if r.overdue]
    if filters.new:
        since = timezone.localdate() - dt.timedelta(days=NEW_HIRE_DAYS)
        rows = [r for r in rows if r.start_date and r.start_date >= since]
    if filters.team_id is not None:
        rows = [r for r in rows if r.team_id == filters.team_id]
    return rows


def _sort_key(sort: str):
    keys = {
        "name": lambda r: r.name.casefold(),
        "progress": lambda r: r.percent,
        "overdue": lambda r: (r.overdue, r.max_days_overdue),
        "activity": lambda r: r.last_activity,
        "start": lambda r: r.start_date,
    }
    return keys[sort]


SORTS = ("name", "progress", "overdue", "activity", "start")


def team_sort(*, rows: list[TeamRow], filters: TeamFilters) -> list[TeamRow]:
    """Sorted by the chosen column; empty values last either way, then by name."""
    key = _sort_key(filters.sort)
    rows = sorted(rows, key=lambda r: r.name.casefold())
    present = [r for r in rows if key(r) is not None]
    missing = [r for r in rows if key(r) is None]
    return sorted(present, key=key, reverse=filters.descending) + missing


def team_teams(*, manager: Employee) -> list[Team]:
    """The teams present in the line: the only ones the team filter offers."""
    return list(
        Team.objects.filter(
            pk__in=team_line(manager=manager)
            .filter(team__isnull=False)
            .values("team_id")
        ).select_related("department")
    )


def team_summary(*, rows: list[TeamRow]) -> TeamSummary:
    return TeamSummary(
        people=len(rows),
        on_track=sum(1 for r in rows if r.on_track),
        overdue=sum(1 for r in rows if not r.on_track),
        certified=sum(1 for r in rows if r.certified),
    )
