"""Module availability is derived from the start date, in the person's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone, translation

from onboarding.models import ModuleProgress
from onboarding.selectors import (
    ModuleStatus,
    employee_today,
    enrolment_timeline,
)
from onboarding.services import enrolment_create
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)


def _states(enrolment, now=NOW) -> dict[str, ModuleStatus]:
    return {
        s.module.title: s.status
        for s in enrolment_timeline(enrolment=enrolment, now=now)
    }


@pytest.fixture
def modules(add_module):
    return {
        "pre": add_module("Antes de empezar", release_day=-7, due_days=7),
        "day1": add_module("Primer dia", release_day=1, due_days=2),
        "week2": add_module("Semana dos", release_day=8, due_days=5),
        "day90": add_module("Dia noventa", release_day=90, due_days=10),
    }


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        # Ten days ahead: only pre-boarding (released 7 days before) is not out yet.
        (
            date(2026, 6, 25),
            {"Antes de empezar": "upcoming", "Primer dia": "upcoming"},
        ),
        # Five days ahead: pre-boarding is open, day 1 is not.
        (
            date(2026, 6, 20),
            {"Antes de empezar": "available", "Primer dia": "upcoming"},
        ),
        # Started 10 days ago: day 1 is overdue, week two open, day 90 upcoming.
        (
            date(2026, 6, 5),
            {
                "Primer dia": "overdue",
                "Semana dos": "available",
                "Dia noventa": "upcoming",
            },
        ),
        # Started 120 days ago: everything is out and overdue.
        (
            date(2026, 2, 15),
            {"Semana dos": "overdue", "Dia noventa": "overdue"},
        ),
    ],
)
def test_release_and_due_dates_follow_the_start_date(
    welcome_path, modules, start, expected
):
    person = EmployeeFactory(start_date=start, timezone="Europe/Madrid")
    enrolment, _ = enrolment_create(employee=person, path=welcome_path)
    states = _states(enrolment)
    for title, status in expected.items():
        assert states[title] == status, title


def test_day_one_is_the_start_date_and_minus_seven_a_week_before(welcome_path, modules):
    person = EmployeeFactory(start_date=date(2026, 6, 15))
    enrolment, _ = enrolment_create(employee=person, path=welcome_path)
    by_title = {
        s.module.title: s for s in enrolment_timeline(enrolment=enrolment, now=NOW)
    }
    assert by_title["Primer dia"].release_date == date(2026, 6, 15)
    assert by_title["Antes de empezar"].release_date == date(2026, 6, 8)
    assert by_title["Primer dia"].due_date == date(2026, 6, 17)
    assert [
        s.module.title for s in enrolment_timeline(enrolment=enrolment, now=NOW)
    ] == [
        "Antes de empezar",
        "Primer dia",
        "Semana dos",
        "Dia noventa",
    ]


def test_completed_module_is_done_and_refresher_comes_back(welcome_path, add_module):
    refresher = add_module("Valores", release_day=1, due_days=7, recurrence_days=90)
    person = EmployeeFactory(start_date=date(2026, 1, 5))
    enrolment, _ = enrolment_create(employee=person, path=welcome_path)
    ModuleProgress.objects.create(
        enrolment=enrolment, module=refresher, completed_at=NOW - timedelta(days=30)
    )
    state = enrolment_timeline(enrolment=enrolment, now=NOW)[0]
    assert state.status == ModuleStatus.DONE
    assert state.due_again_date == (NOW - timedelta(days=30)).date() + timedelta(
        days=90
    )
    later = NOW + timedelta(days=61)
    assert enrolment_timeline(enrolment=enrolment, now=later)[0].status == (
        ModuleStatus.DUE_AGAIN
    )


def test_prerequisites_lock_a_released_module_until_done(welcome_path, add_module):
    first = add_module("Historia", release_day=1)
    second = add_module("Voz de marca", release_day=1)
    second.prerequisites.add(first)
    second.save_revision().publish()
    person = EmployeeFactory(start_date=date(2026, 6, 10))
    enrolment, _ = enrolment_create(employee=person, path=welcome_path)
    locked = _states(enrolment)
    assert locked["Voz de marca"] == ModuleStatus.LOCKED
    state = enrolment_timeline(enrolment=enrolment, now=NOW)[1]
    assert [m.title for m in state.blocked_by] == ["Historia"]
    ModuleProgress.objects.create(enrolment=enrolment, module=first, completed_at=NOW)
    assert _states(enrolment)["Voz de marca"] == ModuleStatus.AVAILABLE


def test_today_is_the_persons_date_across_a_dst_change(welcome_path, add_module):
    add_module("Primer dia", release_day=1, due_days=3)
    madrid = EmployeeFactory(start_date=date(2026, 3, 29), timezone="Europe/Madrid")
    mexico = EmployeeFactory(
        start_date=date(2026, 3, 29), timezone="America/Mexico_City"
    )
    # 23:30 UTC on 28 March: already 00:30 on the 29th in Madrid (clocks go
    # forward that night), still the afternoon of the 28th in Mexico City.
    night = datetime(2026, 3, 28, 23, 30, tzinfo=UTC)
    assert employee_today(employee=madrid, now=night) == date(2026, 3, 29)
    assert employee_today(employee=mexico, now=night) == date(2026, 3, 28)
    madrid_enrolment, _ = enrolment_create(employee=madrid, path=welcome_path)
    mexico_enrolment, _ = enrolment_create(employee=mexico, path=welcome_path)
    assert _states(madrid_enrolment, night)["Primer dia"] == ModuleStatus.AVAILABLE
    assert _states(mexico_enrolment, night)["Primer dia"] == ModuleStatus.UPCOMING
    # After the autumn change: 22:30 UTC on 25 October is 23:30 in Madrid (CET).
    autumn = datetime(2026, 10, 25, 22, 30, tzinfo=UTC)
    assert employee_today(employee=madrid, now=autumn) == date(2026, 10, 25)


def test_timeline_queries_do_not_grow_with_the_number_of_modules(
    welcome_path, add_module, django_assert_num_queries
):
    person = EmployeeFactory(start_date=timezone.localdate())
    enrolment, _ = enrolment_create(employee=person, path=welcome_path)
    counts = []
    for size in (5, 50):
        while len(list(welcome_path.get_children())) < size:
            add_module(
                f"Modulo {len(list(welcome_path.get_children()))}", release_day=1
            )
        enrolment = (
            type(enrolment)
            .objects.select_related("employee", "path")
            .get(pk=enrolment.pk)
        )
        # An English reader: modules are Spanish, so translations are looked up.
        with translation.override("en"), django_assert_num_queries(6) as captured:
            states = enrolment_timeline(enrolment=enrolment)
        counts.append(len(captured))
        assert len(states) == size
    assert counts[0] == counts[1]
