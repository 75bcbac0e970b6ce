"""The manager dashboard: the onboarding of the manager's reporting line.

Every view starts from the signed-in person's own line; a person outside it is
"not found", whatever the URL or query string says.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from advocacy.models import HubEvent
from onboarding.selectors import (
    employee_advocate_certificate,
    employee_expired_certificate,
)
from people.inputs import id_parse
from people.models import Employee
from people.selectors import employee_is_manager

from . import team
from .spreadsheets import csv_content, xlsx_content
from .team import TeamFilters, TeamRow
from .team_advocacy import team_advocacy, team_pulse

COLUMNS = [
    ("name", gettext_lazy("Name")),
    ("start", gettext_lazy("Start date")),
    ("progress", gettext_lazy("Complete")),
    ("overdue", gettext_lazy("Overdue")),
    ("activity", gettext_lazy("Last activity")),
]


def _manager(request: HttpRequest) -> Employee:
    """The signed-in person, when they manage someone; otherwise "not found"."""
    employee = getattr(request.user, "employee", None)
    if employee is None or not employee_is_manager(employee=employee):
        raise Http404
    return employee


def _filters(request: HttpRequest, *, team_ids: set[int]) -> TeamFilters:
    """Query parameters checked against allow-lists; anything else is ignored."""
    sort = request.GET.get("sort", "name")
    descending = sort.startswith("-")
    sort = sort.removeprefix("-")
    if sort not in team.SORTS:
        sort, descending = "name", False
    raw_team = request.GET.get("team", "")
    team_id = id_parse(raw_team)
    if team_id not in team_ids:
        team_id = None  # a team outside the line never widens (or names) anything
    return TeamFilters(
        overdue=request.GET.get("overdue") == "1",
        new=request.GET.get("new") == "1",
        team_id=team_id,
        sort=sort,
        descending=descending,
    )


def _query(filters: TeamFilters, **changes) -> str:
    """The query string for ``filters`` with some values changed."""
    params = {
        "overdue": "1" if filters.overdue else None,
        "new": "1" if filters.new else None,
        "team": filters.team_id,
        "sort": ("-" if filters.descending else "") + filters.sort,
    }
    params.update(changes)
    return urlencode({k: v for k, v in params.items() if v is not None})


def _columns(filters: TeamFilters) -> list[dict]:
    columns = []
    for key, label in COLUMNS:
        active = key == filters.sort
        descending_next = active and not filters.descending
        columns.append(
            {
                "key": key,
                "label": label,
                "active": active,
                "aria_sort": (
                    ("descending" if filters.descending else "ascending")
                    if active
                    else None
                ),
                "query": _query(filters, sort=("-" if descending_next else "") + key),
            }
        )
    return columns


@require_GET
def team_dashboard(request: HttpRequest) -> HttpResponse:
    manager = _manager(request)
    teams = team.team_teams(manager=manager)
    filters = _filters(request, team_ids={t.pk for t in teams})
    now = timezone.now()  # one moment, so the table's and the charts' weeks agree
    rows = team.team_rows(manager=manager, filters=filters, now=now)
    page = Paginator(rows, team.PAGE_SIZE).get_page(request.GET.get("page"))
    advocacy = team_advocacy(manager=manager, now=now)
    return render(
        request,
        "insights/team.html",
        {
            "page_obj": page,
            "rows": page.object_list,
            "summary": team.team_summary(rows=rows),
            "filters": filters,
            "filtered": bool(filters.overdue or filters.new or filters.team_id),
            "teams": teams,
            "columns": _columns(filters),
            "export_query": _query(filters),
            "trend": team.team_trend(rows=rows, manager=manager, now=now),
            "advocacy": advocacy,
            "advocacy_shares": team.weeks_total(weeks=advocacy.weeks, name="shares"),
            "advocacy_clicks": team.weeks_total(weeks=advocacy.weeks, name="clicks"),
            "pulse": team_pulse(manager=manager, now=now),
            "last_event_id": HubEvent.objects.aggregate(top=Max("pk"))["top"] or 0,
        },
    )


@require_GET
def team_person(request: HttpRequest, employee_id: int) -> HttpResponse:
    """A person's timeline as they see it, read-only; only for their line."""
    manager = _manager(request)
    person = team.team_member(manager=manager, employee_id=employee_id)
    if person is None:
        raise Http404
    return render(
        request,
        "insights/team_person.html",
        {
            "person": person,
            "overviews": team.team_member_paths(employee=person),
            "advocate": employee_advocate_certificate(employee=person),
            "expired": employee_expired_certificate(employee=person),
        },
    )


# --- Exports: the same rows as the screen, all pages ---------------------------


def export_headers() -> list[str]:
    return [
        _("Name"),
        _("Team"),
        _("Start date"),
        _("Paths"),
        _("Complete (%)"),
        _("Overdue modules"),
        _("Most days overdue"),
        _("Last activity"),
        _("Knowledge checks passed"),
        _("Knowledge checks attempted"),
        _("Advocate certification"),
        _("Certification expires"),
    ]


def export_row(row: TeamRow) -> list:
    def day(value):
        return value.isoformat() if value else ""

    activity = (
        timezone.localtime(row.last_activity).strftime("%Y-%m-%d %H:%M")
        if row.last_activity
        else ""
    )
    expires = (
        timezone.localdate(row.certificate_expires) if row.certificate_expires else None
    )
    return [
        row.name,
        row.team,
        day(row.start_date),
        "; ".join(row.paths),
        "" if row.percent is None else row.percent,
        row.overdue,
        row.max_days_overdue,
        activity,
        row.checks_passed,
        row.checks_attempted,
        row.certificate_label,
        day(expires),
    ]


def _export_rows(request: HttpRequest) -> list[list]:
    manager = _manager(request)
    teams = team.team_teams(manager=manager)
    filters = _filters(request, team_ids={t.pk for t in teams})
    return [export_row(r) for r in team.team_rows(manager=manager, filters=filters)]


def _csv(*, name: str, header: list[str], rows: list[list]) -> HttpResponse:
    """A CSV download that Excel opens as UTF-8 (byte-order mark first)."""
    response = HttpResponse(
        "\ufeff" + csv_content(header=header, rows=rows),
        content_type="text/csv; charset=utf-8",
    )
    return _attachment(response, f"{name}.csv")


def _xlsx(
    *, name: str, sheets: list[tuple[str, list[str], list[list]]]
) -> HttpResponse:
    """An Excel download, one sheet per (title, header, rows)."""
    response = HttpResponse(
        xlsx_content(sheets=sheets),
        content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        ),
    )
    return _attachment(response, f"{name}.xlsx")


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _dated(name: str) -> str:
    return f"{name}-{timezone.localdate():%Y-%m-%d}"


@require_GET
@never_cache
def team_export_csv(request: HttpRequest) -> HttpResponse:
    return _csv(
        name=_dated("team-onboarding"),
        header=export_headers(),
        rows=_export_rows(request),
    )


@require_GET
@never_cache
def team_export_xlsx(request: HttpRequest) -> HttpResponse:
    return _xlsx(
        name=_dated("team-onboarding"),
        sheets=[(_("Onboarding"), export_headers(), _export_rows(request))],
    )


# --- Advocacy exports: totals, weeks, and only the people who agreed -----------


def advocacy_people_headers() -> list[str]:
    return [_("Name"), _("Shares"), _("In their own words"), _("Clicks")]


def _advocacy_people(advocacy) -> list[list]:
    """The "Advocacy by person" table: people who agreed to be shown, only."""
    return [[p.name, p.shares, p.personalised, p.clicks] for p in advocacy.people]


@require_GET
@never_cache
def team_advocacy_csv(request: HttpRequest) -> HttpResponse:
    return _csv(
        name=_dated("team-advocacy"),
        header=advocacy_people_headers(),
        rows=_advocacy_people(team_advocacy(manager=_manager(request))),
    )


@require_GET
@never_cache
def team_advocacy_xlsx(request: HttpRequest) -> HttpResponse:
    """The whole advocacy section: totals, the weekly trend, and the people who
    agreed to be shown, a sheet each."""
    advocacy = team_advocacy(manager=_manager(request))
    totals = advocacy.totals
    figures = [
        (_("Advocates"), totals.advocates),
        (_("Active advocates this month"), totals.active_this_month),
        (_("Shares"), totals.shares),
        (_("Shared in their own words (%)"), totals.personalised_rate),
        (_("Clicks"), totals.clicks),
        (_("Unique clicks"), totals.unique_clicks),
        (_("Clicks per share"), totals.clicks_per_share),
    ]
    return _xlsx(
        name=_dated("team-advocacy"),
        sheets=[
            (
                _("Totals"),
                [_("Figure"), _("Value")],
                [[label, "" if value is None else value] for label, value in figures],
            ),
            (
                _("Weeks"),
                [_("Week of"), _("Shares"), _("Clicks")],
                [[w.start.isoformat(), w.shares, w.clicks] for w in advocacy.weeks],
            ),
            (_("People"), advocacy_people_headers(), _advocacy_people(advocacy)),
        ],
    )
