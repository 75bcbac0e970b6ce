from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from people import services
from people.models import User
from people.selectors import employee_reporting_line
from tests.factories import EmployeeFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_email_is_stored_lowercase_and_signs_in_whatever_the_case():
    user = User.objects.create_user(email="  Ana.Ruiz@Example.COM ", password="x")
    assert user.email == "ana.ruiz@example.com"
    assert User.objects.get_by_natural_key("ANA.RUIZ@example.com") == user


def test_email_uniqueness_ignores_case_in_the_database():
    UserFactory(email="ana@example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        # Bypass save() normalisation: the constraint itself must refuse it.
        User.objects.bulk_create([User(email="ANA@example.com")])


def test_email_uniqueness_ignores_case_in_the_service():
    services.employee_create(email="ana@example.com", full_name="Ana Ruiz")
    with pytest.raises(ValidationError) as excinfo:
        services.employee_create(email="Ana@Example.com", full_name="Other Ana")
    assert "email" in excinfo.value.message_dict
    assert User.objects.count() == 1


def test_manager_cycle_is_rejected_with_a_clear_message():
    top = EmployeeFactory(full_name="Top Boss")
    middle = EmployeeFactory(full_name="Middle Manager", manager=top)
    bottom = EmployeeFactory(full_name="Bottom Person", manager=middle)
    with translation.override("en"), pytest.raises(ValidationError) as excinfo:
        services.employee_update(employee=top, manager=bottom)
    assert "reporting cycle" in excinfo.value.message_dict["manager"][0]
    top.refresh_from_db()
    assert top.manager is None


def test_nobody_manages_themself():
    person = EmployeeFactory()
    with pytest.raises(ValidationError):
        services.employee_update(employee=person, manager=person)


def _chain(depth: int):
    """A manager with a chain ``depth`` levels deep, two people per level."""
    boss = EmployeeFactory(full_name="Boss")
    level = [boss]
    everyone = []
    for _ in range(depth):
        nxt = [EmployeeFactory(manager=level[0]), EmployeeFactory(manager=level[-1])]
        everyone.extend(nxt)
        level = nxt
    return boss, everyone


@pytest.mark.parametrize("depth", [1, 2, 3, 4])
def test_reporting_line_has_direct_and_indirect_reports(depth):
    boss, everyone = _chain(depth)
    outsider = EmployeeFactory(full_name="Someone Else")
    line = set(employee_reporting_line(manager=boss))
    assert line == set(everyone)
    assert outsider not in line
    assert boss not in line


@pytest.mark.parametrize("depth", [1, 4])
def test_reporting_line_query_count_does_not_grow_with_depth(
    depth, django_assert_num_queries
):
    boss, everyone = _chain(depth)
    with django_assert_num_queries(1):
        people = list(employee_reporting_line(manager=boss))
    assert len(people) == 2 * depth


def test_having_reports_makes_someone_a_manager_and_losing_them_undoes_it():
    boss = services.employee_create(email="boss@example.com", full_name="Boss")
    person = services.employee_create(
        email="p@example.com", full_name="Person", manager=boss
    )
    assert boss.user.groups.filter(name="Manager").exists()
    assert not person.user.groups.filter(name="Manager").exists()
    services.employee_update(employee=person, manager=None)
    assert not boss.user.groups.filter(name="Manager").exists()


def test_roles_sync_removes_permissions_a_role_should_not_have():
    from django.contrib.auth.models import Group, Permission
    from wagtail.models import GroupPagePermission, Page

    from people import roles

    group = Group.objects.get(name=roles.HR_EDITOR)
    publish = Permission.objects.get(
        content_type__app_label="wagtailcore", codename="publish_page"
    )
    GroupPagePermission.objects.create(
        group=group, page=Page.get_first_root_node(), permission=publish
    )
    group.permissions.add(Permission.objects.get(codename="delete_user"))
    roles.roles_sync()
    assert not GroupPagePermission.objects.filter(group=group, permission=publish)
    assert not group.permissions.filter(codename="delete_user").exists()
    assert GroupPagePermission.objects.filter(
        group=group, permission__codename="change_page"
    ).exists()
