"""Reads for Insights: the numbers a person sees about themself.

Counts come from aggregates over the rows, so the page costs the same few
queries for someone with one share as for someone with a thousand.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.utils import timezone

from advocacy import rewards
from advocacy.models import (
    AdvocacyConsent,
    BadgeAward,
    Click,
    Network,
    PointsEntry,
    Share,
)
from onboarding.models import Certificate, Enrolment
from onboarding.selectors import ModuleStatus, employee_paths
from people.models import Employee


class CertificateStatus:
    VALID = "valid"  # valid until its expiry date
    PERMANENT = "permanent"  # a path completed, with no expiry
    EXPIRED = "expired"


@dataclass(frozen=True)
class CertificateLine:
    certificate: Certificate
    status: str


@dataclass(frozen=True)
class PathNumbers:
    enrolment: Enrolment
    done: int
    required: int
    overdue: int
    certificates: list[CertificateLine]


@dataclass(frozen=True)
class NetworkShares:
    network: str
    label: str
    shares: int


@dataclass(frozen=True)
class AdvocacyNumbers:
    consent: AdvocacyConsent | None
    shares: int = 0
    personalised: int = 0
    by_network: list[NetworkShares] = field(default_factory=list)
    clicks: int = 0
    unique_visitors: int = 0
    previews: int = 0
    points_total: int = 0
    points_month: int = 0
    badges: list[BadgeAward] = field(default_factory=list)
    # Where the person stands this week; ``None`` when not on the board.
    leaderboard: rewards.Leader | None = None

    @property
    def opted_in(self) -> bool:
        return self.consent is not None and self.consent.active

    @property
    def on_leaderboards(self) -> bool:
        """Whether colleagues see the person on leaderboards at all."""
        return self.opted_in and self.consent.on_leaderboards

    @property
    def personalised_percent(self) -> int:
        return round(100 * self.personalised / self.shares) if self.shares else 0


def certificate_status(
    *, certificate: Certificate, now: dt.datetime | None = None
) -> str:
    now = now or timezone.now()
    if certificate.expires_at is None:
        return CertificateStatus.PERMANENT
    if certificate.expires_at > now:
        return CertificateStatus.VALID
    return CertificateStatus.EXPIRED


def employee_onboarding_numbers(
    *, employee: Employee, now: dt.datetime | None = None
) -> list[PathNumbers]:
    """Per active enrolment: required modules done, overdue ones, certificates.

    A module that is due again (a refresher, an expired certification) does not
    count as done until it is done again.
    """
    now = now or timezone.now()
    overviews = employee_paths(employee=employee, now=now)
    by_enrolment: dict[int, list[CertificateLine]] = {}
    for certificate in Certificate.objects.filter(
        enrolment__employee=employee
    ).order_by("-issued_at", "-pk"):
        by_enrolment.setdefault(certificate.enrolment_id, []).append(
            CertificateLine(
                certificate=certificate,
                status=certificate_status(certificate=certificate, now=now),
            )
        )
    numbers = []
    for overview in overviews:
        required = overview.required
        numbers.append(
            PathNumbers(
                enrolment=overview.enrolment,
                done=sum(1 for s in required if s.status == ModuleStatus.DONE),
                required=len(required),
                overdue=sum(
                    1 for s in overview.states if s.status == ModuleStatus.OVERDUE
                ),
                certificates=by_enrolment.get(overview.enrolment.pk, []),
            )
        )
    return numbers


def employee_advocacy_numbers(
    *, employee: Employee, now: dt.datetime | None = None
) -> AdvocacyNumbers:
    """Shares, clicks on the person's links, points, badges and leaderboard place.

    Previews (link-preview fetchers and crawlers) are counted apart: they are
    not people. A visitor's anonymous id changes every day, so unique visitors
    count someone once a day.
    """
    consent = AdvocacyConsent.objects.filter(employee=employee).first()
    network_rows = list(
        Share.objects.filter(employee=employee)
        .values("network")
        .annotate(n=Count("pk"), personal=Count("pk", filter=Q(personalised=True)))
        .order_by()
    )
    labels = dict(Network.choices)
    by_network = sorted(
        (
            NetworkShares(
                network=row["network"],
                label=str(labels.get(row["network"], row["network"])),
                shares=row["n"],
            )
            for row in network_rows
        ),
        key=lambda n: (-n.shares, n.label),
    )
    real = Q(preview=False)
    clicks = Click.objects.filter(link__employee=employee).aggregate(
        clicks=Count("pk", filter=real),
        visitors=Count("visitor", filter=real, distinct=True),
        previews=Count("pk", filter=Q(preview=True)),
    )
    month_start = rewards.period_start(period=rewards.Period.MONTH, now=now)
    points = PointsEntry.objects.filter(employee=employee).aggregate(
        total=Sum("points"), month=Sum("points", filter=Q(at__gte=month_start))
    )
    badges = list(
        BadgeAward.objects.filter(employee=employee)
        .select_related("campaign")
        .order_by("-awarded_at", "-pk")
    )
    shown = (
        consent is not None
        and consent.active
        and consent.on_leaderboards
        and employee.status != Employee.Status.LEFT
    )
    position = (
        rewards.leaderboard_position(employee=employee, period=rewards.Period.WEEK)
        if shown
        else None
    )
    return AdvocacyNumbers(
        consent=consent,
        shares=sum(row["n"] for row in network_rows),
        personalised=sum(row["personal"] for row in network_rows),
        by_network=by_network,
        clicks=clicks["clicks"],
        unique_visitors=clicks["visitors"],
        previews=clicks["previews"],
        points_total=points["total"] or 0,
        points_month=points["month"] or 0,
        badges=badges,
        leaderboard=position,
    )
