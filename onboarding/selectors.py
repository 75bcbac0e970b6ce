"""Reads about onboarding: where each module stands for a person, today."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, replace
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
    # The page to show the reader: the module in their language when it exists.
    display: ModulePage | None = None

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
    display = _translations_for_reader(modules)
    states = []
    for module in modules:
        blocked = tuple(
            by_id[pid]
            for pid in prerequisites.get(module.pk, [])
            if pid in by_id
            and (progress.get(pid) is None or progress[pid].completed_at is None)
        )
        state = module_state(
            module=module,
            start_date=start,
            today=today,
            progress=progress.get(module.pk),
            incomplete_prerequisites=tuple(display.get(m.pk, m) for m in blocked),
        )
        states.append(replace(state, display=display.get(module.pk, module)))
    return states


def _translations_for_reader(modules: list[ModulePage]) -> dict[int, ModulePage]:
    """Each module's live translation in the active language, in two queries."""
    from wagtail.models import Locale

    try:
        locale = Locale.get_active()
    except Locale.DoesNotExist:
        return {}
    keys = {m.translation_key: m.pk for m in modules if m.locale_id != locale.pk}
    if not keys:
        return {}
    translated = ModulePage.objects.live().filter(
        locale=locale, translation_key__in=list(keys)
    )
    return {keys[t.translation_key]: t for t in translated}


@dataclass(frozen=True)
class PathOverview:
    enrolment: Enrolment
    states: list[ModuleState]

    @property
    def required(self) -> list[ModuleState]:
        return [s for s in self.states if s.module.required]

    @property
    def percent_done(self) -> int:
        required = self.required
        if not required:
            return 100
        done = sum(1 for s in required if s.completed_at is not None)
        return round(100 * done / len(required))

    def weeks(self) -> list[tuple[int, list[ModuleState]]]:
        """Modules grouped by week relative to the start (week 0 = pre-boarding)."""
        grouped: dict[int, list[ModuleState]] = {}
        for state in self.states:
            day = state.module.release_day
            week = 0 if day < 1 else (day - 1) // 7 + 1
            grouped.setdefault(week, []).append(state)
        return sorted(grouped.items())


NEXT_STEP_ORDER = [ModuleStatus.OVERDUE, ModuleStatus.DUE_AGAIN, ModuleStatus.AVAILABLE]


def employee_paths(
    *, employee: Employee, now: datetime | None = None
) -> list[PathOverview]:
    """Every active enrolment of the person with its timeline."""
    enrolments = (
        Enrolment.objects.filter(employee=employee, withdrawn_at__isnull=True)
        .select_related("employee", "path")
        .order_by("enrolled_at")
    )
    return [
        PathOverview(enrolment=e, states=enrolment_timeline(enrolment=e, now=now))
        for e in enrolments
    ]


def employee_next_step(*, overviews: list[PathOverview]) -> ModuleState | None:
    """What to do next: the most urgent open module (overdue first, then oldest)."""
    candidates = [s for o in overviews for s in o.states if s.status in NEXT_STEP_ORDER]
    if not candidates:
        return None
    return min(
        candidates,
        key=lambda s: (NEXT_STEP_ORDER.index(s.status), s.due_date, s.release_date),
    )


def module_state_for(
    *, employee: Employee, module: ModulePage, now: datetime | None = None
) -> tuple[Enrolment, ModuleState] | None:
    """The person's enrolment and state for one module (any language of it).

    None when the person is not enrolled in the module's path.
    """
    from wagtail.models import Locale

    default = Locale.get_default()
    source = module
    if module.locale_id != default.pk:
        source = module.get_translation_or_none(default) or module
    enrolment = (
        Enrolment.objects.filter(
            employee=employee,
            path_id=source.get_parent().pk,
            withdrawn_at__isnull=True,
        )
        .select_related("employee", "path")
        .first()
    )
    if enrolment is None:
        return None
    for state in enrolment_timeline(enrolment=enrolment, now=now):
        if state.module.translation_key == module.translation_key:
            return enrolment, state
    return None
