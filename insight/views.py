from django.shortcuts import render
from django.views.decorators.http import require_safe

from insight.models import YouSaidWeDid


@require_safe
def index(request):
    return render(request, "insight/index.html")


@require_safe
def you_said_we_did(request):
    entries = YouSaidWeDid.objects.published()
    return render(request, "insight/you_said_we_did.html", {"entries": entries})
