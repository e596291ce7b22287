"""Can the ombudsman help? One question per page, then an outcome with next steps.

No account is needed and every page works without JavaScript. Answers live only in the session;
when a check finishes, an anonymous summary is recorded for insight (complaints.services).
Every page may show someone's own answers, so none of them may be cached.
"""

import dataclasses
import uuid

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from accounts.models import Constituency, MemberOfParliament, Organisation
from complaints import letters
from complaints.checker import (
    NHS_RESPONSE_MONTHS,
    TIME_LIMIT_MONTHS,
    Answers,
    Decision,
    Outcome,
    Question,
    Sector,
    decide,
)
from complaints.checker_forms import (
    LATE_REASON_MAX_LENGTH,
    AwareDateForm,
    ComplainedForm,
    ConstituencyChoiceForm,
    ConstituencySearchForm,
    LateReasonForm,
    NationForm,
    OrganisationChoiceForm,
    OrganisationSearchForm,
    OrganisationTypeForm,
    PostcodeForm,
    WaitedForm,
    constituency_search,
    display_name,
    organisation_search,
)
from complaints.services import checker_result_record

SESSION_KEY = "checker"
FIND_YOUR_MP_URL = "https://members.parliament.uk/FindYourMP"

QUESTION_URLS = {
    Question.ORGANISATION_TYPE: "checker:organisation_type",
    Question.NATION: "checker:nation",
    Question.ORGANISATION: "checker:organisation",
    Question.COMPLAINED: "checker:complained",
    Question.WAITED: "checker:waited",
    Question.AWARE: "checker:aware",
    Question.LATE_REASON: "checker:late_reason",
    Question.MP: "checker:postcode",
}
OUTCOME_URLS = {
    Outcome.READY: "checker:ready",
    Outcome.COMPLAIN_FIRST: "checker:complain_first",
    Outcome.FINISH_COMPLAINT: "checker:finish_complaint",
    Outcome.OTHER_ROUTE: "checker:other_route",
    Outcome.ASK_MP: "checker:ask_mp",
}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class CheckerState:
    """The check in progress, as the session keeps it: a random token and the answers."""

    def __init__(self, request):
        self.session = request.session
        data = self.session.get(SESSION_KEY)
        self.data = data if isinstance(data, dict) else {}

    @property
    def answers(self) -> Answers:
        return Answers.from_session(self.data.get("answers"))

    @property
    def token(self) -> uuid.UUID:
        try:
            return uuid.UUID(self.data["token"])
        except (KeyError, TypeError, ValueError):
            return self._new_token()

    def decision(self) -> Decision:
        return decide(self.answers, today=timezone.localdate())

    def update(self, **values) -> Decision:
        """Keep these answers; when they finish the check, record its anonymous result."""
        answers = dict(self.data.get("answers") or {})
        answers.update(values)
        self.data = {"token": str(self.token), "answers": answers}
        self.session[SESSION_KEY] = self.data
        decision = self.decision()
        if decision.complete:
            checker_result_record(
                token=self.token,
                answers=_known_organisation(self.answers, decision),
                decision=decision,
                today=timezone.localdate(),
            )
        return decision

    def clear(self) -> None:
        self.session.pop(SESSION_KEY, None)

    def _new_token(self) -> uuid.UUID:
        token = uuid.uuid4()
        self.data = {**self.data, "token": str(token)}
        return token


def _known_organisation(answers: Answers, decision: Decision) -> Answers:
    """The answers, less an organisation that has left the directory since it was chosen."""
    if answers.organisation_id is None or Question.ORGANISATION not in decision.path:
        return answers
    if Organisation.objects.filter(pk=answers.organisation_id).exists():
        return answers
    return dataclasses.replace(answers, organisation_id=None)


def next_url(decision: Decision) -> str:
    if decision.complete:
        return reverse(OUTCOME_URLS[decision.outcome])
    return reverse(QUESTION_URLS[decision.next_question])


def back_url(decision: Decision, question: Question | None) -> str:
    """The page before this question (before the outcome, for None) on the route taken."""
    previous = decision.previous(question)
    return reverse(QUESTION_URLS[previous]) if previous else reverse("complaints:start")


def chosen_organisation(answers: Answers, decision: Decision) -> Organisation | None:
    if answers.organisation_id is None or Question.ORGANISATION not in decision.path:
        return None
    return Organisation.objects.filter(pk=answers.organisation_id).first()


@require_POST
def start_again(request):
    CheckerState(request).clear()
    return redirect("checker:organisation_type")


@never_cache
@require_safe
def start(request):
    """Where the Start button leads: the next question, or the outcome of a finished check."""
    return redirect(next_url(CheckerState(request).decision()))


# --- questions ---------------------------------------------------------------------------------


@method_decorator(never_cache, name="dispatch")
class QuestionView(View):
    """A question page: only on the route the answers so far take, or back to where to go next."""

    question: Question
    form_class = None
    template_name = "complaints/checker/question.html"
    http_method_names = ["get", "head", "post"]

    def dispatch(self, request, *args, **kwargs):
        self.state = CheckerState(request)
        self.decision = self.state.decision()
        if self.question not in self.decision.path:
            return redirect(next_url(self.decision))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self.render(self.get_form())

    def post(self, request):
        form = self.get_form(data=request.POST)
        if not form.is_valid():
            return self.render(form)
        return redirect(next_url(self.state.update(**self.answer(form.cleaned_data))))

    def get_form(self, data=None):
        return self.form_class(data=data, initial=self.initial(self.state.answers))

    def initial(self, answers: Answers) -> dict:
        return {}

    # Each question defines answer(cleaned_data) -> dict: the session answers its form gives.

    def context(self) -> dict:
        return {}

    def render(self, form, **extra):
        context = {
            "form": form,
            "back_url": back_url(self.decision, self.question),
            "sector": self.decision.sector,
            **self.context(),
            **extra,
        }
        return render(self.request, self.template_name, context)


class OrganisationTypeView(QuestionView):
    question = Question.ORGANISATION_TYPE
    form_class = OrganisationTypeForm

    def initial(self, answers):
        return {"organisation_type": answers.organisation_type}

    def answer(self, cleaned_data):
        values = {"organisation_type": cleaned_data["organisation_type"]}
        if cleaned_data["organisation_type"] != self.state.answers.organisation_type:
            # Organisations are searched within one sector: a new type needs a new choice.
            values.update(organisation_answered=False, organisation_id=None)
        return values


class NationView(QuestionView):
    question = Question.NATION
    form_class = NationForm

    def initial(self, answers):
        return {"nation": answers.nation}

    def answer(self, cleaned_data):
        return {"nation": cleaned_data["nation"]}


class OrganisationView(QuestionView):
    """Optional: search the directory and choose, or skip."""

    question = Question.ORGANISATION
    template_name = "complaints/checker/organisation.html"

    def get(self, request):
        search_form = self.search_form(request.GET if "q" in request.GET else None)
        if search_form.is_bound:
            results = self.search(search_form.cleaned_data["q"]) if search_form.is_valid() else []
            return self.render(self.choice_form(results=results), search_form=search_form)
        chosen = chosen_organisation(self.state.answers, self.decision)
        form = self.choice_form(
            results=[chosen] if chosen else [],
            initial={"organisation": chosen.pk if chosen else None},
        )
        return self.render(form, search_form=search_form, showing_chosen=chosen is not None)

    def post(self, request):
        if "skip" in request.POST:
            update = {"organisation_answered": True, "organisation_id": None}
            return redirect(next_url(self.state.update(**update)))
        query = request.POST.get("q", "")[:100]
        search_form = self.search_form({"q": query} if query else None)
        if search_form.is_bound and search_form.is_valid():
            results = self.search(search_form.cleaned_data["q"])
        else:
            chosen = chosen_organisation(self.state.answers, self.decision)
            results = [chosen] if chosen else []
        form = self.choice_form(data=request.POST, results=results)
        if not form.is_valid():
            return self.render(form, search_form=search_form, showing_chosen=not query)
        chosen = form.cleaned_data["organisation"]
        update = {"organisation_answered": True, "organisation_id": chosen.pk}
        return redirect(next_url(self.state.update(**update)))

    def search(self, text):
        return organisation_search(text, sector=self.decision.sector)

    def search_form(self, data):
        return OrganisationSearchForm(data, sector=self.decision.sector)

    def choice_form(self, **kwargs):
        return OrganisationChoiceForm(sector=self.decision.sector, **kwargs)


class ComplainedView(QuestionView):
    question = Question.COMPLAINED
    form_class = ComplainedForm

    def get_form(self, data=None):
        organisation = chosen_organisation(self.state.answers, self.decision)
        return ComplainedForm(
            data=data,
            initial={"complained": self.state.answers.complained},
            organisation_name=display_name(organisation.name) if organisation else None,
        )

    def answer(self, cleaned_data):
        return {"complained": cleaned_data["complained"]}


class WaitedView(QuestionView):
    question = Question.WAITED
    form_class = WaitedForm

    def initial(self, answers):
        if answers.waited_over_six_months is None:
            return {}
        return {"waited": "yes" if answers.waited_over_six_months else "no"}

    def answer(self, cleaned_data):
        return {"waited_over_six_months": cleaned_data["waited"] == "yes"}


class AwareView(QuestionView):
    question = Question.AWARE
    template_name = "complaints/checker/aware.html"

    def get_form(self, data=None):
        return AwareDateForm(
            data=data,
            initial=AwareDateForm.initial_for(self.state.answers.aware_on),
            today=timezone.localdate(),
        )

    def answer(self, cleaned_data):
        return {"aware_on": cleaned_data["aware_on"].isoformat()}


class LateReasonView(QuestionView):
    question = Question.LATE_REASON
    form_class = LateReasonForm
    template_name = "complaints/checker/late_reason.html"

    def initial(self, answers):
        return {"late_reason": answers.late_reason}

    def answer(self, cleaned_data):
        return {"late_reason": cleaned_data["late_reason"]}

    def context(self):
        return {"max_length": LATE_REASON_MAX_LENGTH}


class PostcodeView(QuestionView):
    """Parliamentary complaints only: find the person's MP from their postcode."""

    question = Question.MP
    form_class = PostcodeForm
    template_name = "complaints/checker/postcode.html"

    def post(self, request):
        form = self.get_form(data=request.POST)
        if not form.is_valid():
            return self.render(form)
        constituency = form.constituency()
        if constituency is None:
            return redirect(reverse("checker:constituency") + "?not-found=1")
        return redirect(next_url(self.state.update(constituency_code=constituency.code)))

    def context(self):
        return {"find_your_mp_url": FIND_YOUR_MP_URL}


class ConstituencyView(QuestionView):
    """Choosing a constituency by name, when the postcode did not find one (or was not given)."""

    question = Question.MP
    template_name = "complaints/checker/constituency.html"

    def get(self, request):
        search_form = ConstituencySearchForm(request.GET if "q" in request.GET else None)
        results, showing_chosen = [], False
        if search_form.is_bound and search_form.is_valid():
            results = constituency_search(search_form.cleaned_data["q"])
        elif not search_form.is_bound and self.state.answers.constituency_code:
            results = list(Constituency.objects.filter(code=self.state.answers.constituency_code))
            showing_chosen = bool(results)
        form = ConstituencyChoiceForm(
            results=results, initial={"constituency": self.state.answers.constituency_code}
        )
        return self.render(form, search_form=search_form, showing_chosen=showing_chosen)

    def post(self, request):
        if "skip" in request.POST:
            return redirect(next_url(self.state.update(constituency_code="")))
        query = request.POST.get("q", "")[:100]
        search_form = ConstituencySearchForm({"q": query} if query else None)
        if search_form.is_bound and search_form.is_valid():
            results = constituency_search(search_form.cleaned_data["q"])
        else:
            code = self.state.answers.constituency_code
            results = list(Constituency.objects.filter(code=code)) if code else []
        form = ConstituencyChoiceForm(data=request.POST, results=results)
        if not form.is_valid():
            return self.render(form, search_form=search_form, showing_chosen=not query)
        code = form.cleaned_data["constituency"].code
        return redirect(next_url(self.state.update(constituency_code=code)))

    def render(self, form, **extra):
        return super().render(
            form,
            not_found="not-found" in self.request.GET,
            find_your_mp_url=FIND_YOUR_MP_URL,
            # The way back from here is the postcode page, the MP question's first page.
            back_url=reverse("checker:postcode"),
            **extra,
        )


# --- outcomes ----------------------------------------------------------------------------------


def current_mp(code: str | None) -> tuple[Constituency | None, MemberOfParliament | None]:
    """The constituency and its sitting MP, if the directory has them: at most two queries."""
    if not code:
        return None, None
    mp = (
        MemberOfParliament.objects.current()
        .filter(constituency__code=code)
        .select_related("constituency")
        .order_by("-start_date")
        .first()
    )
    if mp is not None:
        return mp.constituency, mp
    return Constituency.objects.filter(code=code).first(), None


def outcome_details(answers: Answers, decision: Decision) -> dict:
    """What an outcome page and its letter need, read from the directories."""
    organisation = chosen_organisation(answers, decision)
    name = display_name(organisation.name) if organisation else None
    details = {"organisation_name": name, "letter": None}
    if decision.outcome == Outcome.COMPLAIN_FIRST:
        details["letter"] = letters.complaint_letter(sector=decision.sector, organisation_name=name)
    elif decision.outcome == Outcome.FINISH_COMPLAINT:
        details["letter"] = letters.final_response_letter(
            sector=decision.sector, organisation_name=name
        )
    elif decision.outcome == Outcome.ASK_MP:
        constituency, mp = current_mp(answers.constituency_code)
        details.update(constituency=constituency, mp=mp)
        details["letter"] = letters.mp_referral_letter(
            organisation_name=name,
            mp_name=mp.name if mp else None,
            constituency_name=constituency.name if constituency else None,
            aware_on=answers.aware_on,
            late_reason=answers.late_reason if decision.late else None,
        )
    return details


@method_decorator(never_cache, name="dispatch")
class OutcomeView(View):
    outcome: Outcome | None = None
    http_method_names = ["get", "head"]

    def get(self, request):
        state = CheckerState(request)
        decision = state.decision()
        if decision.outcome != self.outcome:
            return redirect(next_url(decision))
        context = {
            "decision": decision,
            "answers": state.answers,
            "back_url": back_url(decision, None),
            "health": decision.sector == Sector.HEALTH,
            "time_limit_months": TIME_LIMIT_MONTHS,
            "nhs_response_months": NHS_RESPONSE_MONTHS,
            "find_your_mp_url": FIND_YOUR_MP_URL,
            **outcome_details(state.answers, decision),
        }
        return render(request, self.template_name(decision), context)

    def template_name(self, decision: Decision) -> str:
        if decision.outcome == Outcome.OTHER_ROUTE:
            return f"complaints/checker/other_route/{decision.signpost}.html"
        return f"complaints/checker/outcome_{decision.outcome}.html"


@never_cache
@require_safe
def letter_download(request, extension):
    """The outcome's letter as a download: built from the session now, never stored."""
    state = CheckerState(request)
    decision = state.decision()
    letter = outcome_details(state.answers, decision)["letter"] if decision.complete else None
    if letter is None:
        raise Http404("There is no letter for this check")
    if extension == "docx":
        response = HttpResponse(letters.letter_docx(letter), content_type=DOCX)
    else:
        text = letters.clean_text(letter.text).replace("\n", "\r\n") + "\r\n"
        response = HttpResponse(text.encode("utf-8"), content_type="text/plain; charset=utf-8")
    # The file name is fixed text, never anything the person typed.
    response["Content-Disposition"] = f'attachment; filename="{letter.filename}.{extension}"'
    return response
