"""Precedent checks: find the past decided cases most like a case, and say why they matched.

A decided case is one closed with a decision outcome. Its text (what the complaint was about and
the decision's public summary), the kinds of organisation it was about and its clinical and theme
codes go into a snapshot index on disk, rebuilt nightly. Decisions made since the snapshot are
read from the database at query time, so a decision is findable as soon as it is made.

Text is hashed (HashingVectorizer), which needs no vocabulary: a case decided after the snapshot
is vectorised with the same hashing and the snapshot's inverse document frequencies, so the
snapshot and the delta score on the same scale. The index is held column-wise (term -> cases), so
a query touches only the postings of its own terms rather than every case.
"""

from __future__ import annotations

import math
import os
import tempfile
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db.models import Case as CaseWhen
from django.db.models import F, Q, When
from scipy import sparse
from sklearn.feature_extraction import FeatureHasher
from sklearn.feature_extraction.text import HashingVectorizer

from accounts.models import OrganisationKind
from casework.models import (
    Case,
    CaseOrganisation,
    ClinicalCode,
    CodeAxis,
    CodeReview,
)
from casework.state import CaseStatus

INDEX_FILE = "precedents.npz"
FORMAT_VERSION = 1

TEXT_FEATURES = 2**20
CODE_FEATURES = 2**16
MAX_DF = 0.25
MAX_DF_FROM = 1_000

# How the score is made up. Text similarity carries most weight; the bonuses lift a case about
# the same kind of organisation or with the same themes and codes above one that merely uses
# similar words. Each overlap is the share of this case's themes (or codes) the precedent shares.
WEIGHT_TEXT = 0.6
WEIGHT_KIND = 0.1
WEIGHT_THEMES = 0.15
WEIGHT_CODES = 0.15

# Candidates taken from the index before the database confirms each is still decided (a case
# reopened since the snapshot drops out) and reasons are worked out.
CANDIDATE_FACTOR = 4

_KIND_BITS = {kind: 1 << i for i, kind in enumerate(OrganisationKind.values)}
_WORD_PATTERN = r"(?u)\b[a-zA-Z][a-zA-Z]+\b"

_vectoriser = HashingVectorizer(
    n_features=TEXT_FEATURES,
    alternate_sign=False,
    norm=None,
    lowercase=True,
    stop_words="english",
    token_pattern=_WORD_PATTERN,
    dtype=np.float32,
)
_analyse = _vectoriser.build_analyzer()
_code_hasher = FeatureHasher(
    n_features=CODE_FEATURES, input_type="string", alternate_sign=False, dtype=np.float32
)


@dataclass
class PrecedentDoc:
    """What the index knows of one case: its text, organisation kinds, themes and codes."""

    case_id: int
    text: str
    organisation_kinds: frozenset = frozenset()
    themes: frozenset = frozenset()
    codes: frozenset = frozenset()


@dataclass
class Match:
    case_id: int
    score: float
    text_similarity: float
    reasons: dict = field(default_factory=dict)


def kind_mask(kinds) -> int:
    mask = 0
    for kind in kinds:
        mask |= _KIND_BITS.get(kind, 0)
    return mask


def _code_tokens(doc: PrecedentDoc) -> list[str]:
    return [f"theme:{t}" for t in doc.themes] + [f"code:{c}" for c in doc.codes]


def _tf(texts) -> sparse.csr_matrix:
    """Sublinear term frequencies (1 + log tf) of hashed words, one row per text."""
    counts = _vectoriser.transform(texts).tocsr()
    counts.data = (1.0 + np.log(counts.data)).astype(np.float32)
    return counts


def _idf(document_frequency: np.ndarray, n_docs: int) -> np.ndarray:
    idf = (np.log((1.0 + n_docs) / (1.0 + document_frequency)) + 1.0).astype(np.float32)
    if n_docs >= MAX_DF_FROM:
        # A word in a large share of decided cases says little about which are alike, and its
        # postings are the longest to read: it is left out of the index, as TfidfVectorizer's
        # max_df would. Small collections keep every word, or a handful of cases would lose most.
        idf[document_frequency > MAX_DF * n_docs] = 0.0
    return idf


def _weigh(tf: sparse.csr_matrix, idf: np.ndarray) -> sparse.csr_matrix:
    """tf-idf, each row scaled to unit length, so a dot product is the cosine similarity."""
    tf = tf.tocsr(copy=True)
    tf.data *= idf[tf.indices]
    tf.eliminate_zeros()
    norms = np.sqrt(np.asarray(tf.multiply(tf).sum(axis=1)).ravel()).astype(np.float32)
    norms[norms == 0] = 1.0
    tf.data /= np.repeat(norms, np.diff(tf.indptr))
    return tf


def _top_positions(values: np.ndarray, wanted: int) -> np.ndarray:
    """Positions of the `wanted` largest values, largest first (exact).

    A strided sample gives a threshold that a few times `wanted` values reach; only those are
    partitioned, which at a million cases costs a comparison rather than a full partition.
    Falls back to partitioning everything when too few values reach it (ties, tiny indexes).
    """
    n = len(values)
    stride = max(1, n // 20_000)
    candidates = None
    if stride > 1:
        sample = values[::stride]
        rank = min(len(sample) - 1, (4 * wanted) // stride + 1)
        threshold = np.partition(sample, len(sample) - 1 - rank)[len(sample) - 1 - rank]
        above = np.flatnonzero(values >= threshold)
        if wanted <= len(above) <= 50 * wanted + 10 * stride:
            candidates = above
    if candidates is None:
        candidates = np.argpartition(-values, wanted - 1)[:wanted]
    elif len(candidates) > wanted:
        candidates = candidates[np.argpartition(-values[candidates], wanted - 1)[:wanted]]
    return candidates[np.argsort(-values[candidates], kind="stable")]


class PrecedentIndex:
    """An in-memory index of decided cases; built from documents, saved to and loaded from disk."""

    def __init__(
        self, *, case_ids, kinds, text, codes, idf, built_at: datetime, n_docs_for_idf: int
    ):
        self.case_ids = np.asarray(case_ids, dtype=np.int64)
        self.kinds = np.asarray(kinds, dtype=np.uint8)
        self.text = text.tocsc()
        self.codes = codes.tocsc()
        self.idf = idf
        self.built_at = built_at
        self.n_docs_for_idf = n_docs_for_idf
        for matrix in (self.text, self.codes):
            # Postings sorted by row, so that a row can be looked up in a column by bisection.
            if not matrix.has_sorted_indices:
                matrix.sort_indices()
            matrix.indices = matrix.indices.astype(np.int32, copy=False)
            matrix.indptr = matrix.indptr.astype(
                np.int64 if matrix.nnz > 2**31 - 1 else np.int32, copy=False
            )
            matrix.data = matrix.data.astype(np.float32, copy=False)

    def __len__(self):
        return len(self.case_ids)

    @property
    def nbytes(self) -> int:
        arrays = [self.case_ids, self.kinds, self.idf]
        for matrix in (self.text, self.codes):
            arrays += [matrix.data, matrix.indices, matrix.indptr]
        return sum(a.nbytes for a in arrays)

    @classmethod
    def build(cls, docs, *, built_at: datetime, idf=None, n_docs_for_idf=None, chunk_size=50_000):
        """Index `docs` (PrecedentDocs); without `idf`, it is learnt from these docs."""
        ids, kinds, tf_chunks, code_chunks = [], [], [], []
        chunk = []

        def flush():
            if not chunk:
                return
            tf_chunks.append(_tf([d.text for d in chunk]))
            code_chunks.append(_code_hasher.transform(_code_tokens(d) for d in chunk).tocsr())
            ids.extend(d.case_id for d in chunk)
            kinds.extend(kind_mask(d.organisation_kinds) for d in chunk)
            chunk.clear()

        for doc in docs:
            chunk.append(doc)
            if len(chunk) >= chunk_size:
                flush()
        flush()
        if tf_chunks:
            tf = sparse.vstack(tf_chunks, format="csr")
            codes = sparse.vstack(code_chunks, format="csr")
        else:
            tf = sparse.csr_matrix((0, TEXT_FEATURES), dtype=np.float32)
            codes = sparse.csr_matrix((0, CODE_FEATURES), dtype=np.float32)
        tf_chunks.clear()
        code_chunks.clear()
        if idf is None:
            df = np.bincount(tf.indices, minlength=TEXT_FEATURES)
            n_docs_for_idf = tf.shape[0]
            idf = _idf(df, n_docs_for_idf)
        text = _weigh(tf, idf)
        del tf
        return cls(
            case_ids=ids,
            kinds=kinds,
            text=text,
            codes=codes,
            idf=idf,
            built_at=built_at,
            n_docs_for_idf=n_docs_for_idf or 0,
        )

    @classmethod
    def empty(cls):
        """No snapshot yet: everything decided is delta, weighed with idf learnt from the delta."""
        return cls.build([], built_at=datetime.min.replace(tzinfo=UTC))

    def save(self, directory: Path) -> Path:
        """Write the snapshot atomically: readers see the old file or the new one, never half."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=directory, suffix=".npz.tmp")
        with os.fdopen(handle, "wb") as out:
            np.savez(
                out,
                format_version=np.int32(FORMAT_VERSION),
                built_at=np.float64(self.built_at.timestamp()),
                n_docs_for_idf=np.int64(self.n_docs_for_idf),
                case_ids=self.case_ids,
                kinds=self.kinds,
                idf=self.idf,
                text_data=self.text.data,
                text_indices=self.text.indices,
                text_indptr=self.text.indptr,
                code_data=self.codes.data,
                code_indices=self.codes.indices,
                code_indptr=self.codes.indptr,
            )
        target = directory / INDEX_FILE
        os.replace(temporary, target)
        return target

    @classmethod
    def load(cls, path: Path) -> PrecedentIndex:
        with np.load(path) as saved:
            if int(saved["format_version"]) != FORMAT_VERSION:
                raise ValueError(f"Precedent index {path.name} has an unknown format; rebuild it")
            n = len(saved["case_ids"])
            text = sparse.csc_matrix(
                (saved["text_data"], saved["text_indices"], saved["text_indptr"]),
                shape=(n, TEXT_FEATURES),
            )
            codes = sparse.csc_matrix(
                (saved["code_data"], saved["code_indices"], saved["code_indptr"]),
                shape=(n, CODE_FEATURES),
            )
            return cls(
                case_ids=saved["case_ids"],
                kinds=saved["kinds"],
                text=text,
                codes=codes,
                idf=saved["idf"],
                built_at=datetime.fromtimestamp(float(saved["built_at"]), tz=UTC),
                n_docs_for_idf=int(saved["n_docs_for_idf"]),
            )

    def query_vector(self, text: str):
        """The query's hashed columns and their unit-length tf-idf weights."""
        row = _weigh(_tf([text]), self.idf)
        return row.indices, row.data

    def _column_sums(self, matrix: sparse.csc_matrix, columns, weights) -> np.ndarray:
        """Sum of weight x value over the given columns, for every case: only those columns'
        postings are read (sliced out of the column-wise index, then one matrix-vector product)."""
        if len(columns) == 0:
            return np.zeros(len(self.case_ids), dtype=np.float32)
        return np.asarray(
            matrix[:, columns] @ np.asarray(weights, dtype=np.float32), dtype=np.float32
        )

    def scores(self, doc: PrecedentDoc, query=None) -> tuple[np.ndarray, np.ndarray]:
        """(blended score, text similarity) for every case in the index."""
        columns, weights = query if query is not None else self.query_vector(doc.text)
        text = self._column_sums(self.text, columns, weights)
        total = text * np.float32(WEIGHT_TEXT)
        mask = kind_mask(doc.organisation_kinds)
        if mask:
            np.add(total, np.float32(WEIGHT_KIND), out=total, where=(self.kinds & mask) != 0)
        for items, prefix, weight in (
            (doc.themes, "theme", WEIGHT_THEMES),
            (doc.codes, "code", WEIGHT_CODES),
        ):
            if not items:
                continue
            tokens = [f"{prefix}:{item}" for item in sorted(items)]
            hashed = _code_hasher.transform([tokens])
            share = np.full(hashed.nnz, weight / len(items), dtype=np.float32)
            total += self._column_sums(self.codes, hashed.indices, share)
        return total, text

    def top(self, doc: PrecedentDoc, *, k: int, exclude=(), query=None) -> list[Match]:
        """The k best-scoring cases, best first, skipping the ids in `exclude`."""
        n = len(self.case_ids)
        if not n or k <= 0:
            return []
        total, text = self.scores(doc, query=query)
        exclude = set(exclude)
        wanted = min(k + len(exclude), n)
        best = _top_positions(total, wanted)
        matches = []
        for i in best:
            case_id = int(self.case_ids[i])
            if case_id in exclude or not total[i] > 0:
                continue
            matches.append(
                Match(case_id=case_id, score=float(total[i]), text_similarity=float(text[i]))
            )
            if len(matches) == k:
                break
        return matches


# The snapshot on disk, loaded once per process and reloaded when the nightly build replaces it.
_loaded: dict = {}
_load_lock = threading.Lock()


def index_directory() -> Path:
    return Path(settings.PRECEDENT_INDEX_DIR)


def snapshot_load() -> PrecedentIndex:
    path = index_directory() / INDEX_FILE
    try:
        stamp = path.stat().st_mtime_ns
    except FileNotFoundError:
        stamp = None
    with _load_lock:
        cached = _loaded.get("index")
        if cached is None or _loaded.get("key") != (str(path), stamp):
            cached = PrecedentIndex.load(path) if stamp is not None else PrecedentIndex.empty()
            _loaded.update(index=cached, key=(str(path), stamp))
        return cached


def caches_clear() -> None:
    """Forget the loaded snapshot and delta (tests, or after moving the index directory)."""
    with _load_lock:
        _loaded.clear()
        _delta_cache.clear()


# Reading decided cases from the database -------------------------------------------------------


def decided_cases():
    """Cases closed with a decision outcome: the only ones offered as precedents."""
    return Case.objects.filter(status=CaseStatus.CLOSED, decision__isnull=False).exclude(
        decision__outcome=""
    )


def _codes_by_case(case_ids) -> dict[int, tuple[frozenset, frozenset]]:
    """(themes, condition codes) per case: those a caseworker confirmed, or failing any, the ones
    suggested as present. Rejected codes are never used."""
    rows = (
        ClinicalCode.objects.filter(case_id__in=case_ids)
        .exclude(review=CodeReview.REJECTED)
        .values_list("case_id", "axis", "system", "code", "review", "status")
    )
    found: dict = {}
    for case_id, axis, system, code, review, status in rows:
        if review == CodeReview.SUGGESTED and status != "present":
            continue
        slot = found.setdefault(case_id, {}).setdefault(
            axis, {"confirmed": set(), "suggested": set()}
        )
        value = code if axis == CodeAxis.THEME else f"{system}:{code}"
        slot["confirmed" if review == CodeReview.CONFIRMED else "suggested"].add(value)
    result = {}
    for case_id, axes in found.items():
        chosen = []
        for axis in (CodeAxis.THEME, CodeAxis.CONDITION):
            slot = axes.get(axis, {"confirmed": set(), "suggested": set()})
            chosen.append(frozenset(slot["confirmed"] or slot["suggested"]))
        result[case_id] = tuple(chosen)
    return result


def _kinds_by_case(case_ids) -> dict[int, frozenset]:
    kinds: dict = {}
    rows = CaseOrganisation.objects.filter(case_id__in=case_ids).values_list(
        "case_id", "organisation__kind"
    )
    for case_id, kind in rows:
        kinds.setdefault(case_id, set()).add(kind)
    return {case_id: frozenset(k) for case_id, k in kinds.items()}


def _case_text(summary: str, decision_summary: str) -> str:
    return f"{summary}\n{decision_summary}".strip()


def docs_for(case_rows) -> list[PrecedentDoc]:
    """PrecedentDocs for (case_id, summary, decision summary) rows, with kinds and codes."""
    case_rows = list(case_rows)
    ids = [row[0] for row in case_rows]
    kinds = _kinds_by_case(ids)
    codes = _codes_by_case(ids)
    empty = (frozenset(), frozenset())
    return [
        PrecedentDoc(
            case_id=case_id,
            text=_case_text(summary, decision_summary),
            organisation_kinds=kinds.get(case_id, frozenset()),
            themes=codes.get(case_id, empty)[0],
            codes=codes.get(case_id, empty)[1],
        )
        for case_id, summary, decision_summary in case_rows
    ]


def _decided_rows(queryset):
    summary = CaseWhen(
        When(~Q(decision__redacted_summary=""), then=F("decision__redacted_summary")),
        default=F("decision__public_summary"),
    )
    return queryset.annotate(decision_text=summary).values_list("pk", "summary", "decision_text")


def decided_docs_iter(*, batch_size=5_000):
    """Every decided case as a PrecedentDoc, read in batches of ids so memory stays flat."""
    last = 0
    while True:
        batch = list(_decided_rows(decided_cases().filter(pk__gt=last).order_by("pk"))[:batch_size])
        if not batch:
            return
        yield from docs_for(batch)
        last = batch[-1][0]


def case_doc(case: Case) -> PrecedentDoc:
    """The case being checked, described the way the index describes a decided case (without a
    decision summary, which it does not have yet)."""
    [doc] = docs_for([(case.pk, case.summary, "")])
    return doc


def snapshot_build(*, built_at: datetime) -> PrecedentIndex:
    """Index every case decided now; `built_at` is taken before reading, so nothing decided
    during the build is missed (it is also in the delta, which wins)."""
    return PrecedentIndex.build(decided_docs_iter(), built_at=built_at)


def delta_docs(since: datetime) -> list[PrecedentDoc]:
    """Cases decided (closed, or their decision changed) since the snapshot was taken."""
    changed = decided_cases().filter(
        Q(status_changed_at__gte=since) | Q(decision__updated_at__gte=since)
    )
    return docs_for(_decided_rows(changed.order_by("pk")))


_delta_cache: dict = {}


def delta_index(snapshot: PrecedentIndex, delta: list[PrecedentDoc]) -> PrecedentIndex:
    """The cases decided since the snapshot, indexed with the snapshot's idf (or, with no
    snapshot, their own) so that both score on one scale.

    Kept per process until the delta changes: hashing a day's decisions on every query would
    cost more than searching the whole snapshot.
    """
    key = (
        id(snapshot),
        snapshot.built_at,
        tuple((d.case_id, d.text, d.organisation_kinds, d.themes, d.codes) for d in delta),
    )
    with _load_lock:
        if _delta_cache.get("key") == key:
            return _delta_cache["index"]
    if len(snapshot):
        recent = PrecedentIndex.build(
            delta,
            built_at=snapshot.built_at,
            idf=snapshot.idf,
            n_docs_for_idf=snapshot.n_docs_for_idf,
        )
    else:
        recent = PrecedentIndex.build(delta, built_at=snapshot.built_at)
    with _load_lock:
        _delta_cache.update(key=key, index=recent)
    return recent


def _shared_terms(query_text: str, other_text: str, idf: np.ndarray, limit=5) -> list[str]:
    """The words both texts use, the rarer across decided cases the better."""
    mine = Counter(_analyse(query_text))
    theirs = Counter(_analyse(other_text))
    shared = set(mine) & set(theirs)
    if not shared:
        return []
    words = sorted(shared)
    # One hashed row per word: its only column is the word's column in the index.
    columns = _vectoriser.transform(words).tocsr()
    weighted = []
    for row, word in enumerate(words):
        column = columns.indices[columns.indptr[row] : columns.indptr[row + 1]]
        weight = float(idf[column[0]]) if len(column) else 1.0
        if weight <= 0:
            continue  # a word too common to be indexed is no reason for a match
        weighted.append(((1 + math.log(mine[word])) * (1 + math.log(theirs[word])) * weight, word))
    weighted.sort(key=lambda item: (-item[0], item[1]))
    return [word for _, word in weighted[:limit]]


def precedents_match(*, case: Case, limit: int = 5) -> list[Match]:
    """The decided cases most like `case`, best first, each with why it matched.

    Never the case itself, and never a case that is not decided now, whatever the snapshot says.
    """
    snapshot = snapshot_load()
    delta = delta_docs(snapshot.built_at)
    doc = case_doc(case)
    delta_ids = {d.case_id for d in delta}
    want = max(limit * CANDIDATE_FACTOR, limit)
    candidates = snapshot.top(doc, k=want, exclude=delta_ids | {case.pk})
    if delta:
        recent = delta_index(snapshot, delta)
        candidates += recent.top(doc, k=want, exclude={case.pk})
        idf = recent.idf
    else:
        idf = snapshot.idf
    candidates.sort(key=lambda m: (-m.score, m.case_id))
    ids = [m.case_id for m in candidates]
    rows = {
        row[0]: row for row in _decided_rows(decided_cases().filter(pk__in=ids).exclude(pk=case.pk))
    }
    current = {d.case_id: d for d in docs_for(rows.values())}
    matches = []
    for match in candidates:
        other = current.get(match.case_id)
        if other is None or any(m.case_id == match.case_id for m in matches):
            continue
        themes, codes = sorted(doc.themes & other.themes), sorted(doc.codes & other.codes)
        if match.text_similarity <= 0 and not themes and not codes:
            # Only the same kind of organisation: that alone makes nothing a precedent.
            continue
        match.reasons = {
            "organisation_kind": bool(doc.organisation_kinds & other.organisation_kinds),
            "organisation_kinds": sorted(doc.organisation_kinds & other.organisation_kinds),
            "themes": themes,
            "codes": codes,
            "terms": _shared_terms(doc.text, other.text, idf),
            "text_similarity": round(match.text_similarity, 3),
        }
        matches.append(match)
        if len(matches) == limit:
            break
    return matches
