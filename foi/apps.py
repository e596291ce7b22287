from django.apps import AppConfig


class FoiConfig(AppConfig):
    name = "foi"
