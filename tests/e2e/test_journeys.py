"""Journeys through the site in real Chromium, against a live ASGI server."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    generate_totp_secret,
)
from playwright.sync_api import Page, expect

from advocacy.services import person_event_publish
from people import roles
from tests.factories import PASSWORD, EmployeeFactory, UserFactory

from .support import CHROMIUM, CHROMIUM_MISSING, LiveServer, sign_in, totp_code

if not CHROMIUM.exists():
    pytest.skip(CHROMIUM_MISSING, allow_module_level=True)

pytestmark = pytest.mark.e2e

SIGN_IN = "/accounts/login/"


def path_is(live_asgi_server: LiveServer, path: str) -> re.Pattern:
    return re.compile(re.escape(live_asgi_server.url + path) + r"$")


def open_hub(page: Page, url: str) -> dict:
    """Open the hub socket in the page; report whether it opened, once known."""
    return page.evaluate(
        """(url) => new Promise((resolve) => {
            const socket = new WebSocket(url);
            window.hubMessages = [];
            socket.onmessage = (e) => window.hubMessages.push(JSON.parse(e.data));
            socket.onopen = () => {
                window.hub = socket;
                resolve({opened: true, readyState: socket.readyState});
            };
            socket.onclose = (e) => resolve({
                opened: false, readyState: socket.readyState, code: e.code,
            });
        })""",
        url,
    )


def test_employee_signs_in_and_switches_to_spanish_for_good(
    live_asgi_server, page, new_page
):
    employee = EmployeeFactory(
        user=UserFactory(email="ana@example.com"),
        full_name="Ana Ruiz",
        preferred_language="en",
    )

    assets = []
    page.on("response", lambda r: assets.append(r) if "/static/" in r.url else None)

    page.goto("/")
    expect(page).to_have_url(path_is(live_asgi_server, f"{SIGN_IN}?next=/"))
    sign_in(page, "ana@example.com")
    expect(page).to_have_url(path_is(live_asgi_server, "/"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Ana")
    # The stylesheet and the script that makes the language switcher submit.
    assert {urlparse(r.url).path for r in assets} >= {
        "/static/css/site.css",
        "/static/js/site.js",
    }
    assert all(r.ok for r in assets), [(r.url, r.status) for r in assets]

    page.get_by_label("Language").select_option(label="Español")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page).to_have_url(path_is(live_asgi_server, "/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Hola, Ana")
    nav = page.get_by_role("navigation")
    expect(nav.get_by_role("link", name="Inicio", exact=True)).to_be_visible()

    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hola, Ana")
    employee.refresh_from_db()
    assert employee.preferred_language == "es"

    page.locator("form[action='/accounts/logout/'] button").click()
    expect(page).to_have_url(path_is(live_asgi_server, SIGN_IN))
    expect(page.locator("input[name=login]")).to_be_visible()

    # A browser that asks for English and has no cookies from before.
    elsewhere = new_page(locale="en-GB")
    elsewhere.goto("/")
    sign_in(elsewhere, "ana@example.com")
    expect(elsewhere).to_have_url(path_is(live_asgi_server, "/"))
    expect(elsewhere.locator("html")).to_have_attribute("lang", "es")
    expect(elsewhere.get_by_role("heading", level=1)).to_have_text("Hola, Ana")


def test_hr_editor_with_an_authenticator_reaches_the_admin(live_asgi_server, page):
    user = UserFactory(email="hr@example.com", roles=[roles.HR_EDITOR])
    EmployeeFactory(user=user, full_name="Helena Ramos")
    secret = generate_totp_secret()
    TOTP.activate(user, secret)

    page.goto("/admin/")
    expect(page).to_have_url(path_is(live_asgi_server, f"{SIGN_IN}?next=/admin/"))
    sign_in(page, "hr@example.com")
    expect(page).to_have_url(path_is(live_asgi_server, "/accounts/2fa/authenticate/"))
    code = page.locator("input[name=code]")
    code.fill(totp_code(secret))
    code.press("Enter")

    expect(page).to_have_url(path_is(live_asgi_server, "/admin/"))
    expect(page).to_have_title(re.compile("Dashboard"))
    expect(page.get_by_role("navigation", name="Main menu")).to_be_visible()


def test_hr_editor_without_an_authenticator_is_sent_to_set_one_up(
    live_asgi_server, page
):
    EmployeeFactory(
        user=UserFactory(email="hr@example.com", roles=[roles.HR_EDITOR]),
        full_name="Helena Ramos",
    )

    page.goto("/admin/")
    sign_in(page, "hr@example.com")
    # allauth asks for the password once more before any second-factor change.
    reauthenticate = re.escape(f"{live_asgi_server.url}/accounts/reauthenticate/?")
    expect(page).to_have_url(re.compile(reauthenticate + "next=.*totp.*activate"))
    expect(page.get_by_text("needs two-factor authentication")).to_be_visible()
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")

    expect(page).to_have_url(path_is(live_asgi_server, "/accounts/2fa/totp/activate/"))
    expect(page.locator("input[name=code]")).to_be_visible()
    page.goto("/admin/")
    expect(page).to_have_url(path_is(live_asgi_server, "/accounts/2fa/totp/activate/"))


def test_hub_socket_delivers_events_to_the_signed_in_person(live_asgi_server, page):
    employee = EmployeeFactory(user=UserFactory(email="ana@example.com"))
    page.goto("/")
    sign_in(page, "ana@example.com")
    expect(page).to_have_url(path_is(live_asgi_server, "/"))

    hub = open_hub(page, f"{live_asgi_server.ws_url}/ws/hub/")
    assert hub == {"opened": True, "readyState": 1}

    live_asgi_server.call(
        person_event_publish,
        user_id=employee.user.pk,
        event="hello",
        data={"text": "Welcome aboard"},
    )
    page.wait_for_function("window.hubMessages.length > 0")
    (message,) = page.evaluate("window.hubMessages")
    assert isinstance(message.pop("id"), int)  # for replay after a reconnect
    assert message == {"event": "hello", "data": {"text": "Welcome aboard"}}


def test_hub_socket_refuses_an_anonymous_browser(live_asgi_server, page):
    page.goto(SIGN_IN)
    hub = open_hub(page, f"{live_asgi_server.ws_url}/ws/hub/")
    assert hub["opened"] is False
    assert hub["readyState"] == 3  # CLOSED
