"""The expression scenarios and their log2 fold-change tables.

``cyclophosphamide-elserafi``: 60 mg/kg cyclophosphamide on two consecutive days
(1-h infusions at 0 and 24 h, assumed), PBMC sampled 6 h after each dose (6 h and 30 h),
El-Serafi et al. (seeds/trofosfamide-gene-expression.txt). ``ifosfamide-mdck``: MDCK-like
cells in medium with 1 mM ifosfamide, sampled at 6 h and 24 h (concentration and times
assumed; the study's are not in the seed).

Each value is ``log2(treated / untreated)`` at a sampling time, the untreated run being
the same network without doses (its steady state). A direction is ``up``/``down`` when
|log2FC| exceeds :data:`DIRECTION_TOL`, else ``unchanged``; ``agrees`` compares it with
the seed's direction (``n/a`` where the seed states none).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from mechsim.dosing import Dose, Patient, Regimen
from mechsim.mechanisms.expression._pbmc import MARKERS, Marker, pbmc_log2fc
from mechsim.mechanisms.expression._transcription import GENES, Gene
from mechsim.network import Network

__all__ = ["COLUMNS", "DIRECTION_TOL", "EXPRESSION_SCENARIOS", "ExpressionResult", "ExpressionScenario",
           "expression_table", "get_expression_scenario", "simulate_expression"]

#: Columns of the fold-change table, in order.
COLUMNS = ("gene", "time", "value", "direction", "seed direction", "agrees")

#: |log2FC| below which a change is reported as ``unchanged`` (about 3.5 %): a reporting
#: threshold for "no change", not the 2-fold filter of El-Serafi et al. (the value column
#: lets a reader apply that).
DIRECTION_TOL = 0.05

_NOT_STATED = "not stated"


@dataclass(frozen=True)
class ExpressionScenario:
    """A named expression experiment.

    ``build``: the composed network; ``regimen``: the doses; ``sample_times`` (h);
    ``seed``: seed direction by gene label (``up``/``down``; absent: not stated);
    ``markers``: PBMC composition markers (El-Serafi only); ``params``: overrides in
    declared units, each with its reason in ``reasons``.
    """

    name: str
    description: str
    build: Callable[[], Network]
    regimen: Callable[[], Regimen]
    sample_times: tuple[float, ...]
    seed: Mapping[str, str]
    source: str
    markers: tuple[Marker, ...] = ()
    params: Mapping[str, float] = field(default_factory=dict)
    reasons: Mapping[str, str] = field(default_factory=dict)
    patient: Patient = field(default_factory=Patient)
    rtol: float = 1e-6
    atol: float = 1e-12


def gene_label(gene: Gene | Marker) -> str:
    """``seed name (HGNC symbol)``, or the symbol alone when they agree."""
    return gene.symbol if gene.seed_name == gene.symbol else f"{gene.seed_name} ({gene.symbol})"


def _elserafi_regimen() -> Regimen:
    dose = Dose("cyclophosphamide", "plasma", 60.0, "mg/kg", duration=1.0)
    return Regimen.repeated(dose, interval=24.0, n=2, name="cyclophosphamide 60 mg/kg/day x 2 (1-h infusions)")


def _mdck_regimen() -> Regimen:
    return Regimen.single(Dose("ifosfamide", "medium", 1000.0 * 1e-3, "umol"),
                          name="ifosfamide 1 mM in 1 mL medium, continuous")


def _build_pbmc() -> Network:
    from mechsim.mechanisms.expression._networks import build_cp_pbmc_network

    return build_cp_pbmc_network()


def _build_mdck() -> Network:
    from mechsim.mechanisms.expression._networks import build_mdck_network

    return build_mdck_network()


_IFO_SEED = {"GADD45 (GADD45A)": "down", "MAPK1": "down", "MYC": "down", "BCL2A1": "down", "MCL1": "down"}

EXPRESSION_SCENARIOS: tuple[ExpressionScenario, ...] = (
    ExpressionScenario(
        "cyclophosphamide-elserafi",
        "cyclophosphamide 60 mg/kg on two consecutive days; PBMC 6 h after each dose (6 h, 30 h)",
        _build_pbmc, _elserafi_regimen, (6.0, 30.0),
        {gene_label(m): m.seed_direction for m in MARKERS},
        "El-Serafi et al., PBMC of 11 patients conditioned before SCT (seeds/trofosfamide-gene-expression.txt)",
        markers=MARKERS,
        params={"Q_tumor": 6.0, "V_tumor": 0.1},
        reasons={"Q_tumor": "the tumour compartment stands for nucleated blood cells, bathed in plasma: "
                            "exchange is not perfusion-limited (6 L/h, assumed, equilibrates in ~1 min)"},
        rtol=1e-7, atol=1e-13,
    ),
    ExpressionScenario(
        "ifosfamide-mdck",
        "MDCK-like cells with 1 mM ifosfamide in the medium, continuous; samples at 6 h and 24 h",
        _build_mdck, _mdck_regimen, (6.0, 24.0), _IFO_SEED,
        "ifosfamide on MDCK cells, 336 differentially expressed genes (seed reference 7, "
        "files.core.ac.uk); concentration and times assumed",
        rtol=1e-7, atol=1e-15,
    ),
)


def get_expression_scenario(name: str) -> ExpressionScenario:
    """The scenario ``name``; unknown names raise an InputError with a suggestion."""
    from mechsim._validate import did_you_mean
    from mechsim.errors import InputError

    for s in EXPRESSION_SCENARIOS:
        if s.name == name:
            return s
    known = [s.name for s in EXPRESSION_SCENARIOS]
    raise InputError(f"unknown expression scenario {name!r}{did_you_mean(name, known)} — "
                     f"choose one of: {', '.join(known)}")


@dataclass(frozen=True)
class ExpressionResult:
    """Treated and untreated time courses (observables by name, declared units) on ``times`` (h)."""

    scenario: ExpressionScenario
    times: np.ndarray
    treated: dict[str, np.ndarray]
    untreated: dict[str, np.ndarray]

    def log2fc(self, observable: str) -> np.ndarray:
        """log2(treated / untreated) of a positive observable (e.g. ``mrna_MYC``)."""
        return np.log2(self.treated[observable] / self.untreated[observable])


def simulate_expression(scenario: ExpressionScenario | str, *, n_times: int = 61) -> ExpressionResult:
    """Run ``scenario`` with and without its doses; observables on a grid with the sample times."""
    from mechsim.errors import MechsimError
    from mechsim.model import compile_network
    from mechsim.simulate import simulate

    sc = get_expression_scenario(scenario) if isinstance(scenario, str) else scenario
    net = sc.build()
    if sc.params:
        net = net.with_parameters(**sc.params)
    cm = compile_network(net)
    t_end = max(sc.sample_times)
    times = np.unique(np.concatenate([np.linspace(0.0, t_end, n_times), sc.sample_times]))
    courses = []
    for regimen in (sc.regimen(), None):
        res = simulate(cm, regimen, times, patient=sc.patient, rtol=sc.rtol, atol=sc.atol)
        if not bool(np.all(np.asarray(res.ok))):
            raise MechsimError(f"expression scenario {sc.name!r}: the solver failed "
                               f"({'; '.join(res.messages())}) — report this with the scenario name")
        values = np.asarray(res.observable_values())
        courses.append({n: values[:, i] for i, n in enumerate(cm.observable_names)})
    return ExpressionResult(sc, times, courses[0], courses[1])


def _direction(value: float) -> str:
    if value > DIRECTION_TOL:
        return "up"
    if value < -DIRECTION_TOL:
        return "down"
    return "unchanged"


def expression_table(result: ExpressionResult):
    """The log2 fold-change table (:data:`COLUMNS`) at the scenario's sampling times."""
    import pandas as pd

    sc = result.scenario
    idx = [int(np.argmin(np.abs(result.times - t))) for t in sc.sample_times]
    series: list[tuple[str, np.ndarray]] = []
    if sc.markers:
        cleared = result.treated["momp_cleared"]
        control = result.untreated["momp_cleared"]
        for m in sc.markers:
            series.append((gene_label(m), pbmc_log2fc(m, cleared) - pbmc_log2fc(m, control)))
    for g in GENES:
        series.append((gene_label(g), result.log2fc(f"mrna_{g.symbol}")))
    rows = []
    for label, values in series:
        seed = sc.seed.get(label, _NOT_STATED)
        for t, i in zip(sc.sample_times, idx, strict=True):
            v = float(values[i])
            d = _direction(v)
            agrees = "n/a" if seed == _NOT_STATED else ("yes" if d == seed else "no")
            rows.append((label, float(t), round(v, 4), d, seed, agrees))
    return pd.DataFrame(rows, columns=list(COLUMNS))
