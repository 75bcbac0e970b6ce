"""A manager's team dashboard draws its charts, and redraws them live."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from identity.models import HomePage
from onboarding.models import ModulePage, PathIndexPage, PathPage
from onboarding.services import enrolment_create
from tests.factories import EmployeeFactory, UserFactory

from .support import CHROMIUM, CHROMIUM_MISSING, sign_in
from .test_accessibility import serious_violations

if not CHROMIUM.exists():
    pytest.skip(CHROMIUM_MISSING, allow_module_level=True)

pytestmark = pytest.mark.e2e

CHARTS = ("completions", "overdue", "advocacy")

# For each chart: whether Chart.js holds an instance for its canvas, how many
# of the canvas's pixels are painted, and whether the chart animates.
DRAWN = """(name) => {
    const canvas = document.querySelector(`#team-live [data-chart=${name}] canvas`);
    const chart = window.Chart && Chart.getChart(canvas);
    const pixels = canvas.getContext("2d")
        .getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i]) painted++;
    return {
        chart: Boolean(chart),
        painted,
        animated: Boolean(chart && chart.options.animation),
        data: chart ? chart.data.datasets.map((d) => d.data) : null,
    };
}"""


def _publish(parent, page):
    page = parent.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def team():
    home = HomePage.objects.get(locale__language_code="es")
    index = _publish(home, PathIndexPage(title="Itinerarios", slug="itinerarios"))
    path = _publish(index, PathPage(title="Bienvenida", slug="bienvenida"))
    for title in ("Nuestra historia", "Nuestros valores"):
        _publish(path, ModulePage(title=title, slug=title.lower().replace(" ", "-")))
    manager = EmployeeFactory(
        full_name="Marta Quintana",
        user=UserFactory(email="marta@example.com"),
        timezone="UTC",
    )
    new_hire = EmployeeFactory(
        full_name="Nora Nueva",
        user=UserFactory(email="nora@example.com"),
        start_date=timezone.localdate() - timedelta(days=2),
        manager=manager,
        timezone="UTC",
    )
    enrolment_create(employee=new_hire, path=path)
    return {"manager": manager, "new_hire": new_hire}


def _open_dashboard(page: Page) -> None:
    page.goto("/accounts/login/")
    sign_in(page, "marta@example.com")
    page.get_by_role("link", name="My team").click()
    expect(page.locator("h1")).to_have_text("My team")
    page.wait_for_load_state("load")  # deferred scripts (the charts) have run


def _this_week(page: Page, chart: str):
    return page.locator(
        f"#team-live [data-chart={chart}] [data-chart-table] tbody tr"
    ).last.locator("td")


def test_the_charts_are_drawn_and_follow_a_completion_live(
    live_asgi_server, new_page, team
):
    dashboard = new_page()
    _open_dashboard(dashboard)

    assert dashboard.evaluate("typeof window.Chart") == "function"
    for name in CHARTS:
        figure = dashboard.locator(f"#team-live [data-chart={name}]")
        expect(figure.locator("canvas")).to_be_visible()
        # The table is one click away once the chart is drawn.
        expect(figure.locator("table")).to_be_hidden()
        drawn = dashboard.evaluate(DRAWN, name)
        assert drawn["chart"] and drawn["painted"] > 500, name
        assert drawn["animated"], name
    assert dashboard.evaluate(DRAWN, "completions")["data"] == [[0] * 8]
    completions = dashboard.locator("#team-live [data-chart=completions]")
    completions.get_by_text("The figures as a table").click()
    expect(completions.locator("table")).to_be_visible()
    expect(_this_week(dashboard, "completions")).to_have_text("0")
    expect(dashboard.locator("#hub-live[data-connected]")).to_have_count(1)
    dashboard.evaluate("window.stillTheSamePage = true")

    hire = new_page()
    hire.goto("/accounts/login/")
    sign_in(hire, "nora@example.com")
    hire.goto("/onboarding/")
    hire.get_by_role("link", name="Nuestra historia").first.click()
    hire.get_by_role("button", name="Mark as done").click()
    expect(hire.get_by_text("“Nuestra historia” is complete")).to_be_visible()

    # No reload: the same document, a new table and a chart drawn from it.
    expect(_this_week(dashboard, "completions")).to_have_text("1", timeout=10_000)
    assert dashboard.evaluate("window.stillTheSamePage") is True
    drawn = dashboard.evaluate(DRAWN, "completions")
    assert drawn["chart"] and drawn["data"] == [[0] * 7 + [1]]
    # The old charts were destroyed, not left behind; the table the manager
    # opened stays open.
    assert dashboard.evaluate("Object.keys(Chart.instances).length") == len(CHARTS)
    expect(completions.locator("table")).to_be_visible()
    canvas = completions.locator("canvas")
    expect(canvas).to_have_attribute(
        "aria-label",
        "Bar chart of the modules completed each week. Last 8 weeks: 1. This week: 1.",
    )


def test_with_reduced_motion_the_charts_do_not_animate(
    live_asgi_server, new_page, team
):
    dashboard = new_page()
    dashboard.emulate_media(reduced_motion="reduce")
    _open_dashboard(dashboard)

    for name in CHARTS:
        drawn = dashboard.evaluate(DRAWN, name)
        assert drawn["chart"] and not drawn["animated"], name


def test_without_chart_js_the_tables_are_the_figures(live_asgi_server, new_page, team):
    dashboard = new_page()
    dashboard.route("**/vendor/chartjs/*", lambda route: route.abort())
    _open_dashboard(dashboard)

    for name in CHARTS:
        figure = dashboard.locator(f"#team-live [data-chart={name}]")
        expect(figure.locator("table")).to_be_visible()
        expect(figure.locator("canvas")).to_be_hidden()
    expect(_this_week(dashboard, "completions")).to_have_text("0")


@pytest.mark.parametrize("width", [1280, 375])
def test_the_dashboard_with_its_charts_has_no_serious_accessibility_problems(
    live_asgi_server, new_page, team, width
):
    dashboard = new_page()
    dashboard.set_viewport_size({"width": width, "height": 800})
    _open_dashboard(dashboard)
    expect(dashboard.locator("#team-live [data-chart] canvas")).to_have_count(3)
    assert serious_violations(dashboard) == []
    for summary in dashboard.get_by_text("The figures as a table").all():
        summary.click()
    assert serious_violations(dashboard) == []
