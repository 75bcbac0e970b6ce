"""A manager's team dashboard follows a new hire's progress without a reload."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from identity.models import HomePage
from onboarding.models import ModulePage, PathIndexPage, PathPage
from onboarding.services import enrolment_create
from tests.factories import EmployeeFactory, UserFactory

from .support import CHROMIUM, CHROMIUM_MISSING, sign_in

if not CHROMIUM.exists():
    pytest.skip(CHROMIUM_MISSING, allow_module_level=True)

pytestmark = pytest.mark.e2e


def _publish(parent, page):
    page = parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def test_the_team_dashboard_updates_live_when_a_new_hire_completes_a_module(
    live_asgi_server, new_page
):
    url = live_asgi_server.url
    home = HomePage.objects.get(locale__language_code="es")
    index = _publish(home, PathIndexPage(title="Itinerarios", slug="itinerarios"))
    path = _publish(index, PathPage(title="Bienvenida", slug="bienvenida"))
    for title in ("Nuestra historia", "Nuestros valores"):
        _publish(path, ModulePage(title=title, slug=title.lower().replace(" ", "-")))
    manager = EmployeeFactory(
        full_name="Marta Quintana", user=UserFactory(email="marta@example.com")
    )
    new_hire = EmployeeFactory(
        full_name="Nora Nueva",
        user=UserFactory(email="nora@example.com"),
        start_date=timezone.localdate() - timedelta(days=2),
        manager=manager,
    )
    enrolment_create(employee=new_hire, path=path)

    dashboard = new_page()
    dashboard.goto(url + "/accounts/login/")
    sign_in(dashboard, "marta@example.com")
    dashboard.get_by_role("link", name="My team").click()
    row = dashboard.locator(f"#team-live tr[data-employee='{new_hire.pk}']")
    expect(row.locator("[data-stat=percent]")).to_contain_text("0%")
    expect(dashboard.locator("#hub-live[data-connected]")).to_have_count(1)

    dashboard.evaluate("window.stillTheSamePage = true")

    # In her own browser, the new hire reads a module and marks it done.
    hire = new_page()
    hire.goto(url + "/accounts/login/")
    sign_in(hire, "nora@example.com")
    hire.goto(url + "/onboarding/")
    hire.get_by_role("link", name="Nuestra historia").first.click()
    hire.get_by_role("button", name="Mark as done").click()
    expect(hire.get_by_text("“Nuestra historia” is complete")).to_be_visible()

    # Marta's page has not been reloaded: the same document, new figures.
    expect(row.locator("[data-stat=percent]")).to_contain_text("50%", timeout=10_000)
    assert dashboard.evaluate("window.stillTheSamePage") is True
    expect(dashboard.locator("#team-status")).to_have_text(
        "The team figures were updated."
    )
