"""The team dashboard's charts: weekly completions and the overdue trend.

The fixture places every event in a known week of the last eight (Monday-start
weeks in the manager's time zone, UTC here), so each figure is computed by
hand in the docstrings below.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from identity.models import HomePage
from insights.team import TeamFilters, team_rows, team_trend
from onboarding.models import (
    Certificate,
    Enrolment,
    ModulePage,
    ModuleProgress,
    PathIndexPage,
    PathPage,
)
from onboarding.services import enrolment_create
from tests.factories import EmployeeFactory, TeamFactory
from tests.onboarding.conftest import publish

pytestmark = pytest.mark.django_db

TEAM = "/insights/team/"
UTC = dt.UTC


def _monday(week: int, *, now: dt.datetime) -> dt.date:
    """The Monday of trend week ``week`` (0 the oldest, 7 the current one)."""
    today = now.astimezone(UTC).date()
    return today - dt.timedelta(days=today.weekday(), weeks=7 - week)


def _at(week: int, weekday: int, *, now: dt.datetime, hour: int = 12) -> dt.datetime:
    day = _monday(week, now=now) + dt.timedelta(days=weekday)
    return dt.datetime.combine(day, dt.time(hour), UTC)


@pytest.fixture
def welcome(db):
    """ "Values" (day 1, due in 7) and "Policies" (day 1, due in 3, after
    "Values")."""
    home = HomePage.objects.get(locale__language_code="es")
    index = publish(home, PathIndexPage(title="Itinerarios", slug="itinerarios"))
    path = publish(index, PathPage(title="Welcome", slug="welcome", auto_enrol=False))
    values = publish(
        path, ModulePage(title="Values", slug="values", release_day=1, due_days=7)
    )
    policies = ModulePage(title="Policies", slug="policies", release_day=1, due_days=3)
    policies = publish(path, policies)
    policies.prerequisites.add(values)
    policies.save_revision().publish()
    return {"path": path, "values": values, "policies": policies}


def _person(manager, name: str, *, start: dt.date, enrolled: dt.datetime, path, team):
    person = EmployeeFactory(
        full_name=name, manager=manager, start_date=start, timezone="UTC", team=team
    )
    enrolment = enrolment_create(employee=person, path=path)[0]
    Enrolment.objects.filter(pk=enrolment.pk).update(enrolled_at=enrolled)
    return enrolment


def _done(enrolment, module, at: dt.datetime) -> None:
    ModuleProgress.objects.create(
        enrolment=enrolment, module=module, started_at=at, completed_at=at
    )


@pytest.fixture
def line(welcome):
    """Mara's line, week by week (0 is the oldest week, 7 this one):

    - Ana (Red) starts on Monday of week 2, so "Values" is due on Monday of
      week 3; she completes it late, on Wednesday of week 5, which unlocks
      "Policies" (due since week 2): overdue at the end of weeks 3 to 6 (first
      one, then the other); she completes "Policies" just now.
      Overdue [0,0,0,1,1,1,1,0]; completions in weeks 5 and 7.
    - Bea (Red) started before the trend: "Values" is overdue at the end of
      week 0; done on Tuesday of week 1, which unlocks the overdue "Policies",
      done on Thursday of week 2. Overdue [1,1,0,0,0,0,0,0]; completions in
      weeks 1 and 2.
    - Carla (Blue) starts on Wednesday of week 5; "Values" is due on Wednesday
      of week 6 and never done. Overdue [0,0,0,0,0,0,1,1].
    - Dani (Blue) started 200 days ago but was enrolled on Wednesday of week 4:
      nothing counts before. Overdue [0,0,0,0,1,1,1,1].
    - Olga reports to Pablo: like Bea, and never in Mara's figures.

    Whole line: completions [0,1,1,0,0,1,0,1], overdue [1,1,0,1,2,2,3,2].
    """
    now = timezone.now()
    path, values, policies = welcome["path"], welcome["values"], welcome["policies"]
    red, blue = TeamFactory(name="Red"), TeamFactory(name="Blue")
    mara = EmployeeFactory(full_name="Mara Manager", timezone="UTC")
    pablo = EmployeeFactory(full_name="Pablo Peer", timezone="UTC")
    just_now = max(
        now - dt.timedelta(minutes=1),
        dt.datetime.combine(_monday(7, now=now), dt.time.min, UTC),
    )

    ana = _person(
        mara,
        "Ana One",
        start=_monday(2, now=now),
        enrolled=_at(1, 6, now=now),
        path=path,
        team=red,
    )
    _done(ana, values, _at(5, 2, now=now))
    _done(ana, policies, just_now)

    before = _monday(0, now=now) - dt.timedelta(days=10)
    for manager, name, team in ((mara, "Bea Two", red), (pablo, "Olga Outsider", red)):
        bea = _person(
            manager,
            name,
            start=before,
            enrolled=_at(0, 0, now=now) - dt.timedelta(days=11),
            path=path,
            team=team,
        )
        _done(bea, values, _at(1, 1, now=now))
        _done(bea, policies, _at(2, 3, now=now))

    carla_start = _monday(5, now=now) + dt.timedelta(days=2)
    _person(
        mara,
        "Carla Three",
        start=carla_start,
        enrolled=_at(5, 2, now=now, hour=8),
        path=path,
        team=blue,
    )
    _person(
        mara,
        "Dani Four",
        start=now.date() - dt.timedelta(days=200),
        enrolled=_at(4, 2, now=now),
        path=path,
        team=blue,
    )
    return {"mara": mara, "pablo": pablo, "now": now, "teams": (red, blue)}


def _trend(manager, *, filters=None, now=None):
    now = now or timezone.now()
    rows = team_rows(manager=manager, filters=filters or TeamFilters(), now=now)
    return rows, team_trend(rows=rows, manager=manager, now=now)


def _figure(html: str, name: str) -> str:
    return html.split(f'data-chart="{name}"', 1)[1].split("</figure>", 1)[0]


def _columns(html: str, name: str) -> list[list[int]]:
    """The numbers a chart's table shows, one list per row (week)."""
    body = _figure(html, name).split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.DOTALL):
        cells = re.findall(r'<td data-value="(\d+)">(\d+)</td>', row)
        assert all(value == shown for value, shown in cells)  # one source
        rows.append([int(shown) for _value, shown in cells])
    return rows


# --- Numbers ------------------------------------------------------------------


def test_weekly_completions_and_overdue_match_the_hand_computed_line(line):
    rows, trend = _trend(line["mara"])

    by_name = {r.name: r for r in rows}
    assert by_name["Ana One"].completions_by_week == [0, 0, 0, 0, 0, 1, 0, 1]
    assert by_name["Ana One"].overdue_by_week == [0, 0, 0, 1, 1, 1, 1, 0]
    assert by_name["Bea Two"].completions_by_week == [0, 1, 1, 0, 0, 0, 0, 0]
    assert by_name["Bea Two"].overdue_by_week == [1, 1, 0, 0, 0, 0, 0, 0]
    assert by_name["Carla Three"].overdue_by_week == [0, 0, 0, 0, 0, 0, 1, 1]
    assert by_name["Dani Four"].overdue_by_week == [0, 0, 0, 0, 1, 1, 1, 1]
    assert [w.completions for w in trend.weeks] == [0, 1, 1, 0, 0, 1, 0, 1]
    assert [w.overdue for w in trend.weeks] == [1, 1, 0, 1, 2, 2, 3, 2]
    assert [w.start for w in trend.weeks] == [
        _monday(n, now=line["now"]) for n in range(8)
    ]
    assert "Olga Outsider" not in by_name


def test_this_weeks_overdue_count_is_the_tables(line):
    rows, trend = _trend(line["mara"])

    assert [r.overdue_by_week[-1] for r in rows] == [r.overdue for r in rows]
    assert trend.overdue_now == sum(r.overdue for r in rows) == 2


def test_the_page_shows_the_figures_in_the_charts_tables(client, line):
    client.force_login(line["mara"].user)
    html = client.get(TEAM).content.decode()

    assert _columns(html, "completions") == [[n] for n in [0, 1, 1, 0, 0, 1, 0, 1]]
    assert _columns(html, "overdue") == [[n] for n in [1, 1, 0, 1, 2, 2, 3, 2]]
    assert _columns(html, "advocacy") == [[0, 0]] * 8
    completions = _figure(html, "completions")
    assert '<canvas role="img"' in completions
    assert "Last 8 weeks: 4. This week: 1." in completions
    assert "Oldest week: 1. Now: 2." in _figure(html, "overdue")
    assert "Last 8 weeks: shares 0, clicks 0." in _figure(html, "advocacy")
    # Without JavaScript the tables are open and the canvases hidden.
    assert html.count('<details class="chart-figures" open') == 3
    assert html.count('<div class="chart-box" hidden>') == 3
    assert "vendor/chartjs/chart.umd.min.js" in html
    assert "js/team_charts.js" in html


def test_the_charts_follow_the_team_and_overdue_filters(client, line):
    red, blue = line["teams"]
    client.force_login(line["mara"].user)

    html = client.get(TEAM, {"team": red.pk}).content.decode()
    assert _columns(html, "completions") == [[n] for n in [0, 1, 1, 0, 0, 1, 0, 1]]
    assert _columns(html, "overdue") == [[n] for n in [1, 1, 0, 1, 1, 1, 1, 0]]
    html = client.get(TEAM, {"team": blue.pk}).content.decode()
    assert _columns(html, "completions") == [[0]] * 8
    assert _columns(html, "overdue") == [[n] for n in [0, 0, 0, 0, 1, 1, 2, 2]]
    assert "The charts count only the people these filters keep." in html
    html = client.get(TEAM, {"overdue": "1"}).content.decode()
    assert _columns(html, "overdue") == [[n] for n in [0, 0, 0, 0, 1, 1, 2, 2]]
    html = client.get(TEAM, {"new": "1"}).content.decode()  # Dani is not new
    assert _columns(html, "overdue") == [[n] for n in [1, 1, 0, 1, 1, 1, 2, 1]]


def test_a_person_outside_the_line_never_counts(client, line):
    _rows, trend = _trend(line["pablo"])
    assert [w.completions for w in trend.weeks] == [0, 1, 1, 0, 0, 0, 0, 0]
    assert [w.overdue for w in trend.weeks] == [1, 1, 0, 0, 0, 0, 0, 0]

    client.force_login(line["mara"].user)
    html = client.get(TEAM, {"team": "999999"}).content.decode()  # ignored
    assert _columns(html, "completions") == [[n] for n in [0, 1, 1, 0, 0, 1, 0, 1]]


def test_no_onboarding_charts_for_an_empty_line(client, welcome):
    mara = EmployeeFactory(full_name="Mara Manager", timezone="UTC")
    EmployeeFactory(manager=mara, status="left")
    client.force_login(mara.user)

    html = client.get(TEAM).content.decode()
    assert 'data-chart="completions"' not in html
    assert 'data-chart="advocacy"' in html  # the line's advocacy, even if nil


# --- What the past is rebuilt from ---------------------------------------------


NOW = dt.datetime(2025, 3, 12, 12, tzinfo=UTC)  # a Wednesday


def _module(welcome, title: str, **fields) -> ModulePage:
    slug = title.lower().replace(" ", "-")
    return publish(welcome["path"], ModulePage(title=title, slug=slug, **fields))


def _single(welcome, *, start: dt.date, tz: str = "UTC", manager_tz: str = "UTC"):
    mara = EmployeeFactory(full_name="Mara Manager", timezone=manager_tz)
    person = EmployeeFactory(manager=mara, start_date=start, timezone=tz)
    enrolment = enrolment_create(employee=person, path=welcome["path"])[0]
    Enrolment.objects.filter(pk=enrolment.pk).update(
        enrolled_at=dt.datetime(2024, 1, 1, tzinfo=UTC)
    )
    return mara, enrolment


def test_weeks_are_the_managers_own(welcome):
    """A completion on Monday 10 March at 03:00 UTC is Sunday evening in
    Mexico City: the previous week for a manager there, this week in UTC."""
    mexico, enrolment = _single(
        welcome, start=dt.date(2025, 3, 1), manager_tz="America/Mexico_City"
    )
    utc = EmployeeFactory(timezone="UTC")
    mexico.manager = utc
    mexico.save()
    _done(enrolment, welcome["values"], dt.datetime(2025, 3, 10, 3, tzinfo=UTC))

    for manager, week in ((mexico, 6), (utc, 7)):
        _rows, trend = _trend(manager, now=NOW)
        assert trend.weeks[-1].start == dt.date(2025, 3, 10)
        assert [w.completions for w in trend.weeks] == [
            int(n == week) for n in range(8)
        ]


def test_a_reopened_policy_is_overdue_only_after_its_new_due_date(welcome):
    """Done long ago, re-opened on Wednesday 19 February with two weeks to
    accept it again (due 5 March): overdue at the end of the week of 3 March
    and since, never before."""
    mara, enrolment = _single(welcome, start=dt.date(2024, 6, 3))
    _done(enrolment, welcome["values"], dt.datetime(2024, 6, 4, tzinfo=UTC))
    ModuleProgress.objects.create(
        enrolment=enrolment,
        module=welcome["policies"],
        started_at=dt.datetime(2024, 6, 5, tzinfo=UTC),
        reopened_at=dt.datetime(2025, 2, 19, 9, tzinfo=UTC),
        due_override=dt.date(2025, 3, 5),
    )

    [row], _weeks = _trend(mara, now=NOW)
    assert row.overdue_by_week == [0, 0, 0, 0, 0, 0, 1, 1]
    assert row.overdue == 1


def test_a_refresher_done_again_was_not_overdue_before(welcome):
    """A yearly refresher first due in June 2023 and done again last week was
    "due again" before, which is never "overdue"; a module first done late
    last week was overdue until then."""
    refresher = _module(
        welcome, "Refresher", release_day=1, due_days=7, recurrence_days=365
    )
    mara, enrolment = _single(welcome, start=dt.date(2023, 6, 1))
    _done(enrolment, refresher, dt.datetime(2025, 3, 4, tzinfo=UTC))
    _done(enrolment, welcome["values"], dt.datetime(2025, 3, 4, tzinfo=UTC))
    _done(enrolment, welcome["policies"], dt.datetime(2023, 6, 2, tzinfo=UTC))

    [row], trend = _trend(mara, now=NOW)
    assert row.overdue_by_week == [1, 1, 1, 1, 1, 1, 0, 0]  # "Values" alone
    assert trend.completions_total == 2


def test_a_certification_round_done_again_was_not_overdue_before(welcome):
    """On a certifying path, a required module completed after the
    enrolment's certificate was issued is a new round: it was done before."""
    PathPage.objects.filter(pk=welcome["path"].pk).update(grants_certification=True)
    mara, enrolment = _single(welcome, start=dt.date(2023, 6, 1))
    Certificate.objects.create(
        enrolment=enrolment,
        advocate=True,
        issued_at=dt.datetime(2024, 1, 10, tzinfo=UTC),
        expires_at=dt.datetime(2025, 1, 10, tzinfo=UTC),
    )
    _done(enrolment, welcome["values"], dt.datetime(2025, 3, 4, tzinfo=UTC))
    _done(enrolment, welcome["policies"], dt.datetime(2025, 3, 4, 1, tzinfo=UTC))

    [row], trend = _trend(mara, now=NOW)
    assert row.overdue_by_week == [0] * 8
    assert [w.completions for w in trend.weeks] == [0] * 6 + [2, 0]


# --- Query count --------------------------------------------------------------


def _busy_line(manager, size: int, welcome) -> None:
    team = TeamFactory()
    lead = None
    yesterday = timezone.now() - dt.timedelta(days=1)
    for n in range(size):
        person = EmployeeFactory(
            manager=lead or manager,
            team=team,
            full_name=f"Line {n}",
            start_date=timezone.now().date() - dt.timedelta(days=20),
            timezone="UTC",
        )
        lead = lead or person
        enrolment = enrolment_create(employee=person, path=welcome["path"])[0]
        Enrolment.objects.filter(pk=enrolment.pk).update(
            enrolled_at=timezone.now() - dt.timedelta(days=30)
        )
        _done(enrolment, welcome["values"], yesterday)


def test_the_charts_cost_no_query_per_person(client, welcome):
    small, large = (EmployeeFactory(timezone="UTC") for _ in range(2))
    _busy_line(small, 5, welcome)
    _busy_line(large, 15, welcome)

    counts = []
    for manager, size in ((small, 5), (large, 15)):
        client.force_login(manager.user)
        client.get(TEAM)  # warm caches (site, locales) alike for both
        with CaptureQueriesContext(connection) as queries:
            response = client.get(TEAM)
        counts.append(len(queries))
        assert response.context["trend"].completions_total == size
        assert sum(row[0] for row in _columns(response.text, "completions")) == size
    assert counts[0] == counts[1]
