"""HR reports in the Wagtail admin: pulse and eNPS, and knowledge checks."""

from __future__ import annotations

import io
from datetime import date, timedelta

import openpyxl
import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail import hooks
from wagtail.models import Locale

from insights import onboarding_reports as reports
from onboarding.models import CheckAttempt, ModulePage, PathPage, PulseResponse
from onboarding.services import attempt_start, attempt_submit, enrolment_create
from people import roles
from people.models import Department, Employee
from tests.factories import EmployeeFactory, UserFactory, admin_ready
from tests.insights.test_reports import _csv_rows, _screen_rows, _shown, _xlsx_rows
from tests.onboarding.conftest import publish

pytestmark = pytest.mark.django_db

PULSE_URL = "/admin/reports/pulse/"
CHECKS_URL = "/admin/reports/knowledge-checks/"
QUESTIONS_URL = "/admin/reports/knowledge-checks/questions/"
HIDDEN = "Fewer than 5 answers: hidden to keep them anonymous"
ENPS = "How likely are you to recommend us as a place to work to a friend?"
SEPTEMBER, OCTOBER = date(2026, 9, 1), date(2026, 10, 1)


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
    return welcome, kitchen


@pytest.fixture
def departments(db):
    return Department.objects.create(name="Kitchen"), Department.objects.create(
        name="Sales"
    )


# Pulse and eNPS ------------------------------------------------------------------


@pytest.fixture
def survey(paths):
    welcome, _kitchen = paths
    return publish(
        welcome,
        ModulePage(
            title="Pulso del dia 30",
            slug="pulso-30",
            pulse_questions=[
                ("scale", {"question": "Me siento bienvenido"}),
                ("scale", {"question": "Sé lo que se espera de mí"}),
                # Added later: only two people saw it.
                ("scale", {"question": "Tengo lo que necesito"}),
            ],
            pulse_enps=True,
        ),
    )


def _answer(survey, department, month, *scores):
    welcome = survey.get_parent().specific
    ids = [block.id for block in survey.pulse_questions]
    *statements, enps = scores
    answers = {ids[i]: score for i, score in enumerate(statements) if score}
    answers["enps"] = enps
    return PulseResponse.objects.create(
        module=survey,
        path=welcome,
        department=department,
        month=month,
        scores=answers,
    )


# The Sales answer with a score of 1 and then 5, eNPS 2, is someone's own.
DISTINCT = (1, 5, None, 2)


@pytest.fixture
def pulse(survey, departments):
    """Six answers from Kitchen in September, four from Sales in October.

    Kitchen: "bienvenido" 5 4 4 3 5 4 (4.17, shown 4.2), "se espera" 4 4 3 3 4 5
    (3.83, shown 3.8), "necesito" only twice, eNPS 10 9 8 6 9 3: three
    promoters, two detractors of six, +17 (shown to the nearest 10: 20); six
    answers read "5–9". Sales' four are in no figure: not even the path's,
    which is Kitchen's.
    """
    kitchen, sales = departments
    responses = [
        _answer(survey, kitchen, SEPTEMBER, *scores)
        for scores in [
            (5, 4, None, 10),
            (4, 4, None, 9),
            (4, 3, None, 8),
            (3, 3, None, 6),
            (5, 4, 2, 9),
            (4, 5, 4, 3),
        ]
    ]
    responses += [
        _answer(survey, sales, OCTOBER, *scores)
        for scores in [DISTINCT, (3, 3, None, 7), (4, 4, None, 8), (2, 4, None, 10)]
    ]
    return responses


def _pulse_row(*labels, question, answers, average="", enps=""):
    return [*labels, "Pulso del dia 30", question, str(answers), average, enps]


def _hidden_row(*labels):
    return [*labels, "Pulso del dia 30", "", HIDDEN, "", ""]


KITCHEN_ROWS = [
    ("Me siento bienvenido", "5–9", "4.2", ""),
    ("Sé lo que se espera de mí", "5–9", "3.8", ""),
    ("Tengo lo que necesito", HIDDEN, "", ""),
    (ENPS, "5–9", "", "20"),
]


def test_pulse_by_path_and_department_hides_the_group_of_four(hr_client, pulse):
    response = hr_client.get(PULSE_URL, {"group_by": "path_department"})

    assert response.status_code == 200
    assert _screen_rows(response) == [
        *[["Bienvenida", "Kitchen", "Pulso del dia 30", *row] for row in KITCHEN_ROWS],
        _hidden_row("Bienvenida", "Sales"),
    ]
    page = response.content.decode()
    assert "Answers are anonymous." in page


def test_pulse_by_path_pools_only_groups_of_five_without_a_total_row(hr_client, pulse):
    response = hr_client.get(PULSE_URL)

    assert _screen_rows(response) == [
        ["Bienvenida", "Pulso del dia 30", *row] for row in KITCHEN_ROWS
    ]


def test_pulse_by_month_and_a_range_of_whole_months(hr_client, pulse):
    rows = _screen_rows(hr_client.get(PULSE_URL, {"group_by": "month"}))
    assert rows[0][:2] == ["September 2026", "Pulso del dia 30"]
    assert [row[2:] for row in rows[:4]] == [list(row) for row in KITCHEN_ROWS]
    assert rows[4] == ["October 2026", "Pulso del dia 30", "", HIDDEN, "", ""]
    assert len(rows) == 5

    # Any day of a month takes in the whole month.
    rows = _screen_rows(
        hr_client.get(
            PULSE_URL,
            {"group_by": "month", "month_from": "2026-10-20", "month_to": "2026-10-21"},
        )
    )
    assert rows == [["October 2026", "Pulso del dia 30", "", HIDDEN, "", ""]]


def test_pulse_filters_by_department_and_path(hr_client, pulse, departments, paths):
    kitchen, sales = departments
    rows = _screen_rows(hr_client.get(PULSE_URL, {"department": kitchen.pk}))
    assert [row[3:] for row in rows] == [list(row[1:]) for row in KITCHEN_ROWS]

    rows = _screen_rows(hr_client.get(PULSE_URL, {"department": sales.pk}))
    assert rows == [["Bienvenida", "Pulso del dia 30", "", HIDDEN, "", ""]]

    response = hr_client.get(PULSE_URL, {"path": paths[1].pk})
    assert _screen_rows(response) == []
    assert "No pulse survey answers match these filters." in response.content.decode()


def test_pulse_filters_with_bad_values_are_ignored(hr_client, pulse, departments):
    kitchen, _sales = departments
    expected = _screen_rows(hr_client.get(PULSE_URL, {"department": kitchen.pk}))

    response = hr_client.get(
        PULSE_URL,
        {
            "group_by": "person",
            "path": "not-a-path",
            "department": kitchen.pk,
            "month_from": "2026-13-45",
        },
    )

    assert response.status_code == 200
    assert _screen_rows(response) == expected
    assert hr_client.get(PULSE_URL, {"department": "999999"}).status_code == 200


def test_pulse_downloads_hold_the_rows_on_screen_and_hide_the_same(hr_client, pulse):
    url = f"{PULSE_URL}?group_by=path_department"
    screen = _screen_rows(hr_client.get(url))

    csv_rows = _csv_rows(hr_client, url)
    xlsx_rows = _xlsx_rows(hr_client, url)

    headings = [
        "Path",
        "Department",
        "Survey",
        "Question",
        "Answers",
        "Average (1–5)",
        "eNPS",
    ]
    assert csv_rows[0] == headings
    assert csv_rows[1:] == screen
    assert list(xlsx_rows[0]) == headings
    assert [[_shown(v) for v in row] for row in xlsx_rows[1:]] == screen
    assert screen[-1] == _hidden_row("Bienvenida", "Sales")


def test_pulse_empty_state(hr_client, paths):
    response = hr_client.get(PULSE_URL)

    assert _screen_rows(response) == []
    assert "Nobody has answered a pulse survey yet." in response.content.decode()


def test_pulse_costs_the_same_queries_for_more_answers(pulse, survey):
    def count(group_by) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            rows = reports.pulse_rows(
                responses=reports.pulse_responses(), group_by=group_by
            )
        return len(queries), len(rows)

    before = [count(g) for g in reports.GROUPINGS.values()]
    other = Department.objects.create(name="Rooms")
    for month in [SEPTEMBER, OCTOBER, date(2026, 11, 1)]:
        for _ in range(5):
            _answer(survey, other, month, 3, 3, 3, 7)
    after = [count(g) for g in reports.GROUPINGS.values()]

    assert [q for q, _rows in after] == [q for q, _rows in before]
    assert max(q for q, _rows in after) <= 4
    assert sum(rows for _q, rows in after) > sum(rows for _q, rows in before)


# No report shows an individual's answers --------------------------------------------


def _report_urls(user) -> list[str]:
    """Every report in the admin's Reports menu that ``user`` is shown."""
    request = RequestFactory().get("/admin/")
    request.user = user
    items = [fn() for fn in hooks.get_hooks("register_reports_menu_item")]
    return [item.url for item in items if item.is_shown(request)]


def _download_text(client, url: str, kind: str) -> str | None:
    separator = "&" if "?" in url else "?"
    response = client.get(f"{url}{separator}export={kind}")
    if response.status_code != 200 or "attachment" not in response.get(
        "Content-Disposition", ""
    ):
        return None
    content = b"".join(response.streaming_content) if response.streaming else b""
    if kind == "csv":
        return content.decode()
    book = openpyxl.load_workbook(io.BytesIO(content))
    return "\n".join(
        " ".join("" if v is None else str(v) for v in row)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
    )


@pytest.fixture
def administrator(db):
    user = UserFactory(roles=[roles.ADMINISTRATOR])
    EmployeeFactory(user=user)
    return admin_ready(user)


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


def test_no_report_or_download_shows_a_single_answer(
    admin_client, administrator, pulse
):
    ids = [str(r.pk) for r in pulse] + [r.pk.hex for r in pulse]
    urls = _report_urls(administrator)
    assert PULSE_URL in urls and CHECKS_URL in urls
    assert "/admin/reports/path-funnel/" in urls
    assert "/admin/reports/overdue/" in urls

    pulse_pages = []
    for url in urls:
        variants = [url]
        if url == PULSE_URL:
            variants = [f"{url}?group_by={g}" for g in reports.GROUPINGS]
        for variant in variants:
            response = admin_client.get(variant)
            assert response.status_code == 200, variant
            texts = [
                response.content.decode(),
                _download_text(admin_client, variant, "csv"),
                _download_text(admin_client, variant, "xlsx"),
            ]
            for text in filter(None, texts):
                assert not any(i in text for i in ids), variant
            if url == PULSE_URL:
                pulse_pages.append(_screen_rows(response))

    # The one Sales answer scored 1 and 5 with eNPS 2: no row anywhere holds a
    # figure from fewer than five answers, and no count is exact.
    for rows in pulse_pages:
        for row in rows:
            answers, average, enps = row[-3:]
            if answers == HIDDEN:
                assert average == enps == ""
            else:
                assert answers == "5–9"


# Knowledge checks ------------------------------------------------------------------


def _question(text, options, *, multiple=False):
    return (
        "question",
        {
            "question": text,
            "multiple": multiple,
            "options": [{"text": t, "correct": c, "feedback": ""} for t, c in options],
        },
    )


@pytest.fixture
def check(paths):
    welcome, kitchen = paths
    module = publish(
        welcome,
        ModulePage(
            title="Prueba de valores",
            slug="prueba",
            release_day=1,
            pass_mark=100,
            max_attempts=3,
            questions=[
                _question("¿Quién es huésped?", [("Todos", True), ("Solo VIP", False)]),
                _question(
                    "¿Cuáles son valores?",
                    [("Calidez", True), ("Cuidado", True), ("Prisa", False)],
                    multiple=True,
                ),
            ],
        ),
    )
    # A check nobody has taken, on another path.
    publish(
        kitchen,
        ModulePage(
            title="Higiene",
            slug="higiene",
            questions=[_question("¿Manos?", [("Lavadas", True), ("No", False)])],
        ),
    )
    return module


def _options(module: ModulePage) -> dict[str, tuple[str, str]]:
    """Option text -> (question id, option id)."""
    found = {}
    for block in module.questions:
        for option in block.value["options"].bound_blocks:
            found[option.value["text"]] = (block.id, option.id)
    return found


def _submit(person, module, *texts, days_ago=0):
    options = _options(module)
    answers: dict[str, list[str]] = {}
    for text in texts:
        question_id, option_id = options[text]
        answers.setdefault(question_id, []).append(option_id)
    attempt = attempt_start(employee=person, module=module)
    attempt = attempt_submit(employee=person, attempt_id=attempt.pk, answers=answers)
    if days_ago:
        CheckAttempt.objects.filter(pk=attempt.pk).update(
            submitted_at=timezone.now() - timedelta(days=days_ago)
        )
    return attempt


@pytest.fixture
def attempts(check, paths, departments):
    """Ana passes at once; Bruno fails twice (question 1, then 2) and passes;
    Carla (Sales) fails question 2; Diego opened the check and never sent it.

    People who attempted 3, passed 2 (67%), attempts 5 / 3 = 1.7, passed on
    the first attempt 1 of 3 (33%). Question 1 wrong once of 5 (20%),
    question 2 twice of 5 (40%).
    """
    welcome, _kitchen = paths
    kitchen, sales = departments
    start = timezone.localdate() - timedelta(days=10)
    people = {}
    for name, department in [
        ("Ana", kitchen),
        ("Bruno", kitchen),
        ("Carla", sales),
        ("Diego", kitchen),
    ]:
        person = EmployeeFactory(
            full_name=name, department=department, start_date=start
        )
        enrolment_create(employee=person, path=welcome)
        people[name] = person
    submitted = [
        _submit(people["Ana"], check, "Todos", "Calidez", "Cuidado"),
        _submit(people["Bruno"], check, "Solo VIP", "Calidez", "Cuidado", days_ago=9),
        _submit(people["Bruno"], check, "Todos", "Calidez", days_ago=8),
        _submit(people["Bruno"], check, "Todos", "Calidez", "Cuidado"),
        _submit(people["Carla"], check, "Todos", "Calidez", "Prisa"),
    ]
    attempt_start(employee=people["Diego"], module=check)
    return submitted


CHECK_HEADINGS = [
    "Path",
    "Module",
    "People who attempted",
    "Passed",
    "Pass rate (%)",
    "Attempts per person",
    "First-attempt pass rate (%)",
]
NOBODY_YET = ["Cocina segura", "Higiene", "0", "0", "", "", ""]


def test_checks_pass_rate_attempts_and_first_attempt_passes(hr_client, attempts):
    assert [a.passed for a in attempts] == [True, False, False, True, False]

    response = hr_client.get(CHECKS_URL)

    assert response.status_code == 200
    assert _screen_rows(response) == [
        ["Bienvenida", "Prueba de valores", "3", "2", "67", "1.7", "33"],
        NOBODY_YET,
    ]
    assert QUESTIONS_URL in response.content.decode()


def test_questions_most_often_failed_come_first(hr_client, attempts):
    response = hr_client.get(QUESTIONS_URL)

    assert _screen_rows(response) == [
        ["Bienvenida", "Prueba de valores", "¿Cuáles son valores?", "5", "2", "40"],
        ["Bienvenida", "Prueba de valores", "¿Quién es huésped?", "5", "1", "20"],
    ]


def test_report_scores_each_answer_as_the_check_did(attempts, check):
    """Rescoring an attempt from its stored answers and layout, as the report
    does, gives the score the person was told."""
    from onboarding.selectors import check_answer_right, check_questions

    questions = {q.id: q for q in check_questions(source=check, display=check)}
    for attempt in attempts:
        right = sum(
            check_answer_right(question=questions[qid], chosen=attempt.answers[qid])
            for qid, _options in attempt.layout
        )
        assert round(100 * right / len(attempt.layout)) == attempt.score


def test_checks_filter_by_department_dates_and_path(
    hr_client, attempts, departments, paths
):
    _kitchen, sales = departments
    rows = _screen_rows(hr_client.get(CHECKS_URL, {"department": sales.pk}))
    assert rows[0] == ["Bienvenida", "Prueba de valores", "1", "0", "0", "1.0", "0"]
    rows = _screen_rows(hr_client.get(QUESTIONS_URL, {"department": sales.pk}))
    assert [row[2:] for row in rows] == [
        ["¿Cuáles son valores?", "1", "1", "100"],
        ["¿Quién es huésped?", "1", "0", "0"],
    ]

    # The last five days: Bruno's two failures fall out, and with them his
    # first attempt.
    today = timezone.localdate()
    recent = {
        "submitted_from": (today - timedelta(days=5)).isoformat(),
        "submitted_to": today.isoformat(),
    }
    rows = _screen_rows(hr_client.get(CHECKS_URL, recent))
    assert rows[0] == ["Bienvenida", "Prueba de valores", "3", "2", "67", "1.0", "50"]

    rows = _screen_rows(hr_client.get(CHECKS_URL, {"path": paths[1].pk}))
    assert rows == [NOBODY_YET]
    response = hr_client.get(QUESTIONS_URL, {"path": paths[1].pk})
    assert _screen_rows(response) == []
    assert "Nobody has submitted a knowledge check that matches these filters." in (
        response.content.decode()
    )


def test_questions_filter_by_module_and_ignore_bad_values(
    hr_client, attempts, check, departments
):
    rows = _screen_rows(hr_client.get(QUESTIONS_URL, {"module": check.pk}))
    assert len(rows) == 2

    _kitchen, sales = departments
    expected = _screen_rows(hr_client.get(CHECKS_URL, {"department": sales.pk}))
    response = hr_client.get(
        CHECKS_URL,
        {"department": sales.pk, "path": "x", "submitted_from": "nope"},
    )
    assert response.status_code == 200
    assert _screen_rows(response) == expected
    response = hr_client.get(QUESTIONS_URL, {"module": "abc", "department": "0"})
    assert response.status_code == 200
    assert len(_screen_rows(response)) == 2


def test_questions_in_the_readers_language(hr_client, attempts, check):
    english = check.copy_for_translation(
        Locale.objects.get(language_code="en"), copy_parents=True
    )
    english.title = "Values check"
    raw = english.questions.raw_data
    raw[0]["value"]["question"] = "Who is a guest?"
    english.questions = list(raw)
    english.save_revision().publish()

    rows = _screen_rows(hr_client.get(QUESTIONS_URL))

    assert [row[2] for row in rows] == ["¿Cuáles son valores?", "Who is a guest?"]


def test_checks_downloads_hold_the_rows_on_screen(hr_client, attempts):
    for url, headings in [
        (CHECKS_URL, CHECK_HEADINGS),
        (QUESTIONS_URL, ["Path", "Module", "Question", "Answers", "Wrong", "% wrong"]),
    ]:
        screen = _screen_rows(hr_client.get(url))
        csv_rows = _csv_rows(hr_client, url)
        xlsx_rows = _xlsx_rows(hr_client, url)
        assert csv_rows[0] == headings
        assert csv_rows[1:] == screen
        assert list(xlsx_rows[0]) == headings
        assert [[_shown(v) for v in row] for row in xlsx_rows[1:]] == screen


def test_checks_empty_state(hr_client, paths):
    response = hr_client.get(CHECKS_URL)

    assert _screen_rows(response) == []
    assert "No live path has a module with a knowledge check." in (
        response.content.decode()
    )


def test_checks_cost_the_same_queries_for_more_people(attempts, check, paths):
    def count() -> list[int]:
        counts = []
        for selector in [reports.check_rows, reports.question_rows]:
            with CaptureQueriesContext(connection) as queries:
                modules = reports.check_modules()
                selector(modules=modules, attempts=reports.check_attempts())
            counts.append(len(queries))
        return counts

    before = count()
    start = timezone.localdate() - timedelta(days=10)
    for n in range(4):
        person = EmployeeFactory(full_name=f"More {n}", start_date=start)
        enrolment_create(employee=person, path=paths[0])
        _submit(person, check, "Solo VIP", "Calidez")
    after = count()

    assert after == before
    assert (
        reports.check_rows(
            modules=reports.check_modules(), attempts=reports.check_attempts()
        )[0].people
        == 7
    )


# Who may see the reports ----------------------------------------------------------


@pytest.fixture
def comms_client(client):
    user = UserFactory(email="comms@example.com", roles=[roles.COMMS_APPROVER])
    EmployeeFactory(user=user, full_name="Carla Comms")
    client.force_login(admin_ready(user))
    return client


URLS = [PULSE_URL, CHECKS_URL, QUESTIONS_URL]


def test_comms_approver_has_no_menu_items_and_is_refused(comms_client, pulse):
    page = comms_client.get("/admin/").content.decode()
    assert PULSE_URL not in page
    assert CHECKS_URL not in page

    for url in URLS:
        for suffix in ["", "?export=csv", "?export=xlsx", "results/"]:
            assert comms_client.get(url + suffix).status_code == 403, url + suffix


def test_employees_are_refused(client, pulse):
    person = EmployeeFactory(full_name="Ana Plain")
    client.force_login(person.user)
    for url in URLS:
        assert client.get(url).status_code == 403, url
        assert client.get(f"{url}?export=csv").status_code == 403, url


def test_hr_editors_and_administrators_see_the_reports(hr_client, admin_client, pulse):
    for client in [hr_client, admin_client]:
        page = client.get("/admin/").content.decode()
        assert PULSE_URL in page and CHECKS_URL in page
        for url in URLS:
            assert client.get(url).status_code == 200, url


def test_demo_organisation_has_pulse_and_check_figures(hr_client):
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)

    rows = _screen_rows(hr_client.get(PULSE_URL))
    assert rows and all(row[3] != HIDDEN for row in rows)
    assert rows[-1][2] == ENPS
    rows = _screen_rows(hr_client.get(CHECKS_URL))
    assert any(int(row[2]) > 0 for row in rows)
    assert _screen_rows(hr_client.get(QUESTIONS_URL))
    assert Employee.objects.exists()
