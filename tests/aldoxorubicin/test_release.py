"""The pH law of EMCH hydrazone release, checked by simulation against its closed form."""

from __future__ import annotations

import numpy as np
import pytest

import mechsim
from mechsim.mechanisms.aldoxorubicin import build_release_vial, release_half_life
from mechsim.mechanisms.aldoxorubicin._parameters import albumin_rows, volume_rows

PH = np.array([4.5, 4.75, 5.0, 5.5, 6.0, 6.5, 7.0, 7.4])


def _value(rows, name: str) -> float:
    return next(r[1] for r in rows if r[0] == name)


K0 = _value(albumin_rows(), "k_hyd0")
KH = _value(albumin_rows(), "k_hyd_H")


@pytest.fixture(scope="module")
def vial():
    """The mechanism's hydrolysis law and parameters in a 1 L buffer vial (1 uM conjugate)."""
    return mechsim.compile_network(build_release_vial())


def test_release_half_life_matches_law_and_falls_with_ph(vial):
    half_lives = []
    for ph in PH:
        t_ref = float(release_half_life(ph, K0, KH))
        res = mechsim.simulate(vial, None, np.array([0.0, t_ref]), params={"pH_vial": float(ph)},
                               rtol=1e-10, atol=1e-14)
        left = float(np.asarray(res.get("aldoxorubicin-albumin", "vial"))[-1])
        released = float(np.asarray(res.get("doxorubicin", "vial"))[-1])
        assert abs(left - 0.5) < 1e-6, (ph, left)
        assert abs(left + released - 1.0) < 1e-9  # one doxorubicin per conjugate
        half_lives.append(t_ref)
    assert np.all(np.diff(half_lives) > 0), half_lives  # more acid, faster release
    t5 = float(release_half_life(5.0, K0, KH))
    t74 = float(release_half_life(7.4, K0, KH))
    assert 1.0 <= t5 <= 6.0, t5  # a few hours in lysosomes
    assert t74 >= 14 * 24.0, t74  # weeks in blood


def test_less_than_5_percent_released_in_24h_in_plasma(vial):
    ph_plasma = _value(volume_rows(), "pH_plasma")
    res = mechsim.simulate(vial, None, np.array([0.0, 24.0]), params={"pH_vial": ph_plasma})
    released = float(np.asarray(res.get("doxorubicin", "vial"))[-1])
    assert released < 0.05, released
