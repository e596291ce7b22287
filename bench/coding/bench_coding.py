"""Benchmark the clinical coder: throughput on one-page letters, and one 300-page record.

    python bench/coding/bench_coding.py [--letters 1000] [--record-pages 300] [--seed 1]

Generates clinical and complaint letters of about 3,000 characters each from the coder's own
terminology, context phrases and realistic filler (deterministic for a seed). Each measure runs in a
child process pinned to one CPU core, so the peak resident memory reported is a worker's whole
footprint (Python, spaCy, the ICD-10 classification and the engine) and the letter rate is one
core's (judged on the child's CPU time, with its wall time shown beside). Targets: at least 300
letters per second per core, and a 300-page record (about 1.5
million characters) within 1 GB peak RSS. No database is needed.
"""

import argparse
import json
import os
import random
import resource
import subprocess  # noqa: S404 (runs this same script as the measured child)
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

TARGET_LETTERS_PER_SECOND = 300
TARGET_RSS_MB = 1024
LETTER_CHARS = 3_000
PAGE_CHARS = 5_000

FILLER = [
    "Thank you for referring this patient, who was seen in clinic today with her daughter.",
    "Observations on arrival were recorded at 14:20 and repeated four hours later.",
    "The ward was busy and there were two registered nurses for twenty-eight patients.",
    "I am writing on behalf of my mother to complain about the care she received.",
    "She was reviewed by the on-call registrar and a plan was documented in the notes.",
    "Bloods were taken and the results were available the following morning.",
    "We were told that a bed would be found on the medical ward within the hour.",
    "The discharge summary was sent to the GP practice three days after she went home.",
    "Her medication was reconciled by the ward pharmacist on the second day.",
    "The family were not told about the change in plan until the next visit.",
    "He was mobilising with a frame and needed the assistance of one member of staff.",
    "The consultant apologised for the delay and explained the investigations.",
    "Fluid balance charts were incomplete for the first forty-eight hours.",
    "She was moved between three wards during the night without explanation.",
    "The trust's response to our complaint did not answer the questions we asked.",
    "A safeguarding referral was discussed but not made at the time.",
    "Repeat bloods showed creatinine 142 and sodium 131, potassium 4.8.",
    "Plan: continue current treatment, review in the morning, escalate if concerned.",
]
CONTEXTS = [
    "She was admitted with {t}.",
    "No evidence of {t} on examination.",
    "History of {t} in 2015, otherwise well.",
    "Her mother had {t}.",
    "At risk of {t}; advice given to watch for symptoms.",
    "The doctors failed to recognise {t} until the next day.",
    "?{t} for review.",
    "{t} was ruled out, but she remained unwell.",
    "Probable {t}, treated on the ward.",
    "We were never told that she had {t}.",
]


def terms() -> list[str]:
    from casework.coding.terminology import icd10_table

    return [form for _, _, form, _ in icd10_table()]


def make_letter(rng: random.Random, vocabulary: list[str]) -> str:
    """A letter of about LETTER_CHARS characters in paragraphs, with a few coded conditions."""
    paragraphs, length = [], 0
    while length < LETTER_CHARS:
        sentences = [rng.choice(FILLER) for _ in range(rng.randint(2, 4))]
        if rng.random() < 0.7:
            term = rng.choice(vocabulary)
            sentences.insert(rng.randrange(len(sentences) + 1), rng.choice(CONTEXTS).format(t=term))
        paragraph = " ".join(sentences)
        paragraphs.append(paragraph)
        length += len(paragraph) + 2
    return "\n\n".join(paragraphs)[:LETTER_CHARS]


def pin_to_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})


def peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_letters(count: int, seed: int) -> dict:
    pin_to_one_core()
    from casework.coding import CodingEngine

    rng = random.Random(seed)  # noqa: S311 - reproducible test data
    vocabulary = terms()
    letters = [make_letter(rng, vocabulary) for _ in range(count)]
    started = time.perf_counter()
    engine = CodingEngine()
    built = time.perf_counter() - started
    engine.code(letters[0])  # first call warms spaCy's lexeme cache
    started, cpu_started = time.perf_counter(), time.process_time()
    findings = sum(len(engine.code(letter).findings) for letter in letters)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return {
        "letters": count,
        "chars": sum(len(letter) for letter in letters),
        "findings": findings,
        "seconds": elapsed,
        "cpu_seconds": cpu,
        "engine_build_seconds": built,
        "peak_rss_mb": peak_rss_mb(),
    }


def child_record(pages: int, seed: int) -> dict:
    pin_to_one_core()
    from casework.coding import CodingEngine

    rng = random.Random(seed + 1)  # noqa: S311 - reproducible test data
    vocabulary = terms()
    parts, length = [], 0
    while length < pages * PAGE_CHARS:
        letter = make_letter(rng, vocabulary)
        parts.append(letter)
        length += len(letter) + 2
    record = "\n\n".join(parts)
    engine = CodingEngine()
    started, cpu_started = time.perf_counter(), time.process_time()
    result = engine.code(record)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return {
        "pages": pages,
        "chars": len(record),
        "findings": len(result.findings),
        "themes": len(result.themes),
        "seconds": elapsed,
        "cpu_seconds": cpu,
        "peak_rss_mb": peak_rss_mb(),
    }


def run_child(*args: str) -> dict:
    completed = subprocess.run(  # noqa: S603 (this same script)
        [sys.executable, __file__, *args], cwd=ROOT, check=True, capture_output=True, text=True
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=1000)
    parser.add_argument("--record-pages", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", choices=["letters", "record"], help=argparse.SUPPRESS)
    options = parser.parse_args(argv)

    if options.child == "letters":
        print(json.dumps(child_letters(options.letters, options.seed)))
        return 0
    if options.child == "record":
        print(json.dumps(child_record(options.record_pages, options.seed)))
        return 0

    common = ["--seed", str(options.seed)]
    letters = run_child("--child", "letters", "--letters", str(options.letters), *common)
    record = run_child("--child", "record", "--record-pages", str(options.record_pages), *common)

    # The target is per core, so it is judged on the CPU time the child used: on a shared machine
    # its wall time also counts the time it waited for the core.
    rate = letters["letters"] / letters["cpu_seconds"]
    wall_rate = letters["letters"] / letters["seconds"]
    rows = [
        (
            f"{letters['letters']:,} letters ({letters['chars'] / letters['letters']:,.0f} chars)",
            f"{rate:,.0f} letters per CPU second ({letters['findings']:,} findings)",
            f">= {TARGET_LETTERS_PER_SECOND} letters/s",
            rate >= TARGET_LETTERS_PER_SECOND,
        ),
        (
            "  by the wall clock",
            f"{wall_rate:,.0f} letters/s ({letters['seconds']:.2f} s)",
            "",
            True,
        ),
        (
            "worker peak RSS, letters",
            f"{letters['peak_rss_mb']:,.0f} MB",
            f"<= {TARGET_RSS_MB} MB",
            letters["peak_rss_mb"] <= TARGET_RSS_MB,
        ),
        (
            f"{record['pages']}-page record ({record['chars']:,} chars)",
            f"{record['seconds']:.2f} s wall, {record['cpu_seconds']:.2f} s CPU "
            f"({record['findings']:,} findings, {record['themes']:,} themes)",
            "",
            True,
        ),
        (
            "worker peak RSS, record",
            f"{record['peak_rss_mb']:,.0f} MB",
            f"<= {TARGET_RSS_MB} MB",
            record["peak_rss_mb"] <= TARGET_RSS_MB,
        ),
        ("engine build", f"{letters['engine_build_seconds']:.2f} s", "", True),
    ]
    width = max(len(r[0]) for r in rows)
    for name, result, target, ok in rows:
        mark = "" if ok else "  MISSED"
        print(f"{name:<{width}}  {result:<48} {target}{mark}")
    return 0 if all(ok for *_, ok in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
