"""Reminder emails: weekly digest, overdue modules, tasks, changed policies.

Every tick gets a fixed ``now``; ``NOW`` is Monday 15 June 2026, 10:00 in Madrid.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from wagtail.models import Locale

from onboarding.models import Acknowledgement, DigestOptOut, ModuleProgress, Reminder
from onboarding.reminders import reminders_tick
from onboarding.services import enrolment_create, reacknowledgement_request
from onboarding.tasks import reminder_send
from onboarding.views import unsubscribe_token
from people.models import Employee
from tests.factories import EmployeeFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 15, 8, 0, tzinfo=UTC)  # Monday, 10:00 in Madrid
START = NOW.date() - timedelta(days=5)  # Wednesday 10 June


@pytest.fixture
def tick(django_capture_on_commit_callbacks):
    """Run the tick at ``now`` and let its sends run, as after a real commit."""

    def run(now: datetime = NOW):
        with django_capture_on_commit_callbacks(execute=True):
            return reminders_tick(now=now)

    return run


@pytest.fixture
def modules(add_module):
    """Released on the 12th and due on the 17th; overdue since the 13th."""
    values = add_module("Nuestros valores", release_day=3, due_days=5)
    english = values.copy_for_translation(
        Locale.objects.get(language_code="en"), copy_parents=True
    )
    english.title = "Our values"
    english.save_revision().publish()
    return {
        "values": values,
        "first_day": add_module("Primer dia", release_day=1, due_days=2),
    }


def _person(email: str, name: str, language: str, **fields) -> Employee:
    return EmployeeFactory(
        user=UserFactory(email=email),
        full_name=name,
        preferred_language=language,
        start_date=START,
        timezone="Europe/Madrid",
        **fields,
    )


def _enrol(person, path):
    enrolment, _created = enrolment_create(employee=person, path=path)
    return enrolment


def _sent_to(address: str, subject_part: str = "") -> list:
    return [m for m in mail.outbox if address in m.to and subject_part in m.subject]


def _token(employee) -> str:
    return unsubscribe_token(employee=employee)


def _html(message) -> str:
    (html, content_type), *_rest = message.alternatives
    assert content_type == "text/html"
    return html


def test_weekly_digest_is_sent_once_however_often_the_tick_runs(
    tick, welcome_path, modules
):
    ana = _person("ana@example.com", "Ana Ruiz", "en")
    _enrol(ana, welcome_path)

    tick(NOW - timedelta(hours=3))  # Monday 07:00 in Madrid: not yet
    assert _sent_to("ana@example.com") == []

    tick(NOW)
    tick(NOW + timedelta(minutes=5))
    tick(NOW + timedelta(days=3))
    assert len(_sent_to("ana@example.com", "Your onboarding this week")) == 1

    tick(NOW + timedelta(days=7))  # the next Monday brings the next digest
    assert len(_sent_to("ana@example.com", "Your onboarding this week")) == 2


def test_digest_missed_on_monday_still_arrives_later_that_week(
    tick, welcome_path, modules
):
    ana = _person("ana@example.com", "Ana Ruiz", "en")
    _enrol(ana, welcome_path)
    tick(NOW + timedelta(days=2))
    assert len(_sent_to("ana@example.com", "Your onboarding this week")) == 1


def test_digest_is_in_each_persons_language_with_their_modules(
    tick, welcome_path, modules
):
    _enrol(_person("ana@example.com", "Ana Ruiz", "en"), welcome_path)
    _enrol(_person("luis@example.com", "Luis Gil", "es"), welcome_path)

    tick()

    (english,) = _sent_to("ana@example.com")
    assert english.subject == "Your onboarding this week"
    assert "Hello Ana," in english.body
    assert "New this week" in english.body and "Our values" in english.body
    assert "Overdue" in english.body and "Primer dia" in english.body
    assert "June" in english.body
    assert "Nuestros valores" not in english.body

    (spanish,) = _sent_to("luis@example.com")
    assert "Hola, Luis:" in spanish.body
    assert "Nuestros valores" in spanish.body and "Our values" not in spanish.body
    assert "Con retraso" in spanish.body
    assert "junio" in spanish.body
    assert "vence el" in spanish.body


def test_digest_has_text_and_html_links_and_an_unsubscribe_link_that_works(
    tick, welcome_path, modules
):
    _enrol(_person("ana@example.com", "Ana Ruiz", "en"), welcome_path)
    tick()
    (digest,) = _sent_to("ana@example.com")
    html = _html(digest)

    assert "http://testserver/onboarding/" in digest.body
    assert '<a href="http://testserver/' in html and "Our values</a>" in html
    header = digest.extra_headers["List-Unsubscribe"]
    unsubscribe_url = header.strip("<>")
    assert unsubscribe_url.startswith("http://testserver/onboarding/unsubscribe/")
    assert unsubscribe_url in digest.body
    assert unsubscribe_url in html

    assert digest.extra_headers["List-Unsubscribe-Post"] == (
        "List-Unsubscribe=One-Click"
    )
    # A mail app's one-click POST carries no CSRF token, and must still work.
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="en", enforce_csrf_checks=True)
    path = unsubscribe_url.removeprefix("http://testserver")
    # Opening the link (as mail scanners do) only asks; the button unsubscribes.
    assert "do you want to stop receiving" in anonymous.get(path).content.decode()
    response = anonymous.post(path)
    assert response.status_code == 200
    assert "you will no longer receive the weekly onboarding digest" in (
        response.content.decode()
    )

    tick(NOW + timedelta(days=7))
    tick(NOW + timedelta(days=14))
    assert len(_sent_to("ana@example.com", "Your onboarding this week")) == 1


def test_nobody_gets_an_empty_digest(tick, welcome_path, add_module):
    add_module("Dia noventa", release_day=90)
    _enrol(_person("ana@example.com", "Ana Ruiz", "en"), welcome_path)
    tick()
    tick(NOW + timedelta(hours=1))
    assert mail.outbox == []


def test_overdue_reminder_comes_once_on_the_day_a_module_becomes_overdue(
    tick, welcome_path, add_module
):
    # Due Sunday 14 June, so overdue from Monday 15 June.
    add_module("Seguridad", release_day=1, due_days=4)
    # Overdue since Friday 12 June, long before this test's first tick.
    add_module("Hace tiempo", release_day=1, due_days=1)
    ana = _person("ana@example.com", "Ana Ruiz", "en")
    _enrol(ana, welcome_path)
    # The weekly digest is optional; overdue reminders are not.
    Client().post(f"/onboarding/unsubscribe/{_token(ana)}/")

    tick(NOW - timedelta(days=1))  # Sunday: still due today
    assert _sent_to("ana@example.com") == []

    tick(NOW)
    tick(NOW + timedelta(hours=2))
    tick(NOW + timedelta(days=1))
    tick(NOW + timedelta(days=3))

    (overdue,) = _sent_to("ana@example.com")
    assert overdue.subject == "Overdue: Seguridad"
    assert "was due June 14, 2026 and is now overdue" in overdue.body
    assert "http://testserver/" in overdue.body
    assert "Seguridad</a>" in _html(overdue)
    assert "Hace tiempo" not in overdue.body


def test_overdue_reminder_waits_for_the_morning(tick, welcome_path, add_module):
    add_module("Seguridad", release_day=1, due_days=4)
    ana = _person("ana@example.com", "Ana Ruiz", "en")
    _enrol(ana, welcome_path)
    Client().post(f"/onboarding/unsubscribe/{_token(ana)}/")

    tick(NOW - timedelta(hours=9))  # 01:00 in Madrid
    assert mail.outbox == []
    tick(NOW)
    assert len(_sent_to("ana@example.com", "Overdue: Seguridad")) == 1


def test_a_spanish_overdue_reminder_is_in_spanish(tick, welcome_path, add_module):
    add_module("Seguridad", release_day=1, due_days=4)
    luis = _person("luis@example.com", "Luis Gil", "es")
    _enrol(luis, welcome_path)
    tick()
    overdue = [m for m in _sent_to("luis@example.com") if "Seguridad" in m.subject]
    assert len(overdue) == 1
    assert "Hola, Luis:" in overdue[0].body
    assert "14 de junio de 2026" in overdue[0].body


def test_people_who_left_or_cannot_sign_in_get_nothing(
    tick, welcome_path, modules, add_module
):
    add_module("Seguridad", release_day=1, due_days=4)
    gone = _person("gone@example.com", "Ida Fuera", "en")
    _enrol(gone, welcome_path)
    Employee.objects.filter(pk=gone.pk).update(status=Employee.Status.LEFT)
    blocked = _person("blocked@example.com", "Bea Bloqueada", "en")
    _enrol(blocked, welcome_path)
    blocked.user.is_active = False
    blocked.user.save()

    tick()
    tick(NOW + timedelta(days=1))
    assert mail.outbox == []


def test_manager_gets_this_weeks_tasks_with_the_new_hires_name_once(
    tick, welcome_path, modules, add_module
):
    add_module(
        "Reunion de bienvenida",
        release_day=1,
        due_days=7,
        task_for="manager",
        task_description="Hold a welcome 1:1",
    )
    add_module(
        "Revision trimestral",
        release_day=90,
        task_for="manager",
        task_description="Quarterly review",
    )
    marta = _person("marta@example.com", "Marta Jefa", "en")
    nuevo = _person("nuevo@example.com", "Nuevo Fichaje", "en", manager=marta)
    _enrol(nuevo, welcome_path)

    tick()
    tick(NOW + timedelta(days=1))

    (tasks,) = _sent_to("marta@example.com")
    assert tasks.subject == "Your onboarding tasks this week"
    assert "Hello Marta," in tasks.body
    assert "Hold a welcome 1:1 — Nuevo Fichaje (due June 17, 2026)" in tasks.body
    assert "Quarterly review" not in tasks.body  # due in three months
    assert "http://testserver/onboarding/todo/" in tasks.body
    assert "Nuevo Fichaje" in _html(tasks)
    # The new hire's own digest does not ask them to do their manager's task.
    (digest,) = _sent_to("nuevo@example.com")
    assert "Reunion de bienvenida" not in digest.body


def test_changed_policy_reminder_is_sent_once(tick, welcome_path, add_module):
    module = add_module("Codigo de conducta", release_day=1, due_days=30)
    ana = _person("ana@example.com", "Ana Ruiz", "en")
    enrolment = _enrol(ana, welcome_path)
    DigestOptOut.objects.create(employee=ana)
    ModuleProgress.objects.create(
        enrolment=enrolment, module=module, completed_at=NOW - timedelta(days=2)
    )
    Acknowledgement.objects.create(enrolment=enrolment, module=module)
    reacknowledgement_request(module=module, revision=module.save_revision())

    tick()
    tick(NOW + timedelta(minutes=5))

    (policy,) = _sent_to("ana@example.com")
    assert policy.subject == "A policy has changed: Codigo de conducta"
    assert "Please read it again and accept it by" in policy.body
    assert "Codigo de conducta</a>" in _html(policy)
    assert Reminder.objects.get(kind=Reminder.Kind.REACKNOWLEDGE).sent_at is not None


def test_a_reminder_row_is_sent_once_even_if_queued_twice(tick, welcome_path, modules):
    _enrol(_person("ana@example.com", "Ana Ruiz", "en"), welcome_path)
    tick()
    reminder = Reminder.objects.get(kind=Reminder.Kind.DIGEST)
    reminder_send.enqueue(reminder.pk)
    reminder_send.enqueue(reminder.pk)
    assert len(_sent_to("ana@example.com")) == 1


def test_tick_command_sends_and_reports_what_it_queued(
    welcome_path, add_module, django_capture_on_commit_callbacks
):
    module = add_module("Codigo de conducta", release_day=1, due_days=30)
    ana = _person("ana@example.com", "Ana Ruiz", "en")
    Reminder.objects.create(
        employee=ana,
        kind=Reminder.Kind.REACKNOWLEDGE,
        key=f"reack:test:{module.pk}",
        payload={"module": module.pk, "due": "2026-07-01"},
    )

    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True), translation.override("en"):
        call_command("onboarding_tick", stdout=out)
    assert "Policy changed: 1" in out.getvalue()
    assert len(_sent_to("ana@example.com", "A policy has changed")) == 1

    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True), translation.override("en"):
        call_command("onboarding_tick", stdout=out)
    assert "Policy changed: 0" in out.getvalue()
    assert len(mail.outbox) == 1


def test_a_tick_after_this_weeks_emails_does_not_grow_with_the_organisation(
    tick, welcome_path, modules
):
    def queries_for_a_later_tick(people: int) -> int:
        for n in range(people):
            _enrol(_person(f"p{people}-{n}@example.com", f"P{n} X", "en"), welcome_path)
        tick()
        with CaptureQueriesContext(connection) as captured:
            tick(NOW + timedelta(hours=1))
        return len(captured)

    assert queries_for_a_later_tick(2) == queries_for_a_later_tick(6)
