"""Peak memory of a coding worker storing the codes of one enormous document.

    DATABASE_URL=postgres://... python bench/coding/bench_coding_memory.py [--pages 300] [--seed 1]

bench_coding.py measures the engine alone; this measures what a Celery worker does with a
300-page record (about 900,000 characters at 3,000 a page): casework.services_coding.document_code
reads the text from the database, codes it, and stores the run and its suggestions. It runs in a
child process so that the peak resident memory reported (getrusage ru_maxrss) is one worker's
whole footprint: Python, Django, spaCy, the ICD-10 table, the text and the codes. Target: 1 GB.

Everything the child writes is rolled back, so any migrated database will do; it needs no data.
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
sys.path.insert(0, str(Path(__file__).resolve().parent))

TARGET_RSS_MB = 1024
PAGE_CHARS = 3_000


def peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_record(pages: int, seed: int) -> str:
    from bench_coding import make_letter, terms  # noqa: PLC0415 - the sibling benchmark's texts

    rng = random.Random(seed)  # noqa: S311 - test data
    vocabulary = terms()
    pieces, size = [], 0
    while size < pages * PAGE_CHARS:
        letter = make_letter(rng, vocabulary)
        pieces.append(letter)
        size += len(letter) + 1
    return "\f".join(pieces)[: pages * PAGE_CHARS]


def child(pages: int, seed: int) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "phso.settings")
    import django  # noqa: PLC0415

    django.setup()
    from django.db import transaction  # noqa: PLC0415

    from casework.models import CaseKind, ClinicalCode, Document, DocumentStatus, TextStatus  # noqa: PLC0415
    from casework.services import case_create  # noqa: PLC0415
    from casework.services_coding import document_code  # noqa: PLC0415

    text = make_record(pages, seed)
    before = peak_rss_mb()
    with transaction.atomic():
        case = case_create(kind=CaseKind.HEALTH, summary="Benchmark case")
        document = Document.objects.create(
            case=case,
            uploader_role="staff",
            original_filename="record.pdf",
            status=DocumentStatus.CLEAN,
            text_status=TextStatus.EXTRACTED,
            extracted_text=text,
        )
        del text
        started = time.perf_counter()
        run = document_code(document_id=document.pk)
        figures = {
            "chars": run.chars_total,
            "chars_coded": run.chars_coded,
            "findings": run.findings_count,
            "codes_stored": ClinicalCode.objects.filter(run=run).count(),
            "status": run.status,
            "reason": run.reason,
            "seconds": round(time.perf_counter() - started, 2),
        }
        transaction.set_rollback(True)
    return {**figures, "rss_before_mb": round(before, 1), "peak_rss_mb": round(peak_rss_mb(), 1)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.child:
        print(json.dumps(child(options.pages, options.seed)))
        return 0
    command = [sys.executable, __file__, "--child", "--pages", str(options.pages)]
    command += ["--seed", str(options.seed)]
    output = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)  # noqa: S603
    figures = json.loads(output.stdout.strip().splitlines()[-1])
    for name, value in figures.items():
        print(f"{name:>16}: {value}")
    ok = figures["peak_rss_mb"] <= TARGET_RSS_MB and figures["status"] == "done"
    print(f"{'target':>16}: peak RSS <= {TARGET_RSS_MB} MB: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
