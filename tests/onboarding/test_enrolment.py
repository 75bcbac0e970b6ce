"""Who is enrolled in which path: rules, profile changes, never twice."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from onboarding.models import Enrolment, PathPage
from onboarding.services import enrolment_create, enrolment_sync, enrolment_withdraw
from people import services as people_services
from people.models import Employee
from tests.factories import DepartmentFactory, EmployeeFactory

from .conftest import publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def kitchen(db):
    return DepartmentFactory(name="Cocina")


@pytest.fixture
def front_desk(db):
    return DepartmentFactory(name="Recepción")


@pytest.fixture
def kitchen_path(path_index, kitchen) -> PathPage:
    path = path_index.add_child(instance=PathPage(title="Cocina segura", slug="cocina"))
    path.departments.add(kitchen)
    path.locations = "Sevilla\nMadrid"
    path.save_revision().publish()
    return PathPage.objects.get(pk=path.pk)


def _paths(employee: Employee) -> set[str]:
    return {
        e.path.title
        for e in Enrolment.objects.filter(employee=employee, withdrawn_at__isnull=True)
    }


def test_everyone_path_and_matching_rules(
    welcome_path, kitchen_path, kitchen, front_desk
):
    cook = EmployeeFactory(department=kitchen, location="sevilla ")
    receptionist = EmployeeFactory(department=front_desk, location="Sevilla")
    far_cook = EmployeeFactory(department=kitchen, location="Lisboa")
    for person in (cook, receptionist, far_cook):
        enrolment_sync(employee=person)
    assert _paths(cook) == {"Bienvenida", "Cocina segura"}
    assert _paths(receptionist) == {"Bienvenida"}
    assert _paths(far_cook) == {"Bienvenida"}


def test_new_people_are_enrolled_when_created(
    welcome_path, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        person = people_services.employee_create(
            email="nueva@example.com", full_name="Nueva Persona"
        )
    assert _paths(person) == {"Bienvenida"}


def test_changing_department_enrols_in_the_new_path(
    welcome_path, kitchen_path, kitchen, front_desk, django_capture_on_commit_callbacks
):
    person = EmployeeFactory(department=front_desk, location="Madrid")
    with django_capture_on_commit_callbacks(execute=True):
        person.save()
    assert _paths(person) == {"Bienvenida"}
    with django_capture_on_commit_callbacks(execute=True):
        people_services.employee_update(employee=person, department=kitchen)
    assert _paths(person) == {"Bienvenida", "Cocina segura"}


def test_never_enrolled_twice(welcome_path):
    person = EmployeeFactory()
    first, created = enrolment_create(employee=person, path=welcome_path)
    again, created_again = enrolment_create(employee=person, path=welcome_path)
    assert created and not created_again
    assert first.pk == again.pk
    enrolment_sync(employee=person)
    enrolment_sync(employee=person)
    assert Enrolment.objects.filter(employee=person).count() == 1
    # The database itself refuses a second row, whatever races above it.
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.create(employee=person, path=welcome_path)


def test_withdrawn_people_stay_out_until_hr_enrols_them_again(welcome_path):
    person = EmployeeFactory()
    enrolment, _ = enrolment_create(employee=person, path=welcome_path)
    enrolment_withdraw(enrolment=enrolment, reason="Cambio de puesto")
    enrolment_sync(employee=person)
    assert _paths(person) == set()
    enrolment_create(
        employee=person,
        path=welcome_path,
        source=Enrolment.Source.MANUAL,
        reason="Vuelve al hotel",
    )
    assert _paths(person) == {"Bienvenida"}


def test_people_who_left_and_paths_not_auto_enrolling_get_nothing(path_index):
    manual_only = publish(
        path_index, PathPage(title="Solo HR", slug="solo-hr", auto_enrol=False)
    )
    assert manual_only.pk
    gone = EmployeeFactory(status=Employee.Status.LEFT)
    staying = EmployeeFactory()
    assert enrolment_sync(employee=gone) == []
    assert enrolment_sync(employee=staying) == []


def test_translated_path_is_the_same_path(welcome_path):
    from wagtail.models import Locale

    english = welcome_path.copy_for_translation(
        Locale.objects.get(language_code="en"), copy_parents=True
    )
    english.save_revision().publish()
    person = EmployeeFactory()
    enrolment_sync(employee=person)
    assert Enrolment.objects.filter(employee=person).count() == 1
