from django.shortcuts import render
from django.views.decorators.http import require_safe


@require_safe
def home(request):
    """Staff area home. StaffSecondFactorMiddleware has already required staff + verified TOTP."""
    return render(request, "casework/home.html")
