"""The Celery app. Tasks are autodiscovered from each app's tasks.py; settings use the CELERY_ prefix."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "phso.settings")

app = Celery("phso")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
