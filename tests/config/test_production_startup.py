"""A production start with a missing or malformed environment stops at once, in a line.

The servers and commands are started for real, as an operator would start them:
the point is what the process does (exit status, output, no restart loop), which
no in-process test can show.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from config.preflight import production_environment_problems
from tests.faults.services import free_port

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
REFUSAL = "Cimientos cannot start:"
# Not a timing assertion: a start that loops would otherwise hang the suite.
HANG_GUARD_SECONDS = 30
GOOD = {
    "DJANGO_SECRET_KEY": "q9Zr-production-secret-from-the-environment-8Hk2vXw1Lm4NpB7s",
    "DJANGO_ALLOWED_HOSTS": "cimientos.example.com",
    "DATABASE_URL": "postgres://cimientos:pw@127.0.0.1:5432/cimientos",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def _environment(**changes: str | None) -> dict[str, str]:
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))
    }
    environment.update(GOOD, DJANGO_SETTINGS_MODULE="config.settings.production")
    for name, value in changes.items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    return environment


def _run(
    command: list[str], environment: dict[str, str]
) -> subprocess.CompletedProcess:
    process = subprocess.Popen(  # noqa: S603 - our own fixed command lines
        command,
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=HANG_GUARD_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        pytest.fail(
            f"{command[0]} was still running after {HANG_GUARD_SECONDS} s:\n"
            + stderr[-3000:]
        )
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def _refusals(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(REFUSAL)]


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"DJANGO_SECRET_KEY": None}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_ALLOWED_HOSTS": ""}, "DJANGO_ALLOWED_HOSTS"),
        ({"DATABASE_URL": "postgres//cimientos:s3cret@db/cimientos"}, "DATABASE_URL"),
        ({"DATABASE_URL": "sqlite:///db.sqlite3"}, "DATABASE_URL"),
        ({"REDIS_URL": "http://127.0.0.1:6379/0"}, "REDIS_URL"),
    ],
    ids=["no-secret-key", "empty-hosts", "malformed-db", "sqlite-db", "http-redis"],
)
def test_uvicorn_with_workers_stops_at_once_naming_the_variable(changes, named):
    result = _run(
        [
            str(VENV_BIN / "uvicorn"),
            "config.asgi:application",
            "--workers",
            "2",
            "--host",
            "127.0.0.1",
            "--port",
            str(free_port()),
        ],
        _environment(**changes),
    )

    assert result.returncode != 0, result.stderr
    refusals = _refusals(result.stderr)
    assert refusals, result.stderr
    # One line per worker at most, all the same: no traceback wall.
    assert len(refusals) <= 2 and len(set(refusals)) == 1, result.stderr
    assert named in refusals[0]
    assert "Traceback" not in result.stderr
    assert "s3cret" not in result.stderr
    worker_starts = [
        line
        for line in result.stderr.splitlines()
        if "Started server process" in line or "died" in line
    ]
    assert len(worker_starts) <= 2, result.stderr


@pytest.mark.parametrize(
    "command",
    [
        ["daphne", "-b", "127.0.0.1", "-p", "0", "config.asgi:application"],
        ["python", "manage.py", "migrate", "--noinput"],
        ["python", "manage.py", "db_worker"],
        ["python", "manage.py", "advocacy_drain_clicks"],
        ["python", "manage.py", "check", "--deploy"],
    ],
    ids=["daphne", "migrate", "db_worker", "drain_clicks", "check_deploy"],
)
def test_every_production_command_refuses_a_bad_environment_in_one_line(command):
    command = [str(VENV_BIN / command[0]), *command[1:]]

    result = _run(command, _environment(REDIS_URL="http://127.0.0.1:6379/0"))

    assert result.returncode == 3, result.stderr
    assert _refusals(result.stderr) == [
        f"{REFUSAL} REDIS_URL must be a URL like redis://host:6379/0 or rediss:// "
        "(it starts with http://)."
    ], result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"DJANGO_SECRET_KEY": ""}, "DJANGO_SECRET_KEY is not set"),
        ({"DJANGO_SECRET_KEY": "x7Kq" * 5}, "DJANGO_SECRET_KEY is too short"),
        ({"DJANGO_SECRET_KEY": "ab" * 40}, "DJANGO_SECRET_KEY is too short"),
        (
            {"DJANGO_SECRET_KEY": "test-only-insecure-key"},
            "DJANGO_SECRET_KEY is a development or test key",
        ),
        (
            {"DJANGO_SECRET_KEY": "django-insecure-" + "k3y!" * 15},
            "DJANGO_SECRET_KEY is a development or test key",
        ),
        ({"DJANGO_ALLOWED_HOSTS": " , "}, "DJANGO_ALLOWED_HOSTS is not set"),
        ({"DJANGO_ALLOWED_HOSTS": "*"}, "DJANGO_ALLOWED_HOSTS must name"),
        ({"DATABASE_URL": ""}, "DATABASE_URL is not set"),
        ({"DATABASE_URL": "mysql://u@h/db"}, "DATABASE_URL must be a URL like"),
        ({"DATABASE_URL": "sqlite://:memory:"}, "DATABASE_URL points to SQLite"),
        ({"DATABASE_URL": "postgres://u@h:port/db"}, "DATABASE_URL has an invalid"),
        ({"DATABASE_URL": "postgres://u@h:5432"}, "DATABASE_URL names no database"),
        ({"REDIS_URL": ""}, "REDIS_URL is not set"),
        ({"REDIS_URL": "127.0.0.1:6379"}, "REDIS_URL must be a URL like"),
        ({"REDIS_URL": "redis://"}, "REDIS_URL names no server"),
        ({"DJANGO_CONN_MAX_AGE": "forever"}, "DJANGO_CONN_MAX_AGE must be a whole"),
    ],
)
def test_each_rule_names_what_to_fix(changes, expected):
    problems = production_environment_problems({**GOOD, **changes})

    assert len(problems) == 1
    assert problems[0].startswith(expected)


def test_a_correct_environment_has_no_problem():
    assert production_environment_problems(GOOD) == []
    assert (
        production_environment_problems(
            {
                **GOOD,
                "DATABASE_URL": "postgresql:///cimientos",
                "REDIS_URL": "rediss://:pw@cache.internal:6380/2",
                "DJANGO_ALLOWED_HOSTS": "a.example.com, b.example.com",
            }
        )
        == []
    )
