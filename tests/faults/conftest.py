"""Fault tests run in the PostgreSQL + Redis pass only: they need real servers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings

from .services import PrivatePostgres, PrivateRedis

ON_POSTGRES_AND_REDIS = settings.DATABASES["default"]["ENGINE"].endswith(
    "postgresql"
) and bool(settings.REDIS_URL)
SKIP_REASON = "fault tests need PostgreSQL and Redis (DATABASE_URL and REDIS_URL)"


def pytest_collection_modifyitems(config, items):
    if ON_POSTGRES_AND_REDIS:
        return
    marker = pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        if "tests/faults/" in str(item.fspath):
            item.add_marker(marker)


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    server = PrivateRedis().start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    server = PrivatePostgres().start()
    try:
        yield server
    finally:
        server.close()
