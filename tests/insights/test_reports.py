"""HR reports in the Wagtail admin: the path funnel and the overdue list."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta
from html.parser import HTMLParser

import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import formats, timezone

from insights import reports
from onboarding.models import Enrolment, ModulePage, ModuleProgress, PathPage
from people import roles
from people.models import Department, Employee
from tests.factories import EmployeeFactory, UserFactory, admin_ready
from tests.onboarding.conftest import publish

pytestmark = pytest.mark.django_db

FUNNEL_URL = "/admin/reports/path-funnel/"
OVERDUE_URL = "/admin/reports/overdue/"


# Fixture: one path with three required modules a week apart -----------------------


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12)))


@pytest.fixture
def today() -> date:
    return timezone.localdate()


@pytest.fixture
def start(today) -> date:
    """Day 30 today: every module of the path is past its due date."""
    return today - timedelta(days=29)


@pytest.fixture
def paths(db):
    from identity.models import HomePage
    from onboarding.models import PathIndexPage

    home = HomePage.objects.get(locale__language_code="es")
    index = publish(home, PathIndexPage(title="Itinerarios", slug="itinerarios"))
    welcome = publish(
        index, PathPage(title="Bienvenida", slug="bienvenida", auto_enrol=False)
    )
    kitchen = publish(
        index, PathPage(title="Cocina segura", slug="cocina", auto_enrol=False)
    )
    modules = [
        publish(welcome, ModulePage(title=title, slug=title.lower(), **fields))
        for title, fields in [
            ("Values", {"release_day": 1, "due_days": 7}),
            ("Policies", {"release_day": 8, "due_days": 7}),
            ("Team", {"release_day": 15, "due_days": 7}),
            # Optional and not released yet: in neither report.
            ("Extra", {"release_day": 100, "due_days": 7, "required": False}),
        ]
    ]
    return welcome, kitchen, modules[:3]


@pytest.fixture
def org(paths, start):
    """Six people on the welcome path, at every stage of it.

    Ana and Fede finished (10 and 20 days after their start), Bruno did two
    modules, Carla one, Diego opened the first, Elena (Sales, another manager)
    nothing. Gil withdrew and Kiko is on another path: both are in no number.
    """
    welcome, kitchen, (values, policies, team) = paths
    kitchen_dept = Department.objects.create(name="Kitchen")
    sales = Department.objects.create(name="Sales")
    marta = EmployeeFactory(full_name="Marta Manager", department=kitchen_dept)
    oscar = EmployeeFactory(full_name="Oscar Other", department=sales)
    people = {}
    for name, dept, manager, start_date in [
        ("Ana Acosta", kitchen_dept, marta, start),
        ("Bruno Bravo", kitchen_dept, marta, start),
        ("Carla Cruz", kitchen_dept, marta, start),
        ("Diego Diaz", kitchen_dept, marta, start),
        ("Elena Estrada", sales, oscar, start),
        ("Fede Flores", kitchen_dept, marta, start - timedelta(days=30)),
        ("Gil Garcia", kitchen_dept, marta, start),
    ]:
        person = EmployeeFactory(
            full_name=name, department=dept, manager=manager, start_date=start_date
        )
        people[name.split()[0]] = (
            person,
            Enrolment.objects.create(employee=person, path=welcome),
        )
    Enrolment.objects.create(
        employee=EmployeeFactory(full_name="Kiko Kitchen", start_date=start),
        path=kitchen,
    )

    def done(who, *modules, started_only=()):
        person, enrolment = people[who]
        begin = person.start_date
        for module in modules:
            ModuleProgress.objects.create(
                enrolment=enrolment,
                module=module,
                started_at=_at(begin),
                completed_at=_at(begin + timedelta(days=1)),
            )
        for module in started_only:
            ModuleProgress.objects.create(
                enrolment=enrolment, module=module, started_at=_at(begin)
            )

    done("Ana", values, policies, team)
    done("Fede", values, policies, team)
    done("Bruno", values, policies)
    done("Carla", values)
    done("Diego", started_only=[values])
    Enrolment.objects.filter(pk=people["Ana"][1].pk).update(
        completed_at=_at(start + timedelta(days=10))
    )
    Enrolment.objects.filter(pk=people["Fede"][1].pk).update(
        completed_at=_at(start - timedelta(days=30) + timedelta(days=20))
    )
    Enrolment.objects.filter(pk=people["Gil"][1].pk).update(withdrawn_at=timezone.now())
    return {"kitchen": kitchen_dept, "sales": sales, "marta": marta, "oscar": oscar}


# Reading the screen and the downloads ---------------------------------------------


class _TableCells(HTMLParser):
    """The text of each body row of the report's table (class "listing")."""

    def __init__(self):
        super().__init__()
        self.rows: list[list[str]] = []
        self._in_listing = False
        self._in_body = False
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._in_listing = "listing" in (dict(attrs).get("class") or "").split()
        elif tag == "tbody" and self._in_listing:
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.rows.append([])
        elif tag in {"td", "th"} and self._in_body:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._in_body = False
        elif tag in {"td", "th"} and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _screen_rows(response) -> list[list[str]]:
    parser = _TableCells()
    parser.feed(response.content.decode())
    return parser.rows


def _csv_rows(client, url: str) -> list[list[str]]:
    separator = "&" if "?" in url else "?"
    response = client.get(f"{url}{separator}export=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


def _xlsx_rows(client, url: str) -> list[list]:
    separator = "&" if "?" in url else "?"
    response = client.get(f"{url}{separator}export=xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def _shown(value) -> str:
    """A downloaded value as the screen shows it."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return formats.date_format(value)
    return "" if value is None else str(value)


# Path funnel ----------------------------------------------------------------------

FUNNEL_ALL = [
    ["Enrolled", "6", "100", ""],
    ["Started", "5", "83", "1"],
    ["Values completed", "4", "67", "1"],
    ["Policies completed", "3", "50", "1"],
    ["Team completed", "2", "33", "1"],
    ["Path completed", "2", "33", "0"],
]


def _funnel_screen(rows):
    """The screen shows nothing in the first row's drop-off."""
    return rows


def test_funnel_counts_each_step_with_drop_off_and_median_days(hr_client, org):
    response = hr_client.get(FUNNEL_URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Path: Bienvenida" in page
    # Ana took 10 days, Fede 20.
    assert "Median days from start date to path completion: 15" in page
    assert "Extra completed" not in page
    assert _funnel_screen(_screen_rows(response)) == FUNNEL_ALL


def test_funnel_filters_by_department_and_start_date(hr_client, org, start):
    response = hr_client.get(FUNNEL_URL, {"department": org["sales"].pk})
    assert [row[1] for row in _screen_rows(response)] == ["1", "0", "0", "0", "0", "0"]
    assert "nobody has completed the path yet" in response.content.decode()

    # Fede started a month earlier than the others: outside the range.
    response = hr_client.get(
        FUNNEL_URL,
        {
            "start_date_from": (start - timedelta(days=1)).isoformat(),
            "start_date_to": start.isoformat(),
        },
    )
    rows = _funnel_screen(_screen_rows(response))
    assert [row[1] for row in rows] == ["5", "4", "3", "2", "1", "1"]
    assert "Median days from start date to path completion: 10" in (
        response.content.decode()
    )


def test_funnel_of_another_path_counts_only_its_people(hr_client, org, paths):
    _welcome, kitchen, _modules = paths

    response = hr_client.get(FUNNEL_URL, {"path": kitchen.pk})

    assert "Path: Cocina segura" in response.content.decode()
    assert _funnel_screen(_screen_rows(response)) == [
        ["Enrolled", "1", "100", ""],
        ["Started", "0", "0", "1"],
        ["Path completed", "0", "0", "0"],
    ]


def test_funnel_downloads_hold_the_rows_on_screen(hr_client, org):
    url = f"{FUNNEL_URL}?department={org['kitchen'].pk}"
    screen = _funnel_screen(_screen_rows(hr_client.get(url)))

    csv_rows = _csv_rows(hr_client, url)
    xlsx_rows = _xlsx_rows(hr_client, url)

    headings = ["Step", "People", "% of enrolled", "Drop-off"]
    assert csv_rows[0] == headings
    assert csv_rows[1:] == screen
    assert list(xlsx_rows[0]) == headings
    assert [[_shown(v) for v in row] for row in xlsx_rows[1:]] == screen
    assert screen[0] == ["Enrolled", "5", "100", ""]


def test_funnel_costs_the_same_queries_for_more_people(org, paths, start):
    welcome, _kitchen, _modules = paths

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            reports.path_funnel(path=welcome, enrolments=Enrolment.objects.all())
        return len(queries)

    before = count()
    for n in range(5):
        Enrolment.objects.create(
            employee=EmployeeFactory(full_name=f"More {n}", start_date=start),
            path=welcome,
        )
    assert count() == before == 3


# Overdue list ---------------------------------------------------------------------


def _overdue(today, *rows):
    """Expected screen rows: (person, department, manager, module, days)."""
    return [
        [
            person,
            dept,
            manager,
            "Bienvenida",
            module,
            formats.date_format(today - timedelta(days=days)),
            str(days),
        ]
        for person, dept, manager, module, days in rows
    ]


KITCHEN, SALES, MARTA, OSCAR = "Kitchen", "Sales", "Marta Manager", "Oscar Other"


def test_overdue_lists_each_person_and_module_most_overdue_first(hr_client, org, today):
    response = hr_client.get(OVERDUE_URL)

    assert response.status_code == 200
    assert _screen_rows(response) == _overdue(
        today,
        ("Diego Diaz", KITCHEN, MARTA, "Values", 22),
        ("Elena Estrada", SALES, OSCAR, "Values", 22),
        ("Carla Cruz", KITCHEN, MARTA, "Policies", 15),
        ("Diego Diaz", KITCHEN, MARTA, "Policies", 15),
        ("Elena Estrada", SALES, OSCAR, "Policies", 15),
        ("Bruno Bravo", KITCHEN, MARTA, "Team", 8),
        ("Carla Cruz", KITCHEN, MARTA, "Team", 8),
        ("Diego Diaz", KITCHEN, MARTA, "Team", 8),
        ("Elena Estrada", SALES, OSCAR, "Team", 8),
    )
    page = response.content.decode()
    assert "Gil Garcia" not in page  # withdrew
    assert "Kiko Kitchen" not in page  # nothing due yet on his path


def test_overdue_filters_by_department_manager_and_path(hr_client, org, today, paths):
    response = hr_client.get(OVERDUE_URL, {"department": org["sales"].pk})
    assert [row[0] for row in _screen_rows(response)] == ["Elena Estrada"] * 3

    response = hr_client.get(OVERDUE_URL, {"manager": org["marta"].pk})
    people = {row[0] for row in _screen_rows(response)}
    assert people == {"Bruno Bravo", "Carla Cruz", "Diego Diaz"}
    assert len(_screen_rows(response)) == 6

    response = hr_client.get(OVERDUE_URL, {"path": paths[1].pk})
    assert _screen_rows(response) == []
    assert "No overdue modules match your query." in response.content.decode()


def test_people_who_left_are_not_overdue(hr_client, org):
    Employee.objects.filter(full_name="Elena Estrada").update(
        status=Employee.Status.LEFT
    )

    response = hr_client.get(OVERDUE_URL)

    assert "Elena Estrada" not in response.content.decode()
    assert len(_screen_rows(response)) == 6


def test_overdue_is_paginated_and_downloads_hold_every_row(hr_client, org, monkeypatch):
    monkeypatch.setattr(reports.OverdueView, "paginate_by", 5)
    first = _screen_rows(hr_client.get(OVERDUE_URL))
    second = _screen_rows(hr_client.get(OVERDUE_URL, {"p": 2}))
    assert len(first) == 5
    assert len(second) == 4
    screen = first + second

    csv_rows = _csv_rows(hr_client, OVERDUE_URL)
    xlsx_rows = _xlsx_rows(hr_client, OVERDUE_URL)

    headings = [
        "Person",
        "Department",
        "Manager",
        "Path",
        "Module",
        "Due date",
        "Days overdue",
    ]
    assert csv_rows[0] == headings
    assert [
        [*row[:5], formats.date_format(date.fromisoformat(row[5])), row[6]]
        for row in csv_rows[1:]
    ] == screen
    assert list(xlsx_rows[0]) == headings
    assert [[_shown(v) for v in row] for row in xlsx_rows[1:]] == screen


def test_filtered_download_holds_only_the_filtered_rows(hr_client, org):
    url = f"{OVERDUE_URL}?department={org['sales'].pk}"

    rows = _csv_rows(hr_client, url)[1:]

    assert [row[0] for row in rows] == ["Elena Estrada"] * 3


def test_overdue_costs_the_same_queries_for_more_people(org, paths, start):
    welcome, _kitchen, _modules = paths

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            rows = reports.overdue_rows(enrolments=Enrolment.objects.all())
        return len(queries), len(rows)

    queries_before, rows_before = count()
    for n in range(5):
        Enrolment.objects.create(
            employee=EmployeeFactory(full_name=f"More {n}", start_date=start),
            path=welcome,
        )
    queries_after, rows_after = count()
    assert queries_after == queries_before == 6
    assert rows_after == rows_before + 15


# Dashboard panel ------------------------------------------------------------------


def test_dashboard_shows_the_last_30_days_to_hr(hr_client, org):
    page = hr_client.get("/admin/").content.decode()

    assert "Last 30 days" in page
    assert FUNNEL_URL in page
    assert OVERDUE_URL in page
    numbers = reports.recent_numbers()
    # Ana, Bruno, Carla, Diego, Elena, Gil and Kiko started 29 days ago.
    assert numbers.started == 7
    # Fede's modules and path were completed more than 30 days ago.
    assert numbers.modules_completed == 6
    assert numbers.paths_completed == 1
    assert numbers.overdue == 9
    assert '<td data-number="overdue">9</td>' in page


def test_dashboard_panel_counts_once_for_many_visits_and_says_when(hr_client, org):
    """Counting what is overdue walks every module of every person, so the
    admin's home page reuses the panel's figures for a few minutes."""
    from django.core.cache import cache

    hr_client.get("/admin/")  # per-process caches warm up
    cache.delete(reports.RECENT_NUMBERS_CACHE_KEY)  # as when the minutes run out
    with CaptureQueriesContext(connection) as counting:
        first = hr_client.get("/admin/").content.decode()
    with CaptureQueriesContext(connection) as reusing:
        second = hr_client.get("/admin/").content.decode()

    # Three counts, and the six queries of the overdue list, are not repeated.
    assert len(counting) - len(reusing) == 9
    for page in (first, second):
        assert '<td data-number="overdue">9</td>' in page
        assert "counted again after 5 minutes." in page


# Who may see the reports ----------------------------------------------------------


@pytest.fixture
def comms_client(client):
    user = UserFactory(email="comms@example.com", roles=[roles.COMMS_APPROVER])
    EmployeeFactory(user=user, full_name="Carla Comms")
    client.force_login(admin_ready(user))
    return client


def test_comms_approver_has_no_reports_menu_item_and_is_refused(comms_client, org):
    page = comms_client.get("/admin/").content.decode()
    assert FUNNEL_URL not in page
    assert OVERDUE_URL not in page
    assert "Last 30 days" not in page

    for url in [FUNNEL_URL, f"{FUNNEL_URL}?export=csv", OVERDUE_URL]:
        assert comms_client.get(url).status_code == 403, url


def test_employees_and_managers_without_the_role_are_refused(client, org):
    org["marta"].user.groups.add(Group.objects.get(name=roles.MANAGER))
    for person in [org["marta"], Employee.objects.get(full_name="Ana Acosta")]:
        client.force_login(person.user)
        for url in [
            "/admin/",
            FUNNEL_URL,
            OVERDUE_URL,
            f"{OVERDUE_URL}?export=xlsx",
        ]:
            response = client.get(url)
            assert response.status_code == 403, url
            assert "Last 30 days" not in response.content.decode()


def test_administrators_and_hr_leads_may_see_the_reports(client, org):
    for role in [roles.ADMINISTRATOR, roles.HR_LEAD]:
        user = UserFactory(roles=[role])
        EmployeeFactory(user=user)
        client.force_login(admin_ready(user))
        assert client.get(FUNNEL_URL).status_code == 200, role
        assert OVERDUE_URL in client.get("/admin/").content.decode(), role


def test_downloads_name_their_columns_in_the_admins_language(client, hr_editor, org):
    """The admin's own language setting can differ from the person's profile;
    a download's headings follow the admin, as the page does."""
    from wagtail.users.models import UserProfile

    client.force_login(admin_ready(hr_editor.user))
    profile = UserProfile.get_for_user(hr_editor.user)
    profile.preferred_language = "es"
    profile.save()

    page = client.get(FUNNEL_URL).content.decode()
    csv_rows = _csv_rows(client, FUNNEL_URL)
    xlsx_rows = _xlsx_rows(client, FUNNEL_URL)

    assert hr_editor.preferred_language == "en"
    assert "Embudo del itinerario" in page
    assert csv_rows[0] == ["Paso", "Personas", "% de inscritos", "Abandono"]
    assert list(xlsx_rows[0]) == csv_rows[0]
