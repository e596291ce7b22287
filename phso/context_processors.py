from django.conf import settings


def service(request):
    return {"SITE_NAME": settings.SITE_NAME}
