"""Notifications: sentences in the reader's language, unread until marked."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from advocacy.models import Notification
from advocacy.services import notification_send
from people.context_processors import navigation
from tests.factories import EmployeeFactory, UserFactory

from .test_sharing import _post

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(client):
    employee = EmployeeFactory(user=UserFactory(email="noa@example.com"))
    client.force_login(employee.user)
    return employee


def _notify(user, kind, **data):
    return notification_send(user=user, kind=kind, data=data)


def test_notifications_read_as_sentences_newest_first_with_unread_marked(
    client, person
):
    post = _post(title="Abrimos en Sevilla")
    _notify(
        person.user, "reacknowledge", module=999999, title="Código", due="2026-05-04"
    )
    _notify(person.user, "badge", badge="first_share")
    _notify(
        person.user, "suggestion", post=post.pk, title="Nuestro blog", approved=False
    )
    _notify(person.user, "suggestion", post=post.pk, title="Abrimos", approved=True)
    _notify(
        person.user,
        "click_milestone",
        clicks=10,
        network="linkedin",
        post=post.pk,
        title=post.title,
    )
    html = client.get("/hub/notifications/").content.decode()
    sentences = [
        "Your link on LinkedIn for “Abrimos en Sevilla” reached 10 clicks",
        "Your suggestion “Abrimos” was approved and is in the hub",
        "Your suggestion “Nuestro blog” was not approved this time",
        "You earned the badge “First share”",
        "A policy changed: please read “Código” again and accept it by May 4, 2026",
    ]
    positions = [html.index(sentence) for sentence in sentences]
    assert positions == sorted(positions)  # newest first
    assert f'href="/hub/#post-{post.pk}"' in html  # the live post is linked
    assert html.count(">Unread<") == 5
    assert "5 unread notifications" in html  # the nav's accessible label
    assert "does not mark anything as read" in html


def test_the_first_click_has_its_own_sentence(client, person):
    _notify(
        person.user, "click_milestone", clicks=1, network="x", post=None, title="Hola"
    )
    html = client.get("/hub/notifications/").content.decode()
    assert "Your link on X for “Hola” got its first click" in html


def test_opening_the_page_does_not_mark_and_mark_all_marks_only_mine(client, person):
    other = EmployeeFactory()
    _notify(person.user, "badge", badge="first_share")
    _notify(person.user, "badge", badge="clicks_100")
    theirs = _notify(other.user, "badge", badge="personal_10")
    client.get("/hub/notifications/")
    assert Notification.objects.filter(read_at__isnull=True).count() == 3

    response = client.post("/hub/notifications/read/", follow=True)
    html = response.content.decode()
    assert "All notifications are marked as read." in html
    assert "Everything is read." in html and ">Unread<" not in html
    assert not Notification.objects.filter(
        user=person.user, read_at__isnull=True
    ).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_one_notification_is_marked_and_nobody_elses_can_be(client, person):
    other = EmployeeFactory()
    mine = _notify(person.user, "badge", badge="first_share")
    also_mine = _notify(person.user, "badge", badge="clicks_100")
    theirs = _notify(other.user, "badge", badge="personal_10")

    client.post("/hub/notifications/read/", {"id": mine.pk})
    mine.refresh_from_db()
    also_mine.refresh_from_db()
    assert mine.read_at is not None and also_mine.read_at is None

    assert client.post("/hub/notifications/read/", {"id": theirs.pk}).status_code == 404
    assert client.post("/hub/notifications/read/", {"id": "x"}).status_code == 404
    assert client.get(f"/hub/notifications/{theirs.pk}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    html = client.get("/hub/notifications/").content.decode()
    assert "Ten shares in your own words" not in html


def test_one_notification_comes_with_the_unread_count_for_the_live_page(client, person):
    _notify(person.user, "badge", badge="first_share")
    new = _notify(person.user, "badge", badge="clicks_100")
    html = client.get(f"/hub/notifications/{new.pk}/").content.decode()
    assert html.startswith("<li")
    assert "You earned the badge “First 100 clicks”" in html
    assert 'data-unread-count="2"' in html
    assert 'data-unread-label="2 unread notifications"' in html


def test_notifications_page_by_twenty_and_say_when_there_are_none(client, person):
    html = client.get("/hub/notifications/").content.decode()
    assert "No notifications yet." in html
    assert "Mark all as read" not in html
    for n in range(25):
        _notify(person.user, "click_milestone", clicks=10, network="x", title=f"P{n}")
    first = client.get("/hub/notifications/").content.decode()
    assert first.count(">Unread<") == 20 and "Page 1 of 2" in first
    assert "“P24”" in first and "“P4”" not in first
    second = client.get("/hub/notifications/?page=2").content.decode()
    assert second.count(">Unread<") == 5 and "“P4”" in second


def test_the_unread_count_is_in_the_main_nav_on_every_page(client, person):
    html = client.get("/hub/leaderboard/").content.decode()
    assert 'id="nav-notifications"' in html and "unread notification" not in html
    _notify(person.user, "badge", badge="first_share")
    html = client.get("/hub/leaderboard/").content.decode()
    assert "(1 unread notification)" in html
    for _ in range(2):
        _notify(person.user, "badge", badge="clicks_100")
    html = client.get("/onboarding/").content.decode()
    assert "(3 unread notifications)" in html


def test_people_without_an_employee_record_get_no_notifications_link(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get("/hub/notifications/").status_code == 404


def test_the_unread_count_is_one_query_whatever_the_number(
    person, django_assert_num_queries
):
    counts = []
    for size in (1, 30):
        while Notification.objects.filter(user=person.user).count() < size:
            _notify(person.user, "badge", badge="first_share")
        request = RequestFactory().get("/")
        request.user = type(person.user).objects.get(pk=person.user.pk)
        with django_assert_num_queries(7) as captured:
            context = navigation(request)
        counts.append(len(captured))
        assert context["nav_unread"] == size
        notification_queries = [
            q for q in captured.captured_queries if "advocacy_notification" in q["sql"]
        ]
        assert len(notification_queries) == 1
    assert counts[0] == counts[1]
