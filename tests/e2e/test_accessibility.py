"""Automated accessibility checks (axe-core, vendored) on the site's own pages."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.factories import EmployeeFactory, UserFactory

from .support import CHROMIUM, CHROMIUM_MISSING, sign_in
from .test_journeys import SIGN_IN

if not CHROMIUM.exists():
    pytest.skip(CHROMIUM_MISSING, allow_module_level=True)

pytestmark = pytest.mark.e2e

AXE = "/static/vendor/axe-core/axe.min.js"


def serious_violations(page: Page) -> list[str]:
    """WCAG 2.1 A/AA rules that axe rates serious or critical, one line each."""
    # From our origin, as the CSP allows; never as an inline script.
    page.add_script_tag(url=AXE)
    results = page.evaluate(
        """() => axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}
        })"""
    )
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])}× e.g. {v['nodes'][0]['target']})"
        for v in results["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


@pytest.mark.parametrize("width", [1280, 375])
def test_sign_in_page_has_no_serious_accessibility_problems(
    live_asgi_server, new_page, width
):
    page = new_page()
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(SIGN_IN)
    assert page.locator("h1").count() == 1
    assert serious_violations(page) == []


@pytest.mark.parametrize("locale", ["en-GB", "es-ES"])
def test_home_page_has_no_serious_accessibility_problems(
    live_asgi_server, new_page, locale
):
    EmployeeFactory(
        user=UserFactory(email="ana@example.com"),
        full_name="Ana Ruiz",
        preferred_language=locale[:2],
        job_title="Recepcionista",
    )
    page = new_page(locale=locale)
    page.goto(SIGN_IN)
    sign_in(page, "ana@example.com")
    page.wait_for_url(live_asgi_server.url + "/")
    # The skip link is the first thing a keyboard reaches, and it works.
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#main"
    assert serious_violations(page) == []


def test_demo_culture_pages_have_no_serious_accessibility_problems(
    live_asgi_server, new_page
):
    from identity.demo import identity_demo_seed
    from identity.models import CulturePage

    identity_demo_seed()
    EmployeeFactory(
        user=UserFactory(email="ana@example.com"),
        full_name="Ana Ruiz",
        preferred_language="es",
    )
    page = new_page(locale="es-ES")
    page.goto(SIGN_IN)
    sign_in(page, "ana@example.com")
    page.wait_for_url(live_asgi_server.url + "/")
    culture_pages = CulturePage.objects.live().filter(locale__language_code="es")
    assert culture_pages.count() >= 5
    problems = {}
    for culture_page in culture_pages:
        page.goto(culture_page.url)
        assert page.locator("h1").inner_text() == culture_page.title
        found = serious_violations(page)
        if found:
            problems[culture_page.title] = found
    assert problems == {}


def test_onboarding_pages_have_no_serious_accessibility_problems(
    live_asgi_server, new_page
):
    """The demo's mid-path employee and front-desk lead, on their own pages."""
    from identity.demo import identity_demo_seed
    from onboarding.demo import onboarding_demo_seed
    from onboarding.selectors import employee_paths
    from people.demo import DEMO_PASSWORD, demo_seed
    from people.models import Employee

    sign_ins = {s.role: s for s in demo_seed()}
    identity_demo_seed()
    onboarding_demo_seed()
    employee = Employee.objects.get(user__email=sign_ins["Employee"].email)
    open_modules = [
        state.module
        for overview in employee_paths(employee=employee)
        for state in overview.states
        if state.is_open
    ]
    with_check = next(m for m in open_modules if m.has_check or m.has_pulse)

    problems = {}
    for role, urls in [
        ("Employee", ["/onboarding/", with_check.url]),
        ("Manager", ["/onboarding/todo/"]),
    ]:
        page = new_page(locale="es-ES")
        page.goto(SIGN_IN)
        page.locator("input[name=login]").fill(sign_ins[role].email)
        page.locator("input[name=password]").fill(DEMO_PASSWORD)
        page.locator("input[name=password]").press("Enter")
        page.wait_for_url(live_asgi_server.url + "/")
        for url in urls:
            page.goto(url)
            if page.get_by_role("button", name="Empezar la prueba").count():
                page.get_by_role("button", name="Empezar la prueba").click()
                page.get_by_role("button", name="Enviar mis respuestas").wait_for()
            found = serious_violations(page)
            if found:
                problems[url] = found
    assert problems == {}


def test_hub_pages_have_no_serious_accessibility_problems(live_asgi_server, new_page):
    """The demo's active advocate, with posts, campaigns, points and badges."""
    from people.demo import DEMO_PASSWORD

    seeded = live_asgi_server.call(_demo_with_advocacy, call_timeout=240)
    sign_ins = {s.role: s for s in seeded}
    page = new_page(locale="es-ES")
    page.goto(SIGN_IN)
    page.locator("input[name=login]").fill(sign_ins["Employee (advocate)"].email)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url(live_asgi_server.url + "/")
    problems = {}
    for url in [
        "/hub/",
        "/hub/leaderboard/",
        "/hub/notifications/",
        "/hub/suggest/",
        "/hub/consent/",
        "/insights/me/",
    ]:
        page.goto(url)
        assert page.locator("h1").count() == 1, url
        found = serious_violations(page)
        if found:
            problems[url] = found
    assert problems == {}


def _demo_with_advocacy():
    from advocacy.demo import advocacy_demo_seed
    from identity.demo import identity_demo_seed
    from onboarding.demo import onboarding_demo_seed
    from people.demo import demo_seed

    sign_ins = demo_seed()
    identity_demo_seed()
    onboarding_demo_seed()
    advocacy_demo_seed()
    return sign_ins
