"""The pH law of EMCH hydrazone release (Cordes & Jencks 1962 two-regime form).

k(pH) = k_hyd0 + k_hyd_H [H+] / (1 + [H+]/Ka), Ka = 10^-pKa_hyd: checked by simulation
against its closed form, against a hand-written formula, for monotonicity, for the
plateau below pH ~ pKa, for stability at plasma pH and for release within hours at
lysosomal pH 4.5-5.0 (kinetics.md section 3).
"""

from __future__ import annotations

import numpy as np
import pytest

import mechsim
from mechsim.mechanisms.aldoxorubicin import (
    build_release_vial,
    hydrazone_rate,
    release_half_life,
)
from mechsim.mechanisms.aldoxorubicin._parameters import (
    MITA_T_HALF_H,
    albumin_rows,
    volume_rows,
)
from mechsim.network import Compartment, Network, Parameter, PHDependent, Reaction, Species
from mechsim.network._ratelaws import law_from_dict
from tests.helpers import assert_close

PH = np.array([4.5, 4.75, 5.0, 5.5, 6.0, 6.5, 7.0, 7.4])


def _value(rows, name: str) -> float:
    return next(r[1] for r in rows if r[0] == name)


K0 = _value(albumin_rows(), "k_hyd0")
KH = _value(albumin_rows(), "k_hyd_H")
PKA = _value(albumin_rows(), "pKa_hyd")


@pytest.fixture(scope="module")
def vial():
    """The mechanism's hydrolysis law and parameters in a 1 L buffer vial (1 uM conjugate)."""
    return mechsim.compile_network(build_release_vial())


def test_release_half_life_matches_law_and_falls_with_ph(vial):
    half_lives = []
    for ph in PH:
        t_ref = float(release_half_life(ph, K0, KH, PKA))
        res = mechsim.simulate(vial, None, np.array([0.0, t_ref]), params={"pH_vial": float(ph)},
                               rtol=1e-10, atol=1e-14)
        left = float(np.asarray(res.get("aldoxorubicin-albumin", "vial"))[-1])
        released = float(np.asarray(res.get("doxorubicin", "vial"))[-1])
        assert abs(left - 0.5) < 1e-6, (ph, left)
        assert abs(left + released - 1.0) < 1e-9  # one doxorubicin per conjugate
        half_lives.append(t_ref)
    assert np.all(np.diff(half_lives) > 0), half_lives  # more acid, faster release


def test_closed_form_by_hand():
    """hydrazone_rate equals k0 + kH h / (1 + h/Ka) written out at four pH values."""
    for ph in (3.0, 4.0, 5.0, 7.4):
        h, ka = 10.0**-ph, 10.0**-PKA
        assert_close(hydrazone_rate(ph, K0, KH, PKA), K0 + KH * h / (1.0 + h / ka),
                     rtol=1e-14, what=f"pH {ph}")
    # at pH = pKa the acid term is half its plateau kH Ka
    assert_close(hydrazone_rate(PKA, 0.0, KH, PKA), 0.5 * KH * 10.0**-PKA, rtol=1e-14)


def test_monotone_in_ph():
    ph = np.linspace(1.0, 9.0, 161)
    k = hydrazone_rate(ph, K0, KH, PKA)
    assert np.all(np.diff(k) < 0), "k(pH) must fall as pH rises"


def test_saturates_below_pka():
    """Below pH ~ pKa - 1 the rate is within 10 % of the plateau k0 + kH Ka.

    Without saturation k would grow 10-fold per pH unit; with it, one unit more acid
    than pKa - 1 adds less than 10 %.
    """
    plateau = K0 + KH * 10.0**-PKA
    for ph in (PKA - 1.0, PKA - 1.5, PKA - 2.0, PKA - 3.0):
        k = float(hydrazone_rate(ph, K0, KH, PKA))
        assert 0.9 * plateau <= k <= plateau, (ph, k, plateau)
    ratio = float(hydrazone_rate(PKA - 2.0, K0, KH, PKA) / hydrazone_rate(PKA - 1.0, K0, KH, PKA))
    assert ratio < 1.1, ratio
    # well above pKa the law is first order in [H+] (Cordes & Jencks' other regime)
    # (three units above pKa the saturation factor differs from 1 by 1e-3)
    ratio_high = float(hydrazone_rate(7.0, 0.0, KH, PKA) / hydrazone_rate(8.0, 0.0, KH, PKA))
    assert_close(ratio_high, 10.0, rtol=2e-3)


def test_stable_at_plasma_ph():
    """Release t1/2 at pH 7.4 is at least 10x the conjugate's plasma t1/2 (Mita: 21.1 h).

    Why this bound: with t1/2(7.4) >= 10 x t1/2(conjugate), hydrolysis in plasma is at
    most ~10 % of the conjugate's elimination, i.e. the conjugate is 'stable at
    physiological pH' (Kratz 2002) and most of the drug is not released in blood.
    """
    t74 = float(release_half_life(_value(volume_rows(), "pH_plasma"), K0, KH, PKA))
    assert t74 >= 10.0 * MITA_T_HALF_H[1], t74


@pytest.mark.parametrize("ph", [4.5, 4.75, 5.0])
def test_releases_within_hours_at_lysosomal_ph(ph):
    """Release t1/2 between 0.5 h and 6 h at lysosomal pH 4.5-5.0 ('within hours')."""
    t = float(release_half_life(ph, K0, KH, PKA))
    assert 0.5 <= t <= 6.0, (ph, t)


def test_less_than_5_percent_released_in_24h_in_plasma(vial):
    ph_plasma = _value(volume_rows(), "pH_plasma")
    res = mechsim.simulate(vial, None, np.array([0.0, 24.0]), params={"pH_vial": ph_plasma})
    released = float(np.asarray(res.get("doxorubicin", "vial"))[-1])
    assert released < 0.05, released


def _law_network(law: PHDependent) -> Network:
    p = "assumed: test network"
    return Network(
        "ph-law", compartments=[Compartment("c", "V_c", ph="pH_c")],
        species=[Species("A", "c", 1.0), Species("B", "c", 0.0)],
        parameters=[Parameter("V_c", 1.0, "L", p), Parameter("pH_c", 5.0, "dimensionless", p),
                    Parameter("k0", 0.01, "1/h", p), Parameter("kH", 1.0e5, "1/M/h", p),
                    Parameter("pKa_H", 4.5, "dimensionless", p)],
        reactions=[Reaction("r", {"A": 1}, {"B": 1}, law, "c")],
    )  # fmt: skip


def test_ph_dependent_rate_law_with_saturation():
    """PHDependent(pKa_H=...) integrates to exp(-k t) with the saturating k(pH)."""
    law = PHDependent("k0", kH="kH", pKa_H="pKa_H")
    assert law_from_dict(law.to_dict()) == law
    cm = mechsim.compile_network(_law_network(law))
    t = np.array([0.0, 1.0, 2.0])
    for ph in (3.0, 4.5, 6.0):
        res = mechsim.simulate(cm, None, t, params={"pH_c": ph}, rtol=1e-10, atol=1e-14)
        k = float(hydrazone_rate(ph, 0.01, 1.0e5, 4.5))
        assert_close(np.asarray(res.get("A", "c")), np.exp(-k * t), rtol=1e-7, what=f"pH {ph}")


def test_ph_dependent_saturation_needs_an_acid_term():
    with pytest.raises(mechsim.NetworkError, match="pKa_H"):
        mechsim.compile_network(_law_network(PHDependent("k0", pKa_H="pKa_H")))
