from __future__ import annotations

import pytest

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_switching_to_spanish_saves_the_preference_and_translates_the_page(
    client, employee
):
    client.post("/accounts/login/", {"login": "ana@example.com", "password": PASSWORD})
    assert "Hello, Ana" in client.get("/").content.decode()

    response = client.post(
        "/people/language/", {"language": "es", "next": "/"}, follow=True
    )
    page = response.content.decode()
    assert '<html lang="es">' in page
    assert "Hola, Ana" in page
    employee.refresh_from_db()
    assert employee.preferred_language == "es"

    # The profile wins over the browser's Accept-Language on the next visit.
    assert "Hola, Ana" in client.get("/").content.decode()


def test_anonymous_language_switch_uses_a_cookie(client):
    response = client.post("/people/language/", {"language": "es"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "es"
    page = client.get("/accounts/login/").content.decode()
    assert '<html lang="es">' in page


def test_unknown_language_changes_nothing(client, employee):
    client.force_login(employee.user)
    response = client.post("/people/language/", {"language": "fr"})
    assert response.status_code == 400
    employee.refresh_from_db()
    assert employee.preferred_language == "en"


def test_language_switch_never_redirects_off_site(client, employee):
    client.force_login(employee.user)
    response = client.post(
        "/people/language/", {"language": "en", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"
