"""A pre-boarding new hire's first steps, and their manager's to-do, in Chromium."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from identity.models import HomePage
from onboarding.models import Certificate, ModulePage, PathIndexPage, PathPage
from tests.factories import EmployeeFactory, UserFactory

from .support import CHROMIUM, CHROMIUM_MISSING, sign_in

if not CHROMIUM.exists():
    pytest.skip(CHROMIUM_MISSING, allow_module_level=True)

pytestmark = pytest.mark.e2e


def _publish(parent, page):
    page = parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def _question(text, right, wrong):
    return (
        "question",
        {
            "question": text,
            "multiple": False,
            "options": [
                {"text": right, "correct": True, "feedback": "Exactly."},
                {"text": wrong, "correct": False, "feedback": f"Not “{wrong}”."},
            ],
        },
    )


@pytest.fixture
def ambassador_path():
    home = HomePage.objects.get(locale__language_code="es")
    index = _publish(home, PathIndexPage(title="Itinerarios", slug="itinerarios"))
    path = _publish(
        index,
        PathPage(
            title="Embajador de marca",
            slug="embajador",
            grants_certification=True,
            certification_valid_days=365,
        ),
    )
    _publish(
        path,
        ModulePage(
            title="Antes de tu primer dia",
            slug="antes",
            release_day=-7,
            body=[("rich_text", "<p>Te esperamos en recepción a las 9.</p>")],
        ),
    )
    _publish(
        path,
        ModulePage(
            title="Prueba de voz de marca",
            slug="prueba",
            release_day=-7,
            pass_mark=80,
            questions=[
                _question("How do we greet guests?", "Warmly", "Coldly"),
                _question(
                    "Who may share brand posts?", "Certified advocates", "Anyone"
                ),
            ],
        ),
    )
    _publish(
        path,
        ModulePage(
            title="Politica de redes sociales",
            slug="redes",
            release_day=-7,
            body=[
                (
                    "policy",
                    {
                        "title": "Social media policy",
                        "text": "<p>Speak in your own words; disclose.</p>",
                    },
                )
            ],
        ),
    )
    _publish(
        path,
        ModulePage(
            title="Reunion de bienvenida",
            slug="uno-a-uno",
            release_day=1,
            due_days=5,
            required=False,
            task_for="manager",
            task_description="Hold a welcome 1:1",
        ),
    )
    return path


def _sign_in_by_code(page: Page, url: str, email: str) -> None:
    page.goto(url + "/accounts/login/")
    page.get_by_role("link", name="Send me a sign-in code").click()
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=email]").press("Enter")
    expect(page.locator("input[name=code]")).to_be_visible()
    message = next(m for m in reversed(mail.outbox) if email in m.to)
    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", message.body, re.M)
    page.locator("input[name=code]").fill(code.group(1))
    page.locator("input[name=code]").press("Enter")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def _answer(page: Page, answers: list[str]) -> None:
    for answer in answers:
        page.get_by_label(answer).check()
    page.get_by_role("button", name="Submit my answers").click()


def test_preboarding_new_hire_to_certificate_and_managers_todo(
    live_asgi_server, new_page, ambassador_path
):
    url = live_asgi_server.url
    manager = EmployeeFactory(
        full_name="Marta Quintana", user=UserFactory(email="marta@example.com")
    )
    EmployeeFactory(
        full_name="Nora Nueva",
        user=UserFactory(email="nora@example.com"),
        start_date=timezone.localdate() + timedelta(days=5),
        manager=manager,
        preferred_language="en",
    )

    page = new_page()
    _sign_in_by_code(page, url, "nora@example.com")
    page.get_by_role("link", name="My path").click()
    expect(page.get_by_role("heading", name="Before your first day")).to_be_visible()

    # A module to read, then done.
    page.get_by_role("link", name="Antes de tu primer dia").first.click()
    expect(page.get_by_text("Te esperamos en recepción a las 9.")).to_be_visible()
    page.get_by_role("button", name="Mark as done").click()
    expect(page.get_by_text("“Antes de tu primer dia” is complete")).to_be_visible()

    # The knowledge check: a miss, feedback, then a pass, all without reloading.
    page.get_by_role("link", name="Prueba de voz de marca").first.click()
    page.get_by_role("button", name="Start the check").click()
    _answer(page, ["Coldly", "Certified advocates"])
    expect(page.get_by_text("You scored 50%: not enough to pass yet.")).to_be_visible()
    expect(page.get_by_text("Not “Coldly”.")).to_be_visible()
    expect(page.get_by_text("2 attempts left.")).to_be_visible()
    page.get_by_role("button", name="Try again").click()
    _answer(page, ["Warmly", "Certified advocates"])
    expect(page.get_by_text("Passed with 100%.")).to_be_visible()
    expect(page.get_by_text("You completed this module on")).to_be_visible()

    # The social media policy, acknowledged.
    page.goto(url + "/onboarding/")
    page.get_by_role("link", name="Politica de redes sociales").first.click()
    page.get_by_label(re.compile("I have read and accept")).check()
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_text("You accepted this version on")).to_be_visible()

    # Certified: the certificate, with the code HR can verify.
    page.goto(url + "/onboarding/")
    expect(page.get_by_text("You are a certified advocate until")).to_be_visible()
    page.get_by_role("link", name="See the certificate").click()
    certificate = Certificate.objects.get()
    expect(page.get_by_role("heading", name="Nora Nueva")).to_be_visible()
    expect(page.locator(".certificate-code")).to_contain_text(certificate.code)

    # Her manager finds the 1:1 on their to-do list.
    manager_page = new_page()
    manager_page.goto(url + "/accounts/login/")
    sign_in(manager_page, "marta@example.com")
    manager_page.get_by_role("link", name="To-do").click()
    task = manager_page.locator(".task", has_text="Hold a welcome 1:1")
    expect(task).to_contain_text("Nora Nueva")
    expect(task).to_contain_text("due")
