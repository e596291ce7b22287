"""The guided complaint form: one question per page, a task list, check answers, send.

Anyone can fill the form in; sending needs an account, which is how people follow their complaint.
Every page shows someone's own answers, so none may be cached. Drafts are fetched only through
draft_for_request, which 404s on any draft this person may not open.
"""

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from accounts.directory import CHOSEN_PARAMETER
from accounts.models import Organisation
from accounts.otp import client_ip
from casework.forms import DocumentUploadForm
from casework.services import UploadRefused
from casework.views import upload_view
from complaints.checker import Answers as CheckerAnswers
from complaints.checker import OrganisationType
from complaints.checker_forms import display_name
from complaints.drafts import (
    DRAFT_KEEP_DAYS,
    RETURN_LINK_DAYS,
    return_link_allowance_take,
    return_link_find,
    session_draft_ids,
    session_draft_remember,
    session_length_text,
)
from complaints.form_steps import (
    OrganisationChoiceForm,
    ReturnLinkForm,
    UnlistedOrganisationForm,
)
from complaints.journey import (
    CHECK_ANSWERS,
    HEALTH,
    KIND,
    MP_REFERRAL,
    PARLIAMENTARY,
    SECTION_OF,
    STEPS,
    TASK_LIST,
    Journey,
    TaskStatus,
)
from complaints.models import (
    Authority,
    ComplaintDetails,
    ComplaintDraft,
    DraftDocument,
    DraftDocumentPurpose,
)
from complaints.services import (
    AnswersChanged,
    ComplaintNotReady,
    ReturnLinkRefused,
    ReturnLinkUnusable,
    complaint_draft_answer_save,
    complaint_draft_claim,
    complaint_draft_start,
    complaint_drafts_claim,
    complaint_submit,
    draft_document_remove,
    draft_document_upload,
    draft_return_link_send,
    draft_return_link_use,
)
from phso.clock import add_working_days

CHECKER_SESSION_KEY = "checker"
# We aim to contact someone about a new complaint within this many working days.
FIRST_CONTACT_WORKING_DAYS = 10


def draft_for_request(request, draft_id) -> ComplaintDraft:
    """The one way form views fetch a draft: the person's own, or 404 (never revealing others).

    Own means: in their account, or started or restored in this browser. A draft of this browser
    opened by someone signed in is attached to their account, so it outlives the session.
    """
    draft = (
        ComplaintDraft.objects.filter(public_id=draft_id)
        .filter(Q(submitted_at__isnull=False) | Q(expires_at__gt=timezone.now()))
        .select_related("case")
        .first()
    )
    if draft is None:
        raise Http404("No such draft")
    user = request.user
    if draft.owner_id is not None:
        if user.is_authenticated and draft.owner_id == user.pk:
            return draft
        raise Http404("No such draft")
    if str(draft.public_id) not in session_draft_ids(request) or draft.submitted:
        raise Http404("No such draft")
    if user.is_authenticated:
        try:
            return complaint_draft_claim(draft=draft, user=user)
        except PermissionDenied:
            raise Http404("No such draft") from None
    return draft


def step_url(draft, destination: str, *, change: bool = False) -> str:
    """The URL of a page of the form (a step's slug, or TASK_LIST, CHECK_ANSWERS, MP_REFERRAL)."""
    names = {
        TASK_LIST: "complaint_form:task_list",
        CHECK_ANSWERS: "complaint_form:check_answers",
        MP_REFERRAL: "complaint_form:mp_referral",
        "organisations": "complaint_form:organisations",
    }
    if destination in names:
        url = reverse(names[destination], kwargs={"draft_id": draft.public_id})
    else:
        url = reverse(
            "complaint_form:step", kwargs={"draft_id": draft.public_id, "step": destination}
        )
    return f"{url}?change=1" if change and destination in STEPS else url


def _journey(draft) -> Journey:
    return Journey(draft.answers, today=timezone.localdate())


def _form_context(request, draft) -> dict:
    """What every page of a draft shows: how long it is kept, and how to save it."""
    return {
        "draft": draft,
        "signed_in": request.user.is_authenticated,
        "session_length": session_length_text(),
        "keep_days": DRAFT_KEEP_DAYS,
        "save_url": reverse("complaint_form:save", kwargs={"draft_id": draft.public_id}),
        "task_list_url": step_url(draft, TASK_LIST),
    }


def _sent(draft):
    return redirect("complaint_form:sent", draft_id=draft.public_id)


def _checker_answers(request) -> dict:
    """Answers the eligibility checker already has, so nobody is asked the same thing twice."""
    data = request.session.get(CHECKER_SESSION_KEY)
    if not isinstance(data, dict):
        return {}
    checked = CheckerAnswers.from_session(data.get("answers"))
    if checked.organisation_type != OrganisationType.NHS_ENGLAND:
        return {}
    answers = {KIND: {"kind": HEALTH}}
    if checked.organisation_id is not None:
        answers["organisations"] = {"organisation_ids": [checked.organisation_id], "unlisted": []}
    return answers


# --- Starting and resuming --------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def start(request):
    """What the form asks and how saving works; Start makes a draft and opens its first page."""
    if request.method == "POST":
        draft = complaint_draft_start(owner=request.user, answers=_checker_answers(request))
        session_draft_remember(request, draft)
        return redirect(step_url(draft, TASK_LIST if draft.answers else KIND))
    drafts = _drafts_in_progress(request)
    return render(
        request,
        "complaints/form/start.html",
        {
            "drafts": drafts,
            "keep_days": DRAFT_KEEP_DAYS,
            "session_length": session_length_text(),
            "from_checker": bool(_checker_answers(request)),
        },
    )


def _drafts_in_progress(request) -> list[ComplaintDraft]:
    """The signed-in person's drafts and this browser's, newest first: one query.

    A draft started before signing in joins the account when it is next opened (resume).
    """
    this_browser = Q(owner__isnull=True, public_id__in=session_draft_ids(request))
    if request.user.is_authenticated:
        this_browser |= Q(owner=request.user)
    return list(ComplaintDraft.objects.filter(this_browser).in_progress())


@never_cache
@login_required
@require_safe
def drafts(request):
    """Your draft complaints: what each is about, when it was saved and until when it is kept.

    Drafts this browser started before signing in join the account here, so that the dates shown
    are the account's keeping period.
    """
    complaint_drafts_claim(public_ids=session_draft_ids(request), user=request.user)
    items = list(ComplaintDraft.objects.owned_by(request.user).in_progress())
    today = timezone.localdate()
    chosen = {d.pk: _organisations_saved(Journey(d.answers, today=today)) for d in items}
    ids = {i for organisation_ids, _ in chosen.values() for i in organisation_ids}
    found = Organisation.objects.filter(pk__in=ids).values_list("pk", "name") if ids else []
    names = {pk: display_name(name) for pk, name in found}
    for draft in items:
        organisation_ids, unlisted = chosen[draft.pk]
        draft.about = [*(names[i] for i in organisation_ids if i in names), *unlisted]
    return render(
        request, "complaints/form/drafts.html", {"drafts": items, "keep_days": DRAFT_KEEP_DAYS}
    )


@never_cache
@require_safe
def resume(request, draft_id):
    """Back to the same point: the page the person was going to next."""
    draft = draft_for_request(request, draft_id)
    if draft.submitted:
        return _sent(draft)
    journey = _journey(draft)
    destination = draft.current_step
    if destination in STEPS and not journey.available(destination):
        destination = TASK_LIST
    if destination == CHECK_ANSWERS and not journey.complete:
        destination = TASK_LIST
    return redirect(step_url(draft, destination or TASK_LIST))


@never_cache
@require_safe
def task_list(request, draft_id):
    draft = draft_for_request(request, draft_id)
    if draft.submitted:
        return _sent(draft)
    journey = _journey(draft)
    tasks = [{"task": task, "url": step_url(draft, task.slug)} for task in journey.tasks()]
    done = sum(item["task"].status == TaskStatus.COMPLETED for item in tasks)
    return render(
        request,
        "complaints/form/task_list.html",
        {
            **_form_context(request, draft),
            "tasks": tasks,
            "done": done,
            "total": len(tasks),
            "complete": journey.complete,
            "parliamentary": journey.answers.kind == PARLIAMENTARY,
            "kind_known": bool(journey.answers.kind),
            "check_url": step_url(draft, CHECK_ANSWERS),
            "mp_url": step_url(draft, MP_REFERRAL),
        },
    )


# --- Question pages ---------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def step(request, draft_id, step):
    draft = draft_for_request(request, draft_id)
    if draft.submitted:
        return _sent(draft)
    if step not in STEPS or step == "organisations":
        raise Http404("No such question")
    journey = _journey(draft)
    if not journey.available(step):
        return redirect(step_url(draft, TASK_LIST))
    change = request.GET.get("change") == "1"
    saved = journey.answers.raw(step)
    initial = saved if saved is not None else STEPS[step].form_class.initial_for(request.user)
    form = journey.form(step, request.POST if request.method == "POST" else None, initial=initial)
    leaving = "save_and_return" in request.POST
    if request.method == "POST":
        if leaving and not form.has_changed():
            return redirect(_form_context(request, draft)["save_url"])
        if form.is_valid():
            answer = form.answer()
            destination = journey.with_answer(step, answer).after(step, change=change)
            complaint_draft_answer_save(
                draft=draft, step=step, answer=answer, current_step=destination
            )
            if leaving:
                return redirect(_form_context(request, draft)["save_url"])
            return redirect(step_url(draft, destination, change=change))
    back = CHECK_ANSWERS if change else journey.before(step)
    return render(
        request,
        form.template_name,
        {
            **_form_context(request, draft),
            "form": form,
            "section": SECTION_OF[step],
            "back_url": step_url(draft, back),
            "change": change,
            **_files_context(request, draft, step, change=change),
        },
    )


# --- Files uploaded on a page of the form -------------------------------------------------------

# The pages that take files, and what the files are for.
FILE_STEPS = {
    "authority": DraftDocumentPurpose.CONSENT,
    "final-response-date": DraftDocumentPurpose.FINAL_RESPONSE,
    "evidence": DraftDocumentPurpose.EVIDENCE,
}


def _draft_files(draft, purpose=None) -> list[DraftDocument]:
    """The files still on a draft (removed ones are not), oldest first."""
    links = DraftDocument.objects.filter(draft=draft, document__deleted_at__isnull=True)
    if purpose is not None:
        links = links.filter(purpose=purpose)
    return list(links.select_related("document"))


def _files_context(request, draft, step, *, change=False, upload_form=None) -> dict:
    if step not in FILE_STEPS:
        return {}
    query = "?change=1" if change else ""
    kwargs = {"draft_id": draft.public_id, "step": step}
    return {
        "files": {
            "purpose": FILE_STEPS[step],
            "links": _draft_files(draft, FILE_STEPS[step]) if request.user.is_authenticated else [],
            "form": upload_form or DocumentUploadForm(auto_id="id_upload_%s"),
            "upload_url": reverse("complaint_form:files_upload", kwargs=kwargs) + query,
            "step": step,
            "query": query,
            "login_url": f"{reverse('account_login')}?{urlencode({'next': step_url(draft, step)})}",
        }
    }


@never_cache
@upload_view
@require_http_methods(["POST"])
def draft_files_upload(request, draft_id, step):
    """Upload files on a form page; each file's outcome is then listed on that page."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    draft = draft_for_request(request, draft_id)
    if draft.submitted:
        return _sent(draft)
    if step not in FILE_STEPS or not _journey(draft).available(step):
        raise Http404("No such page")
    change = request.GET.get("change") == "1"
    upload_form = DocumentUploadForm(request.POST, request.FILES, auto_id="id_upload_%s")
    if upload_form.is_valid():
        try:
            draft_document_upload(
                draft=draft,
                user=request.user,
                purpose=FILE_STEPS[step],
                files=upload_form.cleaned_data["files"],
            )
        except UploadRefused as exc:
            upload_form.add_error("files", str(exc))
        else:
            return redirect(step_url(draft, step, change=change) + "#files")
    journey = _journey(draft)
    saved = journey.answers.raw(step)
    initial = saved if saved is not None else STEPS[step].form_class.initial_for(request.user)
    form = journey.form(step, None, initial=initial)
    return render(
        request,
        form.template_name,
        {
            **_form_context(request, draft),
            "form": form,
            "section": SECTION_OF[step],
            "back_url": step_url(draft, CHECK_ANSWERS if change else journey.before(step)),
            "change": change,
            **_files_context(request, draft, step, change=change, upload_form=upload_form),
        },
        status=400,
    )


@never_cache
@login_required
@require_http_methods(["POST"])
def draft_file_remove(request, draft_id, step, document_id):
    """Take a file off the complaint before it is sent."""
    draft = draft_for_request(request, draft_id)
    if draft.submitted:
        return _sent(draft)
    link = get_object_or_404(
        DraftDocument.objects.select_related("document"),
        draft=draft,
        document_id=document_id,
        document__deleted_at__isnull=True,
    )
    draft_document_remove(draft=draft, user=request.user, document=link.document)
    change = request.GET.get("change") == "1"
    target = step if step in FILE_STEPS else TASK_LIST
    return redirect(step_url(draft, target, change=change))


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def organisations(request, draft_id):
    """The organisations complained about: chosen through the directory search, which comes
    back here with ?organisation=<id>, or named when they are not in it. The GET the search
    links to only offers to add; a button (POST) adds, removes or moves on."""
    draft = draft_for_request(request, draft_id)
    if draft.submitted:
        return _sent(draft)
    journey = _journey(draft)
    if not journey.available("organisations"):
        return redirect(step_url(draft, TASK_LIST))
    change = request.GET.get("change") == "1"
    here = step_url(draft, "organisations", change=change)
    ids, unlisted = _organisations_saved(journey)
    kind = journey.answers.kind
    posted = request.method == "POST"
    choice = OrganisationChoiceForm(request.POST if posted else _picked(request), kind=kind)
    form = journey.form("organisations", {"organisation_ids": ids, "unlisted": unlisted})
    if posted and "save_and_return" in request.POST:
        return redirect(_form_context(request, draft)["save_url"])
    if posted and "continue" in request.POST and form.is_valid():
        destination = journey.after("organisations", change=change)
        complaint_draft_answer_save(
            draft=draft, step="organisations", answer=form.answer(), current_step=destination
        )
        return redirect(step_url(draft, destination, change=change))
    if posted and "continue" not in request.POST:
        answer = _organisations_changed(request.POST, ids, unlisted, choice)
        if answer is not None:
            complaint_draft_answer_save(
                draft=draft, step="organisations", answer=answer, current_step="organisations"
            )
            return redirect(here)
    chosen = sorted(Organisation.objects.filter(pk__in=ids), key=lambda o: ids.index(o.pk))
    picked = _picked_organisation(choice, ids) if not posted else None
    for organisation in [*chosen, picked] if picked else chosen:
        # Directory names come in capitals from NHS files: shown as people write them.
        organisation.shown_name = display_name(organisation.name)
        organisation.shown_town = display_name(organisation.town)
    errors = choice.non_field_errors() if choice.is_bound else []
    if posted and "continue" in request.POST:
        errors = form.non_field_errors()
    return render(
        request,
        "complaints/form/organisations.html",
        {
            **_form_context(request, draft),
            "errors": errors,
            "picked": picked,
            "chosen": chosen,
            "unlisted": unlisted,
            "here": here,
            "search_url": reverse("accounts:organisation_search") + "?" + urlencode({"next": here}),
            "not_listed_url": reverse(
                "complaint_form:organisation_not_listed", kwargs={"draft_id": draft.public_id}
            )
            + ("?change=1" if change else ""),
            "section": SECTION_OF["organisations"],
            "back_url": step_url(draft, CHECK_ANSWERS if change else TASK_LIST),
        },
    )


def _organisations_saved(journey) -> tuple[list[int], list[str]]:
    saved = journey.answers.raw("organisations") or {}
    ids = [i for i in saved.get("organisation_ids") or [] if isinstance(i, int)]
    unlisted = [n for n in saved.get("unlisted") or [] if isinstance(n, str)]
    return ids, unlisted


def _picked_organisation(choice, ids):
    if not choice.is_bound or not choice.is_valid():
        return None
    organisation = choice.cleaned_data["organisation"]
    return None if organisation.pk in ids else organisation


def _picked(request):
    """The organisation the directory search came back with, as data for the choice form."""
    value = request.GET.get(CHOSEN_PARAMETER)
    return {"organisation": value} if value else None


def _organisations_changed(post, ids, unlisted, choice) -> dict | None:
    """The organisations answer after an Add or Remove button, or None if nothing may change."""
    if "organisation" in post:
        if not choice.is_valid():
            return None
        added = choice.cleaned_data["organisation"].pk
        ids = ids if added in ids else [*ids, added]
    elif "remove" in post:
        ids = [i for i in ids if str(i) != post["remove"]]
    elif "remove_unlisted" in post:
        unlisted = [n for k, n in enumerate(unlisted) if str(k) != post["remove_unlisted"]]
    else:
        return None
    return {"organisation_ids": ids, "unlisted": unlisted}


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def organisation_not_listed(request, draft_id):
    draft = draft_for_request(request, draft_id)
    if draft.submitted:
        return _sent(draft)
    journey = _journey(draft)
    if not journey.available("organisations"):
        return redirect(step_url(draft, TASK_LIST))
    change = request.GET.get("change") == "1"
    form = UnlistedOrganisationForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        ids, unlisted = _organisations_saved(journey)
        answer = {"organisation_ids": ids, "unlisted": [*unlisted, form.cleaned_data["name"]]}
        complaint_draft_answer_save(
            draft=draft, step="organisations", answer=answer, current_step="organisations"
        )
        return redirect(step_url(draft, "organisations", change=change))
    return render(
        request,
        "complaints/form/organisation_not_listed.html",
        {
            **_form_context(request, draft),
            "form": form,
            "section": SECTION_OF["organisations"],
            "back_url": step_url(draft, "organisations", change=change),
        },
    )


@never_cache
@require_safe
def mp_referral(request, draft_id):
    """Parliamentary complaints come through an MP (Parliamentary Commissioner Act 1967 s.5(1))."""
    draft = draft_for_request(request, draft_id)
    if draft.submitted:
        return _sent(draft)
    return render(
        request,
        "complaints/form/mp_referral.html",
        {
            **_form_context(request, draft),
            "kind_url": step_url(draft, KIND),
            "back_url": step_url(draft, KIND),
        },
    )


# --- Check answers and send -------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def check_answers(request, draft_id):
    draft = draft_for_request(request, draft_id)
    if draft.submitted:
        return _sent(draft)
    journey = _journey(draft)
    if journey.answers.kind == PARLIAMENTARY:
        return redirect(step_url(draft, MP_REFERRAL))
    if not journey.complete:
        return redirect(step_url(draft, TASK_LIST))
    changed = False
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(_sign_in_urls(request, draft)["login"])
        try:
            complaint_submit(
                draft=draft,
                user=request.user,
                submission_token=request.POST.get("submission_token"),
            )
        except AnswersChanged:
            changed = True
        except ComplaintNotReady:
            return redirect(step_url(draft, TASK_LIST))
        else:
            return _sent(draft)
    sections = [
        {
            "section": section,
            "rows": [
                {"label": label, "value": value, "url": step_url(draft, slug, change=True)}
                for label, value, slug in rows
            ],
        }
        for section, rows in journey.summary()
    ]
    return render(
        request,
        "complaints/form/check_answers.html",
        {
            **_form_context(request, draft),
            "sections": sections,
            "changed": changed,
            "draft_files": _draft_files(draft) if request.user.is_authenticated else [],
            "back_url": step_url(draft, TASK_LIST),
            **_sign_in_urls(request, draft),
        },
    )


def _sign_in_urls(request, draft) -> dict:
    """Sign in, or create an account, and come back to this draft's check-answers page."""
    here = step_url(draft, CHECK_ANSWERS)
    query = urlencode({"next": here})
    return {
        "login": f"{reverse('account_login')}?{query}",
        "signup": f"{reverse('account_signup')}?{query}",
    }


@never_cache
@login_required
@require_safe
def sent(request, draft_id):
    """The confirmation: the reference, what happens next, and what to send us now."""
    draft = draft_for_request(request, draft_id)
    if not draft.submitted:
        return redirect(step_url(draft, CHECK_ANSWERS))
    case = draft.case
    details = ComplaintDetails.objects.filter(case=case).first()
    received_on = timezone.localtime(case.received_at).date()
    return render(
        request,
        "complaints/form/sent.html",
        {
            "case": case,
            "details": details,
            "to_send": _documents_to_send(details),
            "contact_by": add_working_days(received_on, FIRST_CONTACT_WORKING_DAYS),
            "contact_days": FIRST_CONTACT_WORKING_DAYS,
            "case_url": f"/complaints/cases/{case.reference}",
            "evidence_url": reverse("complaints:evidence", kwargs={"reference": case.reference}),
        },
    )


def _documents_to_send(details) -> list[str]:
    """What the answers say the person has to send us, now that there is a case to send it to."""
    if details is None:
        return []
    items = []
    if details.for_someone_else:
        items += {
            Authority.CONSENT: [f"a consent form signed by {details.other_person_name}"],
            Authority.POWER_OF_ATTORNEY: ["a copy of your lasting power of attorney"],
            Authority.NEXT_OF_KIN: ["a copy of the death certificate, if you have it"],
        }.get(details.authority, [])
    if details.final_response:
        items.append("the organisation’s final response to your complaint")
    if details.has_evidence:
        items.append("the documents and photos you told us about")
    return items


# --- Save and come back later -----------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def save(request, draft_id):
    """Signed in: the draft is already in the account. Otherwise: email a link to come back."""
    draft = draft_for_request(request, draft_id)
    if draft.submitted:
        return _sent(draft)
    context = _form_context(request, draft)
    if request.user.is_authenticated:
        return render(
            request,
            "complaints/form/saved.html",
            {
                **context,
                "resume_url": reverse(
                    "complaint_form:resume", kwargs={"draft_id": draft.public_id}
                ),
            },
        )
    form = ReturnLinkForm(
        request.POST if request.method == "POST" else None,
        initial={"email": _journey(draft).answers.value("your-email", "email")},
    )
    if form.is_valid() and not return_link_allowance_take(client_ip(request)):
        form.add_error("email", "You have asked for too many links. Try again in an hour")
    if form.is_valid():
        try:
            draft_return_link_send(draft=draft, email=form.cleaned_data["email"])
        except ReturnLinkRefused as refused:
            form.add_error("email", str(refused))
        else:
            return redirect("complaint_form:save_sent", draft_id=draft.public_id)
    return render(
        request,
        "complaints/form/save.html",
        {
            **context,
            "form": form,
            "link_days": RETURN_LINK_DAYS,
            "back_url": context["task_list_url"],
        },
    )


@never_cache
@require_safe
def save_sent(request, draft_id):
    draft = draft_for_request(request, draft_id)
    return render(
        request,
        "complaints/form/save_sent.html",
        {**_form_context(request, draft), "link_days": RETURN_LINK_DAYS},
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def return_link(request, token):
    """A save-and-return link. Opening it only asks; the button spends it, so that an email
    scanner following the link cannot use it up before the person does."""
    if request.method == "POST":
        try:
            draft = draft_return_link_use(token=token)
        except ReturnLinkUnusable as unusable:
            problem = unusable.problem
        else:
            session_draft_remember(request, draft)
            return redirect("complaint_form:resume", draft_id=draft.public_id)
    else:
        _, problem = return_link_find(token, now=timezone.now())
    if problem:
        return render(
            request,
            "complaints/form/return_invalid.html",
            {"problem": problem, "link_days": RETURN_LINK_DAYS},
            status=404 if problem == "unknown" else 410,
        )
    return render(request, "complaints/form/return.html", {})
