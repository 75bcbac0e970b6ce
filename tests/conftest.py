from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from people import roles

from .factories import PASSWORD, EmployeeFactory, UserFactory


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
def client() -> Client:
    """A browser that asks for English; the site's default language is Spanish."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")
