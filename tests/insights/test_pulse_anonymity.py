"""Pulse figures cannot be differenced into one person's answers.

Two attacks, from the rule in ``insights.pulse``: a manager who reads the team
page before and after a new hire answers (the live event tells them when), and
HR subtracting one grouping or filter of the pulse report from an overlapping
one (or from the team page).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from asgiref.sync import sync_to_async
from bs4 import BeautifulSoup
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client
from django.utils import timezone

from config.asgi import application
from identity.models import HomePage
from insights.pulse import pulse_cells, pulse_pool
from onboarding.models import ModulePage, PathIndexPage, PathPage, PulseResponse
from onboarding.selectors import pulse_month
from onboarding.services import enrolment_create, pulse_submit
from tests.advocacy.test_hub_socket import ORIGIN
from tests.factories import DepartmentFactory, EmployeeFactory
from tests.insights.test_reports import _csv_rows, _screen_rows
from tests.onboarding.conftest import publish

TEAM = "/insights/team/"
PULSE_URL = "/admin/reports/pulse/"
HIDDEN = "Fewer than 5 answers: hidden to keep them anonymous"
NOT_ENOUGH = "Not enough answers to keep them anonymous."
STATEMENT = "Me siento bienvenida"

pytestmark = pytest.mark.django_db


def _months_ago(count: int) -> dt.date:
    month = pulse_month()
    for _ in range(count):
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return month


def _survey() -> ModulePage:
    home = HomePage.objects.get(locale__language_code="es")
    index = publish(home, PathIndexPage(title="Itinerarios", slug="itinerarios"))
    path = publish(
        index, PathPage(title="Bienvenida", slug="bienvenida", auto_enrol=False)
    )
    return publish(
        path,
        ModulePage(
            title="Pulso",
            slug="pulso",
            release_day=1,
            pulse_questions=[("scale", {"question": STATEMENT})],
            pulse_enps=True,
        ),
    )


def _answer(survey: ModulePage, department, month: dt.date, score: int, enps: int):
    PulseResponse.objects.create(
        module=survey,
        path=survey.get_parent().specific,
        department=department,
        month=month,
        scores={survey.pulse_questions[0].id: score, "enps": enps},
    )


def _form(survey: ModulePage, score: int, enps: int) -> dict[str, str]:
    return {survey.pulse_questions[0].id: str(score), "enps": str(enps)}


def _pulse_section(html: str) -> str:
    section = BeautifulSoup(html, "html.parser").find(
        "section", attrs={"data-pulse": True}
    )
    assert section is not None
    return str(section)


def _team_figures(html: str) -> dict[str, str]:
    """What the team page's Pulse section says, statement by statement."""
    section = BeautifulSoup(_pulse_section(html), "html.parser")
    return {
        dt_.get_text(strip=True): dd.get_text(strip=True)
        for dt_, dd in zip(section.find_all("dt"), section.find_all("dd"), strict=True)
    }


def _kitchen_line(survey: ModulePage):
    """A Kitchen manager with a new hire on the pulse survey's path, and the
    Kitchen's answers: five last month (published), four this month so far."""
    kitchen = DepartmentFactory(name="Kitchen")
    mara = EmployeeFactory(full_name="Mara Manager", department=kitchen)
    new_hire = EmployeeFactory(
        full_name="Nadia Newhire",
        manager=mara,
        department=kitchen,
        start_date=timezone.localdate() - dt.timedelta(days=3),
    )
    enrolment_create(employee=new_hire, path=survey.get_parent().specific)
    for score in (4, 4, 3, 5, 4):
        _answer(survey, kitchen, _months_ago(1), score, 9)
    for score in (2, 3, 3, 2):
        _answer(survey, kitchen, pulse_month(), score, 5)
    return mara, new_hire


def _a_month_passes() -> None:
    """Every answer a month older: what a month later looks like."""
    for response in PulseResponse.objects.all():
        response.month = (response.month - dt.timedelta(days=1)).replace(day=1)
        response.save(update_fields=["month"])


# (a) The manager watching the team page --------------------------------------------


def test_a_new_answer_changes_nothing_on_the_team_page_until_its_month_is_over(
    client,
):
    survey = _survey()
    mara, nadia = _kitchen_line(survey)
    client.force_login(mara.user)
    before = _pulse_section(client.get(TEAM).content.decode())

    nadia_browser = Client()
    nadia_browser.force_login(nadia.user)
    answered = nadia_browser.post(
        f"/onboarding/modules/{survey.pk}/pulse/",
        _form(survey, 1, 0),
        HTTP_HX_REQUEST="true",
    )
    assert answered.status_code == 200
    assert PulseResponse.objects.count() == 10

    after = _pulse_section(client.get(TEAM).content.decode())
    assert after == before
    assert "5–9 answers" in before  # last month's five, and nothing of this month

    # When her month is over, her answer arrives pooled with the month's four
    # others, and the month before does not move.
    _a_month_passes()
    closed = _pulse_section(client.get(TEAM).content.decode())
    soup = BeautifulSoup(closed, "html.parser")
    assert len(soup.select("[data-pulse-month]")) == 2
    assert [p.get_text(strip=True) for p in soup.select("[data-pulse-answers]")] == [
        "5–9 answers",
        "5–9 answers",
    ]
    last_month = BeautifulSoup(before, "html.parser").select_one("[data-pulse-month]")
    (older,) = soup.select(f'[data-pulse-month="{_months_ago(2):%Y-%m}"]')
    assert older.select_one("dl") == last_month.select_one("dl")  # as they were


@pytest.mark.django_db(transaction=True)
async def test_the_live_event_of_an_answer_does_not_move_the_pulse_figures(settings):
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}
    }
    world = await sync_to_async(_live_world)()
    socket = WebsocketCommunicator(
        application, "/ws/hub/", headers=[ORIGIN, (b"cookie", world["cookie"])]
    )
    assert (await socket.connect())[0]
    before = await sync_to_async(_team_page)(world["manager"])

    await sync_to_async(_new_hire_answers)(world)
    heard = []
    while not await socket.receive_nothing(timeout=0.5):
        heard.append((await socket.receive_json_from())["event"])
    await socket.disconnect()
    assert "onboarding.module_completed" in heard

    # What team.js does on that event: fetch the page, swap #team-live.
    after = await sync_to_async(_team_page)(world["manager"])
    assert _pulse_section(after) == _pulse_section(before)
    region = BeautifulSoup(after, "html.parser").find(id="team-live")
    assert region is not None
    assert region.find(attrs={"data-pulse": True}) is None
    assert STATEMENT not in region.get_text()


def _live_world() -> dict:
    survey = _survey()
    mara, nadia = _kitchen_line(survey)
    manager = Client(HTTP_ACCEPT_LANGUAGE="en")
    manager.force_login(mara.user)
    name = settings.SESSION_COOKIE_NAME
    return {
        "survey": survey,
        "nadia": nadia,
        "manager": manager,
        "cookie": f"{name}={manager.cookies[name].value}".encode(),
    }


def _team_page(manager: Client) -> str:
    return manager.get(TEAM).content.decode()


def _new_hire_answers(world: dict) -> None:
    pulse_submit(
        employee=world["nadia"],
        module=world["survey"],
        data=_form(world["survey"], 1, 0),
    )


def test_a_cell_of_four_never_reaches_a_figure_however_long_the_wait():
    survey = _survey()
    kitchen, sales = DepartmentFactory(name="Kitchen"), DepartmentFactory(name="Sales")
    for score in (4, 4, 4, 4, 4):
        _answer(survey, kitchen, _months_ago(1), score, 9)
    for score in (1, 1, 1, 1):
        _answer(survey, sales, _months_ago(1), score, 0)

    figures = pulse_pool(cells=pulse_cells(responses=PulseResponse.objects.all()))
    ((key, average),) = figures.averages.items()
    assert average.value == 4.0 and average.answers_range == "5–9"
    assert figures.enps.value == 100


# (b) HR subtracting overlapping groupings and filters ------------------------------


@pytest.fixture
def two_departments(db):
    """Kitchen: six answers two months ago. Sales: three that month, six last
    month. Each Sales answer of two months ago is someone's own: 1, eNPS 0."""
    survey = _survey()
    kitchen, sales = DepartmentFactory(name="Kitchen"), DepartmentFactory(name="Sales")
    for score in (5, 4, 4, 3, 5, 4):
        _answer(survey, kitchen, _months_ago(2), score, 9)
    for _ in range(3):
        _answer(survey, sales, _months_ago(2), 1, 0)
    for score in (3, 3, 4, 4, 2, 3):
        _answer(survey, sales, _months_ago(1), score, 7)
    return survey, kitchen, sales


def _figures(rows: list[list[str]], **labels) -> list[tuple[str, ...]]:
    """(question, answers, average, eNPS) of the rows whose leading columns are
    the given labels."""
    width = len(labels)
    wanted = list(labels.values())
    return [tuple(row[width + 1 :]) for row in rows if row[:width] == wanted]


def test_the_path_total_and_the_path_by_department_give_nothing_to_subtract(
    hr_client, two_departments
):
    survey, kitchen, sales = two_departments
    month = {"month_from": _months_ago(2), "month_to": _months_ago(2)}

    total = _screen_rows(hr_client.get(PULSE_URL, {"group_by": "path", **month}))
    split = _screen_rows(
        hr_client.get(PULSE_URL, {"group_by": "path_department", **month})
    )

    assert _figures(split, path="Bienvenida", department="Sales") == [
        ("", HIDDEN, "", "")
    ]
    # Total minus Kitchen would be the three Sales answers: the total is
    # Kitchen's own figures, so the difference is nothing.
    kitchen_rows = _figures(split, path="Bienvenida", department="Kitchen")
    assert kitchen_rows and _figures(total, path="Bienvenida") == kitchen_rows


def test_a_department_and_the_same_department_by_month_give_nothing_to_subtract(
    hr_client, two_departments
):
    survey, kitchen, sales = two_departments
    whole = _screen_rows(
        hr_client.get(PULSE_URL, {"group_by": "department", "department": sales.pk})
    )
    by_month = _screen_rows(
        hr_client.get(
            PULSE_URL, {"group_by": "department_month", "department": sales.pk}
        )
    )

    hidden = [row for row in by_month if row[4] == HIDDEN]
    assert [row[1] for row in hidden] == [_label(2)]  # three answers: hidden
    last_month = [tuple(row[3:]) for row in by_month if row[1] == _label(1)]
    assert last_month and [tuple(row[2:]) for row in whole] == last_month


def test_two_ranges_of_months_give_nothing_to_subtract(hr_client, two_departments):
    survey, kitchen, sales = two_departments
    both = {"department": sales.pk, "month_from": _months_ago(2)}
    last = {"department": sales.pk, "month_from": _months_ago(1)}

    wide = _csv_rows(hr_client, f"{PULSE_URL}?{_query(both)}")
    narrow = _csv_rows(hr_client, f"{PULSE_URL}?{_query(last)}")

    assert len(narrow) > 1 and wide == narrow


def _query(params: dict) -> str:
    from urllib.parse import urlencode

    return urlencode(params)


def test_the_team_page_and_the_hr_report_give_nothing_to_subtract(hr_client):
    """A manager of Kitchen and Sales reads their month; HR reads Kitchen's
    alone. The difference would be Sales' three answers of that month."""
    survey = _survey()
    kitchen, sales = DepartmentFactory(name="Kitchen"), DepartmentFactory(name="Sales")
    for score in (5, 4, 4, 3, 5, 4):
        _answer(survey, kitchen, _months_ago(1), score, 9)
    for _ in range(3):
        _answer(survey, sales, _months_ago(1), 1, 0)
    mara = EmployeeFactory(department=kitchen)
    EmployeeFactory(manager=mara, department=kitchen)
    EmployeeFactory(manager=mara, department=sales)
    manager = Client(HTTP_ACCEPT_LANGUAGE="en")
    manager.force_login(mara.user)

    team = _team_figures(manager.get(TEAM).content.decode())
    hr = _screen_rows(hr_client.get(PULSE_URL, {"group_by": "department_month"}))

    assert _figures(hr, department="Sales", month=_label(1)) == [("", HIDDEN, "", "")]
    (statement, enps) = _figures(hr, department="Kitchen", month=_label(1))
    assert team[STATEMENT] == f"{statement[2]} out of 5"
    assert team["eNPS"] == enps[3]


def _label(months_ago: int) -> str:
    return _months_ago(months_ago).strftime("%B %Y")


def test_answers_of_the_month_in_progress_are_in_no_report_or_download(hr_client):
    survey = _survey()
    kitchen = DepartmentFactory(name="Kitchen")
    for score in (5, 4, 4, 3, 5, 4):
        _answer(survey, kitchen, pulse_month(), score, 9)

    response = hr_client.get(PULSE_URL, {"group_by": "department_month"})

    assert _screen_rows(response) == []
    assert "once the month is over" in response.content.decode()
    assert _csv_rows(hr_client, f"{PULSE_URL}?group_by=department_month")[1:] == []


def test_every_answer_count_in_the_report_is_a_range_of_five(
    hr_client, two_departments
):
    for group_by in ("path", "department", "month", "path_department_month"):
        for row in _screen_rows(hr_client.get(PULSE_URL, {"group_by": group_by})):
            answers = row[-3]
            if answers == HIDDEN:
                continue
            low, high = map(int, re.fullmatch(r"(\d+)–(\d+)", answers).groups())
            assert low >= 5 and low % 5 == 0 and high == low + 4
