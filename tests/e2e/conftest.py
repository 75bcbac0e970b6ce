"""Fixtures for the browser journeys: a live server, Chromium, pages."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator

import django.utils.asyncio as django_asyncio
import pytest
from django.db import connections

from .support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    CHROMIUM_MISSING,
    LiveServer,
    csp_violations_flush,
    csp_violations_watch,
)


@pytest.fixture(scope="session")
def _live_asgi_server(django_db_setup) -> Iterator[LiveServer]:
    # Under ASGI every request runs in a thread of its own; a persistent
    # connection would outlive the thread and keep PostgreSQL from dropping
    # the test database at the end.
    db_settings = connections.settings["default"]
    max_age = db_settings.get("CONN_MAX_AGE", 0)
    db_settings["CONN_MAX_AGE"] = 0
    server = LiveServer()
    try:
        server.start()
        yield server
    finally:
        server.stop()
        db_settings["CONN_MAX_AGE"] = max_age


@pytest.fixture
def live_asgi_server(_live_asgi_server, transactional_db) -> LiveServer:
    """The server, for a test whose writes are committed so the server sees them."""
    return _live_asgi_server


@pytest.fixture(scope="module", autouse=True)
def _orm_beside_playwright() -> Iterator[None]:
    """Let the test's thread query the database while Playwright runs.

    Playwright's sync API keeps an asyncio loop running in the test's thread,
    and Django refuses queries made under a running loop (factories,
    assertions, the flush after each test). ``DJANGO_ALLOW_ASYNC_UNSAFE``
    would lift the rule for the whole process, the server's consumers too;
    this lifts it for the test's thread only.
    """
    test_thread = threading.get_ident()
    get_running_loop = django_asyncio.get_running_loop

    def running_loop_outside_the_test() -> asyncio.AbstractEventLoop:
        if threading.get_ident() == test_thread:
            raise RuntimeError("Playwright's loop, not the test's")
        return get_running_loop()

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(django_asyncio, "get_running_loop", running_loop_outside_the_test)
        yield


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(CHROMIUM_MISSING)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_asgi_server) -> Iterator[Callable]:
    """Open a page in a browser of its own: its own cookies, English by default.

    Any Content-Security-Policy violation in its pages fails the test
    (``pytest_runtest_call`` below): htmx, Chart.js, hub.js and the admin's
    scripts must all work under the policy.
    """
    contexts = []
    violations: list[str] = []

    def open_page(locale: str = "en-GB"):
        context = browser.new_context(base_url=live_asgi_server.url, locale=locale)
        context.set_default_timeout(10_000)
        csp_violations_watch(context, violations)
        contexts.append(context)
        return context.new_page()

    open_page.contexts = contexts
    open_page.csp_violations = violations
    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """A journey that passed still fails if a page broke the CSP on the way."""
    result = yield
    opener = item.funcargs.get("new_page")
    if opener is not None:
        for context in opener.contexts:
            csp_violations_flush(context)
        if opener.csp_violations:
            pytest.fail(
                "Content-Security-Policy violations:\n"
                + "\n".join(dict.fromkeys(opener.csp_violations))
            )
    return result
