"""Reads about advocacy: who may share, and what they may share."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from onboarding.selectors import (
    employee_advocate_certificate,
    employee_expired_certificate,
)
from people.models import Employee

from .models import AdvocacyConsent, BrandPost


@dataclass(frozen=True)
class AdvocateStatus:
    """Whether the person may share, and if not, what is missing."""

    certificate: object | None
    expired_certificate: object | None
    consent: AdvocacyConsent | None

    @property
    def certified(self) -> bool:
        return self.certificate is not None

    @property
    def opted_in(self) -> bool:
        return self.consent is not None and self.consent.active

    @property
    def can_share(self) -> bool:
        return self.certified and self.opted_in


def advocate_status(*, employee: Employee | None) -> AdvocateStatus:
    if employee is None or employee.status == Employee.Status.LEFT:
        return AdvocateStatus(None, None, None)
    return AdvocateStatus(
        certificate=employee_advocate_certificate(employee=employee),
        expired_certificate=employee_expired_certificate(employee=employee),
        consent=AdvocacyConsent.objects.filter(employee=employee).first(),
    )


def shareable_posts() -> QuerySet[BrandPost]:
    """Approved posts that have not expired, milestone templates aside."""
    now = timezone.now()
    return BrandPost.objects.filter(live=True, milestone_template=False).filter(
        Q(expire_at__isnull=True) | Q(expire_at__gt=now)
    )
