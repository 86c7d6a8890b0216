"""Virtual patients: body size, between-patient PK variability and tumour properties.

A :class:`VirtualCohort` is drawn from one :class:`numpy.random.Generator` seeded by the
caller, so a virtual trial is reproducible from its seed. Every distribution below carries
its provenance (:data:`PK_VARIABILITY`, :data:`BSA`, :data:`TUMOUR_VARIABILITY`).

Exposure and body size: per-m² doses give the same concentrations in every patient when
clearances and volumes scale with BSA (the premise of BSA dosing; *assumed*), so a per-m²
dose keeps the model's nominal 1.8 m² exposure and only the between-patient PK factors
vary it; a flat dose (mg) scales as ``1.8 m² / BSA``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mechsim.errors import InputError
from mechsim.network import Provenance

__all__ = [
    "BSA",
    "MODEL_OF_DRUG",
    "NOMINAL_BSA_M2",
    "PK_VARIABILITY",
    "TUMOUR_VARIABILITY",
    "Variability",
    "VirtualCohort",
    "draw_cohort",
]

#: Body surface area of the models' nominal adult (m²), see :class:`mechsim.dosing.Patient`.
NOMINAL_BSA_M2 = 1.8

#: The mechanism model simulated for each drug of an arm.
MODEL_OF_DRUG: Mapping[str, str] = {
    "trofosfamide": "trofosfamide-apoptosis",
    "aldoxorubicin": "aldoxorubicin",
    "doxorubicin": "doxorubicin",
}


@dataclass(frozen=True)
class Variability:
    """A log-normal between-patient factor on a model parameter (median 1).

    ``cv`` is the coefficient of variation (0.25 = 25 %); ``sigma = sqrt(log(1 + cv**2))``.
    """

    parameter: str
    cv: float
    provenance: Provenance

    @property
    def sigma(self) -> float:
        return float(np.sqrt(np.log1p(self.cv**2)))


_P = Provenance
#: Between-patient PK variability per drug (independent log-normal factors; no CL-V
#: correlation is reported for these drugs, so none is sampled).
PK_VARIABILITY: Mapping[str, tuple[Variability, ...]] = {
    "trofosfamide": (
        Variability("CL0_IFO", 0.26, _P("derived", (
            "between-patient CV of the ifosfamide AUC at a fixed per-m2 dose, 24-28 % "
            "(9,379 +/- 2,638 and 8,307 +/- 1,995 uM h, n = 12; Cancer Chemother Pharmacol "
            "2007;60:375, PMID 17106751), taken as the CV of BSA-normalised clearance (midpoint "
            "26 %); Kerbusch 2001's +/- values are SEMs, not IIV"))),
        Variability("CLint_TRO_4OH", 0.39, _P("derived", (
            "CV of the cyclophosphamide AUC, 110,100 +/- 42,900 ng h/mL (Joy et al. 2012, Br J "
            "Clin Pharmacol 74:445, PMID 22380717; glomerulonephritis, not cancer), as the "
            "spread of oxazaphosphorine 4-hydroxylation; no trofosfamide IIV is published"))),
    ),
    "doxorubicin": (
        Variability("CL_dox", 0.229, _P("citation", (
            "Perez-Blanco et al. 2016, Br J Clin Pharmacol 82:1517, table 2: IIV of "
            "doxorubicin CL 22.9 % CV (adults with NHL), as transcribed by nlmixr2lib"))),
    ),
    "aldoxorubicin": (
        Variability("CL_conjugate_other", 0.30, _P("assumed", (
            "no IIV of aldoxorubicin is published (Mita 2015 gives ranges of dose-group means "
            "only); 30 % CV, a common oncology default, fittable"))),
        Variability("CL_dox", 0.229, _P("citation", (
            "released doxorubicin: Perez-Blanco et al. 2016, Br J Clin Pharmacol 82:1517, IIV "
            "of doxorubicin CL 22.9 % CV"))),
    ),
}

#: Body surface area (m²): normal, truncated to ``[low, high]``.
BSA: Mapping[str, float | Provenance] = {
    "mean": 1.79, "sd": 0.20, "low": 1.3, "high": 2.3,
    "provenance": _P("citation", (
        "mean 1.79 m2: Sacco et al. 2010, PLoS One 5:e8933 (PMID 20126669), 3,613 adult "
        "cancer patients; the SD (0.20 m2) and truncation (1.3-2.3 m2) are assumed: the SD "
        "is not in the retrieved text")),
}

#: Tumour properties that vary between patients (log-normal unless stated).
TUMOUR_VARIABILITY: Mapping[str, tuple[float, Provenance]] = {
    "sld0_median_mm": (100.0, _P("assumed", (
        "median baseline sum of longest diameters 100 mm; no STS trial baseline SLD was found "
        "in the sources (RECIST allows up to 5 target lesions of >= 10 mm each)"))),
    "sld0_sigma": (0.5, _P("assumed", "log-normal spread of baseline SLD (about 45-220 mm, 80 % range)")),
    "sld0_min_mm": (20.0, _P("assumed", (
        "measurable disease: baseline SLD truncated below at 20 mm (RECIST 1.1: a measurable "
        "lesion is >= 10 mm)"))),
    "growth_sigma": (0.6, _P("assumed", (
        "between-patient SD of log growth rate; sarcoma metastasis growth rates are "
        "log-normally distributed (lung-metastasis series, values not retrieved); fittable"))),
}


@dataclass(frozen=True, eq=False)
class VirtualCohort:
    """``n`` virtual patients of one arm.

    Attributes:
        bsa_m2: body surface area (m²), ``(n,)``.
        pk_factors: ``{parameter: (n,) multiplicative factor on the nominal value}``.
        dose_factor: exposure scaling of the arm's doses, ``(n,)`` (1 for per-m² doses,
            ``1.8 / BSA`` for flat doses).
        eta_threshold: standard-normal deviate of the tumour's apoptotic threshold (scaled by
            the calibrated between-patient SD), ``(n,)``.
        eta_growth: standard-normal deviate of the tumour growth rate, ``(n,)``.
        sld0_mm: baseline sum of longest diameters (mm), ``(n,)``.
        eta_tox: standard-normal deviates of the Friberg baseline count, transit time and
            drug-effect slope, ``(n, 3)``.
        lvef0: baseline LVEF (%), ``(n,)``.
        u_fn: uniform deviate deciding febrile neutropenia, ``(n,)``.
    """

    bsa_m2: np.ndarray
    pk_factors: Mapping[str, np.ndarray]
    dose_factor: np.ndarray
    eta_threshold: np.ndarray
    eta_growth: np.ndarray
    sld0_mm: np.ndarray
    eta_tox: np.ndarray | None = None
    lvef0: np.ndarray | None = None
    u_fn: np.ndarray | None = None

    @property
    def n(self) -> int:
        return int(self.bsa_m2.shape[0])

    def subset(self, idx: np.ndarray) -> VirtualCohort:
        """The patients ``idx`` (an index array)."""
        def sub(a):
            return None if a is None else a[idx]

        return VirtualCohort(self.bsa_m2[idx], {k: v[idx] for k, v in self.pk_factors.items()},
                             self.dose_factor[idx], self.eta_threshold[idx],
                             self.eta_growth[idx], self.sld0_mm[idx], sub(self.eta_tox),
                             sub(self.lvef0), sub(self.u_fn))

    def table(self) -> pd.DataFrame:
        """One row per patient: ``patient``, ``bsa_m2``, ``pk_<parameter>`` factors, ``sld0_mm``."""
        df = pd.DataFrame({"patient": np.arange(1, self.n + 1), "bsa_m2": self.bsa_m2})
        for name, f in self.pk_factors.items():
            df[f"pk_{name}"] = f
        df["dose_factor"] = self.dose_factor
        df["sld0_mm"] = self.sld0_mm
        return df


def draw_cohort(drug: str, n: int, rng: np.random.Generator, *, flat_dose: bool) -> VirtualCohort:
    """Draw ``n`` virtual patients for ``drug`` (see :data:`PK_VARIABILITY`).

    The draw order is fixed (BSA, PK factors in table order, tumour deviates, baseline SLD,
    then the toxicity deviates), so the same generator state gives the same cohort.
    """
    if drug not in PK_VARIABILITY:
        raise InputError(f"virtual patients: no population PK for drug {drug!r} — "
                         f"simulable drugs: {', '.join(PK_VARIABILITY)}")
    if not isinstance(n, int | np.integer) or isinstance(n, bool) or n < 1:
        raise InputError(f"patients must be a whole number >= 1, got {n!r} — e.g. --patients 100")
    mean, sd, lo, hi = (float(BSA[k]) for k in ("mean", "sd", "low", "high"))  # type: ignore[arg-type]
    bsa = np.clip(mean + sd * rng.standard_normal(n), lo, hi)
    factors = {v.parameter: np.exp(v.sigma * rng.standard_normal(n)) for v in PK_VARIABILITY[drug]}
    eta_thr = rng.standard_normal(n)
    eta_growth = rng.standard_normal(n)
    med, sig, low = (TUMOUR_VARIABILITY[k][0] for k in ("sld0_median_mm", "sld0_sigma", "sld0_min_mm"))
    sld0 = np.maximum(med * np.exp(sig * rng.standard_normal(n)), low)
    dose_factor = NOMINAL_BSA_M2 / bsa if flat_dose else np.ones(n)
    # toxicity deviates last: the draws above do not depend on them
    from mechsim.trials._toxicity import HEART

    eta_tox = rng.standard_normal((n, 3))
    mean, sd = HEART["lvef0_mean"][0], HEART["lvef0_sd"][0]
    lvef0 = np.clip(mean + sd * rng.standard_normal(n), 50.0, 80.0)
    u_fn = rng.random(n)
    return VirtualCohort(bsa, factors, dose_factor, eta_thr, eta_growth, sld0, eta_tox, lvef0, u_fn)
