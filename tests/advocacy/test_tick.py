"""The tick keeps the hub's event log to the replay window."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from advocacy.models import HubEvent
from advocacy.services import REPLAY_WINDOW

pytestmark = pytest.mark.django_db


def test_the_tick_forgets_events_older_than_the_replay_window():
    old = HubEvent.objects.create(group="hub", event="post.stats", data={})
    recent = HubEvent.objects.create(group="hub", event="post.stats", data={})
    HubEvent.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - REPLAY_WINDOW - timedelta(minutes=1)
    )
    out = StringIO()
    with translation.override("en"):
        call_command("onboarding_tick", stdout=out)
    assert "Old hub events forgotten: 1." in out.getvalue()
    assert list(HubEvent.objects.values_list("pk", flat=True)) == [recent.pk]
