"""An HR editor reads the path funnel in the admin and downloads it as XLSX.

The file is what HR takes to a meeting, so it must hold exactly the table on
the screen: the same headings, the same steps, the same numbers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

import openpyxl
import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.utils import timezone
from playwright.sync_api import Page, expect

from identity.models import HomePage
from onboarding.models import (
    Enrolment,
    ModulePage,
    ModuleProgress,
    PathIndexPage,
    PathPage,
)
from people import roles
from tests.factories import EmployeeFactory, UserFactory
from tests.onboarding.conftest import publish

from .support import CHROMIUM, CHROMIUM_MISSING, LiveServer, sign_in

if not CHROMIUM.exists():
    pytest.skip(CHROMIUM_MISSING, allow_module_level=True)

pytestmark = pytest.mark.e2e

FUNNEL_URL = "/admin/reports/path-funnel/"
# The admin loads a lot of JavaScript; give it time, but not forever.
ADMIN_TIMEOUT = 20_000

HEADINGS = ["Step", "People", "% of enrolled", "Drop-off"]
# What the fixture implies for "Bienvenida": seven people still enrolled, six
# opened a module, five finished the first, three the second, two the third
# (and with it the path). Percentages of 7, rounded.
FUNNEL = [
    ["Enrolled", "7", "100", ""],
    ["Started", "6", "86", "1"],
    ["Nuestra historia completed", "5", "71", "1"],
    ["Valores completed", "3", "43", "2"],
    ["Seguridad completed", "2", "29", "1"],
    ["Path completed", "2", "29", "0"],
]


@pytest.fixture(autouse=True)
def _patient_expectations() -> Iterator[None]:
    expect.set_options(timeout=ADMIN_TIMEOUT)
    yield
    expect.set_options(timeout=None)


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12)))


def admin_person(email: str, full_name: str, role_names: list[str]) -> str:
    """An English-speaking admin user with an authenticator; returns its secret."""
    user = UserFactory(email=email, roles=role_names)
    EmployeeFactory(user=user, full_name=full_name, preferred_language="en")
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


@pytest.fixture
def funnel_paths(live_asgi_server) -> dict[str, PathPage]:
    """Two live paths; "Cocina segura" comes first, so the report opens on it.

    "Bienvenida" has three required modules and an optional one. Its people
    stand at every stage: Ana (10 days) and Bruno (20 days) finished, Carla did
    two modules, Diego and Elena one, Fede opened the first, Gil nothing. Hugo
    did a module and withdrew: he is in no number. Kiko is on the other path.
    """
    home = HomePage.objects.get(locale__language_code="es")
    index = publish(home, PathIndexPage(title="Itinerarios", slug="itinerarios"))
    kitchen = publish(
        index, PathPage(title="Cocina segura", slug="cocina", auto_enrol=False)
    )
    welcome = publish(
        index, PathPage(title="Bienvenida", slug="bienvenida", auto_enrol=False)
    )
    history, values, safety, _reading = (
        publish(welcome, ModulePage(title=title, slug=slug, **fields))
        for title, slug, fields in [
            ("Nuestra historia", "historia", {"release_day": 1, "due_days": 7}),
            ("Valores", "valores", {"release_day": 8, "due_days": 7}),
            ("Seguridad", "seguridad", {"release_day": 15, "due_days": 7}),
            (
                "Lecturas",
                "lecturas",
                {"release_day": 1, "due_days": 7, "required": False},
            ),
        ]
    )
    start = timezone.localdate() - timedelta(days=40)

    def enrol(name, *done, path=welcome, opened=None, finished_after=None, **fields):
        person = EmployeeFactory(full_name=name, start_date=start)
        if finished_after is not None:
            fields["completed_at"] = _at(start + timedelta(days=finished_after))
        enrolment = Enrolment.objects.create(employee=person, path=path, **fields)
        for module in done:
            ModuleProgress.objects.create(
                enrolment=enrolment,
                module=module,
                started_at=_at(start),
                completed_at=_at(start + timedelta(days=1)),
            )
        if opened is not None:
            ModuleProgress.objects.create(
                enrolment=enrolment, module=opened, started_at=_at(start)
            )

    enrol("Ana Acosta", history, values, safety, finished_after=10)
    enrol("Bruno Bravo", history, values, safety, finished_after=20)
    enrol("Carla Cruz", history, values)
    enrol("Diego Díaz", history)
    enrol("Elena Estrada", history)
    enrol("Fede Flores", opened=history)
    enrol("Gil García")
    enrol("Hugo Hernández", history, withdrawn_at=timezone.now())
    enrol("Kiko Cocina", path=kitchen)
    return {"kitchen": kitchen, "welcome": welcome}


def path_is(live_asgi_server: LiveServer, path: str, query: str = "") -> re.Pattern:
    return re.compile(re.escape(live_asgi_server.url + path) + query + r"$")


def open_reports_menu(page: Page):
    menu = page.get_by_role("navigation", name="Main menu")
    menu.get_by_role("button", name="Reports").click()
    return menu.get_by_role("list", name="Reports")


def screen_table(page: Page) -> tuple[list[str], list[list[str]]]:
    """The report's headings and body rows as the person reads them."""
    table = page.locator("#listing-results table.listing")
    headings = [text.strip() for text in table.locator("thead th").all_inner_texts()]
    rows = [
        [text.strip() for text in row.locator("td").all_inner_texts()]
        for row in table.locator("tbody tr").all()
    ]
    return headings, rows


def as_on_screen(value) -> str:
    """A spreadsheet cell written the way the screen writes it."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def test_hr_editor_downloads_the_funnel_on_screen_as_xlsx(
    live_asgi_server, new_page, funnel_paths, tmp_path
):
    secret = admin_person("hr@example.com", "Helena Ramos", [roles.HR_EDITOR])
    welcome = funnel_paths["welcome"]

    page = new_page(locale="en-GB")
    page.set_default_timeout(ADMIN_TIMEOUT)
    page.goto("/admin/")
    sign_in(page, "hr@example.com", totp_secret=secret)
    expect(page).to_have_url(path_is(live_asgi_server, "/admin/"))
    expect(page.locator("html")).to_have_attribute("lang", "en")

    # Reports → Path funnel, from the sidebar.
    open_reports_menu(page).get_by_role("link", name="Path funnel").click()
    expect(page).to_have_url(path_is(live_asgi_server, FUNNEL_URL))
    expect(page.get_by_role("heading", name="Path funnel", level=1)).to_be_visible()
    # It opens on the first path; she wants "Bienvenida".
    expect(page.get_by_role("heading", name="Path: Cocina segura")).to_be_visible()
    page.get_by_role("button", name="Show filters").click()
    page.get_by_role("button", name="Path", exact=True).click()
    page.get_by_role("combobox", name="Path").select_option(label="Bienvenida")
    expect(page).to_have_url(
        path_is(live_asgi_server, FUNNEL_URL, re.escape(f"?path={welcome.pk}"))
    )
    expect(page.get_by_role("heading", name="Path: Bienvenida")).to_be_visible()
    page.keyboard.press("Escape")

    table = page.locator("#listing-results table.listing")
    expect(table.locator("thead th")).to_have_text(HEADINGS)
    expect(table.locator("tbody td:nth-child(1)")).to_have_text(
        [row[0] for row in FUNNEL]
    )
    expect(table.locator("tbody td:nth-child(2)")).to_have_text(
        [row[1] for row in FUNNEL]
    )
    expect(page.locator("[data-median-days]")).to_have_text(
        "Median days from start date to path completion: 15"
    )
    headings, rows = screen_table(page)
    assert headings == HEADINGS
    assert rows == FUNNEL

    # Actions → Download XLSX.
    page.get_by_role("navigation", name="Actions").get_by_role(
        "button", name="Actions"
    ).click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download XLSX").click()
    download = download_info.value
    assert download.failure() is None
    assert download.suggested_filename.endswith(".xlsx")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)

    # Not read-only: an empty cell at the end of a row (the first drop-off)
    # still reads as a cell, as in a spreadsheet program.
    sheet = openpyxl.load_workbook(saved).active
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert [as_on_screen(value) for value in cells[0]] == headings
    assert len(cells) - 1 == len(rows)
    for line, (cell_row, screen_row) in enumerate(
        zip(cells[1:], rows, strict=True), start=2
    ):
        assert len(cell_row) == len(screen_row), f"row {line}"
        for column, (cell, shown) in enumerate(
            zip(cell_row, screen_row, strict=True), start=1
        ):
            assert as_on_screen(cell) == shown, f"row {line}, column {column}"
    # Numbers stay numbers in the spreadsheet, so HR can sum and chart them.
    for cell_row in cells[1:]:
        assert all(isinstance(value, int) for value in cell_row[1:3]), cell_row


def test_comms_approver_has_no_funnel_in_the_menu_and_is_refused(
    live_asgi_server, new_page, funnel_paths
):
    secret = admin_person("comms@example.com", "Carla Comms", [roles.COMMS_APPROVER])

    page = new_page(locale="en-GB")
    page.set_default_timeout(ADMIN_TIMEOUT)
    page.goto("/admin/")
    sign_in(page, "comms@example.com", totp_secret=secret)
    expect(page).to_have_url(path_is(live_asgi_server, "/admin/"))
    expect(page.locator("html")).to_have_attribute("lang", "en")

    reports = open_reports_menu(page)
    expect(reports.get_by_role("link").first).to_be_visible()
    expect(reports.get_by_role("link", name="Path funnel")).to_have_count(0)

    response = page.goto(FUNNEL_URL)
    assert response.status == 403
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    expect(page.get_by_text("This screen is for HR editors")).to_be_visible()
    expect(page.locator("table.listing")).to_have_count(0)
    assert page.request.get(f"{FUNNEL_URL}?export=xlsx").status == 403
