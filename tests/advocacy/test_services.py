from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from advocacy.services import person_event_publish, person_group_name


@pytest.mark.django_db(transaction=True)
def test_event_is_published_only_after_the_transaction_commits(settings):
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}
    }
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(person_group_name(user_id=7), channel)

    def pending() -> int:
        queue = layer.channels.get(channel)
        return queue.qsize() if queue is not None else 0

    with transaction.atomic():
        person_event_publish(user_id=7, event="advocacy.test", data={"n": 1})
        assert pending() == 0
    assert pending() == 1
    message = async_to_sync(layer.receive)(channel)
    assert message["event"] == "advocacy.test"
    assert message["data"] == {"n": 1}


@pytest.mark.django_db(transaction=True)
def test_rolled_back_work_publishes_nothing(settings):
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}
    }
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(person_group_name(user_id=8), channel)
    with pytest.raises(RuntimeError), transaction.atomic():
        person_event_publish(user_id=8, event="advocacy.test", data={})
        raise RuntimeError("the work failed")
    queue = layer.channels.get(channel)
    assert queue is None or queue.empty()
