"""The Celery app: tasks are autodiscovered from each app's tasks.py; settings use CELERY_*."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "phso.settings")

app = Celery("phso")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
