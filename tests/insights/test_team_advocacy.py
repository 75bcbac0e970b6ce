"""The manager dashboard's advocacy and pulse: team totals, consent, anonymity."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from advocacy.models import Click, Share, TrackedLink
from advocacy.services import consent_opt_in, consent_opt_out
from identity.models import HomePage
from insights.team_advocacy import TREND_WEEKS, team_advocacy, team_pulse
from onboarding.models import ModulePage, PathIndexPage, PathPage, PulseResponse
from onboarding.selectors import pulse_month
from people.models import Employee
from tests.advocacy.test_sharing import _certify, _post
from tests.factories import DepartmentFactory, EmployeeFactory
from tests.onboarding.conftest import publish

pytestmark = pytest.mark.django_db

TEAM = "/insights/team/"
NOT_ENOUGH = "Not enough answers to keep them anonymous."
ONLY_AGREED = "Only people who agreed to show their advocacy to their manager"


def _share(employee, post, *, network="linkedin", personalised=False, at=None):
    link, _ = TrackedLink.objects.get_or_create(
        employee=employee, post=post, network=network
    )
    share = Share.objects.create(
        employee=employee,
        post=post,
        link=link,
        network=network,
        caption="Ya abrimos en Sevilla.",
        personalised=personalised,
    )
    if at is not None:
        Share.objects.filter(pk=share.pk).update(created_at=at)
    return link


def _click(link, visitor: str, *, at=None, preview: bool = False) -> None:
    at = at or timezone.now()
    Click.objects.create(
        link=link,
        at=at,
        day=at.astimezone(dt.UTC).date(),
        network=link.network,
        visitor=visitor,
        preview=preview,
    )


def _advocate(manager, name: str, *, visible: bool, **fields):
    person = EmployeeFactory(full_name=name, manager=manager, **fields)
    _certify(person)
    consent_opt_in(employee=person, visible_to_manager=visible)
    return person


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


@pytest.fixture
def line(db):
    """Mara manages Ana (visible), Bruno (hidden), Carla (no consent) and Dani
    (opted out); Olga reports to someone else."""
    mara = EmployeeFactory(full_name="Mara Manager", timezone="UTC")
    post = _post()
    now = timezone.now()
    long_ago = now - dt.timedelta(days=40)

    ana = _advocate(mara, "Ana Visible", visible=True)
    ana_link = _share(ana, post, personalised=True)
    _share(ana, post)  # the same link again, not personalised
    _share(ana, post, network="x", at=long_ago)
    _click(ana_link, "visitor-1")
    _click(ana_link, "visitor-1")  # a repeat visitor, same day
    _click(ana_link, "visitor-2")
    _click(ana_link, "visitor-3", preview=True)  # a link preview, not a person

    bruno = _advocate(mara, "Bruno Hidden", visible=False)
    bruno_link = _share(bruno, post, personalised=True)
    _click(bruno_link, "visitor-1")

    EmployeeFactory(full_name="Carla Notyet", manager=mara)

    dani = _advocate(mara, "Dani Optedout", visible=True)
    _share(dani, post, at=long_ago)
    consent_opt_out(employee=dani)

    other = EmployeeFactory(full_name="Otto Othermanager")
    olga = _advocate(other, "Olga Outside", visible=True)
    olga_link = _share(olga, post, personalised=True)
    for n in range(4):
        _click(olga_link, f"outside-{n}")
    return {"mara": mara, "ana": ana, "bruno": bruno, "now": now, "ago": long_ago}


def test_team_totals_match_the_line_and_ignore_previews_and_repeats(line):
    advocacy = team_advocacy(manager=line["mara"], now=line["now"])
    totals = advocacy.totals

    assert totals.advocates == 2  # Ana and Bruno; Carla never, Dani opted out
    assert totals.active_this_month == 2
    assert totals.shares == 5  # Ana 3, Bruno 1, Dani 1; Olga is outside
    assert totals.personalised == 2
    assert totals.personalised_rate == 40
    assert totals.clicks == 4  # the preview is not a click
    assert totals.unique_clicks == 3  # visitor-1 twice on Ana's link counts once
    assert totals.clicks_per_share == 0.8


def test_the_weekly_trend_covers_eight_iso_weeks_with_empty_ones(line):
    weeks = team_advocacy(manager=line["mara"], now=line["now"]).weeks

    assert len(weeks) == TREND_WEEKS
    this_week = _monday(line["now"].astimezone(dt.UTC).date())
    assert weeks[-1].start == this_week
    assert (weeks[-1].shares, weeks[-1].clicks) == (3, 4)
    old = {w.start: w for w in weeks}[_monday(line["ago"].astimezone(dt.UTC).date())]
    assert (old.shares, old.clicks) == (2, 0)
    assert sum(w.shares for w in weeks) == 5
    assert [w.start for w in weeks] == [
        this_week - dt.timedelta(weeks=n) for n in range(TREND_WEEKS - 1, -1, -1)
    ]


def test_only_people_who_agreed_have_a_row(client, line):
    advocacy = team_advocacy(manager=line["mara"], now=line["now"])
    assert [(p.name, p.shares, p.personalised, p.clicks) for p in advocacy.people] == [
        ("Ana Visible", 3, 1, 3)
    ]

    client.force_login(line["mara"].user)
    html = client.get(TEAM).content.decode()
    section = html.split("data-advocacy>", 1)[1].split("data-pulse>", 1)[0]
    assert "Advocacy in your team" in section
    assert "Ana Visible" in section
    assert ONLY_AGREED in section
    for hidden in ("Bruno Hidden", "Dani Optedout", "Carla Notyet", "Olga Outside"):
        assert hidden not in section
    assert 'data-stat="shares">5<' in section
    assert 'data-stat="unique-clicks">3<' in section
    assert 'data-stat="personalised">40%<' in section


def test_no_rows_and_no_note_when_nobody_agreed(client):
    mara = EmployeeFactory(full_name="Mara Manager", timezone="UTC")
    _advocate(mara, "Bruno Hidden", visible=False)

    client.force_login(mara.user)
    html = client.get(TEAM).content.decode()
    section = html.split("data-advocacy>", 1)[1].split("data-pulse>", 1)[0]
    assert 'data-stat="advocates">1<' in section
    assert ONLY_AGREED not in section and "Bruno Hidden" not in section


@pytest.fixture
def pulse_module(db) -> ModulePage:
    home = HomePage.objects.get(locale__language_code="es")
    index = publish(home, PathIndexPage(title="Itinerarios", slug="itinerarios"))
    path = publish(index, PathPage(title="Bienvenida", slug="bienvenida"))
    return publish(
        path,
        ModulePage(
            title="Pulse day 30",
            slug="pulse-day-30",
            pulse_questions=[("scale", {"question": "I feel welcome here"})],
            pulse_enps=True,
        ),
    )


def _last_month() -> dt.date:
    return (pulse_month() - dt.timedelta(days=1)).replace(day=1)


def _answer(
    module: ModulePage, department, *, score: int, enps: int, month=None
) -> None:
    question = module.pulse_questions[0].id
    PulseResponse.objects.create(
        module=module,
        path=module.get_parent().specific,
        department=department,
        month=month or _last_month(),
        scores={question: score, "enps": enps},
    )


def test_pulse_is_hidden_below_five_answers_in_the_lines_departments(
    client, pulse_module
):
    kitchen = DepartmentFactory(name="Kitchen")
    elsewhere = DepartmentFactory(name="Front desk")
    mara = EmployeeFactory(full_name="Mara Manager", department=kitchen)
    EmployeeFactory(manager=mara, department=kitchen)
    for _ in range(4):
        _answer(pulse_module, kitchen, score=4, enps=9)
    for _ in range(3):  # another department's answers never fill the group
        _answer(pulse_module, elsewhere, score=1, enps=0)

    pulse = team_pulse(manager=mara)
    assert not pulse.enough and not pulse.months
    client.force_login(mara.user)
    html = client.get(TEAM).content.decode()
    section = html.split("data-pulse>", 1)[1]
    assert NOT_ENOUGH in section
    assert "I feel welcome here" not in section

    _answer(pulse_module, kitchen, score=2, enps=3)
    pulse = team_pulse(manager=mara)
    (month,) = pulse.months
    assert month.month == _last_month() and month.figures.answers_range == "5–9"
    assert month.questions == [("I feel welcome here", 3.6)]
    assert month.figures.enps.value == 60  # four promoters, one detractor
    section = client.get(TEAM).content.decode().split("data-pulse>", 1)[1]
    assert NOT_ENOUGH not in section
    assert "I feel welcome here" in section and "5–9 answers" in section
    assert 'data-stat="enps">60<' in section


def _line_of(size: int, post, survey=None):
    manager = EmployeeFactory(timezone="UTC", department=DepartmentFactory())
    for n in range(size):
        person = _advocate(
            manager,
            f"Person {size}-{n}",
            visible=True,
            department=manager.department,
        )
        link = _share(person, post, personalised=n % 2 == 0)
        _click(link, f"visitor-{n}")
        if survey is not None:
            _answer(survey, manager.department, score=n % 5 + 1, enps=n % 11)
    return manager


def test_the_query_count_does_not_grow_with_the_line(pulse_module):
    post = _post()
    small, big = _line_of(5, post, pulse_module), _line_of(15, post, pulse_module)

    counts = []
    for manager in (small, big):
        with CaptureQueriesContext(connection) as queries:
            advocacy = team_advocacy(manager=manager)
            assert team_pulse(manager=manager).enough
        counts.append(len(queries))
        assert advocacy.totals.advocates == len(advocacy.people)
    assert counts[0] == counts[1]
    assert [len(team_advocacy(manager=m).people) for m in (small, big)] == [5, 15]


def test_weeks_start_at_the_managers_monday_midnight_across_a_clock_change():
    """A click at 00:30 on Monday in Madrid is that week's, though it is still
    Sunday in UTC; the week before the clock change starts an hour later in
    UTC than the week after it."""
    madrid = dt.timezone(dt.timedelta(hours=1)), dt.timezone(dt.timedelta(hours=2))
    mara = EmployeeFactory(full_name="Mara Manager", timezone="Europe/Madrid")
    ana = EmployeeFactory(full_name="Ana Visible", manager=mara)
    post = _post()
    now = dt.datetime(2026, 4, 1, 12, tzinfo=dt.UTC)  # Wednesday, summer time
    first_week = dt.datetime(2026, 2, 9, tzinfo=madrid[0])  # 7 weeks before
    link = _share(ana, post, at=first_week - dt.timedelta(minutes=1))
    _share(ana, post, network="x", at=first_week)
    # Monday 23 March 00:30 winter time, and Sunday 29 March 23:30 summer time:
    # both in the week of the 23rd.
    _click(link, "v1", at=dt.datetime(2026, 3, 23, 0, 30, tzinfo=madrid[0]))
    _click(link, "v2", at=dt.datetime(2026, 3, 29, 23, 30, tzinfo=madrid[1]))
    # Monday 30 March 00:30 summer time: this week.
    _click(link, "v3", at=dt.datetime(2026, 3, 30, 0, 30, tzinfo=madrid[1]))
    _click(link, "v4", at=dt.datetime(2026, 3, 22, 23, 59, tzinfo=madrid[0]))

    weeks = team_advocacy(manager=mara, now=now).weeks

    by_start = {w.start: (w.shares, w.clicks) for w in weeks}
    assert weeks[0].start == dt.date(2026, 2, 9)
    assert by_start[dt.date(2026, 2, 9)] == (1, 0)  # the share a minute earlier is out
    assert by_start[dt.date(2026, 3, 16)] == (0, 1)
    assert by_start[dt.date(2026, 3, 23)] == (0, 2)
    assert by_start[dt.date(2026, 3, 30)] == (0, 1)
    assert sum(w.clicks for w in weeks) == 4


@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="the covering partial index is PostgreSQL's",
)
def test_click_figures_are_read_from_the_index_of_real_clicks(line):
    """With a million clicks, reading the table itself takes the dashboard
    from tens of milliseconds to seconds: every click query must be one the
    index of real clicks can answer alone. A test database is too small for
    the planner to prefer any index, so the table is only left that one (and
    its primary key), and scans that read the table are ruled out: the plan
    must then be an index-only scan of it. The test's transaction restores the rest."""
    with CaptureQueriesContext(connection) as captured:
        team_advocacy(manager=line["mara"], now=line["now"])
    click_queries = [
        q["sql"] for q in captured.captured_queries if '"advocacy_click"' in q["sql"]
    ]
    assert len(click_queries) == 2  # per link and week, unique visitors

    with connection.cursor() as cursor:
        # The rows' deferred foreign-key checks run now, so the table can be
        # altered; a unique constraint's index goes with its constraint.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "SELECT conname FROM pg_constraint "
            "WHERE conrelid = 'advocacy_click'::regclass AND contype = 'u'"
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'ALTER TABLE advocacy_click DROP CONSTRAINT "{name}"')
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'advocacy_click' "
            "AND indexname NOT IN ('advocacy_click_pkey', 'advocacy_click_real_idx')"
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        for sql in click_queries:
            cursor.execute("EXPLAIN " + sql.replace("%", "%%"))
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "Index Only Scan using advocacy_click_real_idx" in plan, plan


ADVOCACY_CSV = "/insights/team/advocacy.csv"
ADVOCACY_XLSX = "/insights/team/advocacy.xlsx"


def test_advocacy_downloads_hold_the_screen_and_only_people_who_agreed(client, line):
    import csv
    import io

    import openpyxl

    client.force_login(line["mara"].user)
    page = client.get(TEAM).content.decode()
    assert ADVOCACY_CSV in page and ADVOCACY_XLSX in page

    response = client.get(ADVOCACY_CSV)
    assert response["Content-Disposition"].endswith('.csv"')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        ["Name", "Shares", "In their own words", "Clicks"],
        ["Ana Visible", "3", "1", "3"],
    ]

    response = client.get(ADVOCACY_XLSX)
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Totals", "Weeks", "People"]
    totals = dict(workbook["Totals"].iter_rows(min_row=2, values_only=True))
    assert totals == {
        "Advocates": 2,
        "Active advocates this month": 2,
        "Shares": 5,
        "Shared in their own words (%)": 40,
        "Clicks": 4,  # the preview is not a click
        "Unique clicks": 3,
        "Clicks per share": 0.8,
    }
    weeks = list(workbook["Weeks"].iter_rows(min_row=2, values_only=True))
    shown = team_advocacy(manager=line["mara"], now=timezone.now()).weeks
    assert weeks == [(w.start.isoformat(), w.shares, w.clicks) for w in shown]
    assert list(workbook["People"].iter_rows(values_only=True)) == [
        ("Name", "Shares", "In their own words", "Clicks"),
        ("Ana Visible", 3, 1, 3),
    ]


def test_advocacy_downloads_keep_to_the_managers_own_line(client, line):
    outsider = EmployeeFactory(full_name="Nobody Reports")
    client.force_login(outsider.user)
    assert client.get(ADVOCACY_CSV).status_code == 404
    assert client.get(ADVOCACY_XLSX).status_code == 404

    otto = Employee.objects.get(full_name="Otto Othermanager")
    client.force_login(otto.user)
    text = client.get(ADVOCACY_CSV).content.decode("utf-8-sig")
    assert "Olga Outside" in text
    for name in ("Ana Visible", "Bruno Hidden", "Dani Optedout"):
        assert name not in text
