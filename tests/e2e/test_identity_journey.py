"""An identity page goes from an HR editor's draft, through HR review, to readers.

Set ``E2E_SCREENSHOTS`` to a folder to keep a screenshot of each key step.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    generate_totp_secret,
)
from playwright.sync_api import Page, expect

from identity.models import CulturePage, HomePage
from people import roles
from tests.factories import EmployeeFactory, UserFactory

from .support import CHROMIUM, CHROMIUM_MISSING, LiveServer, sign_in

if not CHROMIUM.exists():
    pytest.skip(CHROMIUM_MISSING, allow_module_level=True)

pytestmark = pytest.mark.e2e

SCREENSHOTS = os.environ.get("E2E_SCREENSHOTS")
# The admin loads a lot of JavaScript; give it time, but not forever.
ADMIN_TIMEOUT = 20_000


@pytest.fixture(autouse=True)
def _patient_expectations() -> Iterator[None]:
    expect.set_options(timeout=ADMIN_TIMEOUT)
    yield
    expect.set_options(timeout=None)


def path_is(live_asgi_server: LiveServer, path: str, query: str = "") -> re.Pattern:
    return re.compile(re.escape(live_asgi_server.url + path) + query + r"$")


def admin_person(email: str, full_name: str, role_names: list[str]) -> str:
    """An English-speaking admin user with an authenticator; returns its secret."""
    user = UserFactory(email=email, roles=role_names)
    EmployeeFactory(user=user, full_name=full_name, preferred_language="en")
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def textbox(scope, label: str):
    """A form field by its label; Wagtail marks required ones with an asterisk."""
    return scope.get_by_role("textbox", name=re.compile(rf"^{re.escape(label)}\*?$"))


def screenshot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        folder = Path(SCREENSHOTS)
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=folder / f"{name}.png")


def test_culture_page_reaches_readers_only_after_hr_review(live_asgi_server, new_page):
    editor_secret = admin_person("hr@example.com", "Helena Ramos", [roles.HR_EDITOR])
    lead_secret = admin_person(
        "lead@example.com", "Lorena Díaz", [roles.HR_EDITOR, roles.HR_LEAD]
    )
    EmployeeFactory(
        user=UserFactory(email="ana@example.com"),
        full_name="Ana Ruiz",
        preferred_language="es",
    )
    inicio = HomePage.objects.get(locale__language_code="es")

    # The HR editor signs in to the admin with her password and authenticator.
    editor = new_page(locale="en-GB")
    editor.set_default_timeout(ADMIN_TIMEOUT)
    editor.goto("/admin/")
    sign_in(editor, "hr@example.com", totp_secret=editor_secret)
    expect(editor).to_have_url(path_is(live_asgi_server, "/admin/"))
    expect(editor.locator("html")).to_have_attribute("lang", "en")
    menu = editor.get_by_role("navigation", name="Main menu")

    # She adds a value.
    menu.get_by_role("link", name="Values").click()
    expect(editor).to_have_url(
        path_is(live_asgi_server, "/admin/snippets/identity/value/")
    )
    editor.get_by_role("link", name="Add value").click()
    textbox(editor, "Name").fill("Cercanía")
    textbox(editor, "Short statement").fill("Tratamos a cada huésped por su nombre.")
    editor.get_by_role("button", name="Save", exact=True).click()
    expect(editor).to_have_url(
        path_is(live_asgi_server, "/admin/snippets/identity/value/", r"(\?.*)?")
    )
    listing = editor.get_by_role("table")
    expect(listing.get_by_role("link", name="Cercanía")).to_be_visible()
    expect(listing).to_contain_text("Tratamos a cada huésped por su nombre.")
    screenshot(editor, "1-value-listing")

    # She writes a culture page under the Spanish home page.
    menu.get_by_role("button", name="Pages").click()
    explorer = editor.get_by_role("dialog")
    explorer.get_by_role("link", name=re.compile("^Inicio")).click()
    expect(editor).to_have_url(path_is(live_asgi_server, f"/admin/pages/{inicio.pk}/"))
    editor.get_by_role("link", name="Add child page").click()
    editor.get_by_role("link", name="Culture page", exact=True).click()
    expect(editor).to_have_url(
        path_is(live_asgi_server, f"/admin/pages/add/identity/culturepage/{inicio.pk}/")
    )
    textbox(editor, "Title").fill("Nuestro compromiso")
    textbox(editor, "Summary").fill("Lo que prometemos a cada huésped.")
    editor.get_by_role("button", name="Insert a block").click()
    editor.get_by_role("option", name="Heading").click()
    textbox(editor, "Text").fill("Cada huésped, por su nombre")
    editor.get_by_role("button", name="Insert a block").last.click()
    editor.get_by_role("option", name="Value card").click()
    editor.get_by_role("button", name="Choose value").click()
    chooser = editor.get_by_role("dialog")
    expect(chooser.get_by_role("link", name="Cercanía")).to_be_visible()
    chooser.get_by_role("link", name="Cercanía").click()
    expect(chooser).to_be_hidden()
    expect(editor.locator("[data-chooser-title]")).to_have_text("Cercanía")
    editor.get_by_role("button", name="More actions").click()
    submit = editor.get_by_role("button", name="Submit to HR review")
    expect(submit).to_be_visible()
    screenshot(editor, "2-submit-menu")
    submit.click()
    expect(editor).to_have_url(path_is(live_asgi_server, f"/admin/pages/{inicio.pk}/"))
    expect(editor.get_by_role("status")).to_contain_text(
        "Page 'Nuestro compromiso' created and submitted for moderation."
    )
    row = editor.get_by_role("row").filter(has_text="Nuestro compromiso")
    expect(row).to_contain_text(re.compile("in moderation", re.IGNORECASE))
    screenshot(editor, "3-in-moderation")
    page_url = "/nuestro-compromiso/"
    culture_page = CulturePage.objects.get(
        title="Nuestro compromiso", locale__language_code="es"
    )
    assert not culture_page.live
    assert culture_page.url == page_url

    # An employee who follows a link to it finds nothing yet.
    reader = new_page(locale="es-ES")
    reader.goto("/")
    sign_in(reader, "ana@example.com")
    expect(reader).to_have_url(path_is(live_asgi_server, "/"))
    response = reader.goto(page_url)
    assert response.status == 404

    # The HR lead finds it waiting for her on the dashboard and approves it.
    lead = new_page(locale="en-GB")
    lead.set_default_timeout(ADMIN_TIMEOUT)
    lead.goto("/admin/")
    sign_in(lead, "lead@example.com", totp_secret=lead_secret)
    expect(lead).to_have_url(path_is(live_asgi_server, "/admin/"))
    awaiting = lead.get_by_role("region", name="Awaiting your review")
    expect(awaiting.get_by_role("link", name="Nuestro compromiso")).to_be_visible()
    screenshot(lead, "4-awaiting-review")
    awaiting.get_by_role("row").filter(has_text="Nuestro compromiso").get_by_role(
        "button", name="Actions"
    ).click()
    with lead.expect_navigation():
        awaiting.get_by_role("button", name="Approve", exact=True).click()
    expect(lead).to_have_url(path_is(live_asgi_server, "/admin/"))
    expect(awaiting).to_have_count(0)
    lead.goto(f"/admin/pages/{inicio.pk}/")
    row = lead.get_by_role("row").filter(has_text="Nuestro compromiso")
    expect(row).to_contain_text(re.compile(r"\blive\b", re.IGNORECASE))
    expect(row).not_to_contain_text(re.compile("moderation", re.IGNORECASE))
    screenshot(lead, "5-approved")
    culture_page.refresh_from_db()
    assert culture_page.live

    # The employee reads it in Spanish, with the value it stands for.
    response = reader.goto(page_url)
    assert response.status == 200
    expect(reader.locator("html")).to_have_attribute("lang", "es")
    expect(reader.get_by_role("heading", level=1)).to_have_text("Nuestro compromiso")
    section = reader.get_by_role("heading", name="Cada huésped, por su nombre")
    expect(section).to_have_js_property("tagName", "H2")
    value_name = reader.get_by_role("heading", name="Cercanía", level=3)
    card = reader.get_by_role("article").locator("section").filter(has=value_name)
    expect(card).to_be_visible()
    expect(card).to_contain_text("Tratamos a cada huésped por su nombre.")
    expect(reader.get_by_text(re.compile(r"^Actualizado el "))).to_be_visible()
    # She reads Spanish content in Spanish, so no notice about translations;
    # the HR lead, who reads English, is told.
    expect(reader.get_by_role("note")).to_have_count(0)
    lead.goto(page_url)
    expect(lead.get_by_role("note")).to_contain_text("not translated")
    screenshot(reader, "6-reader")
