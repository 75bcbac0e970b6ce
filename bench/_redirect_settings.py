"""Settings for ``bench/redirect.py``: development's, as production would run them.

Debug off (Django records every query with it on) and a URLconf that adds the
bench's bare Django view to the site's own URLs, so the app itself gains no route.
"""

from config.settings.dev import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "bench._redirect_app"
