"""Brand posts go live through Communications; only certified, opted-in people share."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override
from wagtail.models import WorkflowState

from advocacy.models import BrandPost, Share, TrackedLink
from advocacy.selectors import advocate_status, shareable_posts
from advocacy.services import (
    SharingRefused,
    consent_opt_in,
    consent_opt_out,
    share_create,
    tracked_link_get,
)
from onboarding.models import Certificate, Enrolment, PathPage
from people import roles
from tests.concurrency import run_at_once
from tests.factories import EmployeeFactory, UserFactory, admin_ready

pytestmark = pytest.mark.django_db

POST_FORM = {
    "title": "Abrimos en Sevilla",
    "commentary": "Nuestro nuevo hotel: cuéntalo con tus palabras.",
    "url": "https://brisa.example/sevilla?ref=news",
    "language": "es",
    "hashtags": "#Brisa",
    "caption_linkedin": "Ya abrimos en Sevilla.",
    "caption_x": "Ya abrimos en Sevilla.",
    "caption_facebook": "",
    "caption_whatsapp": "",
    "caption_mastodon": "",
    "caption_email": "",
}


def _post(**fields) -> BrandPost:
    return BrandPost.objects.create(**{**POST_FORM, "live": True, **fields})


def _certify(employee, *, days: int = 30) -> None:
    from identity.models import HomePage
    from onboarding.models import PathIndexPage

    home = HomePage.objects.get(locale__language_code="es")
    index = PathIndexPage.objects.first() or home.add_child(
        instance=PathIndexPage(title="Itinerarios", slug="itinerarios")
    )
    path = PathPage.objects.filter(grants_certification=True).first() or (
        index.add_child(
            instance=PathPage(
                title="Embajador", slug="embajador", grants_certification=True
            )
        )
    )
    enrolment, _ = Enrolment.objects.get_or_create(employee=employee, path=path)
    now = timezone.now()
    Certificate.objects.create(
        enrolment=enrolment,
        issued_at=now - timedelta(days=1),
        expires_at=now + timedelta(days=days),
        advocate=True,
    )


@pytest.fixture
def advocate(db):
    person = EmployeeFactory(full_name="Alba Embajadora")
    _certify(person)
    consent_opt_in(employee=person)
    return person


# --- Workflow -------------------------------------------------------------------------


def _act(client, user, post, action):
    client.force_login(user)
    state = WorkflowState.objects.get(object_id=str(post.pk), status="in_progress")
    url = reverse(
        "wagtailsnippets_advocacy_brandpost:workflow_action",
        args=[post.pk, action, state.current_task_state.pk],
    )
    return client.post(url, {"comment": ""})


def test_a_post_is_live_only_once_communications_approves(client, hr_editor):
    comms = admin_ready(
        UserFactory(email="comms@example.com", roles=[roles.COMMS_APPROVER])
    )
    editor = admin_ready(hr_editor.user)
    client.force_login(editor)
    response = client.post(
        reverse("wagtailsnippets_advocacy_brandpost:add"),
        {**POST_FORM, "action-submit": "1"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    post = BrandPost.objects.get(title="Abrimos en Sevilla")
    assert not post.live and not shareable_posts().exists()
    state = WorkflowState.objects.get(object_id=str(post.pk))
    assert state.workflow.name == "Communications approval"

    _act(client, editor, post, "approve")  # HR drafts, it cannot approve
    post.refresh_from_db()
    assert not post.live

    _act(client, comms, post, "approve")
    post.refresh_from_db()
    assert post.live
    assert list(shareable_posts()) == [post]


def test_links_must_be_web_links_and_captions_fit_each_network():
    post = BrandPost(
        **{**POST_FORM, "url": "javascript:alert(1)", "caption_x": "x" * 300}
    )
    with override("en"), pytest.raises(ValidationError) as error:
        post.full_clean()
    assert "Only http and https links can be shared." in error.value.message_dict["url"]
    assert "Too long for X" in error.value.message_dict["caption_x"][0]


# --- Who may share --------------------------------------------------------------------


def test_only_certified_opted_in_people_get_a_link(advocate):
    post = _post()
    never = EmployeeFactory()
    expired = EmployeeFactory()
    _certify(expired, days=-1)
    consent_opt_in(employee=expired)
    certified_only = EmployeeFactory()
    _certify(certified_only)
    for person in (never, expired, certified_only):
        with pytest.raises(SharingRefused):
            tracked_link_get(employee=person, post=post, network="linkedin")
    assert advocate_status(employee=expired).expired_certificate is not None
    assert not TrackedLink.objects.exists()

    link = tracked_link_get(employee=advocate, post=post, network="linkedin")
    assert tracked_link_get(employee=advocate, post=post, network="linkedin") == link
    assert len(link.code) == 10

    consent_opt_out(employee=advocate)
    with pytest.raises(SharingRefused):
        tracked_link_get(employee=advocate, post=post, network="x")
    assert TrackedLink.objects.filter(pk=link.pk).exists()  # past links stay


def test_unapproved_or_expired_posts_cannot_be_shared(advocate):
    draft = _post(live=False)
    gone = _post(expire_at=timezone.now() - timedelta(hours=1))
    for post in (draft, gone):
        with pytest.raises(SharingRefused):
            tracked_link_get(employee=advocate, post=post, network="linkedin")


# --- Captions -------------------------------------------------------------------------


def test_disclosure_is_always_added_and_copies_are_not_personal(advocate):
    post = _post()
    colleague = EmployeeFactory()
    _certify(colleague)
    consent_opt_in(employee=colleague)

    unchanged = share_create(
        employee=advocate,
        post=post,
        network="linkedin",
        caption="Ya abrimos en Sevilla.",
        hashtag="#EmpleadoDeBrisa",
    )
    assert unchanged.caption == "Ya abrimos en Sevilla. #EmpleadoDeBrisa"
    assert not unchanged.personalised

    own = share_create(
        employee=colleague,
        post=post,
        network="linkedin",
        caption="Trabajé dos años en este proyecto y hoy abre. #EmpleadoDeBrisa",
        hashtag="#EmpleadoDeBrisa",
    )
    assert own.personalised and own.caption.count("#EmpleadoDeBrisa") == 1

    copy = share_create(
        employee=advocate,
        post=post,
        network="x",
        caption="Trabajé dos años en este proyecto y hoy abre!",
        hashtag="#EmpleadoDeBrisa",
    )
    assert not copy.personalised
    assert Share.objects.count() == 3


# --- Concurrency ---------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_simultaneous_first_shares_make_one_link():
    person = EmployeeFactory()
    _certify(person)
    consent_opt_in(employee=person)
    post = _post()
    links, errors = run_at_once(
        lambda: tracked_link_get(employee=person, post=post, network="linkedin")
    )
    assert errors == []
    assert TrackedLink.objects.count() == 1
    assert {link.pk for link in links} == {TrackedLink.objects.get().pk}
