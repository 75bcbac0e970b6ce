"""Production: secrets from the environment with no default, HTTPS everywhere.

``DJANGO_SECURE_SSL_REDIRECT=false`` lets a reverse proxy that terminates TLS do
the redirect; ``SECURE_PROXY_SSL_HEADER`` trusts its ``X-Forwarded-Proto``.
"""

from config.preflight import production_environment_check

# Before base reads anything: a malformed DATABASE_URL would otherwise fail
# there, in a traceback that does not name it. Several workers must share one
# database, cache and channel layer, so SQLite and the in-memory defaults are
# refused too (config/preflight.py has every rule).
production_environment_check()

from .base import *  # noqa: E402, F403
from .base import DATABASES, env  # noqa: E402

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = [
    host.strip() for host in env.list("DJANGO_ALLOWED_HOSTS") if host.strip()
]

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
if not SECURE_SSL_REDIRECT:
    # The operator says the TLS proxy redirects to HTTPS: Django's warning that
    # nothing does (security.W008) does not apply, and would fail the deploy check.
    SILENCED_SYSTEM_CHECKS = ["security.W008"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool(
    "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True
)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# 0: under ASGI a persistent connection would outlive its thread. Put PgBouncer
# in front of PostgreSQL when connection set-up time starts to matter.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=0)

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

EMAIL_BACKEND = env(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = env("DJANGO_EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("DJANGO_EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("DJANGO_EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("DJANGO_EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("DJANGO_EMAIL_USE_TLS", default=True)

# Background work runs in `manage.py db_worker`, not inside the web request.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
SHOW_DEMO_PASSWORDS = False
