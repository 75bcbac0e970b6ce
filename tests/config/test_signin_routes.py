"""Only allauth signs people in: every other address refuses credentials."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.contrib.auth.views import LoginView
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.urls import reverse
from wagtail.admin.forms.pages import PageViewRestrictionForm
from wagtail.models import PageViewRestriction

from identity.models import CulturePage, HomePage
from people import roles
from tests.factories import PASSWORD, EmployeeFactory, UserFactory, admin_ready
from tests.urlconf import every_url

pytestmark = pytest.mark.django_db


def _credentials(user) -> dict[str, str]:
    """A sign-in form as any login view would name its fields."""
    return {
        name: value
        for prefix in ("", "auth-", "login-")
        for name, value in {
            f"{prefix}username": user.email,
            f"{prefix}email": user.email,
            f"{prefix}login": user.email,
            f"{prefix}password": PASSWORD,
            f"{prefix}password1": PASSWORD,
            f"{prefix}password2": PASSWORD,
        }.items()
    } | {"remember": "on", "next": "/"}


def _signed_in_as(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


@pytest.fixture
def people():
    plain = EmployeeFactory(user=UserFactory(email="plain@example.com")).user
    with_mfa = admin_ready(
        UserFactory(email="mfa@example.com", roles=[roles.ADMINISTRATOR])
    )
    EmployeeFactory(user=with_mfa)
    return plain, with_mfa


def test_the_walk_reaches_every_kind_of_address():
    urls = dict(every_url())
    assert len(urls) > 300
    assert "/_util/login/" in urls
    assert "/admin/people/edit/987654/" in urls
    assert any(view.startswith("allauth.") for view in urls.values())


def test_no_address_but_allauths_signs_in_a_visitor_with_a_password(people):
    signed_in = []
    for url, view in every_url():
        if view.startswith("allauth."):
            continue
        for user in people:
            client = Client(raise_request_exception=False)
            client.post(url, _credentials(user))
            if _signed_in_as(client) is not None:
                signed_in.append((url, user.email))
    assert signed_in == []


def test_no_address_but_allauths_swaps_a_signed_in_session_for_someone_else(people):
    plain, with_mfa = people
    switched = []
    for url, view in every_url():
        if view.startswith("allauth."):
            continue
        client = Client(raise_request_exception=False)
        client.force_login(with_mfa)
        client.post(url, _credentials(plain))
        if _signed_in_as(client) not in {None, str(with_mfa.pk)}:
            switched.append(url)
    assert switched == []


def test_allauth_still_asks_a_person_with_mfa_for_the_code(client, people):
    _plain, with_mfa = people
    response = client.post(
        reverse("account_login"), {"login": with_mfa.email, "password": PASSWORD}
    )
    assert response["Location"] == reverse("mfa_authenticate")
    assert _signed_in_as(client) is None


def test_wagtails_private_page_sign_in_leads_to_allauth_and_refuses_a_post(
    client, people
):
    plain, _with_mfa = people
    response = client.get("/_util/login/?next=/private/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/private/"

    response = client.post(
        "/_util/login/", {"username": plain.email, "password": PASSWORD}
    )
    assert response.status_code == 405
    assert _signed_in_as(client) is None


def _culture_page() -> CulturePage:
    home = HomePage.objects.get(locale__language_code="es")
    page = home.add_child(instance=CulturePage(title="Dirección", slug="direccion"))
    page.save_revision().publish()
    return page


def test_a_page_for_one_group_sends_others_to_allauths_sign_in(client, people):
    plain, _with_mfa = people
    page = _culture_page()
    restriction = PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.set([Group.objects.get(name=roles.HR_EDITOR)])
    client.force_login(plain)
    response = client.get(page.url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_a_login_view_that_skips_allauth_gets_no_session(people):
    """The mechanism, not the route: even if some address reached Django's own
    login view, its sign-in would be undone."""
    plain, _with_mfa = people
    request = RequestFactory().post(
        "/anywhere/", {"username": plain.email, "password": PASSWORD}
    )
    SessionMiddleware(lambda request: None).process_request(request)
    request._dont_enforce_csrf_checks = True
    with pytest.raises(PermissionDenied):
        LoginView.as_view()(request)
    assert "_auth_user_id" not in request.session
    assert not request.user.is_authenticated


def test_a_shared_page_password_opens_nothing(client, people):
    plain, _with_mfa = people
    page = _culture_page()
    restriction = PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.PASSWORD, password="secreto"
    )
    client.force_login(plain)
    response = client.post(
        f"/_util/authenticate_with_password/{restriction.pk}/{page.pk}/",
        {"password": "secreto", "return_url": page.url},
    )
    assert response.status_code == 403
    assert "Shared passwords are not used here" in response.content.decode()
    passed = client.session.get(
        PageViewRestriction.passed_view_restrictions_session_key, []
    )
    assert restriction.pk not in passed
    assert PageViewRestriction.PASSWORD not in dict(
        PageViewRestrictionForm(private_page_options=["password", "login", "groups"])
        .fields["restriction_type"]
        .choices
    )


def test_a_shared_document_password_opens_nothing(client, people):
    from wagtail.models import Collection, CollectionViewRestriction

    plain, _with_mfa = people
    restriction = CollectionViewRestriction.objects.create(
        collection=Collection.get_first_root_node(),
        restriction_type=CollectionViewRestriction.PASSWORD,
        password="secreto",
    )
    client.force_login(plain)
    response = client.post(
        f"/documents/authenticate_with_password/{restriction.pk}/",
        {"password": "secreto", "return_url": "/"},
    )
    assert response.status_code == 403
    passed = client.session.get(
        CollectionViewRestriction.passed_view_restrictions_session_key, []
    )
    assert restriction.pk not in passed
