"""The coding engine: a blank English spaCy pipeline, the terminology matchers and context rules.

Text is coded in chunks cut at paragraph or sentence ends, so a 300-page record never becomes one
spaCy Doc: memory stays bounded by the chunk size whatever the record's length.
"""

import re
from bisect import bisect_right
from dataclasses import dataclass, field

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.util import filter_spans

from casework.coding import context, terminology
from casework.coding.snomed import SnomedTerm
from casework.coding.statuses import DEFAULT_MAX_CHARS
from casework.coding.themes import THEME_LABELS, THEME_PHRASES

CHUNK_CHARS = 20_000

# "Fall"/"fell" name an accidental fall (W19) except in these ordinary senses.
_NOT_AFTER_FALL = {
    "asleep", "ill", "in", "pregnant", "short", "behind", "through", "apart", "silent", "sick",
    "quiet", "under", "within", "back", "off", "into", "foul", "victim", "away", "below",
    "to", "between", "outside", "due",
}  # fmt: skip
_FALL_FORMS = {"fall", "falls", "fell", "fallen", "falling"}

# One character for one, so these never move an offset.
_CHAR_MAP = str.maketrans({
    "\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2010": "-",
    "\u2011": "-",
})  # fmt: skip
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")
# Runs of whitespace other than one space. PDF text wraps lines mid-phrase ("heart\nattack") and
# justifies with extra spaces, which would split a phrase into different tokens; a blank line ends
# a paragraph and is kept as one.
_WHITESPACE_RUN = re.compile(r"[ \t\r\n\f\v\u00a0\u2028\u2029]{2,}|[\t\r\n\f\v\u00a0\u2028\u2029]")
# A form feed is the page break text extraction leaves between PDF pages.
_PARAGRAPH_BREAK = re.compile(r"\n[^\n\S]*\n|\r[^\r\S]*\r|[\f\u2029]")


class _ReadableText:
    """The text the matchers read, with a map from its offsets back to the original's."""

    def __init__(self, original: str):
        text = _LONE_SURROGATE.sub("\ufffd", original.translate(_CHAR_MAP))
        pieces: list[str] = []
        # Where each stretch of readable text starts, here and in the original.
        self._starts = [0]
        self._original_starts = [0]
        readable_at = original_at = 0
        for match in _WHITESPACE_RUN.finditer(text):
            run_start, run_end = match.span()
            replacement = "\n\n" if _PARAGRAPH_BREAK.search(match.group()) else " "
            pieces.append(text[original_at:run_start])
            pieces.append(replacement)
            readable_at += run_start - original_at + len(replacement)
            original_at = run_end
            self._starts.append(readable_at)
            self._original_starts.append(original_at)
        pieces.append(text[original_at:])
        self.text = "".join(pieces)

    def original_offset(self, offset: int) -> int:
        index = bisect_right(self._starts, offset) - 1
        return self._original_starts[index] + offset - self._starts[index]


@dataclass(frozen=True)
class Finding:
    """One coded condition: where it is in the original text and how it is meant there.

    `kind` (clinical, lay, abbreviation or snomed) is what `confidence` starts from; see
    terminology.BASE_CONFIDENCE, lowered for ambiguous forms and hedged statements.
    """

    code: str
    system: str
    description: str
    start: int
    end: int
    text: str
    status: str
    confidence: float
    kind: str = terminology.CLINICAL

    @property
    def is_present(self) -> bool:
        return self.status == context.PRESENT


@dataclass(frozen=True)
class ThemeFinding:
    """A passage that bears on a complaint theme (what went wrong, not what the patient had)."""

    theme: str
    label: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class CodingResult:
    findings: list[Finding]
    themes: list[ThemeFinding]
    chars_total: int
    chars_coded: int
    truncated: bool = False
    reason: str = ""
    # Findings by status, for summaries.
    counts: dict[str, int] = field(default_factory=dict)


_BLANK_LINE_OR_QUERY = re.compile(r"\n\n|\?(?=\w)")


@Language.component("casework_sentence_fixes")
def _sentence_fixes(doc):
    """A blank line always ends a sentence; a "?" stuck to the next word ("?PE") starts one."""
    # Found in the text rather than by walking every token: this runs on every chunk coded.
    for match in _BLANK_LINE_OR_QUERY.finditer(doc.text):
        span = doc.char_span(match.start(), match.end(), alignment_mode="expand")
        if span is None or span.end >= len(doc):
            continue
        token, following = span[-1], doc[span.end]
        if match.group() == "\n\n":
            if token.is_space:
                following.is_sent_start = True
        elif token.text == "?" and not token.whitespace_:
            following.is_sent_start = False
            # "?PE" opens a clause of its own: its mark must not read as a question about the
            # words before it.
            if token.i > 0:
                token.is_sent_start = True
    return doc


def chunk_bounds(text: str, size: int = CHUNK_CHARS):
    """(start, end) pieces of at most `size` characters, cut at a paragraph or sentence end."""
    start, length = 0, len(text)
    while start < length:
        end = min(start + size, length)
        if end < length:
            window = text[start:end]
            for separator in ("\n\n", ". ", "\n", " "):
                cut = window.rfind(separator)
                if cut > size // 4:
                    end = start + cut + len(separator)
                    break
        yield start, end
        start = end


class CodingEngine:
    """Codes text against the ICD-10 table and, when given, SNOMED CT descriptions."""

    def __init__(self, snomed_terms: list[SnomedTerm] | None = None):
        self.nlp = spacy.blank("en")
        self.nlp.add_pipe("sentencizer")
        self.nlp.add_pipe("casework_sentence_fixes")
        self.context = context.ContextRules(self.nlp)
        self._terms: dict[int, terminology.Term] = {}
        self._lower = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self._exact = PhraseMatcher(self.nlp.vocab, attr="ORTH")
        self._themes = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self._theme_keys: dict[int, str] = {}
        for kind, forms in terminology.icd10_terms().items():
            for form, term in forms:
                exact = kind == terminology.ABBREVIATION and not term.any_case
                self._add(self._exact if exact else self._lower, form, term)
        for snomed in snomed_terms or ():
            term = terminology.Term(
                code=snomed.concept_id,
                system=terminology.SNOMED_CT,
                description=snomed.description,
                kind=terminology.SNOMED,
            )
            self._add(self._exact if snomed.case_sensitive else self._lower, snomed.term, term)
        for theme, phrases in THEME_PHRASES.items():
            name = f"theme_{theme}"
            self._theme_keys[self.nlp.vocab.strings.add(name)] = theme
            self._themes.add(name, [self.nlp.make_doc(p) for p in phrases])
        self.snomed_term_count = len(snomed_terms or ())

    def _add(self, matcher, form: str, term: terminology.Term) -> None:
        name = f"{term.system}|{term.code}|{term.kind}|{int(term.ambiguous)}|{int(term.any_case)}"
        self._terms[self.nlp.vocab.strings.add(name)] = term
        matcher.add(name, [self.nlp.make_doc(form)])

    def code(self, text: str | None, *, max_chars: int = DEFAULT_MAX_CHARS) -> CodingResult:
        """Findings and themes for one text; empty, foreign or garbled text gives few or none."""
        if not text:
            return CodingResult(findings=[], themes=[], chars_total=0, chars_coded=0)
        total = len(text)
        truncated = total > max_chars
        reason = ""
        limit = total
        if truncated:
            cut = text.rfind(" ", 0, max_chars)
            limit = cut if cut > max_chars // 2 else max_chars
            reason = (
                f"coded the first {limit:,} of {total:,} characters: "
                f"longer than max_chars ({max_chars:,})"
            )
        readable = _ReadableText(text[:limit])
        findings: list[Finding] = []
        themes: list[ThemeFinding] = []
        bounds = list(chunk_bounds(readable.text))
        # A small batch keeps only a few chunks' Docs alive at once (spaCy's default is 1,000).
        docs = self.nlp.pipe((readable.text[start:end] for start, end in bounds), batch_size=4)
        for (offset, _), doc in zip(bounds, docs, strict=True):
            findings.extend(self._code_doc(doc, text, offset, readable))
            themes.extend(self._theme_doc(doc, text, offset, readable))
        counts: dict[str, int] = {}
        for finding in findings:
            counts[finding.status] = counts.get(finding.status, 0) + 1
        return CodingResult(
            findings=findings,
            themes=themes,
            chars_total=total,
            chars_coded=limit,
            truncated=truncated,
            reason=reason,
            counts=counts,
        )

    def _matches(self, doc):
        """Condition spans per system, longest match kept where matches overlap."""
        by_system: dict[str, list] = {}
        for matcher in (self._lower, self._exact):
            for key, start, end in matcher(doc):
                term = self._terms[key]
                if self._excluded(doc, start, end):
                    continue
                by_system.setdefault(term.system, []).append((doc[start:end], term))
        chosen = []
        for pairs in by_system.values():
            best: dict[tuple[int, int], terminology.Term] = {}
            for span, term in pairs:
                current = best.get((span.start, span.end))
                if current is None or term.confidence > current.confidence:
                    best[(span.start, span.end)] = term
            spans = filter_spans([doc[s:e] for s, e in best])
            chosen.extend((span, best[(span.start, span.end)]) for span in spans)
        chosen.sort(key=lambda pair: (pair[0].start, pair[1].system))
        return chosen

    @staticmethod
    def _excluded(doc, start: int, end: int) -> bool:
        if end - start == 1 and doc[start].lower_ in _FALL_FORMS and end < len(doc):
            return doc[end].lower_ in _NOT_AFTER_FALL
        return False

    def _code_doc(self, doc, original: str, offset: int, readable) -> list[Finding]:
        chosen = self._matches(doc)
        if not chosen:
            return []
        statuses = self.context.assign(doc, [(span.start, span.end) for span, _ in chosen])
        findings = []
        for (span, term), (status, factor) in zip(chosen, statuses, strict=True):
            start = readable.original_offset(offset + span.start_char)
            end = readable.original_offset(offset + span.end_char)
            findings.append(
                Finding(
                    code=term.code,
                    system=term.system,
                    description=term.description,
                    start=start,
                    end=end,
                    text=original[start:end],
                    status=status,
                    confidence=round(term.confidence * factor, 2),
                    kind=term.kind,
                )
            )
        return findings

    def _theme_doc(self, doc, original: str, offset: int, readable) -> list[ThemeFinding]:
        by_theme: dict[str, list] = {}
        for key, start, end in self._themes(doc):
            by_theme.setdefault(self._theme_keys[key], []).append(doc[start:end])
        themes = []
        for theme, spans in by_theme.items():
            for span in filter_spans(spans):
                start = readable.original_offset(offset + span.start_char)
                end = readable.original_offset(offset + span.end_char)
                themes.append(
                    ThemeFinding(theme, THEME_LABELS[theme], start, end, original[start:end])
                )
        themes.sort(key=lambda t: (t.start, t.theme))
        return themes
