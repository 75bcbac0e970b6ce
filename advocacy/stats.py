"""Live counters on posts: shares and clicks, sent to open hubs."""

from __future__ import annotations

import asyncio

from asgiref.sync import sync_to_async
from django.db import close_old_connections
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from .models import Click, Share, TrackedLink
from .services import HUB_GROUP, group_event_publish

THROTTLE_SECONDS = 1.0


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


def _recorded_in_thread(records: list) -> None:
    from .rewards import clicks_recorded

    close_old_connections()
    try:
        clicks_recorded(clicks=[record.to_model() for record in records])
    finally:
        close_old_connections()


class StatsThrottle:
    """At most one round of counters and rewards per second per process.

    Stored clicks are marked; the first mark schedules a round a second later
    that covers every click marked by then, so counters are never stale.
    """

    def __init__(self) -> None:
        self.pending: list = []
        self.scheduled = False

    def mark(self, records) -> None:
        self.pending.extend(records)
        if self.pending and not self.scheduled:
            self.scheduled = True
            asyncio.get_running_loop().call_later(THROTTLE_SECONDS, self._flush)

    def _flush(self) -> None:
        records, self.pending, self.scheduled = self.pending, [], False
        asyncio.ensure_future(
            sync_to_async(_recorded_in_thread, thread_sensitive=False)(records)
        )


_throttle: tuple[asyncio.AbstractEventLoop, StatsThrottle] | None = None


def stats_mark(records) -> None:
    """From the event loop: these clicks are stored; counters follow shortly."""
    global _throttle
    loop = asyncio.get_running_loop()
    if _throttle is None or _throttle[0] is not loop:
        _throttle = (loop, StatsThrottle())
    _throttle[1].mark(records)
