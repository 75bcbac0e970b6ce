"""ASGI entry point: HTTP through Django, WebSockets through Channels.

Tracked links (``/s/<code>``) are answered in front of Django, by
``advocacy.redirect``: they are followed far more often than pages are viewed.
"""

import os

from django.core.asgi import get_asgi_application

from config.preflight import exit_if_refused

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

# Django must be set up before anything imports models.
with exit_if_refused():
    django_asgi_app = get_asgi_application()

from django.conf import settings  # noqa: E402

if settings.DEBUG:
    # `make run` serves static files from the app folders, as runserver does;
    # production serves the collected files with whitenoise.
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    django_asgi_app = ASGIStaticFilesHandler(django_asgi_app)

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from advocacy.redirect import TrackedLinkRedirect  # noqa: E402
from advocacy.routing import websocket_urlpatterns  # noqa: E402
from config.security import SecurityHeadersASGI  # noqa: E402

application = ProtocolTypeRouter(
    {
        # The security headers also go on what Django never sees (/s/ links).
        "http": SecurityHeadersASGI(TrackedLinkRedirect(django_asgi_app)),
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)

from config.startup import web_process_ready  # noqa: E402

web_process_ready()
