"""What a web process does once, before its first request."""

from __future__ import annotations

import gc
from importlib import import_module

from django.conf import settings


def web_process_ready() -> None:
    """Import every view, then take the startup heap out of the collector's sight.

    Django, Wagtail and their imports leave hundreds of thousands of
    long-lived objects. Python's full garbage collections walk all of them,
    and a page that builds many objects (the team dashboard of a long line)
    triggers such collections: measured on it, they added about 50 ms to
    one request in ten. Frozen, they are never walked again; they were
    never going to be freed anyway.
    """
    import_module(settings.ROOT_URLCONF)
    gc.collect()
    gc.freeze()
