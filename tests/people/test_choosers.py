"""Admin choosers and lookups show people only to those who may see People."""

from __future__ import annotations

import pytest
from django.test import Client

from people import roles
from tests.factories import EmployeeFactory, UserFactory, admin_ready
from tests.urlconf import every_url

pytestmark = pytest.mark.django_db

LOOKUP_WORDS = ("choose", "chooser", "autocomplete", "/api/", "search")


@pytest.fixture
def planted():
    """Someone whose name and email must not leak to Communications."""
    return EmployeeFactory(
        user=UserFactory(email="zacarias.planted@example.com"),
        full_name="Zacarías Plantado",
        job_title="Confidential role",
    )


def _admin_client(role: str) -> Client:
    user = UserFactory(roles=[role])
    EmployeeFactory(user=user)
    # Some of Wagtail's lookups fail on made-up ids; only leaks matter here.
    client = Client(HTTP_ACCEPT_LANGUAGE="en", raise_request_exception=False)
    client.force_login(admin_ready(user))
    return client


def test_communications_cannot_list_or_pick_people(planted):
    client = _admin_client(roles.COMMS_APPROVER)
    for url in [
        "/admin/employee_chooser/",
        "/admin/employee_chooser/results/?q=Zacar",
        f"/admin/employee_chooser/chosen/{planted.pk}/",
        f"/admin/employee_chooser/chosen-multiple/?id={planted.pk}",
    ]:
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Plantado" not in response.content.decode(), url


def test_hr_editors_still_pick_people(planted):
    client = _admin_client(roles.HR_EDITOR)
    response = client.get("/admin/employee_chooser/results/?q=Zacar")
    assert response.status_code == 200
    assert "Zacarías Plantado" in response.content.decode()
    response = client.get(f"/admin/employee_chooser/chosen/{planted.pk}/")
    assert response.json()["result"]["title"] == "Zacarías Plantado"


def test_no_admin_lookup_shows_people_to_communications(planted):
    client = _admin_client(roles.COMMS_APPROVER)
    pk = str(planted.pk)
    query = {"q": "Zacar", "query": "Zacar", "term": "Zacar", "id": pk}
    leaks = []
    checked = 0
    for url, _view in every_url(IntConverter=pk, StringConverter=pk):
        if not url.startswith("/admin/") or not any(w in url for w in LOOKUP_WORDS):
            continue
        checked += 1
        response = client.get(url, query)
        body = response.content.decode(errors="replace")
        if any(s in body for s in ("Plantado", "zacarias.planted", "Confidential")):
            leaks.append((url, response.status_code))
    assert checked > 20
    assert leaks == []
