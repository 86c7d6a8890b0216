"""Bad input gives a clear error naming the element, the value and the fix."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mechsim import MechsimError, NetworkError, UnitError, simulate
from mechsim.network import (
    Compartment,
    Expression,
    MassAction,
    Network,
    Parameter,
    Provenance,
    Reaction,
    Species,
    load_network,
    network_to_dict,
    save_network,
)
from tests.core import networks as nets

A = Provenance("assumed", "test")


def _net(**over):
    parts = dict(
        compartments=[Compartment("c", "V")],
        parameters=[Parameter("V", 1.0, "L", A), Parameter("k", 1.0, "1/h", A)],
        species=[Species("a", "c", 1.0), Species("b", "c")],
        reactions=[Reaction("r", {"a": 1}, {"b": 1}, MassAction("k"), "c")],
    )
    parts.update(over)
    return Network("n", **parts)


def test_unknown_species_in_reaction_suggests_close_name():
    with pytest.raises(NetworkError, match=r"reaction 'r'.*unknown species 'aa@c'.*did you mean 'a@c'"):
        _net(reactions=[Reaction("r", {"aa": 1}, {"b": 1}, MassAction("k"), "c")])


def test_negative_volume():
    with pytest.raises(NetworkError, match="volume must be > 0"):
        _net(parameters=[Parameter("V", -1.0, "L", A, bounds=(-2, 1), scale="lin"), Parameter("k", 1.0, "1/h", A)])


def test_nan_parameter():
    with pytest.raises(NetworkError, match="'k': value must be finite"):
        Parameter("k", math.nan, "1/h", A)


def test_nan_parameter_override_in_simulate():
    with pytest.raises(NetworkError, match="parameter 'k' is nan"):
        simulate(_net(), None, np.array([0.0, 1.0]), params={"k": float("nan")})


def test_unit_mismatch_names_reaction_and_both_dimensions():
    with pytest.raises(UnitError) as err:
        _net(parameters=[Parameter("V", 1.0, "L", A), Parameter("k", 1.0, "1/h/uM", A)])
    msg = str(err.value)
    assert "reaction 'r'" in msg and "1 / [time]" in msg and "[substance] / [length] ** 3 / [time]" in msg


def test_unknown_unit():
    with pytest.raises(UnitError, match="unknown unit 'furlongs_per_fortnight'"):
        Parameter("k", 1.0, "furlongs_per_fortnight", A)


def test_missing_provenance_kind():
    with pytest.raises(NetworkError, match="provenance kind"):
        Parameter("k", 1.0, "1/h", Provenance("guess", "x"))


def test_value_outside_bounds():
    with pytest.raises(NetworkError, match="outside its bounds"):
        Parameter("k", 5.0, "1/h", A, bounds=(0.1, 1.0))


def test_unknown_parameter_in_expression():
    with pytest.raises(NetworkError, match=r"unknown name 'kk'.*did you mean 'k'"):
        _net(reactions=[Reaction("r", {"a": 1}, {"b": 1}, Expression("kk*{a}"), "c")])


def test_unknown_override_name():
    with pytest.raises(MechsimError, match="unknown parameter 'kx'"):
        simulate(_net(), None, np.array([0.0, 1.0]), params={"kx": 1.0})


def test_duplicate_species():
    with pytest.raises(NetworkError, match="duplicate species 'c.a'"):
        _net(species=[Species("a", "c"), Species("a", "c")])


def test_yaml_round_trip(tmp_path):
    for net in (nets.chain(), nets.mm_ph(), nets.closed_enzyme(), nets.two_compartment()):
        path = save_network(net, tmp_path / f"{net.name}.yaml")
        again = load_network(path)
        assert network_to_dict(again) == network_to_dict(net)
        a = simulate(net, None, np.linspace(0, 3, 4)).ys
        b = simulate(again, None, np.linspace(0, 3, 4)).ys
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_malformed_file_quotes_file_and_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "name: bad\n"
        "compartments:\n"
        "  - {name: c, volume: V}\n"
        "parameters:\n"
        "  - {name: V, value: 1, unit: L, provenance: 'assumed: x'}\n"
        "  - {name: k, value: 1, unit: 1/h}\n"
    )
    with pytest.raises(NetworkError, match=r"bad.yaml, line 6, parameters\[1\].*provenance"):
        load_network(path)


def test_yaml_syntax_error(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\nspecies: [\n")
    with pytest.raises(NetworkError, match=r"broken\.yaml, line \d+: malformed YAML"):
        load_network(path)


def test_unknown_field_in_file(tmp_path):
    path = tmp_path / "typo.yaml"
    path.write_text("name: x\ncompartments:\n  - {name: c, volum: V}\n")
    with pytest.raises(NetworkError, match=r"line 3.*unknown field\(s\) \['volum'\]"):
        load_network(path)
