from __future__ import annotations

import logging

import pytest
from django.core.management import get_commands, load_command_class
from django.db import OperationalError

from config.management.commands.db_worker import Command as ResilientWorker
from config.retry import Backoff, retry_until_success

logger = logging.getLogger("tests.retry")


def test_waits_double_up_to_the_cap():
    backoff = Backoff(what="Database", logger=logger, initial=0.5, maximum=8)

    waits = [backoff.failed(OperationalError("down")) for _ in range(12)]

    for failures, wait in enumerate(waits):
        ceiling = min(8, 0.5 * 2**failures)
        assert ceiling / 2 <= wait <= ceiling
    assert max(waits) <= 8


def test_an_outage_is_logged_once_when_it_starts_and_once_when_it_ends(caplog):
    backoff = Backoff(what="Database", logger=logger)
    caplog.set_level(logging.INFO, logger="tests.retry")

    for _ in range(20):
        backoff.failed(OperationalError("connection refused\nIs the server running?"))
    backoff.succeeded()
    backoff.succeeded()

    assert [record.getMessage() for record in caplog.records][0] == (
        "Database unavailable (OperationalError: connection refused); "
        "retrying with back-off up to 30 s"
    )
    assert len(caplog.records) == 2
    assert caplog.records[1].getMessage().startswith("Database back after ")


def test_the_next_outage_starts_again_from_the_shortest_wait():
    backoff = Backoff(what="Database", logger=logger, initial=0.5, maximum=8)
    for _ in range(10):
        backoff.failed(OperationalError("down"))
    backoff.succeeded()

    assert backoff.failed(OperationalError("down again")) <= 0.5
    assert backoff.failing


def test_retry_until_success_waits_out_listed_errors_only():
    attempts = []
    waits: list[float] = []

    def flaky() -> str:
        attempts.append(1)
        if len(attempts) < 4:
            raise OperationalError("down")
        return "stored"

    result = retry_until_success(
        flaky,
        errors=(OperationalError,),
        backoff=Backoff(what="Database", logger=logger),
        sleep=waits.append,
    )

    assert result == "stored"
    assert len(waits) == 3

    def broken() -> None:
        raise ValueError("a bug, not an outage")

    with pytest.raises(ValueError, match="a bug"):
        retry_until_success(
            broken,
            errors=(OperationalError,),
            backoff=Backoff(what="Database", logger=logger),
            sleep=waits.append,
        )
    assert len(waits) == 3


def test_db_worker_is_the_command_that_waits_out_outages():
    command = load_command_class(get_commands()["db_worker"], "db_worker")

    assert isinstance(command, ResilientWorker)
