"""The live ASGI server the browser journeys talk to, and where Chromium lives.

The server is daphne, the one ``make run`` uses, serving ``config.asgi:application``
in a thread of the test process rather than in a child process: the default SQLite
test database and the default channel layer both live in memory, and only a thread
sees the same ones as the test. (Django opens the in-memory test database as
``file:memorydb_default?mode=memory&cache=shared``, so every connection of the
process reaches it, and the tests' writes are committed: ``transactional_db``.)
With ``DATABASE_URL`` and ``REDIS_URL`` set, the same server runs against
PostgreSQL and Redis.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connections

from tests.factories import PASSWORD

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, ConsoleMessage, Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_MISSING = (
    f"the browser journeys need Chromium at {CHROMIUM}: apt-get install -y chromium"
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HOST = "127.0.0.1"

# Reports every Content-Security-Policy violation of every page and frame to
# the test (through ``__cspViolation``), whatever the page's own scripts do.
CSP_VIOLATION_REPORTER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolation(
    `${event.effectiveDirective} refused ${event.blockedURI || "an inline script"}`
    + ` in ${event.sourceFile || document.location.href}:${event.lineNumber}`
    + (event.sample ? ` (${event.sample})` : "")
  );
});
"""


def application():
    """The project's ASGI app, plus static files when WhiteNoise would not serve them.

    WhiteNoise finds files in ``static/`` folders only with
    ``WHITENOISE_USE_FINDERS`` (the dev settings turn it on); otherwise it serves
    ``STATIC_ROOT``, which nothing collects during tests. Django's static files
    handler then serves them, as in ``LiveServerTestCase``.
    """
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    from config.asgi import application

    if getattr(settings, "WHITENOISE_USE_FINDERS", settings.DEBUG):
        return application
    return ASGIStaticFilesHandler(application)


class LiveServer:
    """Daphne on a free port of 127.0.0.1, in a daemon thread.

    Twisted's reactor cannot be restarted, so there is one per test session.
    """

    def __init__(self) -> None:
        from daphne.endpoints import build_endpoint_description_strings
        from daphne.server import Server

        self.server = Server(
            application=application(),
            endpoints=build_endpoint_description_strings(host=HOST, port=0),
            signal_handlers=False,
            verbosity=0,
        )
        self.thread = threading.Thread(
            target=self.server.run, name="e2e-daphne", daemon=True
        )
        self.port = 0

    def start(self, timeout: float = 10) -> None:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.listening_addresses:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the live ASGI server did not start listening")
            time.sleep(0.01)
        self.port = self.server.listening_addresses[0][1]

    def stop(self) -> None:
        from twisted.internet import reactor

        if self.thread.is_alive():
            reactor.callFromThread(reactor.stop)
            self.thread.join(timeout=10)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://{HOST}:{self.port}"

    def call(
        self,
        func: Callable[..., Any],
        /,
        *args: Any,
        call_timeout: float = 10,
        **kwargs: Any,
    ) -> Any:
        """Run ``func`` in a worker thread of the server, as a view would run.

        Publishing an event needs this. In the test's thread ``async_to_sync``
        refuses to run, because Playwright keeps an event loop running there;
        and the in-memory channel layer's queues belong to the server's loop,
        which a message put from another loop would not wake. The call runs in
        autocommit, so ``transaction.on_commit`` callbacks run at once.
        """
        from twisted.internet import reactor

        def run() -> Any:
            try:
                return func(*args, **kwargs)
            finally:
                connections.close_all()

        coroutine = sync_to_async(run, thread_sensitive=False)()
        future = asyncio.run_coroutine_threadsafe(coroutine, reactor._asyncioEventloop)
        return future.result(timeout=call_timeout)


def csp_violations_watch(context: BrowserContext, violations: list[str]) -> None:
    """Collect into ``violations`` each CSP violation in any page of ``context``.

    The page's event reaches the test through a binding, and Chromium's own
    console line ("Refused to …") too, in case a page stops the event.
    """
    context.expose_binding(
        "__cspViolation", lambda source, text: violations.append(text)
    )
    context.add_init_script(CSP_VIOLATION_REPORTER)

    def console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    context.on("page", lambda page: page.on("console", console))


def csp_violations_flush(context: BrowserContext) -> None:
    """Let each page deliver the violations its event loop still holds."""
    for page in context.pages:
        if not page.is_closed():
            page.evaluate("() => new Promise((done) => setTimeout(done, 0))")


def totp_code(secret: str) -> str:
    """The authenticator app's current code, never one about to expire."""
    period = mfa_settings.TOTP_PERIOD
    if period - time.time() % period < 2:
        time.sleep(2)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))


def sign_in(page: Page, email: str, *, totp_secret: str | None = None) -> None:
    """Fill allauth's form, then the authenticator code if the person has one."""
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    if totp_secret is not None:
        code = page.locator("input[name=code]")
        code.fill(totp_code(totp_secret))
        code.press("Enter")
