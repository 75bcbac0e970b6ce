"""The same share submitted many times at once is stored, counted and rewarded once."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from advocacy import rewards
from advocacy.models import (
    Badge,
    BadgeAward,
    Campaign,
    MilestonePrompt,
    Notification,
    PointsEntry,
    Share,
)
from advocacy.rewards import milestone_prompt_open
from advocacy.services import consent_opt_in, share_create, share_key
from advocacy.stats import posts_with_counts
from tests.concurrency import run_at_once
from tests.factories import EmployeeFactory

from .test_milestones import _template
from .test_sharing import _certify, _post

OWN_WORDS = "Trabajé dos años en este hotel y hoy abre: venid a vernos."


def _advocate():
    person = EmployeeFactory()
    _certify(person)
    consent_opt_in(employee=person)
    return person


def _campaign(**fields) -> Campaign:
    today = timezone.localdate()
    return Campaign.objects.create(
        name="Sevilla",
        slug="sevilla",
        starts_on=today - dt.timedelta(days=1),
        ends_on=today + dt.timedelta(days=7),
        target=10,
        **fields,
    )


@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_submissions_of_a_share_store_one():
    advocate = _advocate()
    campaign = _campaign()
    post = _post(campaign=campaign)
    url = f"/hub/posts/{post.pk}/share/"

    def submit() -> tuple[int, str]:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(advocate.user)
        response = client.post(url, {"network": "linkedin", "caption": OWN_WORDS})
        return response.status_code, response.content.decode()

    answers, errors = run_at_once(submit, times=50)

    assert errors == []
    share = Share.objects.get()
    # Every submission gets the normal answer, with the one link.
    assert [status for status, _html in answers] == [200] * 50
    links = {tuple(re.findall(r"/s/\w+", html)) for _status, html in answers}
    assert links == {(f"/s/{share.link.code}",) * len(next(iter(links)))}
    assert share.personalised
    assert (
        posts_with_counts(type(post).objects.filter(pk=post.pk)).get().share_count == 1
    )
    (progress,) = rewards.campaigns_progress(campaigns=[campaign])
    assert progress.value == 1
    assert rewards.points_total(employee=advocate) == 10  # a share, own words
    assert BadgeAward.objects.filter(employee=advocate).count() == 1
    assert Notification.objects.filter(user=advocate.user, kind="badge").count() == 1


@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_calls_return_the_same_share():
    advocate = _advocate()
    post = _post()
    shares, errors = run_at_once(
        lambda: share_create(
            employee=advocate, post=post, network="x", caption=OWN_WORDS
        ),
        times=50,
    )
    assert errors == []
    assert {share.pk for share in shares} == set(
        Share.objects.values_list("pk", flat=True)
    )
    assert Share.objects.count() == 1
    assert PointsEntry.objects.filter(employee=advocate).count() == 2
    assert BadgeAward.objects.filter(badge=Badge.FIRST_SHARE).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_milestone_shared_fifty_times_at_once_is_one_share():
    advocate = _advocate()
    template = _template()
    prompt = milestone_prompt_open(
        employee=advocate,
        kind=MilestonePrompt.Kind.PATH,
        ref="path:1",
        subject="Bienvenida",
    )
    shares, errors = run_at_once(
        lambda: share_create(
            employee=advocate,
            post=template,
            network="linkedin",
            caption="Tres semanas y ya me siento en casa.",
            prompt=prompt,
        ),
        times=50,
    )
    assert errors == []
    assert len({share.pk for share in shares}) == 1
    assert Share.objects.count() == 1


@pytest.mark.django_db
def test_sharing_again_the_same_day_updates_the_share_and_another_day_adds_one():
    advocate = _advocate()
    post = _post()
    first = share_create(employee=advocate, post=post, network="linkedin", caption="")
    assert not first.personalised and rewards.points_total(employee=advocate) == 5

    again = share_create(
        employee=advocate, post=post, network="linkedin", caption=OWN_WORDS
    )
    assert again.pk == first.pk and again.link == first.link
    first.refresh_from_db()
    assert first.caption == OWN_WORDS and first.personalised
    assert rewards.points_total(employee=advocate) == 10  # now in own words, once
    assert Share.objects.count() == 1

    # Yesterday's share of the same post: sharing today is a new share.
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Share.objects.filter(pk=first.pk).update(
        key=share_key(employee=advocate, post=post, network="linkedin", day=yesterday),
        created_at=timezone.now() - dt.timedelta(days=1),
    )
    later = share_create(
        employee=advocate, post=post, network="linkedin", caption=OWN_WORDS
    )
    assert later.pk != first.pk and later.link == first.link
    assert Share.objects.count() == 2
    assert rewards.points_total(employee=advocate) == 10  # the same post, no more
