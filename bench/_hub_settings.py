"""Settings for ``bench/hub.py``: development's, as production would run them.

Debug off (Django records every query with it on), and the channel layer's key
prefix of this run only, so a bench never hears another run's groups on a shared
Redis. ``BENCH_HUB_PUBSUB`` set: channels_redis's pub/sub layer instead, to compare.
"""

import os

from config.settings.dev import *  # noqa: F403
from config.settings.dev import CHANNEL_LAYERS

DEBUG = False
_redis = CHANNEL_LAYERS["default"].get("CONFIG", {})
if "hosts" in _redis:
    _redis["prefix"] = os.environ.get("BENCH_HUB_LAYER_PREFIX", "cimientos-bench-hub")
    if os.environ.get("BENCH_HUB_PUBSUB"):
        CHANNEL_LAYERS["default"]["BACKEND"] = (
            "channels_redis.pubsub.RedisPubSubChannelLayer"
        )
        _redis.pop("capacity", None)
