from django.apps import AppConfig


class PhsoConfig(AppConfig):
    name = "phso"
    verbose_name = "Service"
