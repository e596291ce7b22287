"""Whether a coded condition is present, negated, historical, in a relative or only hypothetical.

A NegEx-style rule set written with spaCy's own matchers: trigger phrases carry a status, a
direction (forward: the trigger comes before the condition, "no evidence of sepsis"; backward: it
follows it, "PE was ruled out") and a window in tokens. A trigger reaches a condition only inside
its sentence, within its window, and with no terminator ("but", "however", "although", "for", ...)
in between. Pseudo-triggers are phrases that contain a trigger word but do not change status
("did not diagnose", "no one"): a trigger wholly inside one is dropped, while a trigger that only
overlaps it stands ("never tested for a UTI" is still a test for one).

Decisions, because complaint evidence is not a ward note:
- Negation wins over any other status in reach ("no family history of stroke" is negated), then
  family (who had it outranks when: "her son had a TIA last year").
- Otherwise the nearest trigger decides.
- "query", "?PE", "possible", "suspected", "rule out" make a condition hypothetical: a caseworker
  must not see a suspicion counted as a diagnosis. This deliberately differs from inpatient coding
  convention, where an uncertain diagnosis still standing at discharge is coded as if confirmed.
- "probable", "likely", "in keeping with" leave it present, its confidence times HEDGE_FACTOR:
  the clinician committed to it, but not fully.
- A relative makes a condition "family" only when they are the subject of it in the third person
  ("her mother had breast cancer", "father died of a heart attack"). "My mother developed bed
  sores" is a complainant writing about the patient, so "my"/"our" never mark family.
- A year makes a condition historical only with a verb of having had it ("in 2019 she had a
  stroke"): "admitted in March 2025 with sepsis" is usually the episode complained about.
"""

from dataclasses import dataclass

from spacy.matcher import Matcher, PhraseMatcher
from spacy.util import filter_spans

from casework.coding.statuses import (  # noqa: F401 - the statuses are this module's vocabulary
    FAMILY,
    HISTORICAL,
    HYPOTHETICAL,
    NEGATED,
    PRESENT,
    STATUSES,
)

# Not statuses: a hedge lowers confidence, a terminator ends a trigger's reach, a pseudo-trigger
# blocks a trigger word inside a longer harmless phrase.
HEDGE = "hedge"
TERMINATE = "terminate"
PSEUDO = "pseudo"

FORWARD = "forward"
BACKWARD = "backward"
BOTH = "both"

HEDGE_FACTOR = 0.8

# Between a historical and a hypothetical trigger at the same distance, the historical one wins.
_TIE_ORDER = {HISTORICAL: 0, HYPOTHETICAL: 1}


@dataclass(frozen=True)
class Rule:
    status: str
    direction: str = FORWARD
    window: int = 8
    # Only for the year rule: the sentence must also say the condition was had or suffered.
    needs_past_verb: bool = False


_PAST_VERBS = {"had", "suffered", "diagnosed", "treated", "underwent", "sustained"}
_RELATIVES = [
    "mother", "father", "mum", "dad", "sister", "brother", "son", "daughter", "grandmother",
    "grandfather", "grandparents", "parents", "aunt", "uncle", "cousin", "siblings", "sibling",
    "nan", "grandad", "granddad",
]  # fmt: skip
# "Mum had a fall" at the start of a complainant's sentence is the patient; a note's "Mother had
# breast cancer" is family history.
_FORMAL_RELATIVES = ["mother", "father", "sister", "brother", "grandmother", "grandfather", "aunt",
                     "uncle", "parents", "siblings"]  # fmt: skip
_THIRD_PERSON = ["his", "her", "their", "patient", "patient's", "the"]
_FAMILY_VERBS = ["had", "has", "died", "suffered", "developed", "passed", "also", "both"]
_MISSED_VERBS = [
    "diagnose", "diagnosed", "recognise", "recognised", "recognize", "recognized", "treat",
    "treated", "spot", "spotted", "pick", "picked", "identify", "identified", "notice", "noticed",
    "manage", "managed", "investigate", "investigated", "escalate", "escalated", "detect",
    "detected", "consider", "considered", "address", "addressed", "check", "checked", "act",
    "acted", "assess", "assessed", "test", "tested", "tell", "told", "inform", "informed", "know",
    "knew", "realise", "realised", "realize", "realized", "given", "give", "receive", "received",
    "get", "offered", "prevent", "prevented", "document", "documented", "record", "recorded",
    "follow", "followed", "monitor", "monitored", "report", "reported", "explain", "explained",
    "see", "seen", "want", "believe", "think", "understand", "only", "screen", "screened",
    "turn", "turned", "refer", "referred", "spotted", "respond", "responded",
]  # fmt: skip

# "No antibiotics were given for her UTI": the care was missing, not the condition.
_CARE_NOUNS = [
    "action", "treatment", "antibiotics", "care", "attempt", "plan", "response", "referral",
    "follow", "follow-up", "assessment", "investigation", "investigations", "scan", "review",
    "explanation", "apology", "doctor", "nurse", "help", "support", "pain", "relief", "mattress",
    "medication", "escalation", "observations", "tests", "checks", "discussion", "consideration",
]  # fmt: skip

_PHRASES: list[tuple[Rule, list[str]]] = [
    (Rule(NEGATED, FORWARD, 5), ["no", "not", "n't", "never", "nil"]),
    (
        Rule(NEGATED, FORWARD, 8),
        [
            "no evidence of", "no evidence for", "no signs of", "no sign of", "no symptoms of",
            "no features of", "no history of", "no indication of", "no suggestion of",
            "negative for", "denies", "denied", "denying", "without", "free of", "free from",
            "absence of", "never had", "does not have", "did not have", "doesn't have",
            "didn't have", "has not had", "had not had", "not suffering from", "no longer has",
            "no further",
        ],
    ),
    (Rule(NEGATED, BOTH, 6), ["ruled out", "was ruled out", "were ruled out", "excluded",
                               "was excluded", "has been excluded", "has been ruled out"]),
    (
        Rule(NEGATED, BACKWARD, 4),
        ["negative", "was negative", "unlikely", "not found", "not seen", "not present",
         "absent", "not confirmed", "was not confirmed", "not the cause"],
    ),
    (
        Rule(HISTORICAL, FORWARD, 8),
        [
            "history of", "hx of", "h/o", "PMH", "PMHx", "past medical history", "past history",
            "past history of", "medical history", "background of", "previous", "previously",
            "prior", "previously had", "known history of", "recovered from", "as a child",
            "in childhood", "years ago", "months ago", "last year", "in the past", "resolution of",
        ],
    ),
    (Rule(HISTORICAL, FORWARD, 1), ["old"]),
    (Rule(HISTORICAL, BACKWARD, 6), ["years ago", "months ago", "last year", "in the past",
                                     "as a child", "in childhood", "years previously",
                                     "resolved", "has resolved", "had resolved"]),
    (
        Rule(FAMILY, FORWARD, 8),
        ["family history of", "family history", "FH of", "FHx", "family hx", "FH",
         "familial", "strong family history of", "maternal", "paternal"],
    ),
    (Rule(FAMILY, BACKWARD, 6), ["runs in the family", "in the family", "in her family",
                                 "in his family"]),
    (
        Rule(HYPOTHETICAL, FORWARD, 8),
        [
            "risk of", "at risk of", "high risk of", "increased risk of", "if",
            "in case of", "in case", "watch for", "look out for", "looking out for",
            "monitor for", "monitoring for", "monitored for", "observe for", "observed for",
            "in the event of", "check for", "checked for", "checking for", "to prevent", "prevent",
            "preventing", "prevention of", "prophylaxis", "could develop", "may develop",
            "might develop", "can develop", "would develop", "query", "possible", "possibly",
            "suspected", "suspicion of", "suspect", "rule out", "to rule out", "r/o",
            "to exclude", "exclude", "concern for", "differential diagnosis", "differentials",
            "differential", "screen for", "screened for", "screening for", "tested for",
            "test for", "assess for", "assessed for", "investigate for", "signs to look for",
            "advice about", "safety net", "safety netting", "reduce the risk of", "whether",
        ],
    ),
    (
        Rule(HYPOTHETICAL, BACKWARD, 4),
        [
            "risk", "risk assessment", "prevention", "screen", "screening", "pathway",
            "protocol", "bundle", "tool", "care plan", "cannot be excluded",
            "cannot be ruled out", "could not be excluded", "could not be ruled out",
            "not ruled out", "not excluded", "not been excluded", "not been ruled out",
            "was suspected", "was queried", "is possible", "?", "leaflet", "prophylaxis",
            "score",
        ],
    ),
    (
        Rule(HEDGE, BOTH, 3),
        ["probable", "probably", "likely", "most likely", "in keeping with", "consistent with",
         "suggestive of", "presumed", "impression of", "felt to be", "thought to be"],
    ),
    (
        Rule(TERMINATE, BOTH, 0),
        [
            "but", "however", "although", "though", "yet", "except", "apart from",
            "aside from", "other than", "whereas", "while", "whilst", "instead", "which",
            "who", "because", "since", "secondary to", "due to", "caused by", "presented with",
            "presenting with", "admitted with", "diagnosed with", "found to have", "developed",
            "for", "then", "and then", "later", "now", "subsequently", "eventually", "despite",
            "even though", "in spite of",
            ";", "—",
        ],
    ),
    (
        Rule(PSEUDO, BOTH, 0),
        [
            "no one", "no-one", "nobody", "no doubt", "no change", "no increase", "not only",
            "gram negative", "if not", "whether or not", "not certain", "not sure",
            "year old", "years old", "year-old", "years-old", "previous admission", "prior to",
            "no longer", "failed to prevent", "denies that", "denied that", "deny that",
            "not just", "no idea", "no reason", "failed to", "at no point", "at no time",
            "risk factor", "risk factors",
        ],
    ),
]  # fmt: skip

# Token patterns the phrase lists cannot say.
_PATTERNS: list[tuple[Rule, list[list[dict]]]] = [
    (
        Rule(FAMILY, FORWARD, 8),
        [
            [{"LOWER": {"IN": _THIRD_PERSON}}, {"LOWER": {"IN": _RELATIVES}},
             {"LOWER": {"IN": _FAMILY_VERBS}}],
            [{"LOWER": {"IN": _THIRD_PERSON}}, {"LOWER": {"IN": _RELATIVES}}, {"LOWER": "'s"}],
            [{"LOWER": {"IN": _THIRD_PERSON}}, {"LOWER": {"IN": _RELATIVES}},
             {"LOWER": {"IN": ["was", "were"]}}, {"LOWER": "diagnosed"}],
            [{"IS_SENT_START": True, "LOWER": {"IN": _FORMAL_RELATIVES}},
             {"LOWER": {"IN": _FAMILY_VERBS}}],
            [{"LOWER": {"NOT_IN": ["my", "our", "your"]}}, {"LOWER": {"IN": _FORMAL_RELATIVES}},
             {"LOWER": {"IN": ["died", "passed"]}}],
        ],
    ),
    (
        Rule(HISTORICAL, BOTH, 8, needs_past_verb=True),
        [[{"LOWER": {"IN": ["in", "during", "since"]}},
          {"LOWER": {"IN": ["early", "late", "mid"]}, "OP": "?"},
          {"TEXT": {"REGEX": r"^(19|20)\d\d$"}}]],
    ),
    (
        Rule(HYPOTHETICAL, FORWARD, 8),
        [[{"LOWER": "should"}, {"LOWER": {"IN": ["she", "he", "they", "the", "patient", "you"]}},
          {"LOWER": {"IN": ["develop", "get", "have", "experience", "show", "patient"]}}]],
    ),
    (
        Rule(PSEUDO, BOTH, 0),
        [[{"LOWER": {"IN": ["not", "n't", "never"]}}, {"LOWER": {"IN": ["been", "being", "be"]},
          "OP": "?"}, {"LOWER": {"IN": _MISSED_VERBS}}],
         [{"LOWER": {"IN": ["my", "our", "your"]}}, {"LOWER": {"IN": _RELATIVES}}],
         [{"LOWER": "no"}, {"LOWER": {"IN": _CARE_NOUNS}}],
         [{"LOWER": "history"}, {"LOWER": "of"}, {"LOWER": {"IN": ["the", "this", "her", "his"]}},
          {"LOWER": {"IN": ["complaint", "case", "admission"]}}]],
    ),
]  # fmt: skip


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    rule: Rule


class ContextRules:
    """Assigns a status and a confidence factor to each coded span of a parsed document."""

    def __init__(self, nlp):
        self._rules: dict[int, Rule] = {}
        self._phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._patterns = Matcher(nlp.vocab)
        for index, (rule, phrases) in enumerate(_PHRASES):
            name = f"context_phrase_{index}"
            self._rules[nlp.vocab.strings.add(name)] = rule
            self._phrases.add(name, [nlp.make_doc(p) for p in phrases])
        for index, (rule, patterns) in enumerate(_PATTERNS):
            name = f"context_pattern_{index}"
            self._rules[nlp.vocab.strings.add(name)] = rule
            self._patterns.add(name, patterns)

    def _hits(self, sentence) -> list[_Hit]:
        """Status triggers and terminators in one sentence (a Span), pseudo-triggers applied."""
        # as_spans gives document offsets from both matchers (plain tuples from a Matcher run on a
        # Span are relative to the Span, from a PhraseMatcher to the Doc).
        matches = list(self._phrases(sentence, as_spans=True))
        matches += self._patterns(sentence, as_spans=True)
        doc = sentence.doc
        pseudo = []
        rule_at: dict[tuple[int, int], Rule] = {}
        for match in matches:
            rule = self._rules[match.label]
            start, end = match.start, match.end
            if rule.status == PSEUDO:
                pseudo.append((start, end))
            # A terminator beats a status rule on exactly the same tokens.
            elif (start, end) not in rule_at or rule.status == TERMINATE:
                rule_at[(start, end)] = rule
        kept = filter_spans([doc[start:end] for start, end in rule_at])
        return sorted(
            (
                _Hit(span.start, span.end, rule_at[(span.start, span.end)])
                for span in kept
                if not any(p_start <= span.start and span.end <= p_end for p_start, p_end in pseudo)
            ),
            key=lambda hit: hit.start,
        )

    def assign(self, doc, spans: list[tuple[int, int]]) -> list[tuple[str, float]]:
        """(status, confidence factor) for each (start token, end token) span, in order.

        Triggers are looked for only in sentences that hold a coded span: most of a long record
        codes nothing, and the token matcher is the costliest step.
        """
        if not spans:
            return []
        hits_by_sentence: dict[int, list[_Hit]] = {}
        results = []
        for start, end in spans:
            # The sentence around one token, found from its boundaries rather than by listing
            # every sentence of the chunk.
            sentence = doc[start].sent
            if sentence.start not in hits_by_sentence:
                hits_by_sentence[sentence.start] = self._hits(sentence)
            hits = hits_by_sentence[sentence.start]
            results.append(self._status(doc, start, end, sentence.start, sentence.end, hits))
        return results

    def _status(self, doc, start, end, sent_start, sent_end, hits) -> tuple[str, float]:
        terminators = [h for h in hits if h.rule.status == TERMINATE]
        candidates: list[tuple[int, str]] = []
        if start > 0 and doc[start - 1].text == "?" and not doc[start - 1].whitespace_:
            candidates.append((0, HYPOTHETICAL))  # "?PE": the clinician's query mark
        for hit in hits:
            rule = hit.rule
            if rule.status == TERMINATE or (hit.start < end and hit.end > start):
                continue
            if hit.end <= start and rule.direction in (FORWARD, BOTH):
                distance, gap = start - hit.end, (hit.end, start)
            elif hit.start >= end and rule.direction in (BACKWARD, BOTH):
                distance, gap = hit.start - end, (end, hit.start)
            else:
                continue
            if distance > rule.window:
                continue
            if any(t.start >= gap[0] and t.end <= gap[1] for t in terminators):
                continue
            if rule.needs_past_verb and not any(
                tok.lower_ in _PAST_VERBS for tok in doc[sent_start:sent_end]
            ):
                continue
            candidates.append((distance, rule.status))
        factor = HEDGE_FACTOR if any(status == HEDGE for _, status in candidates) else 1.0
        statuses = [(d, s) for d, s in candidates if s != HEDGE]
        found = {status for _, status in statuses}
        # Whose condition it is outranks when: "her son had a TIA last year" is the son's.
        for status in (NEGATED, FAMILY):
            if status in found:
                return status, factor
        if not statuses:
            return PRESENT, factor
        statuses.sort(key=lambda item: (item[0], _TIE_ORDER[item[1]]))
        return statuses[0][1], factor
