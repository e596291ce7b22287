"""The service's WSGI application with every view imported before gunicorn forks (--preload), so
that no worker spends its first requests importing (WeasyPrint, pandas) while being measured."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.pages.settings")

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db import connections  # noqa: E402
from django.urls import get_resolver  # noqa: E402

application = get_wsgi_application()
get_resolver().url_patterns  # noqa: B018 - imports every URL module and view
connections.close_all()  # never share a database connection across the fork
