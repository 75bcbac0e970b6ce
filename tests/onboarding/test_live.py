"""Completions reach the managers up the line, live; concurrent enrolment is safe."""

from __future__ import annotations

from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client
from django.utils import timezone

from config.asgi import application
from onboarding.models import Enrolment
from onboarding.services import enrolment_create, module_complete
from tests.advocacy.test_hub_socket import LAYERS, ORIGIN
from tests.concurrency import run_at_once
from tests.factories import EmployeeFactory

from .conftest import publish

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(params=sorted(LAYERS))
def layer(request, settings):
    settings.CHANNEL_LAYERS = {"default": LAYERS[request.param]}
    return request.param


def _cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}".encode()


@sync_to_async
def _line_with_a_module():
    from identity.models import HomePage
    from onboarding.models import ModulePage, PathIndexPage, PathPage

    home = HomePage.objects.get(locale__language_code="es")
    index = publish(home, PathIndexPage(title="Itinerarios", slug="itinerarios"))
    path = publish(index, PathPage(title="Bienvenida", slug="bienvenida"))
    module = publish(path, ModulePage(title="Valores", slug="valores"))
    director = EmployeeFactory(full_name="Directora")
    manager = EmployeeFactory(full_name="Jefa", manager=director)
    outsider = EmployeeFactory(full_name="Otra jefa")
    EmployeeFactory(manager=outsider)
    new_hire = EmployeeFactory(
        full_name="Nuevo Fichaje",
        manager=manager,
        start_date=timezone.localdate() - timedelta(days=2),
    )
    enrolment_create(employee=new_hire, path=path)
    return {
        "module": module,
        "new_hire": new_hire,
        "cookies": {
            "director": _cookie(director.user),
            "manager": _cookie(manager.user),
            "outsider": _cookie(outsider.user),
        },
    }


async def test_a_completion_reaches_every_manager_up_the_line_and_no_one_else(layer):
    world = await _line_with_a_module()
    sockets = {}
    for who, cookie in world["cookies"].items():
        socket = WebsocketCommunicator(
            application, "/ws/hub/", headers=[ORIGIN, (b"cookie", cookie)]
        )
        assert (await socket.connect())[0]
        sockets[who] = socket

    await sync_to_async(module_complete)(
        employee=world["new_hire"], module=world["module"]
    )

    for who in ("manager", "director"):
        message = await sockets[who].receive_json_from(timeout=2)
        assert message["event"] == "onboarding.module_completed"
        assert message["data"]["name"] == "Nuevo Fichaje"
        assert message["data"]["title"] == "Valores"
    # The outsider hears the hub's own news (the leaderboard moved), not the line's.
    heard = []
    while not await sockets["outsider"].receive_nothing(timeout=0.3):
        heard.append((await sockets["outsider"].receive_json_from())["event"])
    assert "onboarding.module_completed" not in heard
    for socket in sockets.values():
        await socket.disconnect()


def test_concurrent_enrolments_make_one(welcome_path):
    """Several requests enrolling the same person at once: one row, no error."""
    person = EmployeeFactory()
    Enrolment.objects.filter(employee=person).delete()  # the automatic one
    results, errors = run_at_once(
        lambda: enrolment_create(employee=person, path=welcome_path)
    )
    assert errors == []
    assert Enrolment.objects.filter(employee=person).count() == 1
    assert sum(1 for _enrolment, created in results if created) == 1
    assert len({enrolment.pk for enrolment, _created in results}) == 1
