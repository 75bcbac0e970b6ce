"""Reads about onboarding: where each module stands for a person, today."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from people.models import Employee

from .models import Enrolment, ModulePage, ModuleProgress


class ModuleStatus(StrEnum):
    UPCOMING = "upcoming"
    AVAILABLE = "available"
    OVERDUE = "overdue"
    LOCKED = "locked"
    DONE = "done"
    DUE_AGAIN = "due_again"


STATUS_LABELS = {
    ModuleStatus.UPCOMING: _("Upcoming"),
    ModuleStatus.AVAILABLE: _("Available now"),
    ModuleStatus.OVERDUE: _("Overdue"),
    ModuleStatus.LOCKED: _("Locked"),
    ModuleStatus.DONE: _("Done"),
    ModuleStatus.DUE_AGAIN: _("Due again"),
}


def employee_today(*, employee: Employee, now: datetime | None = None) -> date:
    """Today's date where the person is (their time zone, not the server's)."""
    now = now or timezone.now()
    try:
        zone = zoneinfo.ZoneInfo(employee.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return now.astimezone(zone).date()


def module_release_date(*, start_date: date, module: ModulePage) -> date:
    """Day 1 is the start date itself; day -7 is a week before it."""
    offset = module.release_day - 1 if module.release_day > 0 else module.release_day
    return start_date + timedelta(days=offset)


@dataclass(frozen=True)
class ModuleState:
    module: ModulePage
    status: ModuleStatus
    release_date: date
    due_date: date
    completed_at: datetime | None = None
    due_again_date: date | None = None
    blocked_by: tuple[ModulePage, ...] = ()

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def is_open(self) -> bool:
        """Whether the person may open and complete it now."""
        return self.status in {
            ModuleStatus.AVAILABLE,
            ModuleStatus.OVERDUE,
            ModuleStatus.DUE_AGAIN,
            ModuleStatus.DONE,
        }


def module_state(
    *,
    module: ModulePage,
    start_date: date,
    today: date,
    progress: ModuleProgress | None,
    incomplete_prerequisites: tuple[ModulePage, ...] = (),
) -> ModuleState:
    release = module_release_date(start_date=start_date, module=module)
    due = release + timedelta(days=module.due_days)
    completed_at = progress.completed_at if progress else None
    common = {"module": module, "release_date": release, "due_date": due}
    if completed_at is not None:
        if module.recurrence_days:
            again = completed_at.date() + timedelta(days=module.recurrence_days)
            if today >= again:
                return ModuleState(
                    status=ModuleStatus.DUE_AGAIN,
                    completed_at=completed_at,
                    due_again_date=again,
                    **common,
                )
            return ModuleState(
                status=ModuleStatus.DONE,
                completed_at=completed_at,
                due_again_date=again,
                **common,
            )
        return ModuleState(
            status=ModuleStatus.DONE, completed_at=completed_at, **common
        )
    if today < release:
        return ModuleState(status=ModuleStatus.UPCOMING, **common)
    if incomplete_prerequisites:
        return ModuleState(
            status=ModuleStatus.LOCKED, blocked_by=incomplete_prerequisites, **common
        )
    if today > due:
        return ModuleState(status=ModuleStatus.OVERDUE, **common)
    return ModuleState(status=ModuleStatus.AVAILABLE, **common)


def enrolment_timeline(
    *, enrolment: Enrolment, now: datetime | None = None
) -> list[ModuleState]:
    """Every live module of the enrolment's path with its state, in path order.

    Three queries whatever the number of modules: modules, prerequisites and
    the person's progress.
    """
    employee = enrolment.employee
    today = employee_today(employee=employee, now=now)
    start = employee.start_date or today
    modules = list(
        ModulePage.objects.child_of(enrolment.path).live().specific().order_by("path")
    )
    through = ModulePage.prerequisites.through
    prerequisites: dict[int, list[int]] = {}
    for from_id, to_id in through.objects.filter(
        from_modulepage_id__in=[m.pk for m in modules]
    ).values_list("from_modulepage_id", "to_modulepage_id"):
        prerequisites.setdefault(from_id, []).append(to_id)
    progress = {
        p.module_id: p for p in ModuleProgress.objects.filter(enrolment=enrolment)
    }
    by_id = {m.pk: m for m in modules}
    states = []
    for module in modules:
        blocked = tuple(
            by_id[pid]
            for pid in prerequisites.get(module.pk, [])
            if pid in by_id
            and (progress.get(pid) is None or progress[pid].completed_at is None)
        )
        states.append(
            module_state(
                module=module,
                start_date=start,
                today=today,
                progress=progress.get(module.pk),
                incomplete_prerequisites=blocked,
            )
        )
    return states
