"""Production start-up: refuse a missing or malformed environment in one clear line.

``config.settings.production`` calls :func:`production_environment_check` before
anything reads the environment; the entry points (``manage.py``, ``config.asgi``,
``config.wsgi``) wrap Django's set-up in :func:`exit_if_refused`, which turns the
refusal into one line on stderr and exit status 3, the "failed to start" status
uvicorn and gunicorn already stop on instead of restarting the process.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import traceback
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

STARTUP_FAILURE = 3
POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql"}
REDIS_SCHEMES = {"redis", "rediss"}
# The keys of config.settings.dev and config.settings.test: public, in the repository.
KNOWN_KEYS = {
    "dev-only-insecure-key-never-use-in-production",
    "test-only-insecure-key",
}
WHOLE_NUMBERS = (
    "DJANGO_SECURE_HSTS_SECONDS",
    "DJANGO_CONN_MAX_AGE",
    "DJANGO_EMAIL_PORT",
)


class StartupRefused(ImproperlyConfigured):
    """The environment cannot run production; the message says every reason."""


def _secret_key_problem(value: str) -> str | None:
    if not value:
        return "DJANGO_SECRET_KEY is not set"
    if value in KNOWN_KEYS or "insecure" in value:
        return "DJANGO_SECRET_KEY is a development or test key"
    if len(value) < 50 or len(set(value)) < 5:
        return (
            "DJANGO_SECRET_KEY is too short "
            "(at least 50 characters, 5 of them different)"
        )
    return None


def _allowed_hosts_problem(value: str) -> str | None:
    hosts = [host.strip() for host in value.split(",") if host.strip()]
    if not hosts:
        return "DJANGO_ALLOWED_HOSTS is not set"
    if "*" in hosts:
        return "DJANGO_ALLOWED_HOSTS must name the site's hosts, not *"
    return None


def _url_problem(
    name: str, value: str, *, schemes: set[str], example: str
) -> str | None:
    """What is wrong with a service URL, never repeating it (it may hold a password)."""
    if not value:
        return f"{name} is not set"
    parts = urlsplit(value)
    scheme = parts.scheme.lower()
    if scheme not in schemes:
        found = f" (it starts with {scheme}://)" if scheme.isalnum() else ""
        return f"{name} must be a URL like {example}{found}"
    try:
        parts.port  # noqa: B018 - urlsplit checks the port only when it is read
    except ValueError:
        return f"{name} has an invalid port"
    if not parts.hostname and not parts.path.strip("/"):
        return f"{name} names no server"
    return None


def _database_url_problem(value: str) -> str | None:
    if urlsplit(value).scheme.lower().startswith("sqlite"):
        return "DATABASE_URL points to SQLite: production needs PostgreSQL"
    problem = _url_problem(
        "DATABASE_URL",
        value,
        schemes=POSTGRES_SCHEMES,
        example="postgres://user:password@host:5432/name",
    )
    if problem is None and not urlsplit(value).path.strip("/"):
        return "DATABASE_URL names no database"
    return problem


def production_environment_problems(environ: Mapping[str, str]) -> list[str]:
    """Every reason ``environ`` cannot run production, in the order of the README."""
    problems = [
        _secret_key_problem(environ.get("DJANGO_SECRET_KEY", "").strip()),
        _allowed_hosts_problem(environ.get("DJANGO_ALLOWED_HOSTS", "")),
        _database_url_problem(environ.get("DATABASE_URL", "").strip()),
        _url_problem(
            "REDIS_URL",
            environ.get("REDIS_URL", "").strip(),
            schemes=REDIS_SCHEMES,
            example="redis://host:6379/0 or rediss://",
        ),
    ]
    for name in WHOLE_NUMBERS:
        value = environ.get(name, "").strip()
        if value and not value.isdigit():
            problems.append(f"{name} must be a whole number")
    return [problem for problem in problems if problem]


def production_environment_check(environ: Mapping[str, str] = os.environ) -> None:
    problems = production_environment_problems(environ)
    if problems:
        raise StartupRefused("; ".join(problems) + ".")


def _uvicorn_supervisor() -> tuple[bool, int | None]:
    """Is this a ``uvicorn --workers`` worker; if so, its live supervisor's pid."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return False, None
    for frame, _line in traceback.walk_stack(None):
        if frame.f_globals.get("__name__") == "uvicorn.supervisors.multiprocess":
            return True, parent.pid if parent.pid == os.getppid() else None
    return False, None


@contextmanager
def exit_if_refused() -> Iterator[None]:
    """Turn :class:`StartupRefused` into one line on stderr and exit status 3.

    uvicorn's ``--workers`` supervisor stops when a worker exits 3, but then
    exits 0 itself (uvicorn 0.54): a service manager would read the failed start
    as a clean stop. The first worker that finds the environment broken
    therefore ends its supervisor (SIGKILL, the one signal it cannot turn into
    a clean exit), so the start fails as a whole. The other workers read the
    same environment and exit the same way, silently once the supervisor is
    gone: the first one has said why.
    """
    try:
        yield
    except StartupRefused as refusal:
        is_worker, supervisor = _uvicorn_supervisor()
        if supervisor is not None or not is_worker:
            sys.stderr.write(f"Cimientos cannot start: {refusal}\n")
            sys.stderr.flush()
        if supervisor is not None:
            os.kill(supervisor, signal.SIGKILL)
        raise SystemExit(STARTUP_FAILURE) from None
