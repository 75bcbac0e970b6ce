from __future__ import annotations

import pytest
from django.core.management import call_command

from people import roles
from people.models import Department, Employee, User
from people.selectors import employee_reporting_line

pytestmark = pytest.mark.django_db


def test_demo_organisation_is_a_hotel_group_with_every_role():
    call_command("seed_demo", verbosity=0)
    assert 35 <= Employee.objects.count() <= 45
    assert Department.objects.count() == 4
    for role, count in [
        (roles.HR_EDITOR, 2),
        (roles.COMMS_APPROVER, 1),
        (roles.ADMINISTRATOR, 1),
    ]:
        assert User.objects.filter(groups__name=role).count() == count, role
    languages = set(Employee.objects.values_list("preferred_language", flat=True))
    assert languages == {"es", "en"}


def test_demo_has_three_levels_of_management():
    call_command("seed_demo", verbosity=0)
    top = Employee.objects.get(manager__isnull=True)
    directors = Employee.objects.filter(manager=top)
    leads = Employee.objects.filter(manager__in=directors, reports__isnull=False)
    staff = Employee.objects.filter(manager__in=leads)
    assert directors.exists() and leads.exists() and staff.exists()
    assert employee_reporting_line(manager=top).count() == Employee.objects.count() - 1


def test_demo_new_hires_start_between_ten_days_ahead_and_120_days_ago():
    from datetime import timedelta

    from django.utils import timezone

    call_command("seed_demo", verbosity=0)
    today = timezone.localdate()
    recent = Employee.objects.filter(start_date__gte=today - timedelta(days=120))
    assert recent.filter(start_date__gt=today).exists()  # pre-hires
    assert (
        recent.filter(status=Employee.Status.PRE_HIRE).count()
        == recent.filter(start_date__gt=today).count()
    )
    assert max(e.start_date for e in recent) == today + timedelta(days=10)


def test_loading_the_demo_twice_neither_fails_nor_duplicates():
    call_command("seed_demo", verbosity=0)
    counts = (
        User.objects.count(),
        Employee.objects.count(),
        Department.objects.count(),
    )
    call_command("seed_demo", verbosity=0)
    assert (
        User.objects.count(),
        Employee.objects.count(),
        Department.objects.count(),
    ) == counts


def test_demo_passwords_are_not_printed_outside_dev(capsys, settings):
    settings.SHOW_DEMO_PASSWORDS = False
    call_command("seed_demo")
    assert "brisa-demo" not in capsys.readouterr().out
    settings.SHOW_DEMO_PASSWORDS = True
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "brisa-demo" in out
    for role in roles.ALL_ROLES:
        assert role in out
