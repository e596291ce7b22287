"""The complainant's account: their complaints, each case's progress, messages, withdrawal,
feedback once a case ends, and their contact details and adjustments."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from accounts.models import ContactPreferences
from accounts.services import contact_preferences_update
from casework.models import Case, Message, MessageParty
from casework.services import case_transition, message_send, messages_mark_read
from casework.state import CaseAction, CaseStateMachine, IllegalTransition
from complaints import account
from complaints.account_forms import (
    AddressForm,
    AdjustmentsForm,
    ContactMethodForm,
    FeedbackForm,
    MessageForm,
    PhoneForm,
    WithdrawForm,
    radio_items,
)
from complaints.views import case_for_complainant
from insight.models import CaseFeedback
from insight.services import FeedbackNotOpen, case_feedback_submit


def _not_staff(request):
    """Staff work cases in the back office; these pages are only for the people who complained."""
    if request.user.is_ombudsman_staff:
        raise Http404


def _case(request, reference) -> Case:
    """The one way these pages fetch a case: the signed-in complainant's own, or 404."""
    _not_staff(request)
    return case_for_complainant(request, reference)


def _posted(request):
    """The form data of a POST (even an empty one, so that it is validated), else None."""
    return request.POST if request.method == "POST" else None


def _case_url(case, name="case"):
    return reverse(f"complaints:{name}", kwargs={"reference": case.reference})


def _preferences(user) -> ContactPreferences:
    """Saved preferences, or the defaults shown to someone who has not set any."""
    return ContactPreferences.objects.filter(user=user).first() or ContactPreferences(user=user)


@login_required
@require_safe
def case_list(request):
    _not_staff(request)
    cases = [
        {"case": case, "status": account.public_status(case)}
        for case in account.complainant_cases(request.user)
    ]
    return render(request, "complaints/account/case_list.html", {"cases": cases})


@login_required
@require_safe
def case_detail(request, reference):
    case = _case(request, reference)
    ended = account.is_ended(case)
    context = {
        "case": case,
        "status": account.public_status(case),
        "next_step": account.next_step(case),
        "timeline": account.timeline(case, request.user),
        "organisations": case.organisations.order_by("name"),
        "unread_messages": account.unread_messages(case),
        "letters": account.documents_from_us(case, request.user).count(),
        "preferences": _preferences(request.user),
        "can_withdraw": CaseStateMachine(case.status).can(CaseAction.WITHDRAW),
        "ended": ended,
        "feedback_given": ended and CaseFeedback.objects.filter(case=case).exists(),
    }
    return render(request, "complaints/account/case_detail.html", context)


@login_required
@require_safe
def case_letters(request, reference):
    """Letters and files we have sent the complainant about their case, newest first."""
    case = _case(request, reference)
    return render(
        request,
        "complaints/account/letters.html",
        {"case": case, "documents": account.documents_from_us(case, request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_messages(request, reference):
    """The complainant's thread with us, oldest first; reading it marks our messages read."""
    case = _case(request, reference)
    form = MessageForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        message_send(
            case=case,
            author=request.user,
            party=MessageParty.COMPLAINANT,
            body=form.cleaned_data["body"],
            from_ombudsman=False,
        )
        messages.success(request, "Your message has been sent")
        return redirect(_case_url(case, "messages"))
    thread = list(Message.objects.thread(case=case, party=MessageParty.COMPLAINANT))
    if request.method == "GET":
        messages_mark_read(case=case, party=MessageParty.COMPLAINANT, reader_is_ombudsman=False)
    return render(
        request,
        "complaints/account/messages.html",
        {"case": case, "thread": thread, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_withdraw(request, reference):
    case = _case(request, reference)
    if not request.user.has_perm("complaints.withdraw_case", case):
        raise PermissionDenied("Only the person who made a complaint can withdraw it.")
    form = WithdrawForm(_posted(request))
    refusal = None
    if not CaseStateMachine(case.status).can(CaseAction.WITHDRAW):
        refusal = IllegalTransition(case.status, CaseAction.WITHDRAW)
    elif request.method == "POST" and form.is_valid():
        if not form.withdraw:
            return redirect(_case_url(case))
        try:
            case_transition(
                case_id=case.pk,
                action=CaseAction.WITHDRAW,
                actor=request.user,
                reason=form.cleaned_data["reason"] or account.NO_REASON_GIVEN,
            )
        except IllegalTransition as exc:
            # The status changed since the page was shown (a caseworker acted meanwhile).
            case.refresh_from_db()
            refusal = exc
        else:
            messages.success(request, "You have withdrawn your complaint")
            return redirect(_case_url(case))
    return render(
        request,
        "complaints/account/withdraw.html",
        {
            "case": case,
            "form": form,
            "refusal": refusal,
            "status": account.public_status(case),
            "confirm_items": radio_items(form["confirm"]),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_feedback(request, reference):
    """The survey offered once a case has ended: answered once, then thanked for."""
    case = _case(request, reference)
    form = FeedbackForm(_posted(request))
    refusal = None
    if not account.is_ended(case):
        refusal = "You can tell us what you think once your complaint has ended."
    elif CaseFeedback.objects.filter(case=case).exists():
        return render(request, "complaints/account/feedback_thanks.html", {"case": case})
    elif request.method == "POST" and form.is_valid():
        try:
            case_feedback_submit(case=case, **form.cleaned_data)
        except FeedbackNotOpen as exc:
            refusal = f"{exc}."
        else:
            return redirect(_case_url(case, "feedback"))
    return render(
        request,
        "complaints/account/feedback.html",
        {
            "case": case,
            "form": form,
            "refusal": refusal,
            "ease_items": radio_items(form["ease_of_use"]),
            "informed_items": radio_items(form["kept_informed"]),
        },
    )


@login_required
@require_safe
def your_details(request):
    _not_staff(request)
    return render(
        request,
        "complaints/account/your_details.html",
        {"preferences": _preferences(request.user)},
    )


def _details_page(request, form_class, template, **form_kwargs):
    """Bind one contact-details question, save it through the service, back to the summary."""
    _not_staff(request)
    preferences = _preferences(request.user)
    form = form_class(_posted(request), preferences=preferences, **form_kwargs)
    if request.method == "POST" and form.is_valid():
        contact_preferences_update(user=request.user, **form.changes())
        messages.success(request, "Your details have been updated")
        return redirect("complaints:your_details")
    return render(request, template, {"form": form, "preferences": preferences})


@login_required
@require_http_methods(["GET", "POST"])
def your_phone(request):
    return _details_page(request, PhoneForm, "complaints/account/details_phone.html")


@login_required
@require_http_methods(["GET", "POST"])
def your_address(request):
    return _details_page(request, AddressForm, "complaints/account/details_address.html")


@login_required
@require_http_methods(["GET", "POST"])
def your_contact_method(request):
    return _details_page(
        request,
        ContactMethodForm,
        "complaints/account/details_contact_method.html",
        email=request.user.email,
    )


@login_required
@require_http_methods(["GET", "POST"])
def your_adjustments(request):
    return _details_page(request, AdjustmentsForm, "complaints/account/details_adjustments.html")
