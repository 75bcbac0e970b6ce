"""Reads for the manager dashboard: the advocacy and pulse of a manager's line.

Advocacy totals cover the whole reporting line (``team.team_line``): a number
for the team tells nobody what one person did. Individual rows are different:
a person appears by name only while their consent is active and they chose
``visible_to_manager``. Everything is a handful of aggregate queries, the same
number for a line of five as for five hundred.

Pulse figures pool the departments of the line, month by month, and follow
the one publication rule of ``insights.pulse``: months that are over, cells of
five answers, counts as ranges.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from itertools import pairwise

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum
from django.utils import timezone

from advocacy.models import Click, Share, TrackedLink
from onboarding.models import Certificate, ModulePage, PulseResponse
from onboarding.selectors import employee_zone
from people.models import Employee

from .pulse import PulseFigures, pulse_cells, pulse_open_month, pulse_pool
from .team import team_line

TREND_WEEKS = 8
TEAM_PULSE_MONTHS = 6  # months that are over, shown on the team page


def personalised_rate(*, personalised: int, shares: int) -> int | None:
    """Shares written in the person's own words, in %; None without shares."""
    if not shares:
        return None
    return round(100 * personalised / shares)


@dataclass(frozen=True)
class AdvocacyTotals:
    advocates: int = 0
    active_this_month: int = 0
    shares: int = 0
    personalised: int = 0
    clicks: int = 0
    unique_clicks: int = 0

    @property
    def personalised_rate(self) -> int | None:
        return personalised_rate(personalised=self.personalised, shares=self.shares)

    @property
    def clicks_per_share(self) -> float | None:
        if not self.shares:
            return None
        return round(self.clicks / self.shares, 2)


@dataclass(frozen=True)
class AdvocacyWeek:
    start: dt.date  # the Monday of the ISO week
    shares: int = 0
    clicks: int = 0

    @property
    def label(self) -> str:
        year, week, _day = self.start.isocalendar()
        return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class AdvocatePerson:
    employee_id: int
    name: str
    shares: int = 0
    personalised: int = 0
    clicks: int = 0


@dataclass(frozen=True)
class TeamAdvocacy:
    totals: AdvocacyTotals
    weeks: list[AdvocacyWeek] = field(default_factory=list)
    people: list[AdvocatePerson] = field(default_factory=list)


@dataclass(frozen=True)
class TeamPulseMonth:
    month: dt.date  # its first day
    figures: PulseFigures
    questions: list[tuple[str, float]] = field(default_factory=list)


@dataclass(frozen=True)
class TeamPulse:
    months: list[TeamPulseMonth] = field(default_factory=list)  # newest first

    @property
    def enough(self) -> bool:
        return bool(self.months)


def _consent_active(row: dict) -> bool:
    return (
        row["advocacy_consent__opted_in_at"] is not None
        and row["advocacy_consent__opted_out_at"] is None
    )


def _weeks(
    *, monday: dt.date, shares: dict[dt.date, int], clicks: dict[dt.date, int]
) -> list[AdvocacyWeek]:
    """The last ``TREND_WEEKS`` ISO weeks, oldest first, empty weeks as zeros."""
    starts = [monday - dt.timedelta(weeks=n) for n in range(TREND_WEEKS - 1, -1, -1)]
    return [
        AdvocacyWeek(start=s, shares=shares.get(s, 0), clicks=clicks.get(s, 0))
        for s in starts
    ]


class _RowCount(Subquery):
    """How many rows a subquery returns, as a correlated ``COUNT(*)``."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS counted)"
    output_field = IntegerField()


def _week_counts(*, field: str, mondays: list[dt.date], zone) -> dict:
    """Annotations counting rows per week starting on each of ``mondays``.

    Each week is a range of ``field`` from Monday midnight to the next Monday
    midnight in ``zone``: the same weeks as truncating to the week in that
    zone, but a comparison per row instead of a time-zone conversion, and
    counting ``field`` itself (never null) can be answered from an index
    alone. They ride along the per-person or per-link counts, so the trend
    costs no pass of its own over shares or clicks.
    """
    bounds = [
        dt.datetime.combine(m, dt.time.min, tzinfo=zone)
        for m in [*mondays, mondays[-1] + dt.timedelta(weeks=1)]
    ]
    return {
        f"week_{n}": Count(
            field, filter=Q(**{f"{field}__gte": start, f"{field}__lt": end})
        )
        for n, (start, end) in enumerate(pairwise(bounds))
    }


def _weeks_summed(rows, *, mondays: list[dt.date]) -> dict[dt.date, int]:
    return {m: sum(row[f"week_{n}"] for row in rows) for n, m in enumerate(mondays)}


def team_advocacy(*, manager: Employee, now: dt.datetime | None = None) -> TeamAdvocacy:
    """Totals and the weekly trend of the line; named rows only with consent.

    "This month" and the weeks are counted in the manager's time zone: the
    month starts on the 1st at midnight where they read the dashboard.
    "Active advocates this month" are the people of the line who shared at
    least once since then (sharing required certification and consent when
    they did it).
    """
    now = now or timezone.now()
    zone = employee_zone(manager)
    local = timezone.localtime(now, zone)
    month_start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    monday = local.date() - dt.timedelta(days=local.weekday())
    mondays = [monday - dt.timedelta(weeks=n) for n in range(TREND_WEEKS - 1, -1, -1)]

    people = list(
        team_line(manager=manager)
        .order_by("full_name", "pk")
        .values(
            "pk",
            "full_name",
            "advocacy_consent__opted_in_at",
            "advocacy_consent__opted_out_at",
            "advocacy_consent__visible_to_manager",
        )
    )
    if not people:
        return TeamAdvocacy(
            totals=AdvocacyTotals(),
            weeks=_weeks(monday=monday, shares={}, clicks={}),
        )
    ids = [p["pk"] for p in people]

    certified = set(
        Certificate.objects.filter(
            enrolment__employee_id__in_ids=ids, advocate=True, expires_at__gt=now
        )
        .values_list("enrolment__employee_id", flat=True)
        .distinct()
    )
    shares = {
        row["employee_id"]: row
        for row in Share.objects.filter(employee_id__in_ids=ids)
        .values("employee_id")
        .annotate(
            n=Count("id"),
            personalised=Count("id", filter=Q(personalised=True)),
            this_month=Count("id", filter=Q(created_at__gte=month_start)),
            **_week_counts(field="created_at", mondays=mondays, zone=zone),
        )
        .order_by()
    }
    # Clicks are by far the largest table. The line's links are read first so
    # that every click query names its links outright: a join from people to
    # links leaves PostgreSQL guessing how many clicks it wants, and it may
    # then scan the whole table. Named links are read from the partial index
    # of real clicks (link, day, visitor; at) alone, never from the table.
    links = dict(
        TrackedLink.objects.filter(employee_id__in_ids=ids).values_list(
            "pk", "employee_id"
        )
    )
    real_clicks = Click.objects.filter(link_id__in_ids=list(links), preview=False)
    clicks: dict[int, int] = {}
    by_link = list(
        real_clicks.values("link_id")
        .annotate(n=Count("*"), **_week_counts(field="at", mondays=mondays, zone=zone))
        .order_by()
    )
    for row in by_link:
        employee_id = links[row["link_id"]]
        clicks[employee_id] = clicks.get(employee_id, 0) + row["n"]
    # Distinct (link, day, visitor), counted link by link: each link's index
    # entries come sorted by day and visitor, so nothing has to be sorted.
    visits = (
        Click.objects.filter(link_id=OuterRef("pk"), preview=False)
        .order_by()
        .values("day", "visitor")
        .distinct()
    )
    unique_clicks = TrackedLink.objects.filter(pk__in_ids=list(links)).aggregate(
        n=Sum(_RowCount(visits), default=0)
    )["n"]
    share_weeks = _weeks_summed(shares.values(), mondays=mondays)
    click_weeks = _weeks_summed(by_link, mondays=mondays)

    def shared(pk: int, key: str) -> int:
        return shares[pk][key] if pk in shares else 0

    totals = AdvocacyTotals(
        advocates=sum(1 for p in people if _consent_active(p) and p["pk"] in certified),
        active_this_month=sum(1 for p in people if shared(p["pk"], "this_month")),
        shares=sum(shared(p["pk"], "n") for p in people),
        personalised=sum(shared(p["pk"], "personalised") for p in people),
        clicks=sum(clicks.values()),
        unique_clicks=unique_clicks,
    )
    rows = [
        AdvocatePerson(
            employee_id=p["pk"],
            name=p["full_name"],
            shares=shared(p["pk"], "n"),
            personalised=shared(p["pk"], "personalised"),
            clicks=clicks.get(p["pk"], 0),
        )
        for p in people
        if _consent_active(p) and p["advocacy_consent__visible_to_manager"]
    ]
    return TeamAdvocacy(
        totals=totals,
        weeks=_weeks(monday=monday, shares=share_weeks, clicks=click_weeks),
        people=rows,
    )


def team_pulse(*, manager: Employee, now: dt.datetime | None = None) -> TeamPulse:
    """Pulse figures of the departments of the manager's line, per month.

    Answers keep no person, so the line's figures are its departments' (which
    may include people outside the line): for each of the last
    ``TEAM_PULSE_MONTHS`` months that are over, the publishable cells of those
    departments pooled, by ``insights.pulse``'s rule. The month in progress is
    never shown, so a new hire answering (and the live event that follows)
    changes nothing here until the month is over. Two queries at most.
    """
    open_month = pulse_open_month(now=now)
    first = open_month
    for _month in range(TEAM_PULSE_MONTHS):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    departments = (
        team_line(manager=manager)
        .filter(department__isnull=False)
        .values("department_id")
    )
    cells = pulse_cells(
        responses=PulseResponse.objects.filter(
            department_id__in=departments, month__gte=first
        ),
        now=now,
    )
    by_month: dict[dt.date, list] = {}
    for cell in cells:
        by_month.setdefault(cell.month, []).append(cell)
    published = {
        month: figures
        for month, figures in (
            (month, pulse_pool(cells=month_cells))
            for month, month_cells in by_month.items()
        )
        if figures.published
    }
    if not published:
        return TeamPulse()
    labels: dict[str, str] = {}
    modules = ModulePage.objects.filter(
        pk__in={c.module_id for c in cells if c.month in published}
    ).order_by("path")
    for module in modules.only("pulse_questions"):  # not the bodies and checks
        for block in module.pulse_questions:
            labels.setdefault(str(block.id), str(block.value.get("question", "")))
    return TeamPulse(
        months=[
            TeamPulseMonth(
                month=month,
                figures=figures,
                questions=[
                    (label, figures.averages[key].value)
                    for key, label in labels.items()
                    if key in figures.averages
                ],
            )
            for month, figures in sorted(published.items(), reverse=True)
        ]
    )
