"""Casework permissions beyond the core ones in accounts/rules.py."""

import rules

from accounts.rules import is_administrator, is_analyst, is_manager

# How well each triage model version did, against the baseline and across equality groups:
# for the managers who decide whether to rely on it and the analysts who check it.
rules.add_perm("casework.view_triage_models", is_manager | is_analyst | is_administrator)
