"""What triage predicts and reports on, without the machine learning (casework/triage.py), so
that pages and tasks can name outcomes without loading scikit-learn."""

from casework.models import AgeBand, Disability, EthnicGroup, Sex

PREMATURE = "premature"
OUT_OF_REMIT = "out_of_remit"
PROCEED = "proceed"
OUTCOME_LABELS = {
    PREMATURE: "Premature: complain to the organisation first",
    OUT_OF_REMIT: "Out of remit",
    PROCEED: "Goes on to investigation",
}

EQUALITY_DIMENSIONS = {
    "age_band": AgeBand,
    "sex": Sex,
    "ethnic_group": EthnicGroup,
    "disability": Disability,
}
NOT_RECORDED = "not_recorded"


class NotEnoughData(Exception):
    """Too few closed cases (or outcomes) to train on; the message says what was found."""
