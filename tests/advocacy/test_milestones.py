"""Milestone prompts: share a milestone template in your own words, once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from advocacy.models import MilestonePrompt, Share, TrackedLink
from advocacy.rewards import milestone_prompt_open
from advocacy.services import SharingRefused, consent_opt_in, tracked_link_get
from tests.factories import EmployeeFactory, UserFactory

from .test_sharing import _certify, _post

pytestmark = pytest.mark.django_db


def _template(**fields):
    return _post(
        **{
            "title": "Plantilla de hito",
            "url": "https://brisa.example/trabaja-con-nosotros",
            "language": "en",
            "milestone_template": True,
            "caption_linkedin": "Today I completed {milestone} at Brisa.",
            **fields,
        }
    )


def _prompt(employee, subject="Welcome path"):
    return milestone_prompt_open(
        employee=employee,
        kind=MilestonePrompt.Kind.PATH,
        ref=f"path:{subject}",
        subject=subject,
    )


@pytest.fixture
def advocate(client):
    person = EmployeeFactory(user=UserFactory(email="mia@example.com"))
    _certify(person)
    consent_opt_in(employee=person)
    client.force_login(person.user)
    return person


def test_the_hub_offers_an_open_milestone_with_its_template(client, advocate):
    template = _template()
    prompt = _prompt(advocate)
    html = client.get("/hub/").content.decode()
    assert "You completed “Welcome path” — share it in your own words" in html
    assert f'href="/hub/posts/{template.pk}/share/?milestone={prompt.pk}"' in html
    assert f'id="post-{template.pk}"' not in html  # templates stay out of the feed


def test_sharing_a_milestone_fills_it_in_and_closes_the_prompt(client, advocate):
    template = _template()
    prompt = _prompt(advocate)
    url = f"/hub/posts/{template.pk}/share/?milestone={prompt.pk}"
    form = client.get(url).content.decode()
    assert "Today I completed Welcome path at Brisa." in form
    assert "{milestone}" not in form

    nudged = client.post(
        url,
        {"network": "linkedin", "caption": "Today I completed Welcome path at Brisa."},
    )
    assert "same text others already shared" in nudged.content.decode()
    assert not Share.objects.exists()

    shared = client.post(
        url,
        {"network": "linkedin", "caption": "Three weeks in and I love this team."},
    )
    assert "Ready to post" in shared.content.decode()
    share = Share.objects.get()
    assert share.post == template and share.personalised
    prompt.refresh_from_db()
    assert prompt.closed_at is not None
    assert "Welcome path" not in client.get("/hub/").content.decode()
    # The prompt is used up: the same link does not share again.
    again = client.post(url, {"network": "x", "caption": "Once more, my own words"})
    assert again.status_code == 404
    assert Share.objects.count() == 1


def test_a_template_without_an_open_prompt_of_mine_is_not_found(client, advocate):
    template = _template()
    colleague = EmployeeFactory()
    theirs = _prompt(colleague)
    closed = _prompt(advocate, subject="Old path")
    MilestonePrompt.objects.filter(pk=closed.pk).update(closed_at=timezone.now())
    stale = _prompt(advocate, subject="Long ago")
    MilestonePrompt.objects.filter(pk=stale.pk).update(
        created_at=timezone.now() - timedelta(days=45)
    )
    base = f"/hub/posts/{template.pk}/share/"
    data = {"network": "linkedin", "caption": "My own words", "confirm": "True"}
    for query in (
        "",
        f"?milestone={theirs.pk}",
        f"?milestone={closed.pk}",
        f"?milestone={stale.pk}",
        "?milestone=abc",
        "?milestone=",
    ):
        assert client.get(base + query).status_code == 404, query
        assert client.post(base + query, data).status_code == 404, query
    assert not Share.objects.exists() and not TrackedLink.objects.exists()


def test_a_prompt_does_not_unlock_ordinary_posts_or_expired_templates(client, advocate):
    prompt = _prompt(advocate)
    ordinary = _post()
    gone = _template(expire_at=timezone.now() - timedelta(hours=1))
    assert (
        client.get(f"/hub/posts/{ordinary.pk}/share/?milestone={prompt.pk}").status_code
        == 404
    )
    assert (
        client.get(f"/hub/posts/{gone.pk}/share/?milestone={prompt.pk}").status_code
        == 404
    )
    # With no live template there is nothing to offer.
    assert "Welcome path" not in client.get("/hub/").content.decode()


def test_the_service_refuses_templates_without_the_persons_own_prompt(advocate):
    template = _template()
    colleague = EmployeeFactory()
    _certify(colleague)
    consent_opt_in(employee=colleague)
    theirs = _prompt(colleague)
    for prompt in (None, theirs):
        with pytest.raises(SharingRefused):
            tracked_link_get(
                employee=advocate, post=template, network="linkedin", prompt=prompt
            )
    mine = _prompt(advocate)
    link = tracked_link_get(
        employee=advocate, post=template, network="linkedin", prompt=mine
    )
    assert link.post == template


def test_people_who_cannot_share_see_no_milestones_and_cannot_share_one(client):
    person = EmployeeFactory(user=UserFactory(email="uma@example.com"))
    consent_opt_in(employee=person)  # opted in, never certified
    client.force_login(person.user)
    template = _template()
    prompt = _prompt(person)
    html = client.get("/hub/").content.decode()
    assert "Welcome path" not in html and "Personalise and share" not in html
    url = f"/hub/posts/{template.pk}/share/?milestone={prompt.pk}"
    response = client.post(
        url, {"network": "linkedin", "caption": "Mine", "confirm": "True"}
    )
    assert response.status_code == 302 and response["Location"] == "/hub/"
    assert not Share.objects.exists()
    prompt.refresh_from_db()
    assert prompt.closed_at is None


def test_not_now_closes_only_my_own_prompt(client, advocate):
    _template()
    mine = _prompt(advocate)
    theirs = _prompt(EmployeeFactory())
    assert client.post(f"/hub/milestones/{theirs.pk}/close/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.closed_at is None
    assert client.get(f"/hub/milestones/{mine.pk}/close/").status_code == 405
    response = client.post(f"/hub/milestones/{mine.pk}/close/", follow=True)
    html = response.content.decode()
    assert "we won&#x27;t offer this milestone again" in html
    assert "Welcome path" not in html
    mine.refresh_from_db()
    assert mine.closed_at is not None


def test_the_first_month_is_offered_from_day_thirty(client, advocate):
    template = _template()
    advocate.start_date = timezone.localdate() - timedelta(days=35)
    advocate.save()
    html = client.get("/hub/").content.decode()
    assert "You completed your first month — share it in your own words" in html
    prompt = MilestonePrompt.objects.get(
        employee=advocate, kind=MilestonePrompt.Kind.FIRST_MONTH
    )
    form = client.get(
        f"/hub/posts/{template.pk}/share/?milestone={prompt.pk}"
    ).content.decode()
    assert "Today I completed my first month at Brisa." in form
