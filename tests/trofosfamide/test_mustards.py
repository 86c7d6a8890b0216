"""Every mustard alkylates; cross-link chemistry after Hemminki 1987; Hong 2019 rates in cells.

Structure tests read the built network; the pH tests evaluate the compiled right-hand
side of the buffer model (no integration), as tests/trofosfamide/test_chemistry.py does.
"""

from __future__ import annotations

import jax
import numpy as np
import pytest

import mechsim
from mechsim.mechanisms.trofosfamide import build_vitro_network
from mechsim.mechanisms.trofosfamide._chemistry import MUSTARDS
from mechsim.network import PHDependent

KEYS = tuple(MUSTARDS)


def _reactions(network) -> dict:
    return {r.name: r for r in network.reactions}


@pytest.mark.parametrize("key", KEYS)
def test_every_mustard_alkylates_tumour_dna(network, key):
    """TM, IPM and PM each enter the tumour by the same membrane exchange, form an aziridinium,
    guanine-N7 monoadducts and cross-links, and are lost in plasma by the same chemistry."""
    mustard = MUSTARDS[key][0]
    rx = _reactions(network)
    k = key.lower()
    for name in (f"{k}_cyclisation_plasma", f"{k}_cyclisation_tumor", f"{k}_aziridinium_hydrolysis_tumor",
                 f"{k}_aziridinium_gsh_tumor", f"{k}_aziridinium_guanine_tumor",
                 f"{k}_guanine_crosslink_tumor", f"{k}_guanine_arm2_hydrolysis_tumor",
                 f"{k}_mono_depurination_tumor", f"tumor_exchange_{mustard.replace('-', '_')}"):
        assert name in rx, name
    exchange = rx[f"tumor_exchange_{mustard.replace('-', '_')}"].law
    assert "CL_tumor_mustard" in exchange.formula  # k_in = k_out = k_membrane_mustard (Hong 2019)
    assert rx[f"{k}_guanine_crosslink_tumor"].transformation == f"{mustard}-guanine-crosslink"
    assert "tro_mustard_decomposition" not in rx, "the TRO mustard is no longer an inert sink"


def test_ipm_uses_hong2019_rates_inside_and_outside_cells(network):
    rx = _reactions(network)
    inside, outside = rx["ipm_cyclisation_tumor"].law, rx["ipm_cyclisation_plasma"].law
    assert isinstance(inside, PHDependent) and isinstance(outside, PHDependent)
    assert (inside.k0, outside.k0) == ("k_cyc_IPM_cell", "k_cyc_IPM")
    cell, medium = network.parameter("k_cyc_IPM_cell"), network.parameter("k_cyc_IPM")
    assert (cell.value, cell.unit, medium.value, medium.unit) == (0.015, "1/s", 6.67e-6, "1/s")
    for p in (cell, medium):  # Hong's fitted losses, interpreted as the cyclisation rates
        assert p.provenance.kind == "derived" and "Hong" in p.provenance.text
    for key in ("TM", "PM"):  # no intracellular value: the chemical rate, stated
        assert rx[f"{key.lower()}_cyclisation_tumor"].law.k0 == f"k_cyc_{key}_cell"


def test_tm_rates_follow_pm_by_stated_analogy(network):
    rules = {r.target: r.formula for r in network.assignment_rules}
    assert rules["k_cyc_TM"] == "k_cyc_PM" and rules["t_half_arm2_TM"] == "t_half_arm2_PM"
    pka = network.parameter("pKa_TM")
    assert pka.value == network.parameter("pKa_PM").value
    assert pka.provenance.kind == "assumed" and "PM" in pka.provenance.text


def test_crosslink_split_parameters_are_named_with_a_basis(network):
    f_cl, f_inter = network.parameter("f_crosslink"), network.parameter("f_interstrand")
    assert f_cl.value > 0.5 and f_cl.bounds[0] >= 0.5, "Hemminki 1987: the cross-link is the main product"
    assert "Hemminki" in f_cl.provenance.text
    assert f_inter.provenance.kind == "assumed" and "Wang" in f_inter.provenance.text
    # ICLs handed to the apoptosis module are the interstrand share of the G-G cross-links
    obs = {o.name: o.formula for o in network.observables}
    assert obs["dna_damage_signal"].startswith("f_interstrand * (")
    assert obs["tumor_icl_per_Mnt"] == "f_interstrand * " + obs["tumor_crosslinks_per_Mnt"]


@pytest.fixture(scope="module")
def vitro_fluxes():
    net = build_vitro_network()
    cm = mechsim.compile_network(net)
    keys, names = net.species_keys, [r.name for r in net.reactions]
    vol = net.parameter("V_vial").value * 1e-3
    f = jax.jit(cm.fluxes)

    def fluxes(ph: float, amounts: dict[str, float]) -> dict[str, float]:
        p = cm.param_vector({"pH_vitro": ph})
        y = np.zeros(cm.n_states)
        for k, v in amounts.items():
            y[keys.index(k)] = v * vol
        return {n: float(x) / vol for n, x in zip(names, np.asarray(f(0.0, y, p)), strict=True)}

    return net, fluxes


@pytest.mark.parametrize("key", ["ipm", "pm"])
def test_second_arm_mostly_crosslinks_at_ph_7_4_and_only_hydrolyses_at_ph_5(vitro_fluxes, key):
    """Hemminki 1987: at pH 7.4 the main product is the cross-link, at pH 5 only hydrolysis."""
    net, fluxes = vitro_fluxes
    mustard = {"ipm": "isophosphoramide-mustard", "pm": "phosphoramide-mustard"}[key]
    mono = {f"vial.{mustard}-guanine-n7": 1.0, "vial.9-methylguanine": 400.0}

    def share(ph: float) -> float:
        f = fluxes(ph, mono)
        cl, hyd = f[f"{key}_guanine_crosslink_vial"], f[f"{key}_guanine_arm2_hydrolysis_vial"]
        return cl / (cl + hyd)

    assert share(7.4) == pytest.approx(net.parameter("f_crosslink").value, rel=1e-10)
    assert share(7.4) > 0.5
    # pH 5: the arm (pKa 7.5) is 99.7 % protonated, so cross-linking nearly stops; with
    # f_crosslink 0.7 the gated law leaves 1.6 % of second-arm events as cross-links
    fc, gate = net.parameter("f_crosslink").value, (1 + 10 ** (7.5 - 7.4)) / (1 + 10 ** (7.5 - 5.0))
    assert share(5.0) == pytest.approx(fc * gate / (fc * gate + 1 - fc), rel=1e-10)
    assert share(5.0) < 0.02
    # the total second-arm rate at pH 7.4 is ln 2 / t_half_arm2 whatever the split
    f = fluxes(7.4, mono)
    total = f[f"{key}_guanine_crosslink_vial"] + f[f"{key}_guanine_arm2_hydrolysis_vial"]
    t_half = {"ipm": net.parameter("t_half_arm2_IPM").value, "pm": net.parameter("t_half_arm2_PM").value}[key]
    assert total == pytest.approx(np.log(2.0) / t_half, rel=1e-10)
