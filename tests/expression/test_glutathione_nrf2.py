"""GSH, KEAP1-NRF2 and the Esterbauer rate on small networks built from the expression parts.

The thiol/NRF2 layer is tested on a one-cell network (GSH pool, aldehydes, H2O2, GSSG,
KEAP1, NRF2, the NRF2-target mRNAs and GCL feedback), the aldehyde fragment on a plasma +
tumour pair: the conservation law, the untreated steady state, the induction by GSH
depletion, and closed-form pseudo-first-order decay at Esterbauer's constant.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from mechsim import simulate
from mechsim.dosing import Dose, Regimen
from mechsim.mechanisms.apoptosis._provenance import parameters
from mechsim.mechanisms.expression import (
    GENES,
    oxidative_parts,
    oxidative_rows,
    transcription_parts,
)
from mechsim.mechanisms.expression._transcription import transcription_rows
from mechsim.mechanisms.trofosfamide._metabolism import (
    dynamic_aldehyde_fragment,
    glutathione_fragment,
)
from mechsim.mechanisms.trofosfamide._parameters import all_parameters, glutathione_parameters
from mechsim.mechanisms.trofosfamide._provenance import assumed, param
from mechsim.network import Compartment, InitialAssignment, Network, Observable
from tests.helpers import assert_close

_NRF2_GENES = tuple(g for g in GENES if g.driver.startswith("NRF2"))
_TROF = {"k_acrolein_GSH", "t_half_acrolein_GSH_reverse", "k_elim_acrolein_GSH", "GSH_tumor0",
         "t_half_GSH_turnover", "GSH_blood", "k_elim_CAA", "Q_tumor", "V_plasma", "V_tumor",
         "pH_plasma", "pH_tumor"}


def _trof_params(names) -> list:
    return [p for p in all_parameters() if p.name in names]


@pytest.fixture(scope="module")
def cell_network() -> Network:
    """One cell: GSH pool + aldehydes + redox + KEAP1/NRF2 + NRF2-target mRNAs + GCL."""
    gsh = glutathione_fragment("cell", "GSH_tumor0", "t_half_GSH_turnover", gcl="gcl_activity")
    ox = oxidative_parts("cell", "cell", "GSH_tumor0", electrophiles=("acrolein", "chloroacetaldehyde"))
    tx = transcription_parts("cell", _NRF2_GENES)
    obs = (Observable("gsh_total", "{glutathione} + 2 * {glutathione-disulfide} + {acrolein-glutathione} + "
                      "{chloroacetaldehyde-glutathione}", "uM", compartment="cell"),
           Observable("nrf2", "{NRF2}", "nM", compartment="cell"),
           Observable("gsh", "{glutathione}", "uM", compartment="cell"),
           Observable("hmox1", "mrna_HMOX1"), Observable("gcl", "gcl_activity"),
           Observable("keap1", "keap1_mod"))
    params = [*_trof_params(_TROF - {"GSH_blood", "k_elim_CAA", "Q_tumor", "V_plasma", "V_tumor",
                                     "pH_plasma", "pH_tumor"}),
              *glutathione_parameters(), *parameters(oxidative_rows()), *parameters(transcription_rows()),
              param("V_cell", 1.0, "L", assumed("nominal")),
              param("GSH_start", 5000.0, "uM", assumed("initial GSH of the test"))]
    return Network(
        name="test-cell-redox", compartments=(Compartment("cell", "V_cell"),),
        species=(*gsh.species, *ox["species"]), parameters=tuple(params),
        reactions=(*gsh.reactions, *ox["reactions"]),
        assignment_rules=(*gsh.assignment_rules, *ox["assignment_rules"]),
        rate_rules=(*ox["rate_rules"], *tx["rate_rules"]), observables=obs,
        initial_assignments=(InitialAssignment("cell.glutathione", "GSH_start", "uM"),
                             *ox["initial_assignments"]))


def _obs(res, name: str) -> np.ndarray:
    return np.asarray(res.observable(name))


#: One time grid and two doses in every run of a network: one compile per network.
_TIMES = np.array([0.0, 0.002, 0.01, 6.0])


def _run(net: Network, doses: tuple[tuple[str, str, float], tuple[str, str, float]], **params):
    regimen = Regimen(tuple(Dose(s, c, a, "umol") for s, c, a in doses))
    return simulate(net, regimen, _TIMES, params=params or None, rtol=1e-10, atol=1e-12,
                    linear_solver="dense")


_NO_DOSE = (("acrolein", "cell", 0.0), ("chloroacetaldehyde", "cell", 0.0))


def test_gsh_mass_balance_without_synthesis_or_elimination(cell_network: Network) -> None:
    """GSH + 2 GSSG + conjugates is conserved once synthesis, turnover and conjugate loss stop."""
    res = _run(cell_network, (("acrolein", "cell", 400.0), ("chloroacetaldehyde", "cell", 800.0)),
               t_half_GSH_turnover=1e12, k_elim_acrolein_GSH=0.0, k_elim_CAA_GSH=0.0)
    assert_close(_obs(res, "gsh_total"), 5100.0, rtol=1e-6, what="GSH + 2 GSSG + conjugates (uM)")
    assert _obs(res, "gsh")[-1] < 4700.0  # the aldehydes really consumed GSH


def test_untreated_state_is_steady(cell_network: Network) -> None:
    res = _run(cell_network, _NO_DOSE)
    for name in ("gsh", "nrf2", "hmox1", "gcl", "keap1"):
        v = _obs(res, name)
        assert_close(v, v[0], rtol=1e-6, what=name)


def test_gsh_depletion_induces_nrf2_and_feeds_back(cell_network: Network) -> None:
    """Start at 20 % GSH without any electrophile: KEAP1 modified, NRF2 and HMOX1 up, GCL up."""
    res = _run(cell_network, _NO_DOSE, GSH_start=1000.0)
    base = _run(cell_network, _NO_DOSE)
    nrf2, hmox1, gcl, keap1, gsh = (_obs(res, n) for n in ("nrf2", "hmox1", "gcl", "keap1", "gsh"))
    assert np.all(keap1[1:] > keap1[0]) and np.all(nrf2[2:] > nrf2[0])
    assert hmox1[-1] > 1.0 and gcl[-1] > 1.0
    assert np.all(_obs(base, "nrf2")[2:] < nrf2[2:])
    # GCL feedback inhibition (and induction) refill the pool faster than plain turnover
    plain = 5000.0 - 4000.0 * math.exp(-math.log(2) / 5.0 * 6.0)
    assert gsh[-1] > plain


@pytest.fixture(scope="module")
def aldehyde_network() -> Network:
    f = dynamic_aldehyde_fragment()
    f.need("plasma", "acrolein")
    obs = (Observable("gsh_plasma", "{glutathione@plasma}", "uM"),
           Observable("gsh_tumor", "{glutathione@tumor}", "uM"),
           Observable("acrolein_plasma", "{acrolein@plasma}", "uM"),
           Observable("acrolein_tumor", "{acrolein@tumor}", "uM"),
           Observable("caa_tumor", "{chloroacetaldehyde@tumor}", "uM"))
    return Network(
        name="test-aldehydes", parameters=(*_trof_params(_TROF), *glutathione_parameters()),
        compartments=(Compartment("plasma", "V_plasma", "pH_plasma"), Compartment("tumor", "V_tumor", "pH_tumor")),
        species=tuple(f.species), reactions=tuple(f.reactions), assignment_rules=tuple(f.assignment_rules),
        initial_assignments=tuple(f.initial_assignments), observables=obs)


def _second_order(a0: float, g0: float, k: float, t: np.ndarray) -> np.ndarray:
    """A + G -> C with A(0) = a0, G(0) = g0 (closed form, g0 != a0)."""
    return (g0 - a0) * a0 / (g0 * np.exp(k * (g0 - a0) * t) - a0)


def test_esterbauer_rate_depletes_plasma_and_tumour_gsh(aldehyde_network: Network) -> None:
    """Acrolein + GSH at k = 120 1/M/s (Esterbauer 1975) in blood and in the tumour."""
    k = 120.0 * 1e-6 * 3600.0  # 1/uM/h
    res = _run(aldehyde_network, (("acrolein", "plasma", 150.0), ("acrolein", "tumor", 10.0)))
    # 10 uM into 900 uM blood GSH, 100 uM into 5000 uM tumour GSH (reversal, perfusion: negligible)
    assert_close(_obs(res, "acrolein_plasma")[1:3], _second_order(10.0, 900.0, k, _TIMES[1:3]),
                 rtol=1e-2, what="plasma acrolein")
    assert_close(_obs(res, "acrolein_tumor")[1], _second_order(100.0, 5000.0, k, _TIMES[1]),
                 rtol=1e-2, what="tumour acrolein")
    assert_close(_obs(res, "gsh_plasma")[-1], 890.0, rtol=1e-3, what="blood GSH after 10 uM acrolein")
    assert _obs(res, "gsh_tumor")[2] < 4910.0


def test_chloroacetaldehyde_depletes_tumour_gsh(aldehyde_network: Network) -> None:
    """CAA conjugates tumour GSH at k_CAA_GSH while perfusion washes it out."""
    doses = (("chloroacetaldehyde", "tumor", 50.0), ("acrolein", "plasma", 0.0))
    res = _run(aldehyde_network, doses)
    res0 = _run(aldehyde_network, (("chloroacetaldehyde", "tumor", 0.0), ("acrolein", "plasma", 0.0)))
    k_caa = 1.0 * 1e-6 * 3600.0  # assumed 1 1/M/s in 1/uM/h
    rate = k_caa * 5000.0 + 0.6 / 0.1  # conjugation + perfusion washout (Q_tumor / V_tumor)
    assert_close(_obs(res, "caa_tumor")[2], 500.0 * math.exp(-rate * _TIMES[2]), rtol=2e-2,
                 what="tumour CAA")
    drop = _obs(res0, "gsh_tumor")[-1] - _obs(res, "gsh_tumor")[-1]
    # 3/4 of the CAA conjugates (18 of 24 1/h) = 375 uM GSH, partly resynthesised by 6 h
    assert 50.0 < drop < 375.0
