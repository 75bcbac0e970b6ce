"""Writes about onboarding: who is enrolled in which path."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from wagtail.models import Locale

from people.models import Employee, User

from .models import Enrolment, ModulePage, ModuleProgress, PathPage


def enrolment_create(
    *,
    employee: Employee,
    path: PathPage,
    source: str = Enrolment.Source.AUTOMATIC,
    reason: str = "",
    enrolled_by: User | None = None,
) -> tuple[Enrolment, bool]:
    """Enrol once; a second call (even a concurrent one) returns the first.

    A withdrawn enrolment is only re-opened by HR (a manual enrolment).
    """
    try:
        with transaction.atomic():
            enrolment, created = Enrolment.objects.get_or_create(
                employee=employee,
                path=path,
                defaults={
                    "source": source,
                    "reason": reason,
                    "enrolled_by": enrolled_by,
                },
            )
    except IntegrityError:
        # Another request created it between our read and our insert.
        return Enrolment.objects.get(employee=employee, path=path), False
    if not created and enrolment.withdrawn_at and source == Enrolment.Source.MANUAL:
        enrolment.withdrawn_at = None
        enrolment.withdrawal_reason = ""
        enrolment.source = source
        enrolment.reason = reason
        enrolment.enrolled_by = enrolled_by
        enrolment.save()
    return enrolment, created


def enrolment_withdraw(*, enrolment: Enrolment, reason: str) -> Enrolment:
    enrolment.withdrawn_at = timezone.now()
    enrolment.withdrawal_reason = reason
    enrolment.save(update_fields=["withdrawn_at", "withdrawal_reason"])
    return enrolment


def enrolment_sync(*, employee: Employee) -> list[Enrolment]:
    """Enrol ``employee`` in every auto-enrol path whose audience they match.

    Paths are taken in the default language: a translation is the same path.
    People who have left are never enrolled.
    """
    if employee.status == Employee.Status.LEFT:
        return []
    paths = (
        PathPage.objects.live()
        .filter(auto_enrol=True, locale=Locale.get_default())
        .prefetch_related("departments", "teams")
    )
    created = []
    for path in paths:
        if path.matches(employee):
            enrolment, was_created = enrolment_create(employee=employee, path=path)
            if was_created:
                created.append(enrolment)
    return created


class ModuleNotOpen(Exception):
    """The module is not released, is locked, or is not in the person's paths."""


@transaction.atomic
def module_complete(*, employee: Employee, module) -> ModuleProgress:
    """Mark a module done for the person, if it is open to them now.

    Completing every required module completes the enrolment.
    """
    from .selectors import module_state_for

    found = module_state_for(employee=employee, module=module)
    if found is None or not found[1].is_open:
        raise ModuleNotOpen
    enrolment, state = found
    now = timezone.now()
    progress, _created = ModuleProgress.objects.get_or_create(
        enrolment=enrolment, module=state.module, defaults={"started_at": now}
    )
    progress.completed_at = now
    progress.save(update_fields=["completed_at"])
    required = set(
        ModulePage.objects.child_of(enrolment.path)
        .live()
        .filter(required=True)
        .values_list("pk", flat=True)
    )
    done = set(
        ModuleProgress.objects.filter(
            enrolment=enrolment, completed_at__isnull=False
        ).values_list("module_id", flat=True)
    )
    if required <= done and enrolment.completed_at is None:
        enrolment.completed_at = now
        enrolment.save(update_fields=["completed_at"])
    return progress
