"""The manager dashboard: a manager's whole reporting line, and nobody else."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from identity.models import HomePage
from insights.selectors import employee_onboarding_numbers
from insights.team import TeamFilters, team_rows
from onboarding.models import (
    Acknowledgement,
    Certificate,
    CheckAttempt,
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
CSV = "/insights/team/export.csv"
XLSX = "/insights/team/export.xlsx"


def person_url(employee) -> str:
    return f"/insights/team/people/{employee.pk}/"


def _today() -> dt.date:
    return timezone.now().astimezone(dt.UTC).date()


@pytest.fixture
def welcome(db):
    """A path: "Values" (day 1, due in 7), "Policies" (day 1, due in 3, after
    "Values") and "Year review" (day 300): 3 required modules."""
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
    review = publish(
        path,
        ModulePage(title="Year review", slug="year-review", release_day=300),
    )
    return {"path": path, "values": values, "policies": policies, "review": review}


def _hire(manager, *, days_ago: int = 20, **fields):
    return EmployeeFactory(
        manager=manager,
        start_date=_today() - dt.timedelta(days=days_ago),
        timezone="UTC",
        **fields,
    )


def _done(enrolment, module, *, days_ago: int = 1):
    at = timezone.now() - dt.timedelta(days=days_ago)
    return ModuleProgress.objects.create(
        enrolment=enrolment, module=module, started_at=at, completed_at=at
    )


@pytest.fixture
def org(welcome):
    """Mara manages a four-level chain; Pablo, a peer manager, has his own report.

    Started 20 days ago (UTC), so "Values" was due 13 days ago and "Policies"
    17 days ago; "Year review" is not released yet.
    """
    red, blue, other = TeamFactory(name="Red"), TeamFactory(name="Blue"), TeamFactory()
    mara = EmployeeFactory(full_name="Mara Manager")
    pablo = EmployeeFactory(full_name="Pablo Peer")
    one = _hire(mara, full_name="Ana One", team=red)
    two = _hire(one, full_name="Bea Two", team=red)
    three = _hire(two, full_name="Carla Three", team=blue, days_ago=200)
    four = _hire(three, full_name="Dani Four", team=blue)
    outsider = _hire(pablo, full_name="Olga Outsider", team=other)
    path = welcome["path"]
    enrolments = {
        p: enrolment_create(employee=p, path=path)[0]
        for p in (one, two, three, four, outsider)
    }
    # Ana: "Values" done, "Policies" overdue by 17 days -> 33 %, 1 overdue.
    _done(enrolments[one], welcome["values"], days_ago=2)
    # Bea: nothing done; "Policies" is locked behind "Values", so only
    # "Values" is overdue, by 13 days -> 0 %, 1 overdue.
    # Carla: both released ones done -> 67 %, nothing overdue, certified.
    _done(enrolments[three], welcome["values"], days_ago=5)
    _done(enrolments[three], welcome["policies"], days_ago=4)
    Certificate.objects.create(
        enrolment=enrolments[three],
        advocate=True,
        issued_at=timezone.now() - dt.timedelta(days=4),
        expires_at=timezone.now() + dt.timedelta(days=361),
    )
    CheckAttempt.objects.create(
        enrolment=enrolments[three],
        module=welcome["values"],
        number=1,
        score=50,
        passed=False,
        submitted_at=timezone.now(),
    )
    CheckAttempt.objects.create(
        enrolment=enrolments[three],
        module=welcome["values"],
        number=2,
        score=100,
        passed=True,
        submitted_at=timezone.now(),
    )
    CheckAttempt.objects.create(
        enrolment=enrolments[three],
        module=welcome["policies"],
        number=1,
        score=10,
        passed=False,
        submitted_at=timezone.now(),
    )
    # Dani: like Bea, 1 overdue by 13 days; an expired certificate, and an
    # acknowledgement (just now) is her last activity.
    Certificate.objects.create(
        enrolment=enrolments[four],
        advocate=True,
        issued_at=timezone.now() - dt.timedelta(days=400),
        expires_at=timezone.now() - dt.timedelta(days=35),
    )
    Acknowledgement.objects.create(enrolment=enrolments[four], module=welcome["values"])
    return {
        "mara": mara,
        "pablo": pablo,
        "line": [one, two, three, four],
        "outsider": outsider,
        "teams": {"red": red, "blue": blue, "other": other},
        "welcome": welcome,
    }


def _signed_in(client, employee):
    client.force_login(employee.user)
    return client


def _names(response) -> list[str]:
    return [row.name for row in response.context["rows"]]


def _csv(response) -> list[list[str]]:
    text = response.content.decode("utf-8").removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(text)))


# --- Scope --------------------------------------------------------------------


def test_manager_sees_exactly_their_line_at_every_depth(client, org):
    response = _signed_in(client, org["mara"]).get(TEAM)

    assert response.status_code == 200
    assert _names(response) == ["Ana One", "Bea Two", "Carla Three", "Dani Four"]
    assert "Olga Outsider" not in response.text
    for depth, person in enumerate(org["line"], start=1):
        page = client.get(person_url(person))
        assert page.status_code == 200, f"depth {depth}"
        assert person.full_name in page.text


def test_a_peer_managers_people_are_not_found(client, org):
    client = _signed_in(client, org["mara"])

    assert client.get(person_url(org["outsider"])).status_code == 404
    assert client.get(person_url(org["pablo"])).status_code == 404
    assert client.get(person_url(org["mara"])).status_code == 404
    assert client.get("/insights/team/people/999999/").status_code == 404
    names = [row[0] for row in _csv(client.get(CSV))]
    assert "Olga Outsider" not in names
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(XLSX).content)).active
    assert "Olga Outsider" not in [row[0] for row in sheet.iter_rows(values_only=True)]


def test_the_peer_manager_sees_only_their_own_report(client, org):
    response = _signed_in(client, org["pablo"]).get(TEAM)

    assert _names(response) == ["Olga Outsider"]
    assert client.get(person_url(org["line"][0])).status_code == 404


def test_people_who_manage_nobody_get_not_found(client, org):
    client = _signed_in(client, org["line"][3])

    assert client.get(TEAM).status_code == 404
    assert client.get(CSV).status_code == 404
    assert client.get(XLSX).status_code == 404
    assert client.get(person_url(org["line"][3])).status_code == 404


def test_the_nav_links_to_my_team_for_managers_only(client, org):
    response = _signed_in(client, org["mara"]).get(TEAM)
    assert 'href="/insights/team/" aria-current="page"' in response.text

    client.force_login(org["line"][3].user)
    assert "/insights/team/" not in client.get("/insights/me/").text


def test_the_person_page_is_their_timeline_without_actions(client, org):
    response = _signed_in(client, org["mara"]).get(person_url(org["line"][0]))

    assert response.status_code == 200
    text = response.text
    assert "Values" in text and "Policies" in text and "Year review" in text
    assert "badge-overdue" in text and "badge-done" in text
    assert "33% done" in text
    assert "<form" not in text.split('<main id="main"')[1]
    welcome = org["welcome"]
    assert welcome["values"].url not in text  # no links into the modules


# --- Numbers ------------------------------------------------------------------


def test_numbers_match_a_hand_computed_line(org):
    rows = {r.name: r for r in team_rows(manager=org["mara"], filters=TeamFilters())}

    ana, bea, carla, dani = (
        rows[n] for n in ("Ana One", "Bea Two", "Carla Three", "Dani Four")
    )
    assert (ana.percent, ana.overdue, ana.max_days_overdue) == (33, 1, 17)
    assert (bea.percent, bea.overdue, bea.max_days_overdue) == (0, 1, 13)
    assert (carla.percent, carla.overdue, carla.max_days_overdue) == (67, 0, 0)
    assert (dani.percent, dani.overdue, dani.max_days_overdue) == (0, 1, 13)
    assert ana.paths == ["Welcome"]
    assert (carla.checks_passed, carla.checks_attempted) == (1, 2)
    assert carla.certificate == "valid" and carla.certified
    assert dani.certificate == "expired" and not dani.certified
    assert bea.certificate == "none" and bea.last_activity is None
    assert (timezone.now() - dani.last_activity) < dt.timedelta(minutes=5)
    assert (timezone.now() - ana.last_activity) > dt.timedelta(days=1)


def test_numbers_agree_with_the_persons_own_numbers(org):
    rows = {
        r.employee_id: r for r in team_rows(manager=org["mara"], filters=TeamFilters())
    }

    for person in org["line"]:
        [own] = employee_onboarding_numbers(employee=person)
        row = rows[person.pk]
        assert (row.done, row.required, row.overdue) == (
            own.done,
            own.required,
            own.overdue,
        )


def test_summary_counts_people_on_track_overdue_and_certified(client, org):
    response = _signed_in(client, org["mara"]).get(TEAM)

    summary = response.context["summary"]
    assert (summary.people, summary.on_track, summary.overdue, summary.certified) == (
        4,
        1,
        3,
        1,
    )
    assert "Certified advocates: 1" in response.text


# --- Filters and sorting --------------------------------------------------------


def test_overdue_filter_keeps_people_with_overdue_modules(client, org):
    response = _signed_in(client, org["mara"]).get(TEAM, {"overdue": "1"})

    assert _names(response) == ["Ana One", "Bea Two", "Dani Four"]


def test_new_hire_filter_keeps_the_last_90_days(client, org):
    response = _signed_in(client, org["mara"]).get(TEAM, {"new": "1"})

    assert "Carla Three" not in _names(response)
    assert len(_names(response)) == 3


def test_team_filter_narrows_and_a_team_outside_the_line_never_widens(client, org):
    client = _signed_in(client, org["mara"])
    teams = org["teams"]

    red = client.get(TEAM, {"team": teams["red"].pk})
    assert _names(red) == ["Ana One", "Bea Two"]
    outside = client.get(TEAM, {"team": teams["other"].pk})
    assert _names(outside) == ["Ana One", "Bea Two", "Carla Three", "Dani Four"]
    assert teams["other"].name not in outside.text
    assert "Olga Outsider" not in _csv(client.get(CSV, {"team": teams["other"].pk}))
    assert _names(client.get(TEAM, {"team": "abc"})) == _names(outside)


def test_sorting_by_overdue_descending_and_unknown_sorts_fall_back_to_name(client, org):
    client = _signed_in(client, org["mara"])

    response = client.get(TEAM, {"sort": "-progress"})
    assert _names(response) == ["Carla Three", "Ana One", "Bea Two", "Dani Four"]
    assert 'aria-sort="descending"' in response.text
    by_start = client.get(TEAM, {"sort": "start"})
    assert _names(by_start)[0] == "Carla Three"
    assert 'aria-sort="ascending"' in by_start.text
    bogus = client.get(TEAM, {"sort": "user__password"})
    assert bogus.status_code == 200
    assert _names(bogus) == ["Ana One", "Bea Two", "Carla Three", "Dani Four"]


def test_the_table_is_accessible_markup(client, org):
    text = _signed_in(client, org["mara"]).get(TEAM).text

    assert "<caption>" in text
    assert '<th scope="col" aria-sort="ascending">' in text
    assert '<th scope="row">' in text


def test_empty_states_say_why_the_table_is_empty(client, welcome):
    mara = EmployeeFactory(full_name="Mara Manager")
    _hire(mara, full_name="Gone Person", status="left")
    client = _signed_in(client, mara)

    response = client.get(TEAM)
    assert response.status_code == 200
    assert _names(response) == []
    assert "Nobody in your reporting line is onboarding right now." in response.text
    _hire(mara, full_name="On Track")
    filtered = client.get(TEAM, {"overdue": "1"})
    assert _names(filtered) == []
    assert "Nobody in your team matches these filters." in filtered.text


def test_pagination_shows_25_people_a_page(client, welcome):
    mara = EmployeeFactory(full_name="Mara Manager")
    for n in range(27):
        _hire(mara, full_name=f"Person {n:02d}")
    client = _signed_in(client, mara)

    first = client.get(TEAM)
    assert len(first.context["rows"]) == 25
    assert "Page 1 of 2" in first.text
    assert len(client.get(TEAM, {"page": "2"}).context["rows"]) == 2
    assert len(_csv(client.get(CSV))) == 28  # all pages, plus the header


# --- Exports --------------------------------------------------------------------


def test_csv_and_xlsx_rows_equal_the_screen_rows(client, org):
    client = _signed_in(client, org["mara"])
    query = {"overdue": "1", "sort": "-overdue"}

    screen = client.get(TEAM, query).context["rows"]
    csv_response = client.get(CSV, query)
    xlsx_response = client.get(XLSX, query)

    assert csv_response["Content-Type"].startswith("text/csv")
    assert "attachment;" in csv_response["Content-Disposition"]
    header, *rows = _csv(csv_response)
    assert header[0] == "Name" and "Most days overdue" in header
    assert [r[0] for r in rows] == [r.name for r in screen]
    assert [(int(r[4]), int(r[5]), int(r[6])) for r in rows] == [
        (r.percent, r.overdue, r.max_days_overdue) for r in screen
    ]
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_response.content)).active
    xlsx_rows = [
        ["" if v is None else str(v) for v in row]
        for row in sheet.iter_rows(values_only=True)
    ]
    assert xlsx_rows == [header, *rows]


def test_exported_text_cannot_run_as_a_formula(client, welcome):
    mara = EmployeeFactory(full_name="Mara Manager")
    _hire(mara, full_name='=HYPERLINK("http://evil")')

    rows = _csv(_signed_in(client, mara).get(CSV))
    assert rows[1][0].startswith("'=")


# --- Query count ----------------------------------------------------------------


def _line(manager, size: int, welcome) -> None:
    """A line of ``size`` people, half of them one level down, all busy."""
    team = TeamFactory()
    lead = None
    for n in range(size):
        person = _hire(lead or manager, team=team, full_name=f"Line {n}")
        lead = lead or person
        enrolment = enrolment_create(employee=person, path=welcome["path"])[0]
        _done(enrolment, welcome["values"])
        CheckAttempt.objects.create(
            enrolment=enrolment, module=welcome["values"], number=1, passed=True
        )
        Acknowledgement.objects.create(enrolment=enrolment, module=welcome["values"])
        Certificate.objects.create(
            enrolment=enrolment,
            advocate=True,
            issued_at=timezone.now(),
            expires_at=timezone.now() + dt.timedelta(days=30),
        )


def test_query_count_does_not_grow_with_the_line(client, welcome):
    small, large = EmployeeFactory(), EmployeeFactory()
    _line(small, 5, welcome)
    _line(large, 15, welcome)

    counts = {}
    for manager in (small, large):
        client.force_login(manager.user)
        client.get(TEAM)  # warm caches (site, locales) alike for both
        with CaptureQueriesContext(connection) as selector:
            rows = team_rows(manager=manager, filters=TeamFilters())
        with CaptureQueriesContext(connection) as page:
            assert client.get(TEAM).status_code == 200
        with CaptureQueriesContext(connection) as export:
            client.get(CSV)
        counts[manager.pk] = (len(rows), len(selector), len(page), len(export))

    assert counts[small.pk][0] == 5 and counts[large.pk][0] == 15
    assert counts[small.pk][1:] == counts[large.pk][1:]
