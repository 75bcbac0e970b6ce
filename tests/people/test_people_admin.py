from __future__ import annotations

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from people import imports, roles
from people.models import Employee, Invitation, PeopleImport
from tests.factories import PASSWORD, EmployeeFactory, UserFactory, admin_ready

pytestmark = pytest.mark.django_db

PEOPLE_URL = "/admin/people/"
IMPORT_URL = "/admin/people-import/"

GOOD_FILE = (
    "email;full_name;department;team;manager_email;start_date\n"
    "jefa@example.com;Jefa Uno;Ventas;Norte;;2024-01-08\n"
    "rep@example.com;Rep Dos;Ventas;Norte;jefa@example.com;2024-02-05\n"
)


@pytest.fixture
def comms_approver(db):
    user = UserFactory(email="comms@example.com", roles=[roles.COMMS_APPROVER])
    EmployeeFactory(user=user, full_name="Carla Comms")
    return admin_ready(user)


def _upload(client, text: str, name: str = "people.csv"):
    return client.post(
        IMPORT_URL,
        {"file": SimpleUploadedFile(name, text.encode("utf-8-sig"), "text/csv")},
    )


# Import screens --------------------------------------------------------------


def test_hr_editor_sees_the_import_menu_item_and_upload_form(hr_client):
    response = hr_client.get("/admin/")
    assert IMPORT_URL in response.content.decode()
    assert PEOPLE_URL in response.content.decode()

    response = hr_client.get(IMPORT_URL)
    assert response.status_code == 200
    assert 'type="file"' in response.content.decode()


def test_uploading_a_file_imports_it_and_the_status_page_shows_the_counts(
    hr_client, hr_editor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(hr_client, GOOD_FILE, "altas.csv")

    people_import = PeopleImport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("people_import_status", args=[people_import.pk])
    assert people_import.uploaded_by == hr_editor.user

    page = hr_client.get(response.url).content.decode()
    assert "The import is done." in page
    assert '<dd data-count="created">2</dd>' in page
    assert '<dd data-count="updated">0</dd>' in page
    assert "hx-get" not in page  # finished: no more polling
    rep = Employee.objects.get(user__email="rep@example.com")
    assert rep.manager.user.email == "jefa@example.com"
    assert sorted(m.to[0] for m in mail.outbox) == [
        "jefa@example.com",
        "rep@example.com",
    ]


def test_uploading_a_bad_file_lists_the_row_errors_and_imports_nothing(
    hr_client, django_capture_on_commit_callbacks
):
    bad = GOOD_FILE + "sin-arroba;Tres;Ventas;;;2024-13-45\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(hr_client, bad)

    page = hr_client.get(response.url).content.decode()
    assert "Nothing was imported" in page
    assert "Row 4: " in page
    assert "&quot;sin-arroba&quot; is not a valid email address." in page
    assert "2024-13-45" in page
    assert PeopleImport.objects.get().status == PeopleImport.Status.FAILED
    assert not Employee.objects.filter(user__email="jefa@example.com").exists()
    assert mail.outbox == []


def test_uploading_a_file_that_is_not_utf8_is_refused_on_the_form(hr_client):
    response = hr_client.post(
        IMPORT_URL,
        {"file": SimpleUploadedFile("x.csv", "email\nñ@x.es\n".encode("latin-1"))},
    )
    assert response.status_code == 200
    assert "not UTF-8" in response.content.decode()
    assert not PeopleImport.objects.exists()


def test_status_page_polls_a_progress_bar_while_the_import_runs(hr_client, hr_editor):
    people_import = PeopleImport.objects.create(
        content="email,full_name\n",
        file_name="grande.csv",
        uploaded_by=hr_editor.user,
        status=PeopleImport.Status.RUNNING,
    )
    cache.set(
        imports.people_import_progress_key(people_import_id=people_import.pk),
        {"phase": imports.VALIDATING, "done": 500, "total": 2000},
    )
    progress_url = reverse("people_import_progress", args=[people_import.pk])

    page = hr_client.get(reverse("people_import_status", args=[people_import.pk]))
    html = page.content.decode()
    assert "vendor/htmx/htmx.min.js" in html
    assert f'hx-get="{progress_url}"' in html
    assert 'hx-trigger="every 1s"' in html
    assert '<progress max="2000" value="500">' in html
    assert "Checking rows: 500 of 2000." in html

    cache.set(
        imports.people_import_progress_key(people_import_id=people_import.pk),
        {"phase": imports.WRITING, "done": 1500, "total": 2000},
    )
    fragment = hr_client.get(progress_url).content.decode()
    assert '<progress max="2000" value="1500">' in fragment
    assert "Saving people: 1500 of 2000 rows." in fragment
    assert "<html" not in fragment


# People screens ---------------------------------------------------------------


def test_hr_editor_lists_searches_and_filters_people(hr_client):
    EmployeeFactory(user=UserFactory(email="zoe@example.com"), full_name="Zoe Alba")
    EmployeeFactory(
        user=UserFactory(email="yago@example.com"),
        full_name="Yago Bravo",
        status=Employee.Status.LEFT,
    )

    page = hr_client.get(PEOPLE_URL).content.decode()
    assert "Zoe Alba" in page and "yago@example.com" in page

    page = hr_client.get(PEOPLE_URL, {"q": "zoe@"}).content.decode()
    assert "Zoe Alba" in page and "Yago Bravo" not in page

    page = hr_client.get(PEOPLE_URL, {"status": "left"}).content.decode()
    assert "Yago Bravo" in page and "Zoe Alba" not in page


def _form_data(employee: Employee | None = None, **changes) -> dict:
    data = {
        "email": employee.user.email if employee else "",
        "full_name": employee.full_name if employee else "",
        "preferred_name": "",
        "preferred_language": "es",
        "department": "",
        "team": "",
        "job_title": "",
        "location": "",
        "manager": (employee.manager_id or "") if employee else "",
        "buddy": "",
        "start_date": "2026-01-12",
        "status": "active",
        "timezone": "Europe/Madrid",
    }
    data.update(changes)
    return data


def test_hr_editor_creates_a_person_who_can_then_be_invited(hr_client):
    response = hr_client.post(
        f"{PEOPLE_URL}new/",
        _form_data(email="Nueva@Example.com", full_name="Nueva Persona"),
    )
    assert response.status_code == 302
    person = Employee.objects.get(user__email="nueva@example.com")
    assert person.full_name == "Nueva Persona"
    assert person.user.groups.filter(name=roles.EMPLOYEE).exists()


def test_creating_a_person_with_a_taken_email_shows_the_error(hr_client, employee):
    response = hr_client.post(
        f"{PEOPLE_URL}new/", _form_data(email="ANA@example.com", full_name="Otra Ana")
    )
    assert response.status_code == 200
    assert "A user with this email already exists." in response.content.decode()
    assert Employee.objects.filter(user__email="ana@example.com").count() == 1


def test_editing_a_manager_into_a_cycle_shows_the_form_error_and_changes_nothing(
    hr_client,
):
    top = EmployeeFactory(full_name="Top Boss")
    middle = EmployeeFactory(full_name="Middle Manager", manager=top)
    bottom = EmployeeFactory(full_name="Bottom Person", manager=middle)

    response = hr_client.post(
        f"{PEOPLE_URL}edit/{top.pk}/",
        _form_data(top, manager=bottom.pk, job_title="CEO"),
    )

    assert response.status_code == 200
    assert "reporting cycle" in response.content.decode()
    top.refresh_from_db()
    assert top.manager is None and top.job_title == ""


def test_hr_editor_changes_an_email_only_after_reauthenticating(
    hr_client, employee, django_capture_on_commit_callbacks
):
    from allauth.account.models import EmailAddress

    person = Client()
    person.force_login(employee.user)
    edit_url = f"{PEOPLE_URL}edit/{employee.pk}/"

    response = hr_client.post(
        edit_url,
        _form_data(
            employee,
            email="ana.ruiz@example.com",
            job_title="Diseñadora",
            preferred_language="en",  # the notice goes out in Ana's language
        ),
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    employee.refresh_from_db()
    assert employee.user.email == "ana@example.com" and employee.job_title == ""

    # The password once more, and allauth replays the edit.
    with django_capture_on_commit_callbacks(execute=True):
        response = hr_client.post(response["Location"], {"password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == PEOPLE_URL
    employee.refresh_from_db()
    assert employee.job_title == "Diseñadora"
    assert employee.user.email == "ana.ruiz@example.com"
    # allauth knows only the new address, not verified until it is proven.
    assert list(
        EmailAddress.objects.filter(user=employee.user).values_list("email", "verified")
    ) == [("ana.ruiz@example.com", False)]
    (message,) = mail.outbox
    assert message.to == ["ana@example.com"]
    assert message.subject == "Your sign-in email for Cimientos has changed"
    assert "ana.ruiz@example.com" in message.body
    assert "Helena Ramos changed it on" in message.body
    # Ana is signed out everywhere.
    assert person.get("/")["Location"].startswith("/accounts/login/")


def test_editing_a_profile_without_touching_the_email_needs_no_reauthentication(
    hr_client, employee
):
    response = hr_client.post(
        f"{PEOPLE_URL}edit/{employee.pk}/",
        _form_data(employee, job_title="Diseñadora"),
    )
    assert response.status_code == 302
    assert response["Location"] == PEOPLE_URL
    employee.refresh_from_db()
    assert employee.job_title == "Diseñadora"
    assert mail.outbox == []


def test_invite_asks_for_confirmation_then_emails_a_sign_in_link(
    hr_client, employee, django_capture_on_commit_callbacks
):
    invite_url = f"{PEOPLE_URL}invite/{employee.pk}/"
    assert invite_url in hr_client.get(PEOPLE_URL).content.decode()

    confirm = hr_client.get(invite_url)
    assert confirm.status_code == 200
    assert "Yes, send the invitation" in confirm.content.decode()
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        response = hr_client.post(invite_url)

    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == ["ana@example.com"]
    assert "http://testserver/people/invitation/" in message.body
    assert Invitation.objects.get().employee == employee
    page = hr_client.get(response.url).content.decode()
    assert "Invitation sent to ana@example.com." in page


# Refusals ---------------------------------------------------------------------


REFUSED_URLS = [
    IMPORT_URL,
    PEOPLE_URL,
    f"{PEOPLE_URL}new/",
    f"{PEOPLE_URL}edit/{{pk}}/",
    f"{PEOPLE_URL}invite/{{pk}}/",
]


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_an_employee_without_an_admin_role_is_refused(client, employee, url):
    other = EmployeeFactory()
    client.force_login(employee.user)
    response = client.get(url.format(pk=other.pk))
    assert response.status_code == 403


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_a_communications_approver_is_refused(client, comms_approver, url):
    other = EmployeeFactory()
    client.force_login(comms_approver)
    response = client.get(url.format(pk=other.pk))
    assert response.status_code == 403


def test_a_communications_approver_cannot_import_or_invite_by_post(
    client, comms_approver, django_capture_on_commit_callbacks
):
    other = EmployeeFactory()
    client.force_login(comms_approver)
    with django_capture_on_commit_callbacks(execute=True):
        upload = _upload(client, GOOD_FILE)
        invite = client.post(f"{PEOPLE_URL}invite/{other.pk}/")
    assert upload.status_code == invite.status_code == 403
    assert not PeopleImport.objects.exists()
    assert mail.outbox == []


def test_a_communications_approver_sees_no_people_in_the_admin_menu(
    client, comms_approver
):
    client.force_login(comms_approver)
    page = client.get("/admin/").content.decode()
    assert PEOPLE_URL not in page
    assert IMPORT_URL not in page
