from __future__ import annotations

import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.core import mail
from django.urls import reverse

from people import roles
from people.models import Employee
from tests.factories import PASSWORD, EmployeeFactory, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def test_anonymous_home_redirects_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_password_sign_in_lands_on_home_with_a_greeting(client, employee):
    response = client.post(
        LOGIN, {"login": "ANA@example.com", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/"
    assert "Hello, Ana" in response.content.decode()


def test_wrong_password_is_refused_with_a_message(client, employee):
    response = client.post(LOGIN, {"login": "ana@example.com", "password": "nope"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "not correct" in response.content.decode()


def test_unverified_email_cannot_sign_in_with_password(client):
    EmployeeFactory(user=UserFactory(email="new@example.com", verified=False))
    response = client.post(
        LOGIN, {"login": "new@example.com", "password": PASSWORD}, follow=True
    )
    assert "_auth_user_id" not in client.session
    assert "verif" in response.content.decode().lower()
    assert len(mail.outbox) == 1  # the verification email


def _code_from(message) -> str:
    match = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", message.body, re.MULTILINE)
    assert match, message.body
    return match.group(1)


def test_login_by_code_signs_in_without_a_password(client, employee):
    response = client.post(
        reverse("account_request_login_code"), {"email": "ana@example.com"}
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "Hello from Cimientos!" in mail.outbox[0].body
    code = _code_from(mail.outbox[0])
    response = client.post(
        reverse("account_confirm_login_code"), {"code": code}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/"
    assert client.session["_auth_user_id"] == str(employee.user.pk)


def test_password_reset_does_not_reveal_whether_an_account_exists(client, employee):
    known = client.post(reverse("account_reset_password"), {"email": "ana@example.com"})
    unknown = client.post(
        reverse("account_reset_password"), {"email": "nobody@example.com"}
    )
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    # Both get an email; only the real one carries a reset link.
    assert [m.to for m in mail.outbox] == [["ana@example.com"], ["nobody@example.com"]]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
    assert "/accounts/password/reset/key/" not in mail.outbox[1].body


def test_repeated_failed_sign_ins_get_429(client, employee):
    statuses = [
        client.post(LOGIN, {"login": "ana@example.com", "password": "bad"}).status_code
        for _ in range(6)
    ]
    assert statuses[:5] == [200] * 5
    assert statuses[5] == 429
    # Even the right password is refused while the limit holds.
    response = client.post(LOGIN, {"login": "ana@example.com", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_public_sign_up_is_closed(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "me@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert "closed" in response.content.decode().lower()
    assert not Employee.objects.exists()


def test_employee_is_refused_at_admin(client, employee):
    client.force_login(employee.user)
    response = client.get("/admin/")
    assert response.status_code == 403
    assert "not available to you" in response.content.decode()


def test_anonymous_admin_goes_to_the_one_sign_in_page(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    response = client.get("/admin/login/?next=/admin/pages/")
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/admin/pages/"


def test_hr_editor_without_mfa_is_sent_to_set_it_up(client, hr_editor):
    client.post(LOGIN, {"login": "hr@example.com", "password": PASSWORD})
    response = client.get("/admin/")
    assert response["Location"] == reverse("mfa_activate_totp")
    # Setting up a second factor asks for the password once more (allauth's
    # protection against a borrowed session), then shows the set-up form.
    response = client.get(response["Location"], follow=True)
    reauth_url, _status = response.redirect_chain[-1]
    assert reauth_url.startswith(reverse("account_reauthenticate"))
    assert "two-factor authentication" in response.content.decode()
    response = client.post(reauth_url, {"password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("mfa_activate_totp")
    assert "Authenticator" in response.content.decode()
    # Still no admin until it is done.
    assert client.get("/admin/")["Location"] == reverse("mfa_activate_totp")


def _activate_totp(user) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def test_hr_editor_with_totp_signs_in_with_a_code_and_reaches_admin(client, hr_editor):
    secret = _activate_totp(hr_editor.user)
    response = client.post(
        LOGIN, {"login": "hr@example.com", "password": PASSWORD, "next": "/admin/"}
    )
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    counter = next(iter(yield_hotp_counters_from_time()))
    code = format_hotp_value(hotp_value(secret, counter))
    response = client.post(reverse("mfa_authenticate"), {"code": code}, follow=True)
    assert response.redirect_chain[-1][0] == "/admin/"
    assert response.status_code == 200
    assert Authenticator.objects.filter(user=hr_editor.user).exists()


def test_admin_roles_only(db):
    for role in roles.ADMIN_ROLES:
        user = UserFactory(roles=[role])
        assert user.has_perm("wagtailadmin.access_admin"), role
    for role in [roles.EMPLOYEE, roles.MANAGER]:
        user = UserFactory(roles=[role])
        assert not user.has_perm("wagtailadmin.access_admin"), role


@pytest.mark.parametrize(
    ("language", "dashboard"), [("en", "Dashboard"), ("es", "Panel")]
)
def test_admin_speaks_the_language_of_the_persons_profile(
    client, hr_editor, language, dashboard
):
    _activate_totp(hr_editor.user)
    hr_editor.preferred_language = language
    hr_editor.save()
    client.force_login(hr_editor.user)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert f'lang="{language}"' in response.content.decode()
    assert f"<title>{dashboard}" in response.content.decode()
