"""The plan as data: loading a plan file, generic target kinds, and where the plan stands."""
from .activities import count_once
from .kinds import KINDS, KindSpec
from .load import PlanError, load_plan
from .definition import Adjustment, Plan, Target, Unit, month_end, plan_months
from .status import (decide_status, report_pairs, reporting, reporting_matrix,
                     status)

__all__ = ["KINDS", "Adjustment", "KindSpec", "Plan", "PlanError", "Target",
           "Unit", "count_once", "decide_status", "load_plan", "month_end", "plan_months", "report_pairs",
           "reporting", "reporting_matrix", "status"]
