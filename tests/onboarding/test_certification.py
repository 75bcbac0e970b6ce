"""Certifying paths: the certificate, its expiry, the refresher, verification."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from onboarding.models import Acknowledgement, Certificate, ModuleProgress, PathPage
from onboarding.selectors import (
    ModuleStatus,
    employee_advocate_certificate,
    employee_expired_certificate,
    enrolment_timeline,
)
from onboarding.services import acknowledge, enrolment_create, module_complete
from tests.factories import EmployeeFactory

from .conftest import publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def ambassador(path_index) -> PathPage:
    return publish(
        path_index,
        PathPage(
            title="Embajador",
            slug="embajador",
            grants_certification=True,
            certification_valid_days=30,
        ),
    )


@pytest.fixture
def modules(ambassador):
    from onboarding.models import ModulePage

    voice = publish(ambassador, ModulePage(title="Voz de marca", slug="voz"))
    policy = publish(
        ambassador,
        ModulePage(
            title="Politica",
            slug="politica",
            body=[("policy", {"title": "Redes", "text": "<p>Amable</p>"})],
        ),
    )
    return voice, policy


@pytest.fixture
def advocate(ambassador, modules):
    person = EmployeeFactory(
        full_name="Carla Embajadora",
        start_date=timezone.localdate() - timedelta(days=10),
    )
    enrolment_create(employee=person, path=ambassador)
    return person


def _certify(person, modules):
    voice, policy = modules
    module_complete(employee=person, module=voice)
    acknowledge(employee=person, module=policy)


def test_completing_the_certifying_path_certifies_with_an_expiry(
    client, advocate, modules
):
    voice, _policy = modules
    module_complete(employee=advocate, module=voice)
    assert employee_advocate_certificate(employee=advocate) is None
    _certify(advocate, modules)
    certificate = employee_advocate_certificate(employee=advocate)
    assert certificate is not None
    assert (
        certificate.expires_at.date()
        == (certificate.issued_at + timedelta(days=30)).date()
    )
    assert Certificate.objects.count() == 1

    client.force_login(advocate.user)
    html = client.get("/onboarding/").content.decode()
    assert "You are a certified advocate until" in html
    page = client.get(f"/onboarding/certificates/{certificate.code}/").content.decode()
    assert "Carla Embajadora" in page and "Embajador" in page
    assert certificate.code in page and "Valid until" in page


def test_a_certificate_is_private_to_its_holder_and_people_who_verify(
    client, advocate, modules
):
    _certify(advocate, modules)
    code = Certificate.objects.get().code
    colleague = EmployeeFactory()
    client.force_login(colleague.user)
    assert client.get(f"/onboarding/certificates/{code}/").status_code == 404
    colleague.user.user_permissions.add(
        Permission.objects.get(codename="view_certificate")
    )
    client.force_login(colleague.user)
    assert client.get(f"/onboarding/certificates/{code.lower()}/").status_code == 200


def test_an_expired_certification_asks_for_the_refresher_and_renews(
    client, advocate, modules
):
    _certify(advocate, modules)
    certificate = Certificate.objects.get()
    certificate.issued_at -= timedelta(days=31)
    certificate.expires_at = timezone.now() - timedelta(days=1)
    certificate.save()
    # Everything happened a month ago.
    month_ago = timezone.now() - timedelta(days=31)
    ModuleProgress.objects.update(completed_at=month_ago, started_at=month_ago)
    Acknowledgement.objects.update(acknowledged_at=month_ago)

    assert employee_advocate_certificate(employee=advocate) is None
    assert employee_expired_certificate(employee=advocate) == certificate
    client.force_login(advocate.user)
    html = client.get("/onboarding/").content.decode()
    assert "Your advocate certification expired on" in html
    assert "Take the refresher" in html
    enrolment = advocate.enrolments.get()
    states = enrolment_timeline(enrolment=enrolment)
    assert {s.status for s in states} == {ModuleStatus.DUE_AGAIN}

    # The policy asks for a fresh acknowledgement in the refresher.
    voice, policy = modules
    module_complete(employee=advocate, module=voice)
    assert employee_advocate_certificate(employee=advocate) is None
    acknowledge(employee=advocate, module=policy)
    renewed = employee_advocate_certificate(employee=advocate)
    assert renewed is not None and renewed != certificate
    assert Certificate.objects.count() == 2
    assert "You are a certified advocate until" in (
        client.get("/onboarding/").content.decode()
    )


def test_a_path_that_does_not_certify_still_gives_a_certificate_without_expiry(
    welcome_path, add_module
):
    module = add_module("Hola")
    person = EmployeeFactory(start_date=timezone.localdate())
    enrolment_create(employee=person, path=welcome_path)
    module_complete(employee=person, module=module)
    certificate = Certificate.objects.get()
    assert certificate.expires_at is None and not certificate.advocate
    assert employee_advocate_certificate(employee=person) is None
    # Completing again (a recurring module, say) issues nothing new.
    module_complete(employee=person, module=module)
    assert Certificate.objects.count() == 1
