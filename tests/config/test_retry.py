from __future__ import annotations

import logging

import pytest
from django.core.management import get_commands, load_command_class
from django.db import OperationalError

from config.management.commands.db_worker import Command as ResilientWorker
from config.retry import Backoff, Breaker, retry_until_success

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


def test_a_broken_dependency_is_tried_by_one_caller_per_pause(monkeypatch, caplog):
    clock = [100.0]
    monkeypatch.setattr("config.retry.time.monotonic", lambda: clock[0])
    breaker = Breaker(
        logger=logger, down="Cache down (%s: %s)", up="Cache up", shortest=1, longest=4
    )
    caplog.set_level(logging.WARNING, logger="tests.retry")

    assert breaker.ready() and breaker.ready()  # nothing failed yet: everyone
    breaker.failed(ConnectionError("refused"))
    assert not breaker.ready()  # within the first pause (1 s): nobody
    clock[0] += 1
    assert breaker.ready()  # one caller probes...
    assert not breaker.ready()  # ...the others go without meanwhile
    breaker.failed(ConnectionError("refused"))
    clock[0] += 1.5
    assert not breaker.ready()  # the pause doubled to 2 s
    clock[0] += 0.5
    assert breaker.ready()
    breaker.failed(ConnectionError("refused"))
    breaker.failed(ConnectionError("refused"))
    clock[0] += 4
    assert breaker.ready()  # never more than 4 s
    breaker.succeeded()
    breaker.succeeded()
    assert breaker.ready() and breaker.ready()
    breaker.failed(ConnectionError("again"))
    clock[0] += 1
    assert breaker.ready()  # a new outage starts from the shortest pause

    assert [r.getMessage() for r in caplog.records] == [
        "Cache down (ConnectionError: refused)",
        "Cache up",
        "Cache down (ConnectionError: again)",
    ]


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
