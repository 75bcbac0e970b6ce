"""Live counters on posts: shares and clicks, sent to open hubs."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from .models import Click, Share, TrackedLink
from .services import HUB_GROUP, group_event_publish


def posts_with_counts(queryset):
    """Annotate posts with ``share_count`` and ``click_count`` in the same query."""

    def counted(model, **filters):
        rows = (
            model.objects.filter(**filters)
            .order_by()
            .values("post_id" if model is Share else "link__post_id")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))

    return queryset.annotate(
        share_count=counted(Share, post_id=OuterRef("pk")),
        click_count=counted(Click, link__post_id=OuterRef("pk"), preview=False),
    )


def post_stats_publish(*, link_ids) -> None:
    """Send the current counters of the posts behind ``link_ids`` to every hub."""
    post_ids = set(
        TrackedLink.objects.filter(pk__in=set(link_ids)).values_list(
            "post_id", flat=True
        )
    )
    if not post_ids:
        return
    shares = dict(
        Share.objects.filter(post_id__in=post_ids)
        .values_list("post_id")
        .annotate(n=Count("pk"))
    )
    clicks = dict(
        Click.objects.filter(link__post_id__in=post_ids, preview=False)
        .values_list("link__post_id")
        .annotate(n=Count("pk"))
    )
    for post_id in sorted(post_ids):
        group_event_publish(
            groups=[HUB_GROUP],
            event="post.stats",
            data={
                "post": post_id,
                "shares": shares.get(post_id, 0),
                "clicks": clicks.get(post_id, 0),
            },
        )
