"""Keep the redirect's cached destinations in step with edited posts."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from wagtail.signals import published, unpublished, workflow_rejected

from onboarding.events import module_completed, path_completed

from .models import BrandPost, Campaign
from .services import HUB_GROUP, group_event_publish


def _forget(codes: list[str]) -> None:
    from .redirect import link_target_forget

    if codes:
        transaction.on_commit(lambda: link_target_forget(codes=codes))


@receiver(post_save, sender=BrandPost, dispatch_uid="advocacy_post_links_forget")
def post_links_forget(sender, instance: BrandPost, **kwargs) -> None:
    """A changed URL or campaign changes where (and with which UTM) links go."""
    if kwargs.get("raw") or kwargs.get("created"):
        return
    _forget(list(instance.tracked_links.values_list("code", flat=True)))


@receiver(post_save, sender=Campaign, dispatch_uid="advocacy_campaign_links_forget")
def campaign_links_forget(sender, instance: Campaign, **kwargs) -> None:
    """A renamed campaign slug changes utm_campaign on its posts' links."""
    if kwargs.get("raw") or kwargs.get("created"):
        return
    from .models import TrackedLink

    _forget(
        list(
            TrackedLink.objects.filter(post__campaign=instance).values_list(
                "code", flat=True
            )
        )
    )


@receiver(published, dispatch_uid="advocacy_post_published")
def post_published(sender, instance, **kwargs) -> None:
    """An approved post appears in open hubs without a reload."""
    if isinstance(instance, BrandPost) and not instance.milestone_template:
        group_event_publish(
            groups=[HUB_GROUP],
            event="post.published",
            data={"post": instance.pk, "language": instance.language},
        )


@receiver(unpublished, dispatch_uid="advocacy_post_unpublished")
def post_unpublished(sender, instance, **kwargs) -> None:
    """Unpublished or expired (Wagtail's scheduler unpublishes): it leaves hubs."""
    if isinstance(instance, BrandPost):
        group_event_publish(
            groups=[HUB_GROUP], event="post.expired", data={"post": instance.pk}
        )


@receiver(published, dispatch_uid="advocacy_suggestion_approved")
def suggestion_approved(sender, instance, **kwargs) -> None:
    """A suggested post went live: its author hears so (once)."""
    if isinstance(instance, BrandPost) and instance.suggested_by_id:
        from .services import suggestion_outcome_notify

        suggestion_outcome_notify(post=instance, approved=True)


@receiver(workflow_rejected, dispatch_uid="advocacy_suggestion_rejected")
def suggestion_rejected(sender, instance, **kwargs) -> None:
    """Communications declined a suggested post: its author hears so."""
    post = instance.content_object
    if isinstance(post, BrandPost) and post.suggested_by_id:
        from .services import suggestion_outcome_notify

        suggestion_outcome_notify(post=post, approved=False, ref=str(instance.pk))


@receiver(module_completed, dispatch_uid="advocacy_module_points")
def module_points(sender, employee, module, **kwargs) -> None:
    """Each onboarding module earns points once."""
    from .models import PointsEntry
    from .rewards import leaderboard_changed, points_award

    if points_award(
        employee_id=employee.pk,
        reason=PointsEntry.Reason.MODULE,
        key=f"module:{employee.pk}:{module.pk}",
    ):
        leaderboard_changed()


@receiver(path_completed, dispatch_uid="advocacy_path_milestone")
def path_milestone(sender, employee, path, **kwargs) -> None:
    """A completed path is a milestone the person may want to share."""
    from .models import MilestonePrompt
    from .rewards import milestone_prompt_open

    milestone_prompt_open(
        employee=employee,
        kind=MilestonePrompt.Kind.PATH,
        ref=f"path:{path.pk}",
        subject=path.title,
    )
