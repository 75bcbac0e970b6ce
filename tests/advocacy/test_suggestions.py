"""Suggesting content: web links only, reviewed by Communications, credited."""

from __future__ import annotations

import pytest
from wagtail.models import WorkflowState

from advocacy.models import BrandPost
from tests.factories import EmployeeFactory, UserFactory

from .test_sharing import _post

pytestmark = pytest.mark.django_db

SUGGESTION = {
    "url": "https://blog.brisa.example/sevilla",
    "why": "Cuenta cómo abrimos el hotel",
    "title": "El blog de Sevilla",
}


@pytest.fixture
def person(client):
    employee = EmployeeFactory(
        user=UserFactory(email="sol@example.com"),
        full_name="Soledad Ortega",
        preferred_name="Sole",
    )
    client.force_login(employee.user)
    return employee


def test_a_suggestion_goes_to_review_and_is_listed_as_awaiting(client, person):
    hub = client.get("/hub/").content.decode()
    assert "Suggest something to share" in hub and 'action="/hub/suggest/"' in hub

    response = client.post("/hub/suggest/", SUGGESTION, follow=True)
    html = response.content.decode()
    assert (
        "Thanks! Communications will review it; we&#x27;ll tell you the outcome."
        in (html)
    )
    post = BrandPost.objects.get()
    assert post.suggested_by == person and not post.live
    assert post.url == SUGGESTION["url"] and post.title == "El blog de Sevilla"
    assert WorkflowState.objects.filter(
        object_id=str(post.pk), status="in_progress"
    ).exists()
    assert "El blog de Sevilla" in html and "Awaiting review" in html


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "ftp://files.brisa.example/a.pdf", "data:text/html,hi"],
)
def test_only_web_links_can_be_suggested(client, person, url):
    response = client.post("/hub/suggest/", {**SUGGESTION, "url": url})
    assert response.status_code == 200
    assert "Only http and https links can be shared." in response.content.decode()
    assert not BrandPost.objects.exists()


def test_an_incomplete_suggestion_says_what_is_missing(client, person):
    html = client.post(
        "/hub/suggest/", {"url": "https://", "why": "", "title": ""}
    ).content.decode()
    assert "Enter a complete web address" in html
    assert "Tell Communications why it is worth sharing." in html
    assert not BrandPost.objects.exists()


def test_a_link_already_suggested_is_refused_with_thanks(client, person):
    _post(url=SUGGESTION["url"])
    html = client.post("/hub/suggest/", SUGGESTION).content.decode()
    assert "Someone has already suggested this link. Thank you!" in html
    assert BrandPost.objects.count() == 1


def test_my_suggestions_show_their_outcome_and_only_mine(client, person):
    other = EmployeeFactory(full_name="Otro Compañero")
    for n, title in enumerate(["Aprobada", "Rechazada", "Pendiente"]):
        client.post(
            "/hub/suggest/",
            {**SUGGESTION, "url": f"https://brisa.example/{n}", "title": title},
        )
    _post(title="De otra persona", suggested_by=other, url="https://brisa.example/o")
    approved = BrandPost.objects.get(title="Aprobada")
    BrandPost.objects.filter(pk=approved.pk).update(live=True)
    rejected = BrandPost.objects.get(title="Rechazada")
    WorkflowState.objects.filter(object_id=str(rejected.pk)).update(
        status=WorkflowState.STATUS_NEEDS_CHANGES
    )
    html = client.get("/hub/suggest/").content.decode()
    assert "Approved — in the hub" in html
    assert f'href="/hub/#post-{approved.pk}"' in html
    assert "Not approved" in html and "Awaiting review" in html
    assert "De otra persona" not in html


def test_nothing_suggested_yet_says_so(client, person):
    assert "You have not suggested anything yet." in (
        client.get("/hub/suggest/").content.decode()
    )


def test_feed_cards_credit_who_suggested_the_post(client, person):
    _post(title="Idea de Sole", suggested_by=person, url="https://brisa.example/s")
    _post(title="De Comunicación", url="https://brisa.example/c")
    html = client.get("/hub/").content.decode()
    assert html.count("Suggested by") == 1
    assert "Suggested by Sole" in html
