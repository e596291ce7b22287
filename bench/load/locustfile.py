"""Load test: complainants sending complaints through the guided form, caseworkers working queues.

    PHSO_LOAD_PEOPLE=var/load/people.json PHSO_LOAD_RESULTS=var/load/sent.jsonl \
    locust -f bench/load/locustfile.py --headless -u 70 -r 35 -t 60s --host http://127.0.0.1:8000

PHSO_LOAD_PEOPLE is the file bench/load/seed.py writes: signed-in sessions for complainants and
caseworkers (the first 5 of every 7 simulated people are complainants, as in -u 70 = 50 + 20),
the organisation complained about and the patient's NHS number. Each complaint that the service
accepts (its confirmation page shows a reference) is written to PHSO_LOAD_RESULTS as one JSON
line, so that whoever runs the test can check that every one of them is a case.

Every page is requested the way a browser does: the form page first, then its POST with the CSRF
token from that page, following the redirect to the next page. A response that is not what the
page should give is a failure in locust's statistics, with the step named.
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


def record_sent(reference: str, draft: str, seconds: float) -> None:
    path = os.environ.get("PHSO_LOAD_RESULTS")
    if not path:
        return
    line = json.dumps({"reference": reference, "draft": draft, "at": time.time(),
                       "seconds": round(seconds, 3)})
    with _results_lock, open(path, "a", encoding="utf-8") as out:
        out.write(line + "\n")


def date_fields(day: date) -> dict:
    return {"day": str(day.day), "month": str(day.month), "year": str(day.year)}


class PageError(Exception):
    pass


class Person(HttpUser):
    abstract = True

    def sign_in(self, pool: str, counter) -> None:
        sessions = people()[pool]
        entry = sessions[next(counter) % len(sessions)]
        self.client.cookies.set("sessionid", entry["session"])

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

    def post_form(self, page, url: str, name: str, data: dict, *, expect: str = "", **kwargs):
        token = CSRF.search(page.text)
        if token is None:
            raise PageError(f"{name}: no CSRF token on the page")
        return self.page("POST", url, name, expect=expect,
                         data={"csrfmiddlewaretoken": token.group(1), **data}, **kwargs)


class Complainant(Person):
    """Fills in the whole complaint form, uploads the final response letter, and sends it."""

    weight = 5
    wait_time = between(0.5, 1.5)

    def on_start(self):
        self.sign_in("complainants", _complainant_sessions)

    def step(self, draft_page, step: str, data: dict, *, expect: str = ""):
        url = f"/complain/{self.draft}/{step}"
        page = draft_page if draft_page is not None and draft_page.url.endswith(url) else (
            self.page("GET", url, f"/complain/[draft]/{step}")
        )
        return self.post_form(page, url, f"/complain/[draft]/{step} POST", data, expect=expect)

    @task
    def send_a_complaint(self):
        try:
            self._send_a_complaint()
        except PageError:
            return

    def _send_a_complaint(self):
        today = date.today()
        settings = people()
        start = self.page("GET", "/complain/", "/complain/")
        page = self.post_form(start, "/complain/", "/complain/ POST (start)", {},
                              expect="/what-is-it-about")
        self.draft = DRAFT.search(page.url).group(1)
        page = self.step(page, "what-is-it-about", {"kind": "health"}, expect=f"{self.draft}/")
        page = self.step(None, "your-name", {"full_name": "Amira O’Neill-Smith"})
        page = self.step(page, "your-email", {"email": "amira@example.org"})
        page = self.step(page, "your-phone", {"phone": "07700 900 982"})
        page = self.step(page, "your-postcode", {"postcode": "GU14 7JU"})
        page = self.step(page, "your-address", {"address_line_1": "1 High Street",
                                                 "address_line_2": "", "town": "Farnborough"})
        page = self.step(page, "your-date-of-birth", date_fields(date(1970, 5, 17)))
        page = self.step(None, "for-someone-else", {"for_someone_else": "no"})
        page = self.step(page, "nhs-number", {"nhs_number": settings["nhs_number"]})
        organisations = f"/complain/{self.draft}/organisations"
        page = self.page("GET", organisations, "/complain/[draft]/organisations")
        page = self.post_form(page, organisations, "/complain/[draft]/organisations POST (add)",
                              {"organisation": settings["organisation_id"]})
        page = self.post_form(page, organisations,
                              "/complain/[draft]/organisations POST (continue)",
                              {"continue": "1"})
        page = self.step(None, "what-happened",
                         {"what_happened": "The ward did not give my mother her medicine."})
        page = self.step(page, "when-it-happened", date_fields(today - timedelta(days=200)))
        page = self.step(page, "where-it-happened", {"where": "Ward 4, St James’s Hospital"})
        page = self.step(None, "impact", {"impact": "She was in pain for two days."})
        page = self.step(page, "what-you-want", {"remedy": "An apology and a change to checks."})
        page = self.step(None, "date-you-complained", date_fields(today - timedelta(days=150)))
        page = self.step(page, "final-response", {"final_response": "yes"})
        page = self.post_form(
            page, f"/complain/{self.draft}/files/final-response-date",
            "/complain/[draft]/files/final-response-date POST (upload)", {},
            files={"files": ("final-response.txt", FINAL_RESPONSE_LETTER, "text/plain")},
        )
        if "final-response.txt" not in page.text:
            raise PageError("the uploaded letter is not listed on its page")
        page = self.step(page, "final-response-date", date_fields(today - timedelta(days=60)))
        page = self.step(None, "evidence", {"has_evidence": "no"})
        page = self.step(None, "contact-preference", {"contact_method": "email"})
        page = self.step(page, "adjustments", {"adjustments": ["large_print"], "language": "",
                                               "other": ""})
        page = self.step(None, "age", {"age_band": "45_54"})
        page = self.step(page, "sex", {"sex": "female"})
        page = self.step(page, "ethnic-group", {"ethnic_group": "prefer_not"})
        page = self.step(page, "disability", {"disability": ""})
        check = f"/complain/{self.draft}/check-your-answers"
        page = self.page("GET", check, "/complain/[draft]/check-your-answers")
        token = SUBMISSION_TOKEN.search(page.text)
        if token is None:
            raise PageError("check answers has no send button: the form is not complete")
        started = time.monotonic()
        page = self.post_form(page, check, "/complain/[draft]/check-your-answers POST (send)",
                              {"submission_token": token.group(1)}, expect="/complaint-sent")
        reference = REFERENCE.search(page.text)
        if reference is None:
            raise PageError("the confirmation page shows no reference")
        record_sent(reference.group(1), self.draft, time.monotonic() - started)


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
            self.post_form(case, f"/staff/cases/{reference}/notes",
                           "/staff/cases/[reference]/notes POST",
                           {"body": "Called the complainant; waiting for the trust's records."},
                           expect=f"/staff/cases/{reference}")
        except PageError:
            return
