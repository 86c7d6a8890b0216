"""The seeds' clinical trial arms as data (issue #18, item 1).

Every arm of the three seed documents (``../shared/seeds/``) and the dose-escalation
cohorts of the aldoxorubicin phase Ib study ship as one YAML file each in
``mechsim/trials/data/``. Each reported endpoint carries the sentence it was read from;
regimen details the seed leaves out carry a citation or the stated assumption.

>>> from mechsim.trials import get_arm, list_arms
>>> get_arm("aldox-2b-aldoxorubicin").endpoint("orr").value
25.0

A user's own arm is a YAML file in the same format, read with :func:`load_arm`.

Virtual trials (items 2, 3, 5): :func:`simulate_arm` draws virtual patients
(:func:`draw_cohort`), runs the mechanism in each (:func:`exposure_signal`), turns the
tumour-cell apoptosis signal into fractional kill and growth (:class:`TumourParams`,
calibrated in :data:`CALIBRATED`) and reads the trial's endpoints out;
:func:`validate_arms` compares every simulable arm with its report.

Clinical readouts as trials define them (item 4): :func:`recist` (RECIST 1.1 on the sum of
longest diameters), :func:`progression_free_survival`, :func:`duration_of_response`,
:func:`kaplan_meier`, :func:`response_rates`, the agreement rules :func:`rate_agreement` and
:func:`median_agreement`, and :func:`read_out_arm` composing them for one arm.

The therapeutic window (issue #19, item 4): :func:`therapeutic_window` runs a virtual cohort
at every dose x dosing-interval point of a :class:`WindowConfig` (``mechsim grid WINDOW.yaml``).
"""

from __future__ import annotations

import functools

from mechsim._validate import closest
from mechsim.errors import DataError
from mechsim.trials._arms import (
    ENDPOINTS,
    Arm,
    Assessment,
    DoseStep,
    Endpoint,
    Population,
    Regimen,
    Role,
)
from mechsim.trials._calibrated import CALIBRATED
from mechsim.trials._endpoints import ArmReadout, read_out_arm
from mechsim.trials._exposure import SignalPlan, exposure_signal, signal_plan
from mechsim.trials._intervals import (
    Agreement,
    Rate,
    binomial_interval,
    median_agreement,
    rate_agreement,
    response_rates,
)
from mechsim.trials._km import Estimate, KaplanMeier, KaplanMeierOptions, kaplan_meier
from mechsim.trials._load import arm_to_dict, data_dir, load_arm
from mechsim.trials._patients import VirtualCohort, draw_cohort
from mechsim.trials._recist import RecistOptions, RecistResult, Response, recist
from mechsim.trials._simulate import ArmSimulation, TrialOptions, simulate_arm
from mechsim.trials._survival import (
    DAYS_PER_MONTH,
    TimeToEvent,
    duration_of_response,
    progression_free_survival,
)
from mechsim.trials._tumour import ThresholdStructure, TumourParams
from mechsim.trials._validation import ArmValidation, validate_arms
from mechsim.trials._window import WindowConfig, load_window_config, therapeutic_window

__all__ = [
    "CALIBRATED",
    "DAYS_PER_MONTH",
    "ENDPOINTS",
    "Agreement",
    "Arm",
    "ArmReadout",
    "ArmSimulation",
    "ArmValidation",
    "Assessment",
    "DoseStep",
    "Endpoint",
    "Estimate",
    "KaplanMeier",
    "KaplanMeierOptions",
    "Population",
    "Rate",
    "RecistOptions",
    "RecistResult",
    "Regimen",
    "Response",
    "Role",
    "SignalPlan",
    "ThresholdStructure",
    "TimeToEvent",
    "TrialOptions",
    "TumourParams",
    "VirtualCohort",
    "WindowConfig",
    "arm_to_dict",
    "binomial_interval",
    "draw_cohort",
    "duration_of_response",
    "exposure_signal",
    "get_arm",
    "kaplan_meier",
    "list_arms",
    "load_arm",
    "load_window_config",
    "median_agreement",
    "progression_free_survival",
    "rate_agreement",
    "read_out_arm",
    "recist",
    "response_rates",
    "signal_plan",
    "simulate_arm",
    "therapeutic_window",
    "validate_arms",
]


@functools.cache
def _shipped() -> dict[str, Arm]:
    arms: dict[str, Arm] = {}
    for path in sorted(data_dir().glob("*.yaml")):
        arm = load_arm(path)
        if arm.id != path.stem:
            raise DataError(f"{path}, line {arm.line}: arm id {arm.id!r} differs from the file "
                            f"name — rename the file to {arm.id}.yaml or fix the id")
        arms[arm.id] = arm
    return arms


def list_arms() -> tuple[Arm, ...]:
    """Every shipped arm, in the order of the seeds (trofosfamide, then aldoxorubicin)."""
    arms = _shipped()
    order = {arm_id: i for i, arm_id in enumerate(_ORDER)}
    return tuple(sorted(arms.values(), key=lambda a: (order.get(a.id, len(order)), a.id)))


def get_arm(arm_id: str) -> Arm:
    """The shipped arm ``arm_id``; an unknown id raises an error naming the closest ids."""
    arms = _shipped()
    if arm_id in arms:
        return arms[arm_id]
    close = _closest(str(arm_id), list(arms))
    raise DataError(f"unknown trial arm {arm_id!r}; closest: {', '.join(close)} — "
                    "see 'mechsim trials list' for every id, or give a YAML file")


def _closest(name: str, known: list[str], n: int = 3) -> list[str]:
    """Ids containing ``name`` first (``aldox-2b`` → both phase IIb arms), then difflib's."""
    low = name.lower()
    hits = [k for k in known if low and low in k]
    hits += [k for k in closest(low, known, n=n, cutoff=0.0) if k not in hits]
    return hits[:n]


#: Display order of the shipped arms.
_ORDER = (
    "hartman2020-doxorubicin", "hartman2020-trofosfamide", "jost2014", "blomqvist1995",
    "kollmannsberger2022", "wist1991", "glas2020", "aldox-1b-all", "aldox-1b-sts-mtd",
    "aldox-1b-230", "aldox-1b-350", "aldox-1b-450", "aldox-2b-aldoxorubicin",
    "aldox-2b-doxorubicin", "aldox-3-aldoxorubicin", "aldox-3-investigator",
)
