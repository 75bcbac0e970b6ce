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
# Clicks no store took: a folder of this run only, unless the environment names
# one (the fault tests' servers), which then outlives the process.
if not env("ADVOCACY_CLICK_SPOOL_DIR", default=""):
    ADVOCACY_CLICK_SPOOL_DIR = Path(tempfile.mkdtemp(prefix="cimientos-test-spool-"))
    atexit.register(shutil.rmtree, ADVOCACY_CLICK_SPOOL_DIR, ignore_errors=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default="http://testserver")
SHOW_DEMO_PASSWORDS = False

# A real file rather than SQLite's shared in-memory database: that one locks
# whole tables between threads and ignores the busy timeout, so concurrent
# requests in a test would fail where the real (WAL, file) database waits.
# One folder per test run, so parallel runs never share it.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    _TEST_DB_DIR = Path(tempfile.mkdtemp(prefix="cimientos-test-db-"))
    atexit.register(shutil.rmtree, _TEST_DB_DIR, ignore_errors=True)
    DATABASES["default"]["TEST"] = {"NAME": str(_TEST_DB_DIR / "test.sqlite3")}  # noqa: F405
