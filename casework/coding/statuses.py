"""How a coded condition is meant in its sentence (see casework.coding.context for the rules), and
the code systems: plain values that pages can import without loading the coding engine."""

# ClinicalCode.system for a condition.
ICD10 = "ICD-10"
SNOMED_CT = "SNOMED-CT"

PRESENT = "present"
NEGATED = "negated"
HISTORICAL = "historical"
FAMILY = "family"
HYPOTHETICAL = "hypothetical"
STATUSES = (PRESENT, NEGATED, HISTORICAL, FAMILY, HYPOTHETICAL)

# The same limit as text extraction (casework/evidence/extraction.py), so a whole extracted
# document is coded; anything longer is cut and the result says so.
DEFAULT_MAX_CHARS = 2_000_000
