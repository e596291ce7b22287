"""Benchmark precedent checks: build a snapshot index of a million decided cases and query it.

    python bench/precedents/bench_precedents.py [--cases 1000000] [--queries 300]
        [--delta 500] [--seed 1]

Generates decided-case texts in-process from realistic complaint vocabulary (organisations,
conditions, what went wrong, what the complainant wants, how the ombudsman decided), with
organisation
kinds, one or two complaint themes and up to three condition codes each, deterministically for a
seed. Builds a casework.precedents.PrecedentIndex from them, saves and reloads the snapshot the way
the nightly job and the query path do, then times queries: the snapshot's top candidates plus the
delta (`--delta` cases decided since the snapshot, indexed at query time with the snapshot's idf),
as casework.precedents.precedents_match does before it reads the few winners from the database.
Target: p95 within 100 ms per query at a million cases. No database is needed.
"""

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "phso.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402

from casework import precedents  # noqa: E402
from casework.precedents import PrecedentDoc, PrecedentIndex, delta_index  # noqa: E402

TARGET_P95_MS = 100.0

KINDS = ["nhs_trust", "gp_practice", "icb", "government_department", "public_body"]
KIND_WEIGHTS = [0.45, 0.25, 0.05, 0.2, 0.05]
PEOPLE = [
    "my mother",
    "my father",
    "my husband",
    "my wife",
    "my son",
    "my daughter",
    "I",
    "my grandmother",
    "my partner",
    "my brother",
]
HEALTH_PLACES = [
    "the emergency department",
    "the surgical ward",
    "the maternity unit",
    "the GP surgery",
    "the out of hours service",
    "the mental health team",
    "the stroke unit",
    "the cancer clinic",
    "the care home",
    "the community nursing team",
    "the orthopaedic clinic",
    "the discharge lounge",
]
GOV_PLACES = [
    "HMRC",
    "the Department for Work and Pensions",
    "the Home Office",
    "the DVLA",
    "the Passport Office",
    "the Child Maintenance Service",
    "the Legal Aid Agency",
    "the Land Registry",
    "the Student Loans Company",
    "the Valuation Office",
]
CONDITIONS = [
    "sepsis",
    "a stroke",
    "a heart attack",
    "pneumonia",
    "a fractured hip",
    "breast cancer",
    "bowel cancer",
    "diabetes",
    "a urinary infection",
    "dementia",
    "a pressure ulcer",
    "a blood clot",
    "appendicitis",
    "meningitis",
    "kidney failure",
    "depression",
    "psychosis",
    "a miscarriage",
    "pre-eclampsia",
    "a fall",
    "dehydration",
    "a chest infection",
    "an eating disorder",
    "epilepsy",
]
HEALTH_FAILINGS = [
    "was discharged without medication",
    "waited eleven hours to be seen",
    "was not given pain relief",
    "had observations missed overnight",
    "was sent home without a scan",
    "was misdiagnosed by the doctor",
    "had the referral lost",
    "was not told about the test results",
    "had the operation cancelled three times",
    "was not assessed for pressure damage",
    "was given the wrong dose",
    "was left without food or water",
    "had the safeguarding concern ignored",
    "was refused a home visit",
    "was not referred to a specialist",
    "had the diagnosis delayed by months",
]
GOV_FAILINGS = [
    "lost the application form",
    "stopped the benefit payments without warning",
    "demanded an overpayment back",
    "took eighteen months to decide the claim",
    "sent letters to the wrong address",
    "refused to correct the record",
    "gave wrong advice on the telephone",
    "did not reply to letters",
    "applied the wrong tax code",
    "cancelled the licence by mistake",
    "kept the passport for months",
    "calculated the maintenance wrongly",
]
HANDLING = [
    "The complaint response did not answer my questions.",
    "Nobody apologised or explained what went wrong.",
    "The response took five months and was full of jargon.",
    "They said lessons had been learnt but gave no detail.",
    "The local resolution meeting was cancelled twice.",
    "Staff were rude when we raised concerns on the ward.",
    "The records we asked for were incomplete.",
    "They blamed staffing levels and did nothing else.",
]
WANTS = [
    "I want an apology and an explanation.",
    "I want them to change their procedures so it does not happen again.",
    "I want compensation for the distress and cost.",
    "I want the staff involved to be retrained.",
    "I want the record corrected and the money repaid.",
    "I want to know why the warning signs were missed.",
]
DECISIONS = [
    "We found failings in the clinical care and the complaint handling.",
    "We found the organisation acted in line with relevant guidance.",
    "We found maladministration that caused injustice and recommended a payment.",
    "We found service failure in the discharge planning and recommended an action plan.",
    "We found the delay was unreasonable and recommended an apology.",
    "We did not find failings in the care provided.",
    "We found the records were poor but this did not change the outcome.",
]
THEMES = [
    "discharge",
    "diagnosis",
    "communication",
    "medication",
    "waiting-times",
    "complaint-handling",
    "dignity",
    "safeguarding",
    "record-keeping",
    "referral",
    "benefits",
    "tax",
    "immigration",
    "licensing",
    "maintenance",
]
CODES = [f"ICD-10:{letter}{number:02d}" for letter in "ACEFGIJKNOR" for number in range(0, 100, 5)]


def make_doc(rng: random.Random, case_id: int) -> PrecedentDoc:
    kind = rng.choices(KINDS, KIND_WEIGHTS)[0]
    person = rng.choice(PEOPLE)
    if kind in ("government_department", "public_body"):
        place = rng.choice(GOV_PLACES)
        sentences = [
            f"{place} {rng.choice(GOV_FAILINGS)} for {person}.",
            f"They also {rng.choice(GOV_FAILINGS)}.",
        ]
        themes = rng.sample(THEMES[10:], rng.randint(1, 2)) + rng.sample(
            THEMES[2:3] + THEMES[5:6], rng.randint(0, 1)
        )
        codes = []
    else:
        condition = rng.choice(CONDITIONS)
        place = rng.choice(HEALTH_PLACES)
        sentences = [
            f"{person.capitalize()} attended {place} with {condition} "
            f"and {rng.choice(HEALTH_FAILINGS)}.",
            f"Later {person} {rng.choice(HEALTH_FAILINGS)}.",
        ]
        themes = rng.sample(THEMES[:10], rng.randint(1, 2))
        codes = rng.sample(CODES, rng.randint(0, 3))
    sentences += [rng.choice(HANDLING), rng.choice(WANTS), rng.choice(DECISIONS)]
    return PrecedentDoc(
        case_id=case_id,
        text=" ".join(sentences),
        organisation_kinds=frozenset({kind}),
        themes=frozenset(themes),
        codes=frozenset(codes),
    )


def percentile(values, q):
    return float(np.percentile(np.asarray(values), q))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--delta", type=int, default=500, help="cases decided since the snapshot")
    parser.add_argument("--limit", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", help="directory to keep the built snapshot in")
    parser.add_argument("--load", help="directory of a kept snapshot: time queries only")
    args = parser.parse_args()

    rng = random.Random(args.seed)  # noqa: S311 (synthetic text, not security)
    if args.load:
        # Reuse a snapshot an earlier run kept, to time queries again without rebuilding.
        build_seconds = save_seconds = 0.0
        started = time.perf_counter()
        index = PrecedentIndex.load(Path(args.load) / precedents.INDEX_FILE)
        load_seconds = time.perf_counter() - started
        file_mb = (Path(args.load) / precedents.INDEX_FILE).stat().st_size / 2**20
    else:
        started = time.perf_counter()
        index = PrecedentIndex.build(
            (make_doc(rng, case_id) for case_id in range(1, args.cases + 1)),
            built_at=datetime.now(UTC),
        )
        build_seconds = time.perf_counter() - started
        with tempfile.TemporaryDirectory() as directory:
            started = time.perf_counter()
            path = index.save(Path(args.keep or directory))
            save_seconds = time.perf_counter() - started
            file_mb = path.stat().st_size / 2**20
            del index
            started = time.perf_counter()
            index = PrecedentIndex.load(path)
            load_seconds = time.perf_counter() - started

    # Recent decisions and queries come from their own generator, the same with or without --load.
    rng = random.Random(args.seed + 1)  # noqa: S311 (synthetic text, not security)
    delta = [make_doc(rng, args.cases + n) for n in range(1, args.delta + 1)]
    queries = [make_doc(rng, 0) for _ in range(args.queries)]
    want = args.limit * 4

    def query_once(query):
        vector = index.query_vector(query.text)
        candidates = index.top(query, k=want, query=vector)
        candidates += delta_index(index, delta).top(query, k=want, query=vector)
        candidates.sort(key=lambda m: (-m.score, m.case_id))
        return candidates

    for query in queries[:5]:  # warm up caches and the allocator
        query_once(query)
    timings, cpu = [], []
    for query in queries:
        started, started_cpu = time.perf_counter(), time.process_time()
        candidates = query_once(query)
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    top = candidates[0]

    # The first query after a new decision re-indexes the delta.
    changed = []
    for n, query in enumerate(queries[:20]):
        delta[n] = make_doc(rng, args.cases + args.delta + 1 + n)
        started = time.perf_counter()
        query_once(query)
        changed.append((time.perf_counter() - started) * 1000)

    # Peak resident memory of the whole run: the build's when it built, the loaded index's if not.
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = [
        ("decided cases indexed", f"{len(index):,}", ""),
        ("build (generate + hash + tf-idf)", f"{build_seconds:.1f} s", ""),
        ("index in memory (arrays)", f"{index.nbytes / 2**20:.0f} MB", ""),
        ("peak RSS of the process", f"{peak_rss:.0f} MB", ""),
        (
            "snapshot file, save / load",
            f"{file_mb:.0f} MB, {save_seconds:.1f} s / {load_seconds:.1f} s",
            "",
        ),
        ("text postings (non-zeros)", f"{index.text.nnz:,}", ""),
        (
            f"query p50 ({args.queries} queries, delta {args.delta})",
            f"{percentile(timings, 50):.1f} ms",
            "",
        ),
        ("query p95", f"{percentile(timings, 95):.1f} ms", f"≤ {TARGET_P95_MS:.0f} ms"),
        ("query max", f"{max(timings):.1f} ms", ""),
        (
            "query CPU time p50 / p95",
            f"{percentile(cpu, 50):.1f} / {percentile(cpu, 95):.1f} ms",
            "",
        ),
        ("query just after a new decision p50", f"{percentile(changed, 50):.1f} ms", ""),
    ]
    width = max(len(r[0]) for r in rows)
    for name, value, target in rows:
        print(f"{name:<{width}}  {value:>28}  {target}")
    print(f"last query's best match: case {top.case_id}, score {top.score:.3f}")
    return 0 if percentile(timings, 95) <= TARGET_P95_MS else 1


if __name__ == "__main__":
    sys.exit(main())
