from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from identity.models import HomePage
from onboarding.models import ModulePage, PathIndexPage, PathPage
from tests.factories import EmployeeFactory, UserFactory


def publish(parent, page):
    page = parent.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def path_index(db) -> PathIndexPage:
    home = HomePage.objects.get(locale__language_code="es")
    return publish(home, PathIndexPage(title="Itinerarios", slug="itinerarios"))


@pytest.fixture
def welcome_path(path_index) -> PathPage:
    return publish(path_index, PathPage(title="Bienvenida", slug="bienvenida"))


@pytest.fixture
def add_module(welcome_path):
    def add(title: str, **fields) -> ModulePage:
        slug = title.lower().replace(" ", "-")
        return publish(welcome_path, ModulePage(title=title, slug=slug, **fields))

    return add


@pytest.fixture
def new_hire(db):
    """Started three days ago, in Madrid."""
    return EmployeeFactory(
        user=UserFactory(email="nuevo@example.com"),
        full_name="Nuevo Fichaje",
        start_date=timezone.localdate() - timedelta(days=3),
        timezone="Europe/Madrid",
    )
