"""Load test: complainants sending complaints through the guided form, caseworkers working queues.

    PHSO_LOAD_PEOPLE=var/load/people.json PHSO_LOAD_RESULTS=var/load/sent.jsonl \
    locust -f bench/load/locustfile.py --headless -u 70 -r 35 -t 60s --host http://127.0.0.1:8000

PHSO_LOAD_PEOPLE is the file bench/load/seed.py writes: signed-in sessions for complainants and
caseworkers (the first 5 of every 7 simulated people are complainants, as in -u 70 = 50 + 20),
the organisation complained about and the patient's NHS number. Each complaint that the service
accepts (its confirmation page shows a reference) is written to PHSO_LOAD_RESULTS as one JSON
line, so that whoever runs the test can check that every one of them is a case.

Each complainant first comes back to the complaint seed.py saved for them half-way (after "What
happened") and finishes it; after that, they start new complaints from the first question.
Complainants open the form's pages that show something to act on (start, task list,
organisations, the upload page, check answers, the confirmation) and POST every question's answer
with the CSRF token from the pages, as the form does, without fetching each next question page
in between: that would double the requests without testing more. A response that is not what the
page should give (a question POST must redirect onwards, a page must answer 200) is a failure in
locust's statistics, with the step named.
"""

import itertools
import json
import os
import random
import re
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import gevent
from locust import HttpUser, between, task

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SUBMISSION_TOKEN = re.compile(r'name="submission_token" value="([^"]+)"')
DRAFT = re.compile(r"/complain/([0-9a-f-]{36})/")
REFERENCE = re.compile(r"<strong>((?:HC|PC)-\d{4}-\d+)</strong>")
CASE_LINK = re.compile(r'href="/staff/cases/((?:HC|PC)-\d{4}-\d+)"')
FINAL_RESPONSE_LETTER = b"Dear Ms O'Neill-Smith, this is our final response to your complaint.\n"
THINK_SECONDS = (0.1, 0.4)
QUEUES = ("unassigned", "mine", "team", "overdue", "due-this-week")

_people = None
_people_lock = threading.Lock()
_complainant_sessions = itertools.count()
_caseworker_sessions = itertools.count()
_results_lock = threading.Lock()


def people() -> dict:
    global _people
    with _people_lock:
        if _people is None:
            _people = json.loads(Path(os.environ["PHSO_LOAD_PEOPLE"]).read_text())
        return _people


def record_sent(reference: str, draft: str, seconds: float, uploaded_at: float) -> None:
    path = os.environ.get("PHSO_LOAD_RESULTS")
    if not path:
        return
    line = json.dumps(
        {
            "reference": reference,
            "draft": draft,
            "at": time.time(),
            "uploaded_at": uploaded_at,
            "seconds": round(seconds, 3),
        }
    )
    with _results_lock, open(path, "a", encoding="utf-8") as out:
        out.write(line + "\n")


def date_fields(day: date) -> dict:
    return {"day": str(day.day), "month": str(day.month), "year": str(day.year)}


class PageError(Exception):
    pass


class Person(HttpUser):
    abstract = True

    def sign_in(self, pool: str, counter) -> dict:
        sessions = people()[pool]
        entry = sessions[next(counter) % len(sessions)]
        self.client.cookies.set("sessionid", entry["session"])
        return entry

    def page(self, method: str, url: str, name: str, *, expect: str = "", **kwargs):
        """One request (redirects followed); a failure in the statistics unless it lands well."""
        with self.client.request(method, url, name=name, catch_response=True, **kwargs) as r:
            if r.status_code != 200:
                # Status 0: no answer at all (refused, reset); the error says which.
                detail = f" {type(r.error).__name__}" if r.status_code == 0 and r.error else ""
                r.failure(f"{name}: HTTP {r.status_code}{detail}")
                raise PageError(name)
            if expect and expect not in r.url:
                r.failure(f"{name}: ended at {r.url}, not …{expect}")
                raise PageError(name)
            r.success()
        # A person reads each page before answering it.
        gevent.sleep(random.uniform(*THINK_SECONDS))  # noqa: S311 - pacing, not security
        return r

    def fail(self, name: str, message: str):
        """A failure in the statistics for something wrong in a page that did answer 200."""
        self.environment.events.request.fire(
            request_type="CHECK",
            name=name,
            response_time=0,
            response_length=0,
            exception=PageError(message),
            context={},
        )
        raise PageError(message)

    def post_form(self, page, url: str, name: str, data: dict, *, expect: str = "", **kwargs):
        token = CSRF.search(page.text)
        if token is None:
            self.fail(name, f"{name}: no CSRF token on the page")
        return self.page(
            "POST",
            url,
            name,
            expect=expect,
            data={"csrfmiddlewaretoken": token.group(1), **data},
            **kwargs,
        )


class Complainant(Person):
    """Fills in the whole complaint form, uploads the final response letter, and sends it."""

    weight = 5
    wait_time = between(0.5, 1.5)

    def on_start(self):
        self.saved_draft = self.sign_in("complainants", _complainant_sessions).get("draft")

    def answer(self, step: str, data: dict):
        """POST one question page's answer, as its form does; a saved answer redirects onwards.

        The redirect is not followed: the next page's form has the same CSRF token, and fetching
        every page would double the requests without testing more of the service.
        """
        url = f"/complain/{self.draft}/{step}"
        name = f"/complain/[draft]/{step} POST"
        with self.client.post(
            url,
            data={"csrfmiddlewaretoken": self.csrf, **data},
            name=name,
            allow_redirects=False,
            catch_response=True,
        ) as r:
            if r.status_code != 302:
                detail = f" {type(r.error).__name__}" if r.status_code == 0 and r.error else ""
                r.failure(f"{name}: HTTP {r.status_code}{detail} (the answer was not saved)")
                raise PageError(name)
            r.success()
        gevent.sleep(random.uniform(*THINK_SECONDS))  # noqa: S311 - pacing, not security
        return r

    def token_from(self, page):
        token = CSRF.search(page.text)
        if token is None:
            self.fail("CSRF token", f"no form on {page.url}")
        self.csrf = token.group(1)
        return page

    @task
    def send_a_complaint(self):
        try:
            self._send_a_complaint()
        except PageError:
            return

    def _send_a_complaint(self):
        if self.saved_draft:
            # First the complaint this person saved half-way: back to it, then the rest.
            self.draft, self.saved_draft = self.saved_draft, None
            self.page("GET", f"/complain/{self.draft}/resume", "/complain/[draft]/resume")
            # The task list it lands on links to the next question: "How it affected you".
            self.token_from(
                self.page("GET", f"/complain/{self.draft}/impact", "/complain/[draft]/impact")
            )
        else:
            self._start_and_answer_the_first_sections()
        self._answer_the_rest_and_send()

    def _start_and_answer_the_first_sections(self):
        today = date.today()
        settings = people()
        start = self.page("GET", "/complain/", "/complain/")
        page = self.post_form(
            start, "/complain/", "/complain/ POST (start)", {}, expect="/what-is-it-about"
        )
        self.draft = DRAFT.search(page.url).group(1)
        self.token_from(page)
        self.answer("what-is-it-about", {"kind": "health"})
        self.page("GET", f"/complain/{self.draft}/", "/complain/[draft]/")
        self.token_from(
            self.page("GET", f"/complain/{self.draft}/your-name", "/complain/[draft]/your-name")
        )
        self.answer("your-name", {"full_name": "Amira O’Neill-Smith"})
        self.answer("your-email", {"email": "amira@example.org"})
        self.answer("your-phone", {"phone": "07700 900 982"})
        self.answer("your-postcode", {"postcode": "GU14 7JU"})
        self.answer(
            "your-address",
            {"address_line_1": "1 High Street", "address_line_2": "", "town": "Farnborough"},
        )
        self.answer("your-date-of-birth", date_fields(date(1970, 5, 17)))
        self.answer("for-someone-else", {"for_someone_else": "no"})
        self.answer("nhs-number", {"nhs_number": settings["nhs_number"]})
        organisations = f"/complain/{self.draft}/organisations"
        page = self.page("GET", organisations, "/complain/[draft]/organisations")
        page = self.post_form(
            page,
            organisations,
            "/complain/[draft]/organisations POST (add)",
            {"organisation": settings["organisation_id"]},
        )
        self.post_form(
            page,
            organisations,
            "/complain/[draft]/organisations POST (continue)",
            {"continue": "1"},
        )
        self.answer(
            "what-happened", {"what_happened": "The ward did not give my mother her medicine."}
        )
        self.answer("when-it-happened", date_fields(today - timedelta(days=200)))
        self.answer("where-it-happened", {"where": "Ward 4, St James’s Hospital"})

    def _answer_the_rest_and_send(self):
        today = date.today()
        self.answer("impact", {"impact": "She was in pain for two days."})
        self.answer("what-you-want", {"remedy": "An apology and a change to checks."})
        self.answer("date-you-complained", date_fields(today - timedelta(days=150)))
        self.answer("final-response", {"final_response": "yes"})
        page = self.page(
            "GET",
            f"/complain/{self.draft}/final-response-date",
            "/complain/[draft]/final-response-date",
        )
        page = self.post_form(
            page,
            f"/complain/{self.draft}/files/final-response-date",
            "/complain/[draft]/files/final-response-date POST (upload)",
            {},
            files={"files": ("final-response.txt", FINAL_RESPONSE_LETTER, "text/plain")},
        )
        if "final-response.txt" not in page.text:
            self.fail("upload", "the uploaded letter is not listed on its page")
        uploaded_at = time.time()
        self.token_from(page)
        self.answer("final-response-date", date_fields(today - timedelta(days=60)))
        self.answer("evidence", {"has_evidence": "no"})
        self.answer("contact-preference", {"contact_method": "email"})
        self.answer("adjustments", {"adjustments": ["large_print"], "language": "", "other": ""})
        self.answer("age", {"age_band": "45_54"})
        self.answer("sex", {"sex": "female"})
        self.answer("ethnic-group", {"ethnic_group": "prefer_not"})
        self.answer("disability", {"disability": ""})
        check = f"/complain/{self.draft}/check-your-answers"
        page = self.page("GET", check, "/complain/[draft]/check-your-answers")
        token = SUBMISSION_TOKEN.search(page.text)
        if token is None:
            self.fail("check answers", "no send button: the form is not complete")
        started = time.monotonic()
        page = self.post_form(
            page,
            check,
            "/complain/[draft]/check-your-answers POST (send)",
            {"submission_token": token.group(1)},
            expect="/complaint-sent",
        )
        reference = REFERENCE.search(page.text)
        if reference is None:
            self.fail("complaint sent", "the confirmation page shows no reference")
        record_sent(reference.group(1), self.draft, time.monotonic() - started, uploaded_at)


class Caseworker(Person):
    """Works the queues: lists a queue, opens a case from it, adds an internal note."""

    weight = 2
    wait_time = between(1, 3)

    def on_start(self):
        self.sign_in("caseworkers", _caseworker_sessions)
        self.page("GET", "/staff/", "/staff/")

    @task(3)
    def open_a_case_from_a_queue(self):
        try:
            queue = random.choice(QUEUES)  # noqa: S311
            page = self.page("GET", f"/staff/queues/{queue}", "/staff/queues/[queue]")
            references = CASE_LINK.findall(page.text)
            if not references:
                page = self.page("GET", "/staff/queues/unassigned", "/staff/queues/[queue]")
                references = CASE_LINK.findall(page.text)
            if not references:
                return
            reference = random.choice(references)  # noqa: S311
            self.page("GET", f"/staff/cases/{reference}", "/staff/cases/[reference]")
        except PageError:
            return

    @task(1)
    def add_a_note(self):
        try:
            page = self.page("GET", "/staff/queues/unassigned", "/staff/queues/[queue]")
            references = CASE_LINK.findall(page.text)
            if not references:
                return
            reference = random.choice(references)  # noqa: S311
            case = self.page("GET", f"/staff/cases/{reference}", "/staff/cases/[reference]")
            self.post_form(
                case,
                f"/staff/cases/{reference}/notes",
                "/staff/cases/[reference]/notes POST",
                {"body": "Called the complainant; waiting for the trust's records."},
                expect=f"/staff/cases/{reference}",
            )
        except PageError:
            return
