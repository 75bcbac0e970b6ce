"""Reads about advocacy: who may share, and what they may share."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Case,
    CharField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.utils import timezone
from wagtail.models import WorkflowState

from onboarding.selectors import (
    employee_advocate_certificate,
    employee_expired_certificate,
)
from people.inputs import id_parse
from people.models import Employee

from .models import AdvocacyConsent, BrandPost, MilestonePrompt, Notification


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


def milestone_templates(*, language: str | None = None) -> QuerySet[BrandPost]:
    """Live, unexpired milestone templates, the reader's language first."""
    now = timezone.now()
    posts = BrandPost.objects.filter(live=True, milestone_template=True).filter(
        Q(expire_at__isnull=True) | Q(expire_at__gt=now)
    )
    if language:
        posts = posts.annotate(
            other_language=Case(
                When(language=language, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        ).order_by("other_language", "-first_published_at", "-pk")
    return posts


def milestone_prompt_of(
    *, employee: Employee, prompt_id: object
) -> MilestonePrompt | None:
    """The person's own prompt with this id if it is still open, else ``None``."""
    from .rewards import milestone_prompts_open

    prompt_pk = id_parse(prompt_id)
    if prompt_pk is None:
        return None
    return milestone_prompts_open(employee=employee).filter(pk=prompt_pk).first()


def notifications_unread_count(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


class SuggestionStatus:
    AWAITING = "awaiting"
    LIVE = "live"
    ENDED = "ended"
    DECLINED = "declined"


def suggestions_of(*, employee: Employee) -> QuerySet[BrandPost]:
    """The person's suggestions, newest first, each with ``suggestion_status``.

    The status comes from the post and its latest workflow run, in one query:
    live and unexpired is in the hub; a run that needs changes (rejected) or
    was cancelled is not approved; otherwise it is awaiting review.
    """
    now = timezone.now()
    runs = WorkflowState.objects.filter(
        base_content_type=ContentType.objects.get_for_model(BrandPost),
        object_id=Cast(OuterRef("pk"), output_field=CharField()),
    ).order_by("-created_at", "-pk")
    unexpired = Q(expire_at__isnull=True) | Q(expire_at__gt=now)
    return (
        BrandPost.objects.filter(suggested_by=employee)
        .annotate(workflow_status=Subquery(runs.values("status")[:1]))
        .annotate(
            suggestion_status=Case(
                When(Q(live=True) & unexpired, then=Value(SuggestionStatus.LIVE)),
                When(
                    Q(live=True) | Q(workflow_status=WorkflowState.STATUS_APPROVED),
                    then=Value(SuggestionStatus.ENDED),
                ),
                When(
                    workflow_status__in=[
                        WorkflowState.STATUS_NEEDS_CHANGES,
                        WorkflowState.STATUS_CANCELLED,
                    ],
                    then=Value(SuggestionStatus.DECLINED),
                ),
                default=Value(SuggestionStatus.AWAITING),
                output_field=CharField(),
            )
        )
        .order_by("-created_at", "-pk")
    )
