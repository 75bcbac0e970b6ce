"""HR manages enrolments and verifies certificates in the Wagtail admin."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from wagtail.models import ModelLogEntry

from onboarding import services
from onboarding.models import (
    Certificate,
    CheckAttempt,
    Enrolment,
    ModulePage,
    ModuleProgress,
    PathPage,
)
from people import roles
from people.models import Employee
from tests.factories import EmployeeFactory, UserFactory, admin_ready

from .conftest import publish
from .test_activities import QUESTIONS

pytestmark = pytest.mark.django_db

ENROLMENTS_URL = "/admin/enrolments/"
ADD_URL = "/admin/enrolments/new/"
VERIFY_URL = "/admin/certificate-verify/"


def _withdraw_url(enrolment: Enrolment) -> str:
    return f"/admin/enrolments/withdraw/{enrolment.pk}/"


@pytest.fixture
def comms_client(client):
    user = UserFactory(email="comms@example.com", roles=[roles.COMMS_APPROVER])
    EmployeeFactory(user=user, full_name="Carla Comms")
    client.force_login(admin_ready(user))
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


# Another knowledge-check attempt -----------------------------------------------


def _inspect_url(enrolment: Enrolment) -> str:
    return f"/admin/enrolments/inspect/{enrolment.pk}/"


def _grant_url(enrolment: Enrolment) -> str:
    return f"/admin/enrolments/attempt-grant/{enrolment.pk}/"


@pytest.fixture
def check_module(add_module) -> ModulePage:
    return add_module(
        "Prueba de valores",
        release_day=1,
        questions=QUESTIONS,
        pass_mark=100,
        max_attempts=2,
    )


@pytest.fixture
def enrolment(new_hire, welcome_path) -> Enrolment:
    enrolment, _created = services.enrolment_create(
        employee=new_hire, path=welcome_path
    )
    return enrolment


def _take_check(employee: Employee, module: ModulePage, *, right: bool):
    """One whole attempt through the services: every answer right, or wrong."""
    attempt = services.attempt_start(employee=employee, module=module)
    answers = {}
    for block in module.questions:
        options = block.value["options"].bound_blocks
        chosen = [o.id for o in options if bool(o.value["correct"]) == right]
        answers[block.id] = chosen if right else chosen[:1]
    return services.attempt_submit(
        employee=employee, attempt_id=attempt.pk, answers=answers
    )


def _use_every_attempt(employee: Employee, module: ModulePage) -> None:
    for _ in range(module.max_attempts):
        _take_check(employee, module, right=False)
    with pytest.raises(services.ActivityRefused, match="used every attempt"):
        services.attempt_start(employee=employee, module=module)


def _person_client(employee: Employee) -> Client:
    person = Client(HTTP_ACCEPT_LANGUAGE="en")
    person.force_login(employee.user)
    return person


def test_hr_gives_another_attempt_to_someone_who_used_every_attempt(
    hr_client, hr_editor, new_hire, enrolment, check_module
):
    _use_every_attempt(new_hire, check_module)
    person = _person_client(new_hire)
    assert "You have used every attempt" in (
        person.get(check_module.url).content.decode()
    )

    page = hr_client.get(_inspect_url(enrolment)).content.decode()
    assert "Knowledge checks" in page
    assert "Prueba de valores" in page
    assert "2 of 2" in page
    assert "0%" in page  # best score
    assert "No attempts left" in page
    assert "Give another attempt" in page
    assert f'action="{_grant_url(enrolment)}"' in page
    assert f'name="module" value="{check_module.pk}"' in page

    response = hr_client.post(
        _grant_url(enrolment), {"module": check_module.pk}, follow=True
    )

    assert response.redirect_chain == [(_inspect_url(enrolment), 302)]
    page = response.content.decode()
    assert (
        "Nora Nueva can now try the knowledge check in “Prueba de valores” once more."
        in page
    )
    assert "2 of 3" in page
    assert "Includes 1 attempt given by HR." in page
    assert "Give another attempt" not in page  # one is left now
    progress = ModuleProgress.objects.get(enrolment=enrolment, module=check_module)
    assert progress.extra_attempts == 1
    entry = ModelLogEntry.objects.get(
        object_id=str(enrolment.pk), action=services.ATTEMPT_GRANT_ACTION
    )
    assert entry.user == hr_editor.user
    assert entry.data["title"] == "Prueba de valores"

    # The person sees the new attempt and can take it.
    html = person.get(check_module.url).content.decode()
    assert "1 attempt left" in html
    assert "You have used every attempt" not in html
    assert "Try again" in html
    attempt = services.attempt_start(employee=new_hire, module=check_module)
    assert attempt.number == 3

    # Passing completes the module; HR's extra attempt does not outlive it.
    attempt.delete()
    _take_check(new_hire, check_module, right=True)
    progress.refresh_from_db()
    assert progress.completed_at is not None
    assert progress.extra_attempts == 0


def test_granting_creates_the_progress_row_when_there_is_none(
    hr_editor, new_hire, enrolment, check_module
):
    _use_every_attempt(new_hire, check_module)
    ModuleProgress.objects.filter(enrolment=enrolment).delete()

    progress = services.attempt_grant(
        enrolment=enrolment, module=check_module, by=hr_editor.user
    )

    assert progress.extra_attempts == 1
    assert progress.completed_at is None
    assert services.attempt_start(employee=new_hire, module=check_module).number == 3


def test_the_grant_form_is_csrf_protected(hr_editor, new_hire, enrolment, check_module):
    _use_every_attempt(new_hire, check_module)
    browser = Client(HTTP_ACCEPT_LANGUAGE="en", enforce_csrf_checks=True)
    browser.force_login(admin_ready(hr_editor.user))

    response = browser.post(_grant_url(enrolment), {"module": check_module.pk})

    assert response.status_code == 403
    assert not ModuleProgress.objects.filter(extra_attempts__gt=0).exists()


def test_granting_is_post_only(hr_client, new_hire, enrolment, check_module):
    _use_every_attempt(new_hire, check_module)

    response = hr_client.get(_grant_url(enrolment), {"module": check_module.pk})

    assert response.status_code == 405
    assert not ModuleProgress.objects.filter(extra_attempts__gt=0).exists()


def test_comms_approver_cannot_give_another_attempt(
    comms_client, new_hire, enrolment, check_module
):
    _use_every_attempt(new_hire, check_module)

    response = comms_client.post(_grant_url(enrolment), {"module": check_module.pk})

    assert response.status_code == 403
    assert "This screen is for HR editors" in response.content.decode()
    assert not ModuleProgress.objects.filter(extra_attempts__gt=0).exists()
    assert not ModelLogEntry.objects.filter(
        action=services.ATTEMPT_GRANT_ACTION
    ).exists()
    with pytest.raises(services.ActivityRefused):
        services.attempt_start(employee=new_hire, module=check_module)


def test_a_passed_check_gets_no_extra_attempt(
    hr_client, new_hire, enrolment, check_module
):
    _take_check(new_hire, check_module, right=False)
    _take_check(new_hire, check_module, right=True)

    page = hr_client.get(_inspect_url(enrolment)).content.decode()
    assert "Passed" in page
    assert "100%" in page
    assert "Give another attempt" not in page

    response = hr_client.post(
        _grant_url(enrolment), {"module": check_module.pk}, follow=True
    )

    assert response.redirect_chain == [(_inspect_url(enrolment), 302)]
    page = response.content.decode()
    assert "Nora Nueva already passed the check in “Prueba de valores”." in page
    assert "can now try" not in page
    progress = ModuleProgress.objects.get(enrolment=enrolment, module=check_module)
    assert progress.extra_attempts == 0
    assert CheckAttempt.objects.filter(module=check_module).count() == 2
    assert not ModelLogEntry.objects.filter(
        action=services.ATTEMPT_GRANT_ACTION
    ).exists()


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("attempts_left", "still has attempts left"),
        ("no_limit", "has no attempt limit"),
        ("no_check", "is not a module with a knowledge check in this path"),
        ("other_path", "is not a module with a knowledge check in this path"),
        ("withdrawn", "was withdrawn from this path"),
    ],
)
def test_grant_is_refused_where_it_makes_no_sense(
    hr_editor,
    new_hire,
    enrolment,
    check_module,
    add_module,
    kitchen_path,
    case,
    message,
):
    module = check_module
    if case == "attempts_left":
        _take_check(new_hire, check_module, right=False)
    elif case == "no_limit":
        module = add_module("Sin limite", questions=QUESTIONS, max_attempts=0)
    elif case == "no_check":
        module = add_module("Solo lectura")
    elif case == "other_path":
        module = publish(
            kitchen_path,
            ModulePage(title="Otra prueba", slug="otra", questions=QUESTIONS),
        )
    elif case == "withdrawn":
        _use_every_attempt(new_hire, check_module)
        services.enrolment_withdraw(enrolment=enrolment, reason="Baja")

    with pytest.raises(services.ActivityRefused, match=message):
        services.attempt_grant(enrolment=enrolment, module=module, by=hr_editor.user)

    assert not ModuleProgress.objects.filter(extra_attempts__gt=0).exists()
    assert not ModelLogEntry.objects.filter(
        action=services.ATTEMPT_GRANT_ACTION
    ).exists()
