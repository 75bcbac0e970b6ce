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

The weekly trends (completions, overdue modules) come from the same rows, so
the charts follow the filters exactly as the table and the summary do.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

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
    employee_zone,
    module_release_date,
    module_state,
    modules_prerequisites,
    paths_modules,
    zone_named,
)
from people.dates import date_add, moment_add
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
    # One number per week of ``team_weeks``, oldest first.
    completions_by_week: list[int] = field(default_factory=list)
    overdue_by_week: list[int] = field(default_factory=list)

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


@dataclass(frozen=True)
class TeamWeek:
    start: dt.date  # the Monday, in the manager's time zone
    completions: int = 0
    overdue: int = 0

    @property
    def label(self) -> str:
        year, week, _day = self.start.isocalendar()
        return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class TeamTrend:
    weeks: list[TeamWeek]

    @property
    def completions_total(self) -> int:
        return sum(w.completions for w in self.weeks)

    @property
    def completions_this_week(self) -> int:
        return self.weeks[-1].completions if self.weeks else 0

    @property
    def overdue_now(self) -> int:
        return self.weeks[-1].overdue if self.weeks else 0

    @property
    def overdue_first(self) -> int:
        """Overdue modules at the end of the oldest week shown."""
        return self.weeks[0].overdue if self.weeks else 0


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


def _latest(*values: dt.datetime | None) -> dt.datetime | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


class _Enrolment(NamedTuple):
    pk: int
    employee_id: int
    path_id: int
    enrolled_at: dt.datetime


class _Progress(NamedTuple):
    """What ``module_state`` and the weekly counts read of a ``ModuleProgress``."""

    completed_at: dt.datetime | None
    reopened_at: dt.datetime | None
    due_override: dt.date | None


class _Certificate(NamedTuple):
    issued_at: dt.datetime
    expires_at: dt.datetime | None


def team_rows(
    *, manager: Employee, filters: TeamFilters, now: dt.datetime | None = None
) -> list[TeamRow]:
    """One row per person of the line, filtered and sorted; a fixed query count.

    A line of 500 means thousands of progress rows, so everything is read as
    plain tuples of the columns used, lists of ids go as one parameter
    (``__in_ids``), and last activity is a database aggregate.
    """
    now = now or timezone.now()
    line = team_line(manager=manager)
    people = list(
        line.values_list(
            "pk", "full_name", "team_id", "team__name", "start_date", "timezone"
        )
    )
    if not people:
        return []
    ids = [person[0] for person in people]
    enrolments = [
        _Enrolment(*values)
        for values in Enrolment.objects.filter(
            employee_id__in_ids=ids, withdrawn_at__isnull=True
        )
        .order_by("enrolled_at", "pk")
        .values_list("pk", "employee_id", "path_id", "enrolled_at")
    ]
    active = [e.pk for e in enrolments]
    paths = PathPage.objects.in_bulk({e.path_id for e in enrolments})
    titles = _path_titles(paths)
    modules = paths_modules(paths=paths.values())
    prerequisites = modules_prerequisites(
        module_ids=[m.pk for ms in modules.values() for m in ms]
    )
    progress: dict[int, dict[int, _Progress]] = defaultdict(dict)
    for enrolment_id, module_id, *values in ModuleProgress.objects.filter(
        enrolment_id__in_ids=active
    ).values_list(
        "enrolment_id", "module_id", "completed_at", "reopened_at", "due_override"
    ):
        progress[enrolment_id][module_id] = _Progress(*values)
    # Every certificate of the line (withdrawn enrolments too: a certification
    # stays earned), newest first.
    certificates: dict[int, list[_Certificate]] = defaultdict(list)
    by_employee_certificates: dict[int, list[_Certificate]] = defaultdict(list)
    for enrolment_id, employee_id, advocate, *values in (
        Certificate.objects.filter(enrolment__employee_id__in_ids=ids)
        .order_by("-issued_at", "-pk")
        .values_list(
            "enrolment_id",
            "enrolment__employee_id",
            "advocate",
            "issued_at",
            "expires_at",
        )
    ):
        certificate = _Certificate(*values)
        certificates[enrolment_id].append(certificate)
        if advocate:
            by_employee_certificates[employee_id].append(certificate)
    checks = {
        row["enrolment__employee_id"]: row
        for row in CheckAttempt.objects.filter(enrolment_id__in_ids=active)
        .values("enrolment__employee_id")
        .annotate(
            attempted=Count("module", distinct=True),
            passed=Count("module", filter=Q(passed=True), distinct=True),
            last_started=Max("started_at"),
            last_submitted=Max("submitted_at"),
        )
    }
    acknowledged = dict(
        Acknowledgement.objects.filter(enrolment_id__in_ids=active)
        .values("enrolment__employee_id")
        .annotate(last=Max("acknowledged_at"))
        .values_list("enrolment__employee_id", "last")
    )
    worked = {
        row["enrolment__employee_id"]: (row["started"], row["completed"])
        for row in ModuleProgress.objects.filter(enrolment_id__in_ids=active)
        .values("enrolment__employee_id")
        .annotate(started=Max("started_at"), completed=Max("completed_at"))
    }

    by_employee: dict[int, list[_Enrolment]] = defaultdict(list)
    for enrolment in enrolments:
        by_employee[enrolment.employee_id].append(enrolment)
    weeks = _Weeks.of(manager=manager, now=now)
    # Each path's live modules by id, so a module's prerequisites are looked up
    # rather than searched for (the page must stay fast for long lines).
    by_pk = {path_id: {m.pk: m for m in ms} for path_id, ms in modules.items()}
    no_progress: dict[int, _Progress] = {}
    calendars: dict[dt.tzinfo, list[dt.date]] = {}

    rows = []
    for pk, name, team_id, team_name, start_date, zone_name in people:
        zone = zone_named(zone_name)
        if zone not in calendars:
            # Today and the weeks' last days where the person is; most of a
            # line shares a handful of time zones.
            calendars[zone] = [at.astimezone(zone).date() for at in weeks.ends]
        todays = calendars[zone]
        today = todays[-1]
        start = start_date or today
        row = TeamRow(
            employee_id=pk,
            name=name,
            team_id=team_id,
            team=team_name or "",
            start_date=start_date,
            completions_by_week=[0] * len(weeks.mondays),
            overdue_by_week=[0] * len(weeks.mondays),
        )
        for enrolment in by_employee[pk]:
            row.paths.append(titles.get(enrolment.path_id, ""))
            done = progress.get(enrolment.pk, no_progress)
            renew_after = _renew_after(
                grants_certification=paths[enrolment.path_id].grants_certification,
                certificates=certificates[enrolment.pk],
                now=now,
            )
            live = by_pk.get(enrolment.path_id, {})
            for module_pk, module in live.items():
                blocked = tuple(
                    live[need]
                    for need in prerequisites.get(module_pk, ())
                    if need in live
                    and (done.get(need) is None or done[need].completed_at is None)
                )
                state = module_state(
                    module=module,
                    start_date=start,
                    today=today,
                    progress=done.get(module_pk),
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
            _count_weeks(
                row,
                weeks=weeks,
                todays=todays,
                zone=zone,
                start=start,
                enrolment=enrolment,
                modules=live,
                done=done,
                prerequisites=prerequisites,
                certificates=certificates[enrolment.pk],
            )
        attempts = checks.get(pk)
        row.last_activity = _latest(
            *worked.get(pk, ()),
            acknowledged.get(pk),
            *(
                (attempts["last_started"], attempts["last_submitted"])
                if attempts
                else ()
            ),
        )
        if attempts:
            row.checks_attempted = attempts["attempted"]
            row.checks_passed = attempts["passed"]
        _set_certificate(row, by_employee_certificates[pk], now=now)
        rows.append(row)
    return team_sort(rows=team_filter(rows=rows, filters=filters), filters=filters)


@dataclass(frozen=True)
class _Weeks:
    """The trend's weeks and the moment each one is read at: the last instant
    of the week in the manager's time zone, and for the current week, now."""

    mondays: list[dt.date]
    ends: list[dt.datetime]
    zone: dt.tzinfo
    now: dt.datetime
    start: dt.datetime  # the first Monday's midnight

    @classmethod
    def of(cls, *, manager: Employee, now: dt.datetime) -> _Weeks:
        zone = employee_zone(manager)
        mondays = team_weeks(manager=manager, now=now)
        ends = [
            dt.datetime.combine(
                monday + dt.timedelta(weeks=1), dt.time.min, zone
            ).astimezone(dt.UTC)
            - dt.timedelta(microseconds=1)
            for monday in mondays[:-1]
        ]
        start = dt.datetime.combine(mondays[0], dt.time.min, zone)
        return cls(
            mondays=mondays,
            ends=[*ends, now],
            zone=zone,
            now=now,
            start=start.astimezone(dt.UTC),
        )

    def index(self, moment: dt.datetime) -> int | None:
        """The week a moment falls in, or None outside the trend."""
        if moment < self.start or moment > self.now:
            return None
        days = (moment.astimezone(self.zone).date() - self.mondays[0]).days
        return days // 7 if days >= 0 else None


def team_weeks(*, manager: Employee, now: dt.datetime | None = None) -> list[dt.date]:
    """The Mondays of the trend's weeks, oldest first, in the manager's time zone:
    the same weeks as the advocacy trend, the current one ending today."""
    from .team_advocacy import TREND_WEEKS  # that module imports this one

    local = timezone.localtime(now or timezone.now(), employee_zone(manager))
    monday = local.date() - dt.timedelta(days=local.weekday())
    return [monday - dt.timedelta(weeks=n) for n in range(TREND_WEEKS - 1, -1, -1)]


Window = tuple[dt.datetime | None, dt.datetime | None]


def _inside(moment: dt.datetime, window: Window) -> bool:
    since, until = window
    return (since is None or moment >= since) and (until is None or moment < until)


def _not_done(
    *,
    module: ModulePage,
    progress: _Progress | None,
    certificates: list[_Certificate],
    base_due: dt.date,
    zone: dt.tzinfo,
) -> Window:
    """When the module was not done: ``[since, until)``, None for open-ended.

    Only a module's latest completion is kept. A re-opened policy was done
    until it was re-opened. A later round was done (or due again, which is
    never "overdue") before its latest completion: a required module of a
    certifying path completed after a certificate of that enrolment was issued,
    or a refresher completed more than ``recurrence_days`` after it was first
    due; the earlier round is taken to end at that certificate, or
    ``recurrence_days`` before the latest completion.
    """
    if progress is None:
        return None, None
    completed = progress.completed_at
    if progress.reopened_at is not None:
        return progress.reopened_at, completed
    if completed is None:
        return None, None
    if module.required:
        for certificate in certificates:  # newest first
            if certificate.issued_at < completed:
                return None, certificate.issued_at
    if module.recurrence_days:
        again = dt.timedelta(days=module.recurrence_days)
        if completed.astimezone(zone).date() > date_add(base_due, again):
            return None, moment_add(completed, -again)
    return None, completed


def _count_weeks(
    row: TeamRow,
    *,
    weeks: _Weeks,
    todays: list[dt.date],
    zone: dt.tzinfo,
    start: dt.date,
    enrolment: _Enrolment,
    modules: dict[int, ModulePage],
    done: dict[int, _Progress],
    prerequisites: dict[int, list[int]],
    certificates: list[_Certificate],
) -> None:
    """Add one enrolment's completions and overdue modules to the row's weeks.

    "Overdue at the end of a week" is ``module_state``'s overdue read at that
    moment, in the person's own calendar: released, past its due date, not
    done then, and not locked by a prerequisite not done then. It is computed
    from windows rather than by calling ``module_state`` for every week, and
    for the current week it is exactly the table's count. The past is
    reconstructed from what is stored, so: nothing counts before the person
    was enrolled; the path's modules, release days and due dates are today's
    (a module published last week counts from its release day on); the line
    is today's (people who left are not counted, people who joined the line
    count for every week); a withdrawn enrolment counts in no week; a
    re-opened policy is due by its ``due_override`` (or, once done again,
    ``reacknowledge_within_days`` after it was re-opened); and refresher and
    certification rounds follow ``_not_done``. Completions count each module's
    latest completion only, so an earlier round of a refresher is not counted.
    """
    windows = {}
    dues = {}
    for pk, module in modules.items():
        progress = done.get(pk)
        release = module_release_date(start_date=start, module=module)
        due = date_add(release, module.due_days)
        if progress is None:
            windows[pk], dues[pk] = (None, None), (release, due)
            continue
        windows[pk] = _not_done(
            module=module,
            progress=progress,
            certificates=certificates,
            base_due=due,
            zone=zone,
        )
        if progress.completed_at is None:
            due = progress.due_override or due
        elif progress.reopened_at is not None:
            due = date_add(
                progress.reopened_at.astimezone(zone).date(),
                module.reacknowledge_within_days,
            )
        dues[pk] = (release, due)
        if progress.completed_at is not None:
            week = weeks.index(progress.completed_at)
            if week is not None:
                row.completions_by_week[week] += 1

    # Every condition but a re-opened prerequisite holds from some moment on,
    # or until one: the overdue weeks are a run, found by bisection.
    ends = weeks.ends
    enrolled = bisect_left(ends, enrolment.enrolled_at)
    for pk in modules:
        release, due = dues[pk]
        since, until = windows[pk]
        first = max(
            enrolled,
            bisect_right(todays, max(due, date_add(release, -1))),
            0 if since is None else bisect_left(ends, since),
        )
        last = len(ends) if until is None else bisect_left(ends, until)
        again = []  # re-opened prerequisites: they block for a while, then again
        for need_pk in prerequisites.get(pk, ()):
            need = windows.get(need_pk)
            if need is None:
                continue  # not a live module of this path
            if need[0] is not None:
                again.append(need)
            elif need[1] is None:
                last = 0  # never done: locked all along
            else:
                first = max(first, bisect_left(ends, need[1]))
        for week in range(first, last):
            if not any(_inside(ends[week], need) for need in again):
                row.overdue_by_week[week] += 1


def _renew_after(
    *,
    grants_certification: bool,
    certificates: list[_Certificate],
    now: dt.datetime,
) -> dt.datetime | None:
    """``enrolment_renew_after`` from certificates already loaded (newest first)."""
    if not grants_certification or not certificates:
        return None
    latest = certificates[0]
    if latest.expires_at and latest.expires_at <= now:
        return latest.expires_at
    return None


def _set_certificate(
    row: TeamRow, certificates: list[_Certificate], *, now: dt.datetime
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


def team_trend(
    *, rows: list[TeamRow], manager: Employee, now: dt.datetime | None = None
) -> TeamTrend:
    """The weekly completions and overdue modules of the rows shown, summed.

    ``now`` must be the one ``team_rows`` was given, so the weeks line up.
    """
    mondays = team_weeks(manager=manager, now=now)
    return TeamTrend(
        weeks=[
            TeamWeek(
                start=monday,
                completions=sum(r.completions_by_week[n] for r in rows),
                overdue=sum(r.overdue_by_week[n] for r in rows),
            )
            for n, monday in enumerate(mondays)
        ]
    )


def weeks_total(*, weeks: list, name: str) -> int:
    """One column of a weekly trend, added up (for the charts' summaries)."""
    return sum(getattr(week, name) for week in weeks)
