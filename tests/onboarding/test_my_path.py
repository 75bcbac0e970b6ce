"""What a new hire sees and may do: "My path", modules, the next step."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from onboarding.models import Enrolment, ModuleProgress
from onboarding.services import enrolment_create
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrolled(welcome_path, add_module, new_hire):
    modules = {
        "pre": add_module("Antes de empezar", release_day=-7, due_days=7),
        "values": add_module("Nuestros valores", release_day=2, due_days=5),
        "later": add_module("Dia noventa", release_day=90),
    }
    enrolment, _ = enrolment_create(employee=new_hire, path=welcome_path)
    return enrolment, modules


def test_my_path_shows_each_module_state_by_week_with_the_next_step_first(
    client, new_hire, enrolled
):
    client.force_login(new_hire.user)
    html = client.get("/onboarding/").content.decode()
    assert "Next step" in html
    next_block = html.split("Next step", 1)[1].split("</section>", 1)[0]
    assert "Antes de empezar" in next_block  # overdue comes first
    assert "Before your first day" in html
    assert "Week 1" in html and "Week 13" in html
    assert "Overdue" in html and "Available now" in html and "Upcoming" in html
    assert "0% done" in html


def test_home_page_answers_what_to_do_next(client, new_hire, enrolled):
    client.force_login(new_hire.user)
    html = client.get("/").content.decode()
    assert "Antes de empezar" in html
    assert "See my whole path" in html


def test_completing_modules_moves_progress_and_finishes_the_path(
    client, new_hire, enrolled
):
    enrolment, modules = enrolled
    modules["later"].required = False
    modules["later"].save_revision().publish()
    client.force_login(new_hire.user)
    for key in ("pre", "values"):
        response = client.post(
            reverse("onboarding:module_complete", args=[modules[key].pk])
        )
        assert response.status_code == 302
    html = client.get("/onboarding/").content.decode()
    assert "100% done" in html
    enrolment.refresh_from_db()
    assert enrolment.completed_at is not None


def test_unreleased_module_cannot_be_opened_or_completed(client, new_hire, enrolled):
    enrolment, modules = enrolled
    client.force_login(new_hire.user)
    later = modules["later"]
    response = client.get(later.url)
    assert response.status_code == 403
    assert "This module opens on" in response.content.decode()
    # A crafted POST changes nothing either.
    response = client.post(reverse("onboarding:module_complete", args=[later.pk]))
    assert response.status_code == 403
    assert not ModuleProgress.objects.filter(module=later).exists()


def test_released_module_opens_with_its_content(client, new_hire, enrolled):
    _enrolment, modules = enrolled
    client.force_login(new_hire.user)
    response = client.get(modules["values"].url)
    assert response.status_code == 200
    assert "Mark as done" in response.content.decode()


def test_people_outside_the_path_cannot_open_or_complete_its_modules(client, enrolled):
    _enrolment, modules = enrolled
    outsider = EmployeeFactory(start_date=timezone.localdate() - timedelta(days=30))
    Enrolment.objects.filter(employee=outsider).delete()
    client.force_login(outsider.user)
    assert client.get(modules["values"].url).status_code == 404
    response = client.post(
        reverse("onboarding:module_complete", args=[modules["values"].pk])
    )
    assert response.status_code == 403
    assert not ModuleProgress.objects.exists()


def test_my_path_without_enrolments_has_an_empty_state(client):
    person = EmployeeFactory()
    client.force_login(person.user)
    html = client.get("/onboarding/").content.decode()
    assert "You are not enrolled in any path yet" in html


def test_my_path_page_queries_do_not_grow_with_modules(
    client, new_hire, welcome_path, add_module
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    enrolment_create(employee=new_hire, path=welcome_path)
    client.force_login(new_hire.user)
    counts = []
    for size in (5, 50):
        while len(welcome_path.get_children()) < size:
            add_module(f"Modulo {len(welcome_path.get_children())}", release_day=1)
        client.get("/onboarding/")  # warm per-process caches
        with CaptureQueriesContext(connection) as captured:
            html = client.get("/onboarding/").content.decode()
        assert html.count('class="module module-') == size
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_path_pages_lead_the_reader_to_my_path(client, new_hire, welcome_path):
    client.force_login(new_hire.user)
    for page in (welcome_path, welcome_path.get_parent()):
        html = client.get(page.url).content.decode()
        assert page.title in html
        assert 'href="/onboarding/"' in html
