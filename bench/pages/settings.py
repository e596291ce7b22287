"""Settings for the pages benchmark: the service's own settings, served as in production but
over plain HTTP on loopback.

DJANGO_ENV stays "local" (production mode insists on a real SECRET_KEY, named hosts and HTTPS
redirects, which a loopback benchmark cannot follow) with DEBUG off, so that no query log, debug
page or template debug information is kept: the request path is production's. The cache is the
per-process local-memory one (REDIS_URL unset): the shared Redis is not the benchmark's to fill.
"""

import os

os.environ.setdefault("DEBUG", "False")

from phso.settings import *  # noqa: E402, F403

DEBUG = False
ROOT_URLCONF = "bench.pages.urls"
# Connections kept open between requests, as a production deployment would.
DATABASES["default"]["CONN_MAX_AGE"] = 60  # noqa: F405
