import rules

from accounts.rules import is_administrator, is_manager

# Opening a systemic review commits investigators' time: a manager's call, not an analyst's.
rules.add_perm("insight.open_systemic_review", is_manager | is_administrator)
