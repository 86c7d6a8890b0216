"""Behaviour of the shared DNA-damage -> apoptosis module under clamped damage."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import find_peaks

import mechsim
from mechsim.mechanisms.apoptosis import BASELINE, apoptosis_module
from mechsim.network import Parameter, Provenance

TIMES = np.linspace(0.0, 96.0, 961)


@pytest.fixture(scope="module")
def model():
    """The standalone module driven by a clamped lesion count ``D`` (compiled once)."""
    clamp = Parameter("D", 0.0, "dimensionless", Provenance("assumed", "clamped lesion count, test input"),
                      bounds=(0.0, 1e4), scale="lin")
    return mechsim.compile_network(apoptosis_module("D", extra_parameters=[clamp]))


@pytest.fixture(scope="module")
def runs(model):
    """Trajectories for a ladder of clamped damage levels (lesions per cell).

    rtol 1e-8: near the MOMP threshold (D = 10..30) the switch amplifies integration
    error, and at the default 1e-6 the global error of ``momp_fraction`` reaches ~1e-6,
    the size of the effects these tests check.
    """
    out = {}
    for d in (0.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1000.0):
        res = mechsim.simulate(model, None, TIMES, params={"D": d}, rtol=1e-8, atol=1e-12)
        assert int(res.status) == 0, f"solver failed at D={d}"
        out[d] = res
    return out


def _obs(res, name: str) -> np.ndarray:
    return np.asarray(res.observable(name))


def _first_crossing(y: np.ndarray, level: float) -> float:
    idx = np.flatnonzero(y > level)
    return float(TIMES[idx[0]]) if idx.size else np.inf


def _n_pulses(p53: np.ndarray) -> int:
    late = p53[TIMES >= 12.0]
    peaks, _ = find_peaks(late, prominence=0.05 * late.max())
    return len(peaks)


def test_every_parameter_has_provenance(model):
    for p in model.network.parameters:
        assert p.provenance.kind in ("citation", "derived", "assumed"), p.name
        assert p.provenance.text.strip(), p.name


def test_baseline_is_steady(runs, model):
    """Without damage the nominal module stays at BASELINE (the stored steady state)."""
    res = runs[0.0]
    net = model.network
    values = np.asarray(res.species_values())
    for i, s in enumerate(net.species):
        ref = BASELINE.get(s.name, s.initial)
        assert np.max(np.abs(values[:, i] - ref)) <= 0.01 * max(abs(ref), 1.0), s.name
    assert _obs(res, "momp_fraction").max() < 0.01
    assert _obs(res, "cleaved_substrate").max() < 0.06


def test_p53_pulses_at_intermediate_damage(runs):
    """Sustained p53 pulses at intermediate damage, none without damage, plateau at high."""
    counts = {d: _n_pulses(_obs(r, "p53")) for d, r in runs.items()}
    assert counts[0.0] == 0
    assert counts[10.0] >= 10, counts  # ~5 h period over 84 h
    assert counts[30.0] >= 10, counts
    assert counts[1000.0] <= 2, counts
    p53 = _obs(runs[10.0], "p53")[TIMES >= 48.0]
    assert (p53.max() - p53.min()) > 0.2 * p53.mean()  # pulses, not noise


def test_momp_is_all_or_none(runs):
    """Cytochrome c release in the representative cell is either absent or complete."""
    for d, res in runs.items():
        cytc = _obs(res, "cytochrome_c_released")
        if d <= 30.0:
            assert cytc.max() < 0.01, d
            continue
        assert cytc[-1] > 0.99, d
        width = _first_crossing(cytc, 0.95) - _first_crossing(cytc, 0.05)
        assert width <= 0.5, (d, width)  # minutes, after hours of delay
        assert _first_crossing(cytc, 0.05) > 2.0, d
        cleaved = _obs(res, "cleaved_substrate")
        assert cleaved[-1] > 0.9, d
        assert _first_crossing(cleaved, 0.5) >= _first_crossing(cytc, 0.5)


def test_momp_delay_shortens_with_damage(runs):
    delays = [_first_crossing(_obs(runs[d], "momp_fraction"), 0.5) for d in (100.0, 300.0, 1000.0)]
    assert np.all(np.isfinite(delays))
    assert delays[0] > delays[1] > delays[2], delays


def test_surviving_fraction_falls_with_damage(runs):
    sf = [_obs(runs[d], "surviving_fraction")[-1] for d in sorted(runs)]
    assert np.all(np.diff(sf) < 0), sf
    assert sf[0] > 0.99 and sf[-1] < 0.05, sf
    for res in runs.values():  # commitment is irreversible (up to solver tolerance)
        assert np.all(np.diff(_obs(res, "momp_fraction")) >= -1e-6)
