"""Redis down: the site keeps serving, signing in, sharing and approving.

Settings are those ``config/settings/base.py`` builds when ``REDIS_URL`` names a
Redis that is not there (a closed port), so these tests exercise the cache and
channel layer the site really runs with. They need no Redis, and run on SQLite
and on PostgreSQL alike.
"""

from __future__ import annotations

import importlib.util
import logging
import re
from pathlib import Path

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.core import mail
from django.test import Client
from django.urls import reverse

import config.settings
from advocacy.models import (
    Badge,
    BadgeAward,
    BrandPost,
    HubEvent,
    Notification,
    PointsEntry,
    Share,
)
from advocacy.services import consent_opt_in, notification_send
from identity.models import CultureIndexPage, HomePage
from people import roles
from tests.advocacy.test_sharing import POST_FORM, _act, _certify, _post
from tests.factories import PASSWORD, EmployeeFactory, UserFactory, admin_ready
from tests.faults.services import free_port

LOGIN = "/accounts/login/"


def settings_for_redis(url: str, monkeypatch) -> dict:
    """The Redis-dependent settings base.py builds for ``REDIS_URL=url``."""
    monkeypatch.setenv("REDIS_URL", url)
    base = Path(config.settings.__file__).with_name("base.py")
    spec = importlib.util.spec_from_file_location("cimientos_settings_probe", base)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {
        "REDIS_URL": module.REDIS_URL,
        "CACHES": module.CACHES,
        "CHANNEL_LAYERS": module.CHANNEL_LAYERS,
    }


@pytest.fixture
def redis_down(settings, monkeypatch) -> str:
    """The site configured for a Redis on a port where nothing listens."""
    url = f"redis://127.0.0.1:{free_port()}/0"
    for name, value in settings_for_redis(url, monkeypatch).items():
        setattr(settings, name, value)
    return url


def _signed_in(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def culture_url(transactional_db) -> str:
    """With a culture page, the navigation links to it: every page asks for
    the site's root paths, which Wagtail keeps in the cache. (Asked for
    before ``redis_down``, so its address is worked out while Redis is up.)"""
    home = HomePage.objects.get(locale__language_code="es")
    index = home.add_child(instance=CultureIndexPage(title="Quiénes somos", slug="qs"))
    index.save_revision().publish()
    return index.url


EVERYONE = [
    "/",
    "/onboarding/",
    "/hub/",
    "/hub/notifications/",
    "/hub/leaderboard/",
    "/hub/suggest/",
    "/insights/me/",
    "/values/",
    "/search/?q=hotel",
]


@pytest.mark.django_db(transaction=True)
def test_every_signed_in_page_of_each_role_answers_with_redis_down(
    culture_url, redis_down
):
    manager = EmployeeFactory(user=UserFactory(roles=[roles.MANAGER]))
    EmployeeFactory(manager=manager)
    people = {
        "employee": (EmployeeFactory().user, []),
        "manager": (manager.user, ["/insights/team/", "/onboarding/todo/"]),
        "HR editor": (
            admin_ready(UserFactory(roles=[roles.HR_EDITOR])),
            ["/admin/", "/admin/pages/"],
        ),
        "Communications": (
            admin_ready(UserFactory(roles=[roles.COMMS_APPROVER])),
            ["/admin/", "/admin/snippets/advocacy/brandpost/"],
        ),
        "Administrator": (
            admin_ready(UserFactory(roles=[roles.ADMINISTRATOR])),
            ["/admin/", "/admin/users/"],
        ),
    }
    answers = {}
    for role, (user, own_pages) in people.items():
        if not hasattr(user, "employee"):
            EmployeeFactory(user=user)
        client = _signed_in(user)
        for url in [*EVERYONE, culture_url, *own_pages]:
            answers[role, url] = client.get(url).status_code
    assert {key: status for key, status in answers.items() if status != 200} == {}


@pytest.mark.django_db(transaction=True)
def test_signing_in_with_a_password_works_with_redis_down(redis_down, client):
    EmployeeFactory(user=UserFactory(email="ana@example.com"), full_name="Ana Ruiz")
    response = client.post(
        LOGIN, {"login": "ana@example.com", "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/"
    assert "Hello, Ana" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_signing_in_by_code_works_with_redis_down(redis_down, client):
    employee = EmployeeFactory(user=UserFactory(email="ana@example.com"))
    response = client.post(
        reverse("account_request_login_code"), {"email": "ana@example.com"}
    )
    assert response.status_code == 302
    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", mail.outbox[0].body, re.M)
    response = client.post(
        reverse("account_confirm_login_code"), {"code": code.group(1)}, follow=True
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/"
    assert client.session["_auth_user_id"] == str(employee.user.pk)


@pytest.mark.django_db(transaction=True)
def test_signing_in_with_a_second_factor_reaches_the_admin_with_redis_down(
    redis_down, client
):
    user = UserFactory(email="hr@example.com", roles=[roles.HR_EDITOR])
    EmployeeFactory(user=user)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    response = client.post(
        LOGIN, {"login": "hr@example.com", "password": PASSWORD, "next": "/admin/"}
    )
    assert response["Location"] == reverse("mfa_authenticate")
    code = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
    response = client.post(reverse("mfa_authenticate"), {"code": code}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/admin/"


@pytest.mark.django_db(transaction=True)
def test_repeated_failed_sign_ins_still_get_429_with_redis_down(
    redis_down, client, caplog
):
    EmployeeFactory(user=UserFactory(email="ana@example.com"))
    with caplog.at_level(logging.WARNING, logger="config.cache"):
        statuses = [
            client.post(LOGIN, {"login": "ana@example.com", "password": "bad"})
            for _ in range(6)
        ]
        right = client.post(LOGIN, {"login": "ana@example.com", "password": PASSWORD})
    assert [r.status_code for r in statuses] == [200] * 5 + [429]
    assert right.status_code == 429
    # Said once for the outage, not once per request.
    outage = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(outage) == 1
    assert "rate limits count per process" in outage[0].getMessage()


@pytest.mark.django_db(transaction=True)
def test_healthz_answers_503_naming_redis_when_it_is_down(redis_down, client):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["redis"]
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["cache"]["service"] == "redis"
    assert body["checks"]["cache"]["ok"] is False
    assert body["checks"]["channel_layer"]["service"] == "redis"
    assert body["checks"]["channel_layer"]["ok"] is False


@pytest.mark.django_db(transaction=True)
def test_sharing_commits_and_answers_with_redis_down(redis_down):
    advocate = EmployeeFactory()
    _certify(advocate)
    consent_opt_in(employee=advocate)
    post = _post()
    client = _signed_in(advocate.user)
    response = client.post(
        f"/hub/posts/{post.pk}/share/",
        {"network": "linkedin", "caption": "Mi primer hotel con vistas, de verdad."},
    )
    assert response.status_code == 200
    share = Share.objects.get()
    assert f"/s/{share.link.code}" in response.content.decode()
    assert PointsEntry.objects.filter(employee=advocate).count() == 2
    assert BadgeAward.objects.filter(employee=advocate, badge=Badge.FIRST_SHARE)
    assert Notification.objects.filter(user=advocate.user, kind="badge").exists()
    # Stored for the sockets to replay once Redis is back.
    assert HubEvent.objects.filter(event="post.stats").exists()
    assert client.get("/hub/notifications/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_communications_approve_a_post_with_redis_down(redis_down, hr_editor):
    comms = admin_ready(UserFactory(roles=[roles.COMMS_APPROVER]))
    editor = admin_ready(hr_editor.user)
    client = _signed_in(editor)
    response = client.post(
        reverse("wagtailsnippets_advocacy_brandpost:add"),
        {**POST_FORM, "action-submit": "1"},
    )
    assert response.status_code == 302
    post = BrandPost.objects.get(title=POST_FORM["title"])

    response = _act(client, comms, post, "approve")
    assert response.status_code in (200, 302)
    post.refresh_from_db()
    assert post.live
    assert client.get("/admin/snippets/advocacy/brandpost/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_notification_is_stored_when_it_cannot_be_sent(redis_down, caplog):
    person = EmployeeFactory()
    with caplog.at_level(logging.WARNING, logger="advocacy.services"):
        for n in range(3):
            notification_send(user=person.user, kind="badge", data={"badge": str(n)})
    assert Notification.objects.filter(user=person.user).count() == 3
    assert HubEvent.objects.filter(event="notification").count() == 3
    unsent = [r for r in caplog.records if "cannot be sent" in r.getMessage()]
    assert len(unsent) == 1
