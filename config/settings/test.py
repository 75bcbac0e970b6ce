"""Tests: fast hashing, in-memory email, the same services as dev otherwise."""

import atexit
import shutil
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "test-only-insecure-key"  # noqa: S105
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Real files (documents are streamed from disk), in a folder of this run only.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="cimientos-test-media-"))
atexit.register(shutil.rmtree, MEDIA_ROOT, ignore_errors=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default="http://testserver")
SHOW_DEMO_PASSWORDS = False
