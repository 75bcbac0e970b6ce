import os

from django.core.wsgi import get_wsgi_application

from config.preflight import exit_if_refused

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

with exit_if_refused():
    application = get_wsgi_application()

from config.startup import web_process_ready  # noqa: E402

web_process_ready()
