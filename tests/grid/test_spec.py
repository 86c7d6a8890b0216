"""Grid definitions: YAML round trip, sampling designs, validation errors."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from mechsim.errors import MechsimError
from mechsim.grid import GridSpec, LatinHypercube, VirtualPopulation, load_grid_spec
from mechsim.grid._points import GridInputs, resolve_model
from tests.grid.networks import pk_ph, small_spec


def test_yaml_round_trip(tmp_path):
    spec = small_spec()
    path = tmp_path / "grid.yaml"
    path.write_text(yaml.safe_dump(spec.to_dict()))
    back = load_grid_spec(path)
    assert back.to_dict() == spec.to_dict()
    assert back.dims == ("regimen", "dose", "ph", "sample") and back.shape == (1, 4, 2, 3)
    assert back.n_points == 24


def test_yaml_times_range_and_repeat(tmp_path):
    path = tmp_path / "g.yaml"
    path.write_text("""
model: pk_ph
regimens:
  - name: daily
    doses: [{species: A, compartment: c, amount: 10, unit: umol}]
    repeat: {interval: 24, n: 3}
dose: {start: 1, stop: 10, num: 2}
times: {start: 0, stop: 72, num: 4}
scan: {k_el: [0.1, 0.2, 0.4]}
""")
    spec = load_grid_spec(path)
    assert spec.times == (0.0, 24.0, 48.0, 72.0)
    assert [d.time for d in spec.regimens[0].regimen().doses] == [0.0, 24.0, 48.0]
    assert spec.dims == ("regimen", "dose", "k_el") and spec.n_points == 6


def test_latin_hypercube_is_stratified_within_bounds():
    lhs = LatinHypercube(50, {"k": (0.01, 1.0), "pH": (6.0, 7.5)}, seed=3)
    s = lhs.sample({"k": "log10", "pH": "lin"})
    assert np.all((s["k"] >= 0.01) & (s["k"] <= 1.0)) and np.all((s["pH"] >= 6) & (s["pH"] <= 7.5))
    # one sample per stratum: log10 for k, linear for pH (their declared scales)
    np.testing.assert_array_equal(np.sort(np.floor((np.log10(s["k"]) + 2) / 2 * 50)), np.arange(50))
    np.testing.assert_array_equal(np.sort(np.floor((s["pH"] - 6) / 1.5 * 50)), np.arange(50))


def test_virtual_population_has_stated_median_and_cv():
    s = VirtualPopulation(20000, {"k": 0.3}, seed=0).sample({"k": 2.0})["k"]
    assert np.median(s) == pytest.approx(2.0, rel=0.02)
    assert np.std(s) / np.mean(s) == pytest.approx(0.3, rel=0.05)


@pytest.mark.parametrize(
    ("patch", "error", "match"),
    [
        ({"bogus": 1}, MechsimError, "unknown key 'bogus'"),
        ({"samples": {"method": "sobol", "n": 2}}, MechsimError, "lhs' or 'population"),
        ({"ph": {"compartment": "c", "values": [15.2]}}, MechsimError, r"pH must be in \[0, 14\], got 15.2"),
        ({"dose": {"start": 0, "stop": 1, "num": 3}}, MechsimError, r"dose.start must be > 0, got 0"),
        ({"dose": {"start": 2, "stop": 1, "num": 3}}, MechsimError, "0 < start <= stop"),
    ],
)
def test_invalid_configs_name_the_problem(patch, error, match):
    d = {**small_spec().to_dict(), **patch}
    with pytest.raises(error, match=match):
        GridSpec.from_dict(d)


def test_unknown_parameter_and_wrong_dose_species():
    cm = resolve_model(pk_ph())
    d = small_spec().to_dict()
    with pytest.raises(MechsimError, match="grid config scan: unknown parameter 'k_elim'"):
        GridInputs.build(GridSpec.from_dict({**d, "scan": {"k_elim": [1.0]}}), cm)
    with pytest.raises(MechsimError, match="not dosed in regimen"):
        GridInputs.build(GridSpec.from_dict({**d, "dose": {"start": 1, "stop": 2, "num": 2, "species": "B"}}), cm)
    with pytest.raises(MechsimError, match="neither an observable"):
        GridInputs.build(GridSpec.from_dict({**d, "outputs": ["C_conc"]}), cm)


def test_point_inputs_follow_c_order():
    cm = resolve_model(pk_ph())
    inp = GridInputs.build(small_spec(), cm)
    reg, factor, p = inp.point_inputs(0, 24)
    names = list(cm.param_names)
    # point 7 = (regimen 0, dose 1, ph 0, sample 1)
    assert factor[7] == pytest.approx(np.logspace(0, 2, 4)[1] / 10.0)
    assert p[7, names.index("pH")] == pytest.approx(6.5)
    assert p[7, names.index("k_el")] == pytest.approx(inp.sample_values["k_el"][1])
    assert np.all(reg == 0)
