"""Dose-limiting toxicities in the virtual patients (issue #19): neutropenia and the heart.

Myelosuppression: the semi-mechanistic model of Friberg et al. 2002 (J Clin Oncol 20:4713):
a proliferating pool, three transit compartments and circulating neutrophils, all with rate
``ktr = 4 / MTT``; feedback ``(Circ0 / Circ)**gamma`` on proliferation; drug effect
``E = sum_k slope_k * C_k(t)`` on proliferation, with ``C_k`` the plasma concentrations that
cause it (:data:`MARROW_DRIVERS`): free doxorubicin for doxorubicin; free doxorubicin and the
albumin-bound conjugate for aldoxorubicin; the 4-hydroxy oxazaphosphorines, the transport
forms of the mustards, for trofosfamide. The system parameters are drug-independent
(Friberg: "common to all drugs"); the slopes are fitted on the calibration arms only.

The conjugate term is *assumed*: marrow sinusoids are a discontinuous endothelium open to
albumin, and proliferating progenitors take up albumin and its conjugate by endocytosis and
release doxorubicin in their acidic compartments as the tumour cells of the mechanism do.
Without it the model cannot give aldoxorubicin 350 mg/m2 more neutropenia than doxorubicin
75 mg/m2 (the phase IIb report, 29 % vs 12 %): aldoxorubicin's free plasma doxorubicin is a
small fraction of doxorubicin's, so one free-doxorubicin slope put the two arms at 11 % and
90 % (benchmarks/results/trial_calibration.md, previous fit). Leukocytes are neutrophils over their normal share of
leukocytes. CTCAE v5 grades; febrile neutropenia as a constant daily risk while grade 4.

Heart: cardiomyocyte loss at rate ``k_max C / (KC50 + C)`` in free heart doxorubicin (Mody et
al. 2023, kinetics.md), cumulative over cycles; LVEF proportional to the surviving fraction
(*assumed*: no published link from cardiomyocyte loss to LVEF was found).

Integration: 6-hour steps, drug effect averaged over each step from hourly concentrations,
exponential updates (exact for constant inputs over a step).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import jax
import jax.numpy as jnp
import numpy as np

from mechsim.network import Provenance

__all__ = [
    "FRIBERG",
    "HEART",
    "MARROW_DRIVERS",
    "TOXICITY_ENDPOINTS",
    "TOXICITY_OUTPUTS",
    "ToxicityParams",
    "ctcae_grade",
    "friberg_counts",
    "marrow_drive",
]

_P = Provenance

#: What drives myelosuppression per drug: (mechanism output, slope key); the drug effect on
#: proliferation is ``sum_k slope[key_k] * C_k`` (C in uM).
MARROW_DRIVERS: Mapping[str, tuple[tuple[str, str], ...]] = {
    "doxorubicin": (("plasma.doxorubicin", "anthracycline"),),
    "aldoxorubicin": (("plasma.doxorubicin", "anthracycline"),
                      ("plasma.aldoxorubicin-albumin", "conjugate")),
    "trofosfamide": tuple((f"plasma.{m}", "oxazaphosphorine") for m in (
        "4-hydroxyifosfamide", "4-hydroxycyclophosphamide", "4-hydroxytrofosfamide")),
}
#: Free heart doxorubicin (uM) per drug that has it.
HEART_OUTPUT: Mapping[str, str] = {"doxorubicin": "heart.doxorubicin",
                                   "aldoxorubicin": "heart.doxorubicin"}
#: Mechanism outputs per drug: the marrow drivers, then heart doxorubicin where there is one.
TOXICITY_OUTPUTS: Mapping[str, tuple[str, ...]] = {
    drug: (*(o for o, _ in drivers), *((HEART_OUTPUT[drug],) if drug in HEART_OUTPUT else ()))
    for drug, drivers in MARROW_DRIVERS.items()}
#: Whether the drug's last output is heart doxorubicin.
HAS_HEART = {drug: drug in HEART_OUTPUT for drug in MARROW_DRIVERS}
#: Slope keys, in :attr:`ToxicityParams.FREE` order.
SLOPES = ("anthracycline", "conjugate", "oxazaphosphorine")

#: Toxicity endpoints simulated (issue #19 item 3).
TOXICITY_ENDPOINTS = ("neutropenia_g34", "neutropenia_g4", "febrile_neutropenia",
                      "leukopenia_g34", "haematological_toxicity_g23", "lvef_below_50", "dlt_rate")

_FRIBERG_SRC = ("Friberg et al. 2002, J Clin Oncol 20:4713 (PMID 12488418), docetaxel neutrophil "
                "fit, as reproduced in published model code (the paper's tables were not "
                "retrieved); the system parameters are 'common to all drugs'")

#: Friberg system parameters: value, between-patient CV (log-normal), provenance.
FRIBERG: Mapping[str, tuple[float, float, Provenance]] = {
    "circ0": (5.05, 0.42, _P("citation", f"baseline neutrophils 5.05 x1e9/L, spread 0.42: {_FRIBERG_SRC}")),
    "mtt_h": (88.7, 0.16, _P("citation", f"mean transit time 88.7 h, spread 0.16: {_FRIBERG_SRC}")),
    "gamma": (0.161, 0.0, _P("citation", f"feedback exponent 0.161: {_FRIBERG_SRC}")),
    "slope_cv": (0.44, 0.0, _P("derived", (
        "between-patient CV of the drug-effect slope, 44 %: paclitaxel leukocyte fit of Friberg "
        "2002 in the DDMORE model repository (omega converted to CV)"))),
    "neutrophil_share": (0.54, 0.0, _P("citation", (
        "neutrophils are ~54 % of leukocytes in a normal population (3,650 of 6,760 per mm3; "
        "Orfanakis et al. 1970, quoted from a secondary source; unverified)"))),
}

#: Heart: Mody 2023 constants and the assumed LVEF link.
HEART: Mapping[str, tuple[float, Provenance]] = {
    "k_max_per_h": (0.0697, _P("citation", "Mody et al. 2023, Sci Rep 13:3100 (kinetics.md): k_max 0.0697 1/h")),
    "kc50_um": (0.107, _P("citation", "Mody et al. 2023, Sci Rep 13:3100 (kinetics.md): KC50 0.107 uM")),
    "lvef0_mean": (64.0, _P("assumed", (
        "baseline LVEF mean 64 %: a trial of 406 patients reports a median of 65 % (range "
        "50-81 %); no mean/SD found"))),
    "lvef0_sd": (6.0, _P("assumed", "baseline LVEF SD 6 percentage points; truncated to >= 50 % (eligibility)")),
}


@dataclass(frozen=True)
class ToxicityParams:
    """Fitted toxicity parameters.

    Attributes:
        slope: drug-effect slope per :data:`SLOPES` key (1/uM of the driving concentration).
        fn_per_day: daily risk of febrile neutropenia while ANC < 0.5 x1e9/L.
        cardio_scale: in-vivo factor on Mody's in-vitro cardiomyocyte kill rate (Mody's constants
            applied unscaled to the model's free heart doxorubicin kill most of the myocardium
            over six doxorubicin cycles, against 9.5 % LVEF < 50 % reported).
        provenance: per name (``slope.anthracycline`` style keys).
    """

    slope: Mapping[str, float]
    fn_per_day: float
    cardio_scale: float = 1.0
    provenance: Mapping[str, Provenance] = field(default_factory=dict, compare=False)

    FREE = (*(f"slope.{k}" for k in SLOPES), "fn_per_day", "cardio_scale")

    def vector(self) -> np.ndarray:
        return np.log([*(self.slope[k] for k in SLOPES), self.fn_per_day, self.cardio_scale])

    def with_vector(self, x: np.ndarray) -> ToxicityParams:
        v = np.exp(np.asarray(x, float))
        return replace(self, slope={k: float(v[i]) for i, k in enumerate(SLOPES)},
                       fn_per_day=float(v[len(SLOPES)]), cardio_scale=float(v[len(SLOPES) + 1]))


def marrow_drive(drug: str, marrow_um: Sequence[np.ndarray], slope: Mapping[str, float]):
    """The drug effect on proliferation before between-patient variability, ``sum_k slope_k C_k``.

    ``marrow_um``: one hourly concentration array (uM) per :data:`MARROW_DRIVERS` entry of
    ``drug``, in that order; ``slope`` (1/uM) per slope key.
    """
    drivers = MARROW_DRIVERS[drug]
    if len(marrow_um) != len(drivers):
        raise ValueError(f"{drug}: {len(marrow_um)} marrow concentrations given, "
                         f"{len(drivers)} expected ({', '.join(o for o, _ in drivers)})")
    return sum(slope[key] * c for (_, key), c in zip(drivers, marrow_um, strict=True))


def ctcae_grade(count: np.ndarray, kind: str = "neutrophil") -> np.ndarray:
    """CTCAE v5 grade (0-4) of a count (1e9/L).

    Neutrophil count decreased: grade 1 below the lower limit of normal (taken as 2.0), 2 < 1.5,
    3 < 1.0, 4 < 0.5. White blood cell decreased: 1 below the lower limit of normal (4.0),
    2 < 3.0, 3 < 2.0, 4 < 1.0.
    """
    c = np.asarray(count, float)
    cuts = {"neutrophil": (2.0, 1.5, 1.0, 0.5), "leukocyte": (4.0, 3.0, 2.0, 1.0)}[kind]
    grade = np.zeros(c.shape, dtype=np.int8)
    for g, cut in enumerate(cuts, start=1):
        grade = np.where(c < cut, g, grade)
    return grade


STEP_H = 6


@jax.jit
def _friberg(conc, slope, circ0, mtt):
    """Neutrophils (1e9/L) at every 6-h step ``(n, steps)`` from hourly concentrations."""
    gamma = FRIBERG["gamma"][0]
    n, steps = conc.shape
    coarse = -(-steps // STEP_H)
    c = jnp.pad(conc, ((0, 0), (0, coarse * STEP_H - steps)))
    e = slope[:, None] * c.reshape(n, coarse, STEP_H).mean(axis=-1)
    ktr = 4.0 / mtt
    a = jnp.exp(-ktr * STEP_H)

    def step(state, ek):
        prol, t1, t2, t3, circ = state
        fb = (circ0 / jnp.maximum(circ, 1e-6)) ** gamma
        prol_n = prol * jnp.exp(ktr * STEP_H * ((1.0 - ek) * fb - 1.0))
        t1n = t1 * a + prol * (1 - a)
        t2n = t2 * a + t1 * (1 - a)
        t3n = t3 * a + t2 * (1 - a)
        circ_n = circ * a + t3 * (1 - a)
        return (prol_n, t1n, t2n, t3n, circ_n), circ

    init = (circ0, circ0, circ0, circ0, circ0)
    _, out = jax.lax.scan(step, init, e.T)
    return out.T


def friberg_counts(conc_um: np.ndarray, slope: np.ndarray, circ0: np.ndarray, mtt_h: np.ndarray) -> np.ndarray:
    """Absolute neutrophil count (1e9/L) every 6 h, ``(n, ceil(steps / 6))``.

    ``conc_um`` hourly plasma concentration ``(n, steps)``; ``slope`` (1/uM), ``circ0``
    (1e9/L) and ``mtt_h`` (h) per patient.
    """
    return np.asarray(_friberg(jnp.asarray(conc_um), jnp.asarray(slope), jnp.asarray(circ0),
                               jnp.asarray(mtt_h)))


def heart_lvef(heart_um: np.ndarray, lvef0: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """LVEF (%) at the end of ``heart_um`` (hourly free heart doxorubicin, ``(n, steps)``):
    ``lvef0`` times the surviving cardiomyocyte fraction ``exp(-scale sum k_max C/(KC50 + C))``."""
    return lvef0 * np.exp(-scale * mody_loss(heart_um))


def mody_loss(heart_um):
    """Cumulative log cardiomyocyte loss ``sum_t k_max C / (KC50 + C)`` over hourly steps."""
    k = HEART["k_max_per_h"][0] * heart_um / (HEART["kc50_um"][0] + heart_um)
    return k.sum(axis=-1)



#: Adverse events are counted during treatment and this long after its end (days; *assumed*:
#: the usual 28-day reporting window after the last dose).
AE_WINDOW_DAYS = 28.0


@dataclass(frozen=True, eq=False)
class ToxicityResult:
    """Per-patient toxicity of one arm (arrays ``(n,)``; ``lvef_end`` NaN without heart)."""

    anc_nadir: np.ndarray
    neutropenia_grade: np.ndarray
    leukopenia_grade: np.ndarray
    g4_days: np.ndarray
    febrile_neutropenia: np.ndarray
    dlt_cycle1: np.ndarray
    lvef_end: np.ndarray
    anc: np.ndarray  # (n, 6-h steps) absolute neutrophil count, 1e9/L

    def rates(self) -> dict[str, np.ndarray]:
        """0/1 per patient for every :data:`TOXICITY_ENDPOINTS` entry (NaN: not simulated)."""
        return {
            "neutropenia_g34": (self.neutropenia_grade >= 3).astype(float),
            "neutropenia_g4": (self.neutropenia_grade >= 4).astype(float),
            "febrile_neutropenia": self.febrile_neutropenia.astype(float),
            "leukopenia_g34": (self.leukopenia_grade >= 3).astype(float),
            "haematological_toxicity_g23": (self.leukopenia_grade >= 2).astype(float),
            "lvef_below_50": np.where(np.isfinite(self.lvef_end), self.lvef_end < 50.0, np.nan),
            "dlt_rate": self.dlt_cycle1.astype(float),
        }


def patient_parameters(cohort) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(slope factor, circ0 1e9/L, mtt h)`` per patient from the cohort's deviates; the slope
    factor (log-normal, mean-1 median) multiplies the drug effect :func:`marrow_drive`."""
    eta = cohort.eta_tox if cohort.eta_tox is not None else np.zeros((cohort.n, 3))

    def ln(cv):
        return math.sqrt(math.log1p(cv**2))

    circ0 = FRIBERG["circ0"][0] * np.exp(ln(FRIBERG["circ0"][1]) * eta[:, 0])
    mtt = FRIBERG["mtt_h"][0] * np.exp(ln(FRIBERG["mtt_h"][1]) * eta[:, 1])
    factor = np.exp(ln(FRIBERG["slope_cv"][0]) * eta[:, 2])
    return factor, circ0, mtt


def evaluate_toxicity(
    drug: str,
    marrow_um: Sequence[np.ndarray],
    heart_um: np.ndarray | None,
    stop_h: np.ndarray,
    cohort,
    params: ToxicityParams,
    cycle_h: float | None,
) -> ToxicityResult:
    """Counts, grades, febrile neutropenia, cycle-1 DLT and LVEF of every patient.

    ``marrow_um``: one hourly ``(n, steps)`` array per :data:`MARROW_DRIVERS` entry of ``drug``;
    ``heart_um`` hourly ``(n, steps)``; dosing stops at ``stop_h`` (progression or
    the last cycle); events count until ``stop_h + AE_WINDOW_DAYS``.
    DLT in cycle 1 (*assumed* definition, after the seed's DLTs "grade 4 neutropenia and grade
    3 febrile neutropenia"): grade 4 neutropenia for >= 7 days or febrile neutropenia within
    the first cycle (21 days for continuous dosing).
    """
    drive = np.asarray(marrow_drive(drug, marrow_um, params.slope), float)
    n, steps = drive.shape
    t_h = np.arange(steps, dtype=float)
    on = t_h[None, :] < stop_h[:, None]
    factor, circ0, mtt = patient_parameters(cohort)
    anc = friberg_counts(np.where(on, drive, 0.0), factor, circ0, mtt)
    t6 = np.arange(anc.shape[1]) * STEP_H
    window = t6[None, :] < (stop_h[:, None] + 24.0 * AE_WINDOW_DAYS)
    anc_w = np.where(window, anc, np.inf)
    nadir = anc_w.min(axis=1)
    share = FRIBERG["neutrophil_share"][0]
    g4 = (anc_w < 0.5).sum(axis=1) * STEP_H / 24.0
    c1 = (cycle_h or 21 * 24.0)
    g4_c1 = ((anc_w < 0.5) & (t6[None, :] < c1)).sum(axis=1) * STEP_H / 24.0
    u = cohort.u_fn if cohort.u_fn is not None else np.full(n, 0.5)
    fn = u < -np.expm1(-params.fn_per_day * g4)
    fn_c1 = u < -np.expm1(-params.fn_per_day * g4_c1)
    lvef = np.full(n, np.nan)
    if heart_um is not None:
        lvef0 = cohort.lvef0 if cohort.lvef0 is not None else np.full(n, HEART["lvef0_mean"][0])
        lvef = heart_lvef(np.where(on, heart_um, 0.0), lvef0, params.cardio_scale)
    return ToxicityResult(nadir, ctcae_grade(nadir), ctcae_grade(nadir / share, "leukocyte"), g4,
                          fn, (g4_c1 >= 7.0) | fn_c1, lvef, anc)
