from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from casework.forms import PdsDecisionForm
from casework.models import Case, PdsMatchStatus
from casework.services import StaleDecision, pds_match_decide


@require_safe
def home(request):
    """Staff area home. StaffSecondFactorMiddleware has already required staff + verified TOTP."""
    return render(request, "casework/home.html")


def case_for_staff(request, reference) -> Case:
    """The one way staff views fetch a case: 404 for anything the user may not see."""
    if not request.user.has_perm("casework.view_case_queue"):
        raise PermissionDenied("Only caseworkers and managers can open cases.")
    return get_object_or_404(Case.objects.visible_to(request.user), reference=reference)


@require_http_methods(["GET", "POST"])
def pds_match(request, reference):
    case = case_for_staff(request, reference)
    match = case.pds_matches.select_related("decided_by").first()
    form = PdsDecisionForm(request.POST or None)
    if request.method == "POST" and match is not None and form.is_valid():
        try:
            pds_match_decide(
                match_id=match.pk,
                actor=request.user,
                confirm=form.cleaned_data["decision"] == "confirm",
                reason=form.cleaned_data["reason"].strip(),
            )
        except StaleDecision as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Your decision about the NHS patient record has been saved.")
        return redirect("casework:pds_match", reference=case.reference)
    return render(
        request,
        "casework/pds_match.html",
        {"case": case, "match": match, "form": form, "pending": match is not None and match.status == PdsMatchStatus.PENDING},
    )
