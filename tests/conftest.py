from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from people import roles

from .factories import PASSWORD, EmployeeFactory, UserFactory, admin_ready


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits live in the cache; one test's attempts must not leak."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def employee(db):
    return EmployeeFactory(
        user=UserFactory(email="ana@example.com"), full_name="Ana Ruiz"
    )


@pytest.fixture
def hr_editor(db):
    return EmployeeFactory(
        user=UserFactory(email="hr@example.com", roles=[roles.HR_EDITOR]),
        full_name="Helena Ramos",
    )


@pytest.fixture
def hr_client(client, hr_editor) -> Client:
    """An HR editor signed in and past the admin's MFA gate."""
    client.force_login(admin_ready(hr_editor.user))
    return client


@pytest.fixture
def client() -> Client:
    """A browser that asks for English; the site's default language is Spanish."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture(scope="session", autouse=True)
def _close_worker_thread_connections(django_db_setup, django_db_blocker):
    """Let PostgreSQL drop the test database at the end of the run.

    Consumers and the live server query from worker threads, whose connections
    outlive the tests; end them before pytest-django drops the database.
    """
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
