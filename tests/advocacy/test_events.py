"""Feed events when posts are published or leave, and stored notifications."""

from __future__ import annotations

import pytest
from django.conf import settings

from advocacy.models import BrandPost, HubEvent, Notification
from advocacy.services import consent_opt_in, notification_send
from tests.factories import EmployeeFactory

from .test_sharing import POST_FORM, _certify

# Events are stored when the work that raised them commits.
pytestmark = pytest.mark.django_db(transaction=True)


def test_publishing_and_unpublishing_a_post_raise_feed_events(client):
    post = BrandPost.objects.create(**{**POST_FORM, "live": False})
    post.save_revision().publish()
    published = HubEvent.objects.get(event="post.published")
    assert published.group == "hub" and published.data["post"] == post.pk

    reader = EmployeeFactory()
    _certify(reader)
    consent_opt_in(employee=reader)
    client.force_login(reader.user)
    card = client.get(f"/hub/posts/{post.pk}/card/").content.decode()
    assert f'id="post-{post.pk}"' in card and "Share" in card

    post.refresh_from_db()
    post.unpublish()
    expired = HubEvent.objects.get(event="post.expired")
    assert expired.pk > published.pk and expired.data == {"post": post.pk}
    assert client.get(f"/hub/posts/{post.pk}/card/").status_code == 404


def test_milestone_templates_are_not_announced_in_the_feed():
    post = BrandPost.objects.create(
        **{**POST_FORM, "live": False, "milestone_template": True}
    )
    post.save_revision().publish()
    assert not HubEvent.objects.filter(event="post.published").exists()


def test_notifications_are_stored_for_their_person_only():
    alba, lee = EmployeeFactory(), EmployeeFactory()
    notification_send(user=alba.user, kind="suggestion", data={"title": "Sevilla"})
    assert Notification.objects.get().user == alba.user
    event = HubEvent.objects.get(event="notification")
    assert event.group == f"person.{alba.user.pk}"
    assert not Notification.objects.filter(user=lee.user).exists()


def test_counters_count_shares_and_clicks_but_not_previews(client):
    from django.utils import timezone

    from advocacy.models import Click
    from advocacy.services import share_create
    from advocacy.stats import post_stats_publish

    post = BrandPost.objects.create(**{**POST_FORM, "live": True})
    alba = EmployeeFactory()
    _certify(alba)
    consent_opt_in(employee=alba)
    share = share_create(employee=alba, post=post, network="x", caption="Mío")
    shared = HubEvent.objects.filter(event="post.stats").latest("pk")
    assert shared.data == {"post": post.pk, "shares": 1, "clicks": 0}

    now = timezone.now()
    for visitor, preview in [("a", False), ("b", False), ("bot", True)]:
        Click.objects.create(
            link=share.link,
            at=now,
            day=now.date(),
            network="x",
            visitor=visitor,
            preview=preview,
        )
    post_stats_publish(link_ids=[share.link.pk])
    latest = HubEvent.objects.filter(event="post.stats").latest("pk")
    assert latest.data == {"post": post.pk, "shares": 1, "clicks": 2}

    client.force_login(alba.user)
    html = client.get("/hub/").content.decode()
    assert 'data-stat="shares">1<' in html and 'data-stat="clicks">2<' in html


@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="SQLite runs one writing transaction at a time: commit order is id order",
)
def test_event_ids_follow_commit_order_so_listeners_get_them_in_order():
    """A long transaction that raised an event first does not hold back a low id:
    ids are taken when work commits, so what a browser receives always goes up
    and "everything after the last id I saw" is exactly what it missed."""
    import threading

    from django.db import connection, transaction

    from advocacy.services import group_event_publish

    raised, release = threading.Event(), threading.Event()

    def long_work() -> None:
        try:
            with transaction.atomic():
                group_event_publish(groups=["hub"], event="test.long", data={})
                raised.set()
                release.wait(10)
        finally:
            connection.close()

    worker = threading.Thread(target=long_work)
    worker.start()
    assert raised.wait(10)
    group_event_publish(groups=["hub"], event="test.quick", data={})
    release.set()
    worker.join(10)
    quick = HubEvent.objects.get(event="test.quick")
    late = HubEvent.objects.get(event="test.long")
    assert quick.pk < late.pk


def test_scheduled_go_live_and_expiry_raise_feed_events():
    """Wagtail's scheduler (``publish_scheduled``) publishes and expires posts:
    open hubs hear of both."""
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    from advocacy.selectors import shareable_posts

    soon = BrandPost.objects.create(**{**POST_FORM, "live": False})
    soon.go_live_at = timezone.now() - timedelta(minutes=1)
    soon.save_revision(approved_go_live_at=soon.go_live_at)
    ending = BrandPost.objects.create(
        **{
            **POST_FORM,
            "title": "Fin de temporada",
            "url": "https://brisa.example/fin",
            "live": True,
            "expire_at": timezone.now() - timedelta(minutes=1),
        }
    )

    call_command("publish_scheduled")

    soon.refresh_from_db()
    assert soon.live and soon in shareable_posts()
    published = HubEvent.objects.get(event="post.published")
    assert published.data["post"] == soon.pk
    expired = HubEvent.objects.get(event="post.expired")
    assert expired.data == {"post": ending.pk}
