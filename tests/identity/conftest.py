from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from wagtail.models import Locale

from identity.models import HomePage, Value
from people import roles
from tests.factories import EmployeeFactory, UserFactory


def with_mfa(user):
    """Admin roles must have a second factor before /admin/ lets them in."""
    TOTP.activate(user, generate_totp_secret())
    return user


@pytest.fixture
def home_es(db) -> HomePage:
    return HomePage.objects.get(locale__language_code="es")


@pytest.fixture
def home_en(db) -> HomePage:
    return HomePage.objects.get(locale__language_code="en")


@pytest.fixture
def locale_en(db) -> Locale:
    return Locale.objects.get(language_code="en")


@pytest.fixture
def hr_editor_user(db):
    user = with_mfa(UserFactory(email="editor@example.com", roles=[roles.HR_EDITOR]))
    EmployeeFactory(user=user, full_name="Elena Editor")
    return user


@pytest.fixture
def hr_lead_user(db):
    user = with_mfa(
        UserFactory(email="lead@example.com", roles=[roles.HR_EDITOR, roles.HR_LEAD])
    )
    EmployeeFactory(user=user, full_name="Lola Lead")
    return user


@pytest.fixture
def admin_user(db):
    user = with_mfa(UserFactory(email="admin@example.com", roles=[roles.ADMINISTRATOR]))
    EmployeeFactory(user=user, full_name="Ada Admin")
    return user


@pytest.fixture
def reader_es(db):
    return EmployeeFactory(
        user=UserFactory(email="lector@example.com"), preferred_language="es"
    ).user


@pytest.fixture
def reader_en(db):
    return EmployeeFactory(
        user=UserFactory(email="reader@example.com"), preferred_language="en"
    ).user


@pytest.fixture
def value(db) -> Value:
    return Value.objects.create(
        name="Cercanía",
        statement="Tratamos a cada huésped por su nombre.",
        locale=Locale.get_default(),
    )
