"""Staff pages for the clinical codes suggested for a case: each source's text with the coded
passages marked, and the suggestions to confirm or reject."""

from dataclasses import dataclass, field

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from accounts.otp import client_ip
from casework.coding import FAMILY, HISTORICAL, HYPOTHETICAL, NEGATED, PRESENT
from casework.models import ClinicalCode, CodeAxis, CodeReview, CodingRun, CodingRunStatus
from casework.selectors import case_coding, case_narrative_text
from casework.services import audit_record
from casework.services_coding import clinical_code_review, clinical_codes_confirm_present
from casework.views import case_for_staff, case_to_work

# Texts longer than this are shown as passages around each code rather than whole: a 300-page
# record would make a page no one can use.
WHOLE_TEXT_LIMIT = 20_000
PASSAGE_CONTEXT = 200

# Present conditions first: those are what a caseworker is asked to confirm.
STATUS_GROUPS = (
    (PRESENT, "Present conditions"),
    (HYPOTHETICAL, "Suspected or possible (hypothetical)"),
    (HISTORICAL, "In the past (historical)"),
    (FAMILY, "In a relative (family history)"),
    (NEGATED, "Ruled out or absent (negated)"),
)
STATUS_LABELS = {
    PRESENT: "present",
    HYPOTHETICAL: "hypothetical",
    HISTORICAL: "historical",
    FAMILY: "family history",
    NEGATED: "negated",
}
_DECISIONS = {"confirm": CodeReview.CONFIRMED, "reject": CodeReview.REJECTED}


@dataclass
class Piece:
    text: str
    codes: tuple = ()

    @property
    def label(self) -> str:
        return "; ".join(code_label(code) for code in self.codes)


@dataclass
class Passage:
    pieces: list
    starts_inside: bool = False
    ends_inside: bool = False


@dataclass
class Source:
    anchor: str
    title: str
    run: CodingRun | None
    passages: list = field(default_factory=list)
    whole: bool = True
    groups: list = field(default_factory=list)
    themes: list = field(default_factory=list)
    unmarked: int = 0
    pending_present: int = 0
    note: str = ""


def code_label(code: ClinicalCode) -> str:
    if code.axis == CodeAxis.THEME:
        return f"theme: {code.description}, {code.get_review_display().lower()}"
    status = STATUS_LABELS.get(code.status, code.status)
    return (
        f"{code.system} {code.code} {code.description}, {status}, "
        f"{code.get_review_display().lower()}"
    )


def _pieces(text: str, start: int, end: int, codes) -> list[Piece]:
    """The text from start to end cut wherever a code begins or ends, each piece with the codes
    covering it. Escaping is left to the template, so the text is never trusted as HTML."""
    opening, closing = {}, {}
    for code in codes:
        opening.setdefault(max(code.start, start), []).append(code)
        closing.setdefault(min(code.end, end), []).append(code)
    bounds = sorted({start, end, *opening, *closing})
    active: list = []
    pieces = []
    for left, right in zip(bounds, bounds[1:], strict=False):
        active = [code for code in active if code not in closing.get(left, ())]
        active += opening.get(left, [])
        pieces.append(Piece(text[left:right], tuple(active)))
    return pieces


def _passages(text: str, codes) -> tuple[list[Passage], bool]:
    """The whole text when it is short, else a passage around each run of nearby codes."""
    if len(text) <= WHOLE_TEXT_LIMIT:
        return [Passage(_pieces(text, 0, len(text), codes))], True
    windows: list[list] = []
    for code in sorted(codes, key=lambda c: c.start):
        left = max(code.start - PASSAGE_CONTEXT, 0)
        right = min(code.end + PASSAGE_CONTEXT, len(text))
        if windows and left <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], right)
            windows[-1][2].append(code)
        else:
            windows.append([left, right, [code]])
    # Cut at a space, so a passage does not start or end in the middle of a word.
    passages = []
    for left, right, inside in windows:
        if left > 0:
            space = text.find(" ", left, min(inside[0].start, left + 40))
            left = space + 1 if space != -1 else left
        if right < len(text):
            space = text.rfind(" ", max(inside[-1].end, right - 40), right)
            right = space if space != -1 else right
        passages.append(Passage(_pieces(text, left, right, inside), left > 0, right < len(text)))
    return passages, False


def _source(anchor, title, run, text, codes) -> Source:
    # A code marks the text only where it still reads the same (the text may have been purged
    # or edited since it was coded); the list below shows it either way.
    marked = [code for code in codes if text[code.start : code.end] == code.text]
    source = Source(anchor=anchor, title=title, run=run, unmarked=len(codes) - len(marked))
    if text:
        source.passages, source.whole = _passages(text, marked)
    conditions = [code for code in codes if code.axis == CodeAxis.CONDITION]
    for status, heading in STATUS_GROUPS:
        rows = [code for code in conditions if code.status == status]
        if rows:
            source.groups.append((heading, rows))
    known = {status for status, _ in STATUS_GROUPS}
    others = [code for code in conditions if code.status not in known]
    if others:
        source.groups.append(("Other", others))
    source.themes = [code for code in codes if code.axis == CodeAxis.THEME]
    source.pending_present = sum(
        1 for code in conditions if code.status == PRESENT and code.review == CodeReview.SUGGESTED
    )
    return source


def _sources(case) -> tuple[list[Source], list]:
    runs, codes, uncoded = case_coding(case=case)
    by_run: dict[int, list] = {}
    for code in codes:
        by_run.setdefault(code.run_id, []).append(code)
    sources = []
    narrative = next((run for run in runs if run.document_id is None), None)
    sources.append(
        _source(
            "narrative",
            "Complaint narrative",
            narrative,
            case_narrative_text(case),
            by_run.get(narrative.pk, []) if narrative else [],
        )
    )
    if narrative is None:
        sources[0].note = "The narrative has not been coded yet."
    for run in runs:
        if run.document_id is not None:
            sources.append(
                _source(
                    f"document-{run.document_id}",
                    run.document.original_filename,
                    run,
                    run.document.extracted_text,
                    by_run.get(run.pk, []),
                )
            )
    return sources, uncoded


REVIEW_REFUSED = "Only caseworkers and managers can review clinical codes."


def _codes_url(case, anchor: str) -> str:
    return f"{reverse('casework:case_codes', kwargs={'reference': case.reference})}#{anchor}"


@require_safe
def case_codes(request, reference):
    """The codes suggested for a case, source by source, for a caseworker to confirm or reject."""
    case = case_for_staff(request, reference, related=("complaint_details",))
    audit_record(request=request, action="case.view", case=case, detail={"page": "codes"})
    sources, uncoded = _sources(case)
    return render(
        request,
        "casework/coding/codes.html",
        {
            "case": case,
            "sources": sources,
            "uncoded": uncoded,
            "can_work": request.user.has_perm("casework.work_case", case),
            "stopped": CodingRunStatus.STOPPED,
            "confirmed": CodeReview.CONFIRMED,
            "rejected": CodeReview.REJECTED,
        },
    )


@require_POST
def clinical_code_review_view(request, reference, code_id, decision):
    """Confirm or reject one code; the page comes back at the same code."""
    case = case_to_work(request, reference, REVIEW_REFUSED)
    if decision not in _DECISIONS:
        raise Http404("No such decision")
    code = get_object_or_404(ClinicalCode, pk=code_id, case=case)
    code = clinical_code_review(
        code=code, reviewer=request.user, decision=_DECISIONS[decision], ip=client_ip(request)
    )
    messages.success(
        request,
        f"{code.get_review_display()}: {code.description} ({code.system} {code.code}), "
        f"“{code.text}”.",
    )
    return redirect(_codes_url(case, f"code-{code.pk}"))


@require_POST
def clinical_codes_confirm_present_view(request, reference, run_id):
    """Confirm every present condition still suggested in one source."""
    case = case_to_work(request, reference, REVIEW_REFUSED)
    run = get_object_or_404(CodingRun, pk=run_id, case=case)
    count = clinical_codes_confirm_present(run=run, reviewer=request.user, ip=client_ip(request))
    messages.success(request, f"Confirmed {count} present condition{'' if count == 1 else 's'}.")
    anchor = "narrative" if run.document_id is None else f"document-{run.document_id}"
    return redirect(_codes_url(case, anchor))
