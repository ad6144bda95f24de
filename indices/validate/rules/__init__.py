"""The validation rules, registered by rule id in STANDARD.md order.

Importing the rule modules fills `REGISTRY`; `RULE_ORDER` is the order the runner uses.
"""

from indices.validate.rules import consistency, movement, rows, series, timeliness  # noqa: F401
from indices.validate.rules.base import REGISTRY
from indices.validate.rules.context import RuleContext

RULE_ORDER = tuple(sorted(REGISTRY, key=lambda rule_id: (rule_id[0] != "E", rule_id)))

__all__ = ["REGISTRY", "RULE_ORDER", "RuleContext"]
