from __future__ import annotations

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.utils import timezone

from people import services
from people.models import Invitation

pytestmark = pytest.mark.django_db


def _link(message) -> str:
    match = re.search(r"https?://\S+(/people/invitation/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


@pytest.fixture
def new_hire(db):
    return services.employee_create(
        email="nuevo@example.com", full_name="Nuevo Fichaje", preferred_language="es"
    )


def test_invitation_email_is_sent_after_commit_in_the_persons_language(
    new_hire, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_send(employee=new_hire)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nuevo@example.com"]
    assert "Cimientos" in message.subject
    assert "/people/invitation/" in message.body


def test_invitation_link_signs_in_without_a_password_and_only_once(
    client, new_hire, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_send(employee=new_hire)
    link = _link(mail.outbox[0])

    # Following the link (as a mail scanner would) uses nothing up.
    page = client.get(link)
    assert page.status_code == 200
    assert "_auth_user_id" not in client.session

    response = client.post(link, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert client.session["_auth_user_id"] == str(new_hire.user.pk)
    assert EmailAddress.objects.get(user=new_hire.user).verified

    client.logout()
    assert client.post(link).status_code == 404
    assert "_auth_user_id" not in client.session


def test_expired_invitation_is_refused_with_a_way_forward(
    client, new_hire, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_send(employee=new_hire)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.post(_link(mail.outbox[0]))
    assert response.status_code == 404
    assert "sign-in code" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_made_up_token_is_refused(client):
    assert client.get("/people/invitation/not-a-real-token/").status_code == 404


def test_only_a_hash_of_the_token_is_stored(
    new_hire, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_send(employee=new_hire)
    token = _link(mail.outbox[0]).rstrip("/").rsplit("/", 1)[-1]
    assert not Invitation.objects.filter(token_hash=token).exists()
