"""Mustard chemistry against its defining relations (pKa gating, rapid equilibria)."""

from __future__ import annotations

import jax
import numpy as np
import pytest

import mechsim
from mechsim.mechanisms.trofosfamide import build_vitro_network
from tests.helpers import assert_close

PH = np.array([2.0, 3.0, 4.0, 4.31, 4.9, 5.5, 6.5, 7.4, 8.5])


@pytest.fixture(scope="module")
def vitro():
    net = build_vitro_network()
    cm = mechsim.compile_network(net)
    keys = net.species_keys
    names = [r.name for r in net.reactions]
    vol = net.parameter("V_vial").value * 1e-3  # L

    def fluxes(ph: float, amounts: dict[str, float]) -> dict[str, float]:
        p = cm.param_vector({"pH_vitro": ph})
        y = np.zeros(cm.n_states)
        for k, v in amounts.items():
            y[keys.index(k)] = v * vol  # uM -> umol
        f = np.asarray(jax.jit(cm.fluxes)(0.0, y, p))
        return {n: float(x) / vol for n, x in zip(names, f, strict=True)}  # uM/h

    return net, fluxes


@pytest.mark.parametrize(("key", "mustard", "pka", "k0"), [
    ("ipm", "isophosphoramide-mustard", 4.31, 6.67e-6 * 3600.0),
    ("pm", "phosphoramide-mustard", 4.9, None),
])
def test_aziridinium_formation_follows_the_pka(vitro, key, mustard, pka, k0):
    net, fluxes = vitro
    k0 = k0 if k0 is not None else net.parameter("k_cyc_PM").value
    rate = np.array([fluxes(ph, {f"vial.{mustard}": 100.0})[f"{key}_cyclisation_vial"] for ph in PH])
    expected = k0 * 100.0 / (1.0 + 10.0 ** (pka - PH))
    assert_close(rate, expected, rtol=1e-10, what=f"{key} cyclisation rate vs pH")
    assert np.all(np.diff(rate) > 0), "deprotonation must speed cyclisation up"
    half = rate[list(PH).index(pka)] / (k0 * 100.0)
    assert half == pytest.approx(0.5, rel=1e-10)


def test_ipm_aziridine_aziridinium_equilibrium_has_pka_5_30(vitro):
    _, fluxes = vitro
    az, azn = "vial.isophosphoramide-mustard-aziridinium", "vial.isophosphoramide-mustard-aziridine"
    for ph in (4.0, 5.3, 7.4):
        f = fluxes(ph, {az: 1.0, azn: 1.0})
        ratio = f["ipm_aziridinium_deprotonation_vial"] / f["ipm_aziridine_protonation_vial"]
        assert ratio == pytest.approx(10.0 ** (ph - 5.30), rel=1e-10)


def test_crosslinking_needs_the_deprotonated_arm(vitro):
    """Hemminki 1987: cross-links at pH 7.4, only hydrolysis at pH 5."""
    _, fluxes = vitro
    mono = {"vial.phosphoramide-mustard-guanine-n7": 1.0, "vial.9-methylguanine": 400.0}
    f74, f5 = fluxes(7.4, mono), fluxes(5.0, mono)
    assert f5["pm_guanine_crosslink_vial"] < 0.01 * f74["pm_guanine_crosslink_vial"]
    assert f5["pm_guanine_arm2_hydrolysis_vial"] == pytest.approx(f74["pm_guanine_arm2_hydrolysis_vial"])
    ratio = f74["pm_guanine_crosslink_vial"] / f5["pm_guanine_crosslink_vial"]
    assert ratio == pytest.approx((1 + 10 ** (7.5 - 5.0)) / (1 + 10 ** (7.5 - 7.4)), rel=1e-10)


def test_thiosulfate_competes_for_the_aziridinium(vitro):
    _, fluxes = vitro
    base = {"vial.phosphoramide-mustard-aziridinium": 10.0}
    water = fluxes(7.4, base)
    ts = fluxes(7.4, {**base, "vial.thiosulfate": 50_000.0})
    assert water["pm_aziridinium_thiosulfate_vial"] == 0.0
    assert ts["pm_aziridinium_thiosulfate_vial"] > ts["pm_aziridinium_hydrolysis_vial"]
    assert ts["pm_aziridinium_pn_cleavage_vial"] == pytest.approx(water["pm_aziridinium_pn_cleavage_vial"])
