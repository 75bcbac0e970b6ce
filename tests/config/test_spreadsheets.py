"""No text in a download runs as a spreadsheet formula.

An employee suggests a link titled ``=HYPERLINK(...)``: it becomes a draft
brand post, so its title reaches Wagtail's site history and, once shared, the
top-posts report. People's names reach the team page's downloads.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.utils import timezone

from advocacy.models import Network, Share, TrackedLink
from advocacy.services import suggestion_create
from insights.spreadsheets import csv_content, xlsx_content
from people import roles
from tests.factories import EmployeeFactory, TeamFactory, UserFactory, admin_ready

pytestmark = pytest.mark.django_db

EVIL_TITLE = '=HYPERLINK("http://evil.example","x")'


def _download(client, url: str, export: str):
    separator = "&" if "?" in url else "?"
    response = client.get(f"{url}{separator}export={export}")
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def _csv_cells(client, url: str) -> list[str]:
    text = _download(client, url, "csv").decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _xlsx_cells(content: bytes) -> list:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [cell for sheet in book for row in sheet.iter_rows() for cell in row]


@pytest.fixture
def suggested_post():
    employee = EmployeeFactory()
    post = suggestion_create(
        employee=employee, url="https://evil.example/", why="Mira", title=EVIL_TITLE
    )
    link = TrackedLink.objects.create(
        employee=employee, post=post, network=Network.LINKEDIN
    )
    Share.objects.create(
        employee=employee, post=post, link=link, network=Network.LINKEDIN
    )
    return post


@pytest.fixture
def administrator(client):
    user = UserFactory(roles=[roles.ADMINISTRATOR])
    EmployeeFactory(user=user)
    client.force_login(admin_ready(user))
    return client


@pytest.mark.parametrize(
    "url", ["/admin/reports/site-history/", "/admin/reports/top-posts/"]
)
def test_a_suggested_title_is_text_in_admin_report_downloads(
    administrator, suggested_post, url
):
    cells = _csv_cells(administrator, url)
    assert "'" + EVIL_TITLE in cells
    assert EVIL_TITLE not in cells

    xlsx = _xlsx_cells(_download(administrator, url, "xlsx"))
    titles = [c for c in xlsx if c.value and "HYPERLINK" in str(c.value)]
    assert titles
    assert all(c.data_type == "s" and c.value == EVIL_TITLE for c in titles)


def test_team_downloads_keep_names_as_text_and_numbers_as_numbers(client):
    manager = EmployeeFactory(full_name="Mara Manager")
    team = TeamFactory(name="@SUM(A1)")
    start = timezone.localdate() - dt.timedelta(days=20)
    for name in ("=1+1", "-2+3", "+34 600 000 000"):
        EmployeeFactory(full_name=name, manager=manager, team=team, start_date=start)
    client.force_login(manager.user)

    response = client.get("/insights/team/export.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    names = sorted(row[0] for row in rows[1:])
    assert names == ["'+34 600 000 000", "'-2+3", "'=1+1"]
    assert {row[1] for row in rows[1:]} == {"'@SUM(A1)"}

    xlsx = client.get("/insights/team/export.xlsx").content
    cells = {c.value: c for c in _xlsx_cells(xlsx)}
    for text in ("=1+1", "-2+3", "@SUM(A1)"):
        assert cells[text].data_type == "s"
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    overdue = [row[5] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(overdue) == 3
    assert all(isinstance(value, int) for value in overdue)


def test_numbers_stay_numbers_and_text_that_looks_like_a_formula_does_not():
    rows = [[-5, "-5", "-2.5", "-2+3", "=1+1", "@SUM(A1)", "\tx", "\rx", "plain"]]

    (cells,) = list(csv.reader(io.StringIO(csv_content(header=[], rows=rows))))[1:]
    assert cells == [
        "-5",
        "-5",
        "-2.5",
        "'-2+3",
        "'=1+1",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "plain",
    ]

    sheet = openpyxl.load_workbook(
        io.BytesIO(xlsx_content(sheets=[("Figures", ["n", "text"], [[-5, "=1+1"]])]))
    ).active
    number, text = next(sheet.iter_rows(min_row=2))
    assert number.value == -5 and number.data_type == "n"
    assert text.value == "=1+1" and text.data_type == "s"
