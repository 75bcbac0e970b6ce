"""HR manages enrolments and verifies certificates in the Wagtail admin."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from wagtail.models import ModelLogEntry
from wagtail.users.models import UserProfile

from onboarding.models import Certificate, Enrolment, PathPage
from people import roles
from people.models import Employee
from tests.factories import EmployeeFactory, UserFactory
from tests.identity.conftest import with_mfa

from .conftest import publish

pytestmark = pytest.mark.django_db

ENROLMENTS_URL = "/admin/enrolments/"
ADD_URL = "/admin/enrolments/new/"
VERIFY_URL = "/admin/certificate-verify/"


def _withdraw_url(enrolment: Enrolment) -> str:
    return f"/admin/enrolments/withdraw/{enrolment.pk}/"


def _admin_ready(user):
    """Pass /admin/'s MFA gate and see the admin in English."""
    with_mfa(user)
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


@pytest.fixture
def hr_client(client, hr_editor):
    client.force_login(_admin_ready(hr_editor.user))
    return client


@pytest.fixture
def comms_client(client):
    user = UserFactory(email="comms@example.com", roles=[roles.COMMS_APPROVER])
    EmployeeFactory(user=user, full_name="Carla Comms")
    client.force_login(_admin_ready(user))
    return client


@pytest.fixture
def new_hire(db) -> Employee:
    return EmployeeFactory(full_name="Nora Nueva")


@pytest.fixture
def kitchen_path(path_index) -> PathPage:
    return publish(path_index, PathPage(title="Cocina segura", slug="cocina"))


def _enrol(client, employee: Employee, path: PathPage, reason: str = "Cambio"):
    return client.post(
        ADD_URL, {"employee": employee.pk, "path": path.pk, "reason": reason}
    )


# Listing -----------------------------------------------------------------------


def test_hr_editor_sees_the_menu_items_and_lists_enrolments(
    hr_client, new_hire, welcome_path, kitchen_path
):
    Enrolment.objects.create(employee=new_hire, path=welcome_path)
    Enrolment.objects.create(
        employee=EmployeeFactory(full_name="Otto Otro"),
        path=kitchen_path,
        withdrawn_at=timezone.now(),
    )

    dashboard = hr_client.get("/admin/").content.decode()
    assert ENROLMENTS_URL in dashboard
    assert VERIFY_URL in dashboard

    response = hr_client.get(ENROLMENTS_URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nora Nueva" in page
    assert "Bienvenida" in page
    assert "Automatic" in page
    assert "Active" in page
    assert "Otto Otro" in page
    assert "Withdrawn" in page
    assert "Enrol someone" in page
    assert _withdraw_url(Enrolment.objects.get(employee=new_hire)) in page


def test_listing_filters_by_status_and_searches_by_name(
    hr_client, new_hire, welcome_path, kitchen_path
):
    Enrolment.objects.create(employee=new_hire, path=welcome_path)
    Enrolment.objects.create(
        employee=EmployeeFactory(full_name="Otto Otro"),
        path=kitchen_path,
        withdrawn_at=timezone.now(),
    )

    page = hr_client.get(ENROLMENTS_URL, {"status": "withdrawn"}).content.decode()
    assert "Otto Otro" in page
    assert "Nora Nueva" not in page

    page = hr_client.get(ENROLMENTS_URL, {"path": kitchen_path.pk}).content.decode()
    assert "Otto Otro" in page
    assert "Nora Nueva" not in page

    page = hr_client.get(ENROLMENTS_URL, {"q": "nueva"}).content.decode()
    assert "Nora Nueva" in page
    assert "Otto Otro" not in page


# Enrol -------------------------------------------------------------------------


def test_enrol_form_offers_only_live_default_language_paths(
    hr_client, welcome_path, path_index
):
    draft = path_index.add_child(
        instance=PathPage(title="Borrador", slug="borrador", live=False)
    )
    page = hr_client.get(ADD_URL).content.decode()
    assert f'<option value="{welcome_path.pk}">Bienvenida</option>' in page
    assert f'value="{draft.pk}"' not in page


def test_hr_editor_enrols_someone_with_a_reason(
    hr_client, hr_editor, new_hire, welcome_path
):
    response = _enrol(hr_client, new_hire, welcome_path, "Cambio de puesto")

    assert response.status_code == 302
    assert response.url == ENROLMENTS_URL
    enrolment = Enrolment.objects.get(employee=new_hire, path=welcome_path)
    assert enrolment.source == Enrolment.Source.MANUAL
    assert enrolment.reason == "Cambio de puesto"
    assert enrolment.enrolled_by == hr_editor.user
    assert ModelLogEntry.objects.filter(
        object_id=str(enrolment.pk), action="wagtail.create"
    ).exists()

    page = hr_client.get(response.url).content.decode()
    assert "Nora Nueva was enrolled in “Bienvenida”." in page
    assert "By HR" in page


def test_enrolling_without_a_reason_shows_an_error_and_creates_nothing(
    hr_client, new_hire, welcome_path
):
    response = _enrol(hr_client, new_hire, welcome_path, "   ")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Say why you are enrolling this person." in page
    assert "Nobody was enrolled." in page
    assert not Enrolment.objects.exists()


def test_enrolling_someone_already_enrolled_changes_nothing(
    hr_client, new_hire, welcome_path
):
    enrolment = Enrolment.objects.create(employee=new_hire, path=welcome_path)

    response = _enrol(hr_client, new_hire, welcome_path, "Por si acaso")

    assert response.status_code == 200
    assert (
        "Nora Nueva is already enrolled in “Bienvenida”. Nothing was changed."
        in response.content.decode()
    )
    enrolment.refresh_from_db()
    assert enrolment.source == Enrolment.Source.AUTOMATIC
    assert enrolment.reason == ""
    assert Enrolment.objects.count() == 1


def test_enrolling_a_withdrawn_person_again_reopens_the_enrolment(
    hr_client, hr_editor, new_hire, welcome_path
):
    enrolment = Enrolment.objects.create(
        employee=new_hire,
        path=welcome_path,
        withdrawn_at=timezone.now(),
        withdrawal_reason="Baja temporal",
    )

    response = _enrol(hr_client, new_hire, welcome_path, "Vuelve")

    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.withdrawn_at is None
    assert enrolment.withdrawal_reason == ""
    assert enrolment.source == Enrolment.Source.MANUAL
    assert enrolment.reason == "Vuelve"
    assert enrolment.enrolled_by == hr_editor.user
    assert Enrolment.objects.count() == 1
    page = hr_client.get(response.url).content.decode()
    assert "Nora Nueva’s enrolment in “Bienvenida” was re-opened." in page


def test_people_who_have_left_cannot_be_enrolled(hr_client, welcome_path):
    gone = EmployeeFactory(full_name="Ida Ida", status=Employee.Status.LEFT)

    response = _enrol(hr_client, gone, welcome_path)

    assert response.status_code == 200
    assert "Ida Ida has left" in response.content.decode()
    assert not Enrolment.objects.exists()


# Details and withdraw ----------------------------------------------------------


def test_there_is_no_edit_or_delete_screen(hr_client, new_hire, welcome_path):
    enrolment = Enrolment.objects.create(employee=new_hire, path=welcome_path)

    assert hr_client.get(f"/admin/enrolments/edit/{enrolment.pk}/").status_code == 404
    assert (
        hr_client.post(f"/admin/enrolments/delete/{enrolment.pk}/").status_code == 404
    )
    details = hr_client.get(f"/admin/enrolments/inspect/{enrolment.pk}/")
    assert details.status_code == 200
    assert "Nora Nueva" in details.content.decode()
    assert _withdraw_url(enrolment) in details.content.decode()
    assert Enrolment.objects.filter(pk=enrolment.pk).exists()


def test_withdraw_asks_for_confirmation_then_withdraws_with_the_reason(
    hr_client, new_hire, welcome_path
):
    enrolment = Enrolment.objects.create(employee=new_hire, path=welcome_path)

    confirm = hr_client.get(_withdraw_url(enrolment))
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "Withdraw Nora Nueva from the path “Bienvenida”?" in page
    assert 'name="reason"' in page
    enrolment.refresh_from_db()
    assert enrolment.withdrawn_at is None  # GET changes nothing

    response = hr_client.post(_withdraw_url(enrolment), {"reason": "Cambio de hotel"})

    assert response.status_code == 302
    assert response.url == ENROLMENTS_URL
    enrolment.refresh_from_db()
    assert enrolment.withdrawn_at is not None
    assert enrolment.withdrawal_reason == "Cambio de hotel"
    page = hr_client.get(response.url).content.decode()
    assert "Nora Nueva was withdrawn from “Bienvenida”." in page


def test_withdraw_needs_a_reason(hr_client, new_hire, welcome_path):
    enrolment = Enrolment.objects.create(employee=new_hire, path=welcome_path)

    response = hr_client.post(_withdraw_url(enrolment), {"reason": ""})

    assert response.status_code == 200
    assert "Say why you are withdrawing this person." in response.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.withdrawn_at is None


def test_an_enrolment_already_withdrawn_is_not_withdrawn_again(
    hr_client, new_hire, welcome_path
):
    when = timezone.now() - timedelta(days=3)
    enrolment = Enrolment.objects.create(
        employee=new_hire, path=welcome_path, withdrawn_at=when, withdrawal_reason="A"
    )

    response = hr_client.post(_withdraw_url(enrolment), {"reason": "B"}, follow=True)

    assert "Only an active enrolment can be withdrawn" in response.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.withdrawn_at == when
    assert enrolment.withdrawal_reason == "A"


# Who may use these screens -----------------------------------------------------


def test_comms_approver_is_refused_every_screen(comms_client, new_hire, welcome_path):
    enrolment = Enrolment.objects.create(employee=new_hire, path=welcome_path)

    for url in (
        ENROLMENTS_URL,
        ADD_URL,
        f"/admin/enrolments/inspect/{enrolment.pk}/",
        _withdraw_url(enrolment),
        VERIFY_URL,
    ):
        response = comms_client.get(url)
        assert response.status_code == 403, url
        assert "This screen is for HR editors" in response.content.decode()

    assert _enrol(comms_client, new_hire, welcome_path).status_code == 403
    response = comms_client.post(_withdraw_url(enrolment), {"reason": "No"})
    assert response.status_code == 403
    enrolment.refresh_from_db()
    assert enrolment.withdrawn_at is None
    assert Enrolment.objects.count() == 1

    dashboard = comms_client.get("/admin/").content.decode()
    assert ENROLMENTS_URL not in dashboard
    assert VERIFY_URL not in dashboard


def test_employees_without_admin_access_are_refused(client, employee):
    client.force_login(employee.user)

    assert client.get(ENROLMENTS_URL).status_code == 403
    assert client.get(VERIFY_URL).status_code == 403


# Verify a certificate ----------------------------------------------------------


@pytest.fixture
def certificate(new_hire, welcome_path) -> Certificate:
    enrolment = Enrolment.objects.create(
        employee=new_hire, path=welcome_path, completed_at=timezone.now()
    )
    return Certificate.objects.create(
        enrolment=enrolment,
        code="ABCDE-FGHJK",
        issued_at=timezone.now() - timedelta(days=10),
        expires_at=timezone.now() + timedelta(days=355),
        advocate=True,
    )


def test_verify_finds_a_certificate_by_lowercase_code_with_spaces(
    hr_client, certificate
):
    response = hr_client.get(VERIFY_URL, {"code": "  abcde-fghjk "})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Certificate ABCDE-FGHJK" in page
    assert "Nora Nueva" in page
    assert "Bienvenida" in page
    assert "Advocate certification" in page
    assert "Valid until" in page
    assert "Expired" not in page


def test_verify_reports_an_expired_certificate_as_expired(hr_client, certificate):
    certificate.expires_at = timezone.now() - timedelta(days=1)
    certificate.save()

    page = hr_client.get(VERIFY_URL, {"code": "abcdefghjk"}).content.decode()

    assert "Certificate ABCDE-FGHJK" in page
    assert "Expired on" in page
    assert "Valid until" not in page


def test_verify_says_when_no_certificate_has_the_code(hr_client, certificate):
    page = hr_client.get(VERIFY_URL, {"code": "zzzzz-zzzzz"}).content.decode()

    assert "No certificate has this code." in page
    assert "ZZZZZ-ZZZZZ" in page
    assert "Nora Nueva" not in page


def test_verify_form_without_a_code_shows_only_the_form(hr_client):
    page = hr_client.get(VERIFY_URL).content.decode()
    assert 'name="code"' in page
    assert "No certificate has this code." not in page
