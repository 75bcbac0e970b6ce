"""Nobody changes who someone with more rights is: not by the People screen, an
invitation, a CSV import or Wagtail's Users screens."""

from __future__ import annotations

from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from people import imports, roles, selectors
from people.models import Employee, Invitation, User
from tests.factories import PASSWORD, EmployeeFactory, UserFactory, admin_ready

pytestmark = pytest.mark.django_db

PEOPLE_URL = "/admin/people/"


def _person(email: str, *role_names: str, superuser: bool = False) -> Employee:
    user = UserFactory(email=email, roles=list(role_names))
    if superuser:
        user.is_superuser = True
        user.save()
    return EmployeeFactory(user=admin_ready(user), full_name=email.split("@")[0])


@pytest.fixture
def administrator():
    return _person("admin@example.com", roles.ADMINISTRATOR)


@pytest.fixture
def admin_client(administrator) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(administrator.user)
    return client


def _edit_data(employee: Employee, **changes) -> dict:
    data = {
        "email": employee.user.email,
        "full_name": employee.full_name,
        "preferred_name": "",
        "preferred_language": employee.preferred_language,
        "department": "",
        "team": "",
        "job_title": "",
        "location": "",
        "manager": employee.manager_id or "",
        "buddy": "",
        "start_date": "2026-01-12",
        "status": employee.status,
        "timezone": employee.timezone,
    }
    return data | changes


# The rule ----------------------------------------------------------------------


def test_each_role_reaches_only_people_with_no_more_rights_than_itself(db):
    plain = _person("plain@example.com")
    manager = _person("manager@example.com", roles.MANAGER)
    hr = _person("hr@example.com", roles.HR_EDITOR)
    lead = _person("lead@example.com", roles.HR_LEAD)
    comms = _person("comms@example.com", roles.COMMS_APPROVER)
    admin = _person("admin@example.com", roles.ADMINISTRATOR)
    root = _person("root@example.com", superuser=True)
    everyone = [plain, manager, hr, lead, comms, admin, root]

    def reach(actor: Employee) -> set[str]:
        return {
            person.user.email
            for person in everyone
            if selectors.employee_manage_allowed(actor=actor.user, employee=person)
        }

    base = {"plain@example.com", "manager@example.com"}
    assert reach(hr) == base | {"hr@example.com"}
    assert reach(lead) == base | {"hr@example.com", "lead@example.com"}
    assert reach(comms) == base | {"comms@example.com"}
    assert reach(admin) == {p.user.email for p in everyone} - {"root@example.com"}
    assert reach(root) == {p.user.email for p in everyone}


def test_a_permission_given_to_one_person_puts_them_beyond_those_without_it(db):
    from django.contrib.auth.models import Permission

    hr = _person("hr@example.com", roles.HR_EDITOR)
    special = _person("special@example.com")
    special.user.user_permissions.add(Permission.objects.get(codename="delete_user"))
    assert not selectors.employee_manage_allowed(actor=hr.user, employee=special)


# The People screen -------------------------------------------------------------


def test_hr_editor_cannot_open_or_save_an_administrators_profile(
    hr_client, administrator
):
    url = f"{PEOPLE_URL}edit/{administrator.pk}/"
    page = hr_client.get(url)
    assert page.status_code == 403
    assert "admin has rights you do not have" in page.content.decode()

    response = hr_client.post(
        url,
        _edit_data(
            administrator, email="hr-owned@example.com", status=Employee.Status.LEFT
        ),
    )
    assert response.status_code == 403
    administrator.refresh_from_db()
    assert administrator.user.email == "admin@example.com"
    assert administrator.status == Employee.Status.ACTIVE


@pytest.mark.parametrize(
    "target", [(roles.HR_LEAD,), (roles.COMMS_APPROVER,), ()], ids=str
)
def test_hr_editor_cannot_change_people_with_other_admin_roles_or_superusers(
    hr_client, target
):
    person = _person("other@example.com", *target, superuser=not target)
    response = hr_client.post(
        f"{PEOPLE_URL}edit/{person.pk}/", _edit_data(person, job_title="Cambiado")
    )
    assert response.status_code == 403
    person.refresh_from_db()
    assert person.job_title == ""


def test_the_people_list_offers_no_edit_or_invite_for_people_beyond_reach(
    hr_client, administrator, employee
):
    page = hr_client.get(PEOPLE_URL).content.decode()
    assert f"{PEOPLE_URL}edit/{employee.pk}/" in page
    assert f"{PEOPLE_URL}invite/{employee.pk}/" in page
    assert f"{PEOPLE_URL}edit/{administrator.pk}/" not in page
    assert f"{PEOPLE_URL}invite/{administrator.pk}/" not in page
    assert "admin@example.com" in page  # still listed


def test_hr_editor_cannot_invite_an_administrator(
    hr_client, administrator, django_capture_on_commit_callbacks
):
    url = f"{PEOPLE_URL}invite/{administrator.pk}/"
    assert hr_client.get(url).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = hr_client.post(url)
    assert response.status_code == 403
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_administrator_changes_an_hr_editors_email_and_invites_them(
    admin_client, hr_editor, django_capture_on_commit_callbacks
):
    url = f"{PEOPLE_URL}edit/{hr_editor.pk}/"
    response = admin_client.post(url, _edit_data(hr_editor, email="helena@example.com"))
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(response["Location"], {"password": PASSWORD})
        response = admin_client.post(f"{PEOPLE_URL}invite/{hr_editor.pk}/")
    assert response.status_code == 302
    hr_editor.user.refresh_from_db()
    assert hr_editor.user.email == "helena@example.com"
    assert sorted(message.to[0] for message in mail.outbox) == [
        "helena@example.com",  # the invitation
        "hr@example.com",  # the old address is told
    ]


def test_the_old_address_is_told_in_the_persons_language(
    admin_client, employee, django_capture_on_commit_callbacks
):
    employee.preferred_language = "es"
    employee.save()
    response = admin_client.post(
        f"{PEOPLE_URL}edit/{employee.pk}/",
        _edit_data(employee, email="ana.nueva@example.com"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(response["Location"], {"password": PASSWORD})
    (message,) = mail.outbox
    assert message.to == ["ana@example.com"]
    with translation.override("es"):
        expected = translation.gettext("Your sign-in email for Cimientos has changed")
    assert message.subject == expected


def test_an_administrator_cannot_change_a_superuser(admin_client):
    root = _person("root@example.com", superuser=True)
    response = admin_client.post(
        f"{PEOPLE_URL}edit/{root.pk}/", _edit_data(root, email="mine@example.com")
    )
    assert response.status_code == 403
    root.user.refresh_from_db()
    assert root.user.email == "root@example.com"


# CSV import --------------------------------------------------------------------


IMPORT_HEADER = "email,full_name,manager_email,start_date,status"


def test_an_import_by_hr_cannot_mark_an_administrator_as_left_or_move_them(
    hr_editor, administrator, django_capture_on_commit_callbacks
):
    content = (
        f"{IMPORT_HEADER}\n"
        "nuevo@example.com,Nuevo,,2026-01-12,active\n"
        "admin@example.com,admin,hr@example.com,2026-01-12,left\n"
    )
    with (
        translation.override("en"),
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(imports.PeopleImportInvalid) as refused,
    ):
        imports.people_import_run(content=content, actor=hr_editor.user)

    (error,) = refused.value.errors
    assert error.row == 3
    assert "admin@example.com has rights you do not have" in error.message
    administrator.refresh_from_db()
    assert administrator.status == Employee.Status.ACTIVE
    assert administrator.manager is None
    assert not User.objects.filter(email="nuevo@example.com").exists()
    assert mail.outbox == []


def test_an_import_by_hr_may_list_an_administrator_without_changing_them(
    hr_editor, administrator
):
    content = (
        f"{IMPORT_HEADER}\n"
        "nuevo@example.com,Nuevo,admin@example.com,2026-01-12,active\n"
        "admin@example.com,admin,,2026-01-12,active\n"
    )
    result = imports.people_import_run(content=content, actor=hr_editor.user)
    assert (result.created, result.updated, result.unchanged) == (1, 0, 1)
    assert Employee.objects.get(user__email="nuevo@example.com").manager == (
        administrator
    )


def test_an_uploaded_import_acts_as_its_uploader(
    hr_client, administrator, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = f"{IMPORT_HEADER}\nadmin@example.com,admin,,2026-01-12,left\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = hr_client.post(
            "/admin/people-import/",
            {"file": SimpleUploadedFile("p.csv", content.encode(), "text/csv")},
        )
    page = hr_client.get(response.url).content.decode()
    assert "Nothing was imported" in page
    assert "admin@example.com has rights you do not have" in page
    administrator.refresh_from_db()
    assert administrator.status == Employee.Status.ACTIVE


def test_the_command_line_import_is_an_operators_and_may_change_anyone(
    tmp_path, administrator
):
    path = tmp_path / "people.csv"
    path.write_text(f"{IMPORT_HEADER}\nadmin@example.com,admin,,2026-01-12,left\n")
    call_command("import_people", str(path), stdout=StringIO())
    administrator.refresh_from_db()
    assert administrator.status == Employee.Status.LEFT


# Wagtail's Users screens and the person's own pages ---------------------------


def test_wagtails_user_screen_never_changes_a_sign_in_email(admin_client, employee):
    url = f"/admin/users/edit/{employee.user.pk}/"
    response = admin_client.post(
        url,
        {
            "email": "taken-over@example.com",
            "first_name": "Ana",
            "last_name": "Ruiz",
            "is_active": "on",
            "groups": [Group.objects.get(name=roles.EMPLOYEE).pk],
        },
    )
    assert response.status_code == 302
    employee.user.refresh_from_db()
    assert employee.user.email == "ana@example.com"


def test_wagtails_user_screen_makes_no_superuser_for_an_administrator(
    admin_client, employee
):
    page = admin_client.get(f"/admin/users/edit/{employee.user.pk}/")
    assert 'name="is_superuser"' not in page.content.decode()
    admin_client.post(
        f"/admin/users/edit/{employee.user.pk}/",
        {
            "email": "ana@example.com",
            "first_name": "Ana",
            "last_name": "Ruiz",
            "is_active": "on",
            "is_superuser": "on",
        },
    )
    employee.user.refresh_from_db()
    assert not employee.user.is_superuser


def test_wagtails_user_screens_leave_a_superuser_to_superusers(admin_client):
    root = _person("root@example.com", superuser=True)
    assert admin_client.get(f"/admin/users/edit/{root.user.pk}/").status_code == 403
    response = admin_client.post(
        f"/admin/bulk/people/user/set_active_state/?id={root.user.pk}",
        {"mark_as_active": "False"},
    )
    assert response.status_code == 403
    root.user.refresh_from_db()
    assert root.user.is_active


def test_hr_cannot_reach_wagtails_users_or_roles_screens(hr_client, employee):
    for url in ["/admin/users/", f"/admin/users/edit/{employee.user.pk}/"]:
        response = hr_client.get(url)
        assert response.status_code in {302, 403}
        assert "ana@example.com" not in response.content.decode()
    hr_client.post(
        f"/admin/bulk/people/user/assign_role/?id={employee.user.pk}",
        {"role": Group.objects.get(name=roles.ADMINISTRATOR).pk},
    )
    assert not employee.user.groups.filter(name=roles.ADMINISTRATOR).exists()


def test_a_person_cannot_add_or_switch_sign_in_addresses(client, employee):
    client.force_login(employee.user)
    client.post(
        reverse("account_email"),
        {"action_add": "", "email": "mine@example.com"},
    )
    assert list(
        EmailAddress.objects.filter(user=employee.user).values_list("email", flat=True)
    ) == ["ana@example.com"]


def test_wagtails_account_page_has_no_email_or_password_fields(hr_client, hr_editor):
    page = hr_client.get("/admin/account/").content.decode()
    assert 'name="name_email-email"' not in page
    assert 'name="password-new_password1"' not in page
    assert hr_client.get("/admin/password_reset/").status_code == 404
