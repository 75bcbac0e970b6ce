"""The admin's own scripts work under the Content-Security-Policy.

Wagtail builds some of its widgets with inline scripts: the InlinePanel of the
home page's featured links, the page chooser inside each new link (added from
a template by jQuery, which runs its script), the chooser's modal and the
publishing schedule's date picker. Each runs only with the request's nonce;
the conftest fails the journey on any violation.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from identity.models import HomePage
from people import roles

from .support import CHROMIUM, CHROMIUM_MISSING, sign_in
from .test_identity_journey import ADMIN_TIMEOUT, admin_person, path_is, textbox

if not CHROMIUM.exists():
    pytest.skip(CHROMIUM_MISSING, allow_module_level=True)

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def _patient_expectations() -> Iterator[None]:
    expect.set_options(timeout=ADMIN_TIMEOUT)
    yield
    expect.set_options(timeout=None)


def test_hr_lead_adds_a_featured_link_with_the_page_chooser(live_asgi_server, page):
    secret = admin_person(
        "lead@example.com", "Lorena Díaz", [roles.HR_EDITOR, roles.HR_LEAD]
    )
    inicio = HomePage.objects.get(locale__language_code="es")
    page.set_default_timeout(ADMIN_TIMEOUT)
    page.goto("/admin/")
    sign_in(page, "lead@example.com", totp_secret=secret)
    expect(page).to_have_url(path_is(live_asgi_server, "/admin/"))

    page.goto(f"/admin/pages/{inicio.pk}/edit/")
    # The schedule's date pickers were set up by their inline scripts.
    assert page.evaluate("typeof window.initDateTimeChooser") == "function"

    page.get_by_role("button", name=re.compile("^Add featured link", re.I)).click()
    child = page.locator("[data-inline-panel-child]").last
    textbox(child, "Title").fill("Empieza aquí")
    # The new link's page chooser only works if its inline script ran.
    child.get_by_role("button", name="Choose a page").click()
    chooser = page.get_by_role("dialog")
    chooser.get_by_role("link", name=re.compile("^Inicio")).first.click()
    expect(chooser).to_be_hidden()
    expect(child.locator("[data-chooser-title]")).to_have_text("Inicio")

    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("status")).to_contain_text("has been updated")
    draft = HomePage.objects.get(pk=inicio.pk).get_latest_revision_as_object()
    (link,) = draft.featured_links.all()
    assert (link.title, link.link_page_id) == ("Empieza aquí", inicio.pk)
