"""Structure of the trofosfamide network: provenance, P bookkeeping, library links, regimens."""

from __future__ import annotations

import re

import numpy as np
import pytest

from mechsim.mechanisms.trofosfamide import SCENARIOS, build_vitro_network, damage_formula
from mechsim.mechanisms.trofosfamide._common import LIBRARY_IDS, PHOSPHORUS_SPECIES
from mechsim.mechanisms.trofosfamide._parameters import all_parameters
from mechsim.mechanisms.trofosfamide._scenarios import MW_TROFOSFAMIDE
from mechsim.network import symbolic

PARAMS = all_parameters()


@pytest.mark.parametrize("p", PARAMS, ids=[p.name for p in PARAMS])
def test_parameter_has_value_unit_bounds_provenance(p):
    assert np.isfinite(p.value) and p.unit
    lo, hi = p.bounds
    assert lo <= p.value <= hi
    assert p.provenance.kind in {"citation", "derived", "assumed", "fitted"}
    assert len(p.provenance.text) > 15, f"{p.name}: provenance text too short to be a reason"
    if p.provenance.kind == "fitted":
        assert "benchmarks/calibrate_trofosfamide.py" in p.provenance.text
        assert lo < hi, f"{p.name}: a fitted parameter needs room to move"
    if p.provenance.kind == "assumed":
        assert lo < hi or p.fixed, f"{p.name}: an assumed value must stay fittable"


def test_network_exposes_every_parameter_once(network):
    assert [p.name for p in network.parameters][: len(PARAMS)] == [p.name for p in PARAMS]


def _p_count(name: str) -> int:
    return 1 if name in PHOSPHORUS_SPECIES else 0


def test_every_reaction_conserves_phosphorus(network):
    for r in network.reactions:
        left = sum(nu * _p_count(ref.split("@")[0]) for ref, nu in r.reactants.items())
        right = sum(nu * _p_count(ref.split("@")[0]) for ref, nu in r.products.items())
        assert left == right, f"reaction {r.name!r} changes the P count ({left} -> {right})"


def test_phosphorus_vector_is_a_conservation_law(network):
    stoich = symbolic(network).stoich[: len(network.species)]
    v = np.array([_p_count(s.name) for s in network.species], dtype=float)
    np.testing.assert_array_equal(v @ stoich, 0.0)


def test_library_links_and_phosphorus_counts(network):
    lib = pytest.importorskip("mechsim.molecules").load_library()
    for s in network.species:
        if s.molecule is None:
            assert s.name not in LIBRARY_IDS
            continue
        formula = lib.get(s.molecule).formula
        n_p = int(re.search(r"P(\d*)(?![a-z])", formula).group(1) or 1) if re.search(r"P(?![a-z])", formula) else 0
        assert n_p == _p_count(s.name), f"{s.name}: formula {formula} vs PHOSPHORUS_SPECIES"


def test_transformations_exist_and_match_reactions(network):
    lib = pytest.importorskip("mechsim.molecules").load_library()
    linked = [r for r in network.reactions if r.transformation]
    assert len({r.transformation for r in linked}) >= 30
    for r in linked:
        t = lib.transformation(r.transformation)
        names = {ref.split("@")[0] for ref in r.reactants}
        assert t.reactants[0] in names, f"{r.name}: {t.reactants} vs {sorted(names)}"


def test_cyp_branches_name_their_enzyme(network):
    cyp = [r for r in network.reactions if "hydroxylation" in r.name or "dechloroethylation" in r.name]
    assert len(cyp) == 8
    assert all(r.enzyme in {"CYP3A4", "CYP2B6"} for r in cyp)
    caa = [r for r in cyp if "dechloroethylation" in r.name]
    assert all("chloroacetaldehyde@plasma" in r.products for r in caa)


def test_compartments_and_reporting_units(network):
    assert {c.name for c in network.compartments} == {"gut", "liver", "plasma", "peripheral", "tumor", "urine"}
    for s in network.species:
        if s.compartment in {"plasma", "tumor"}:
            assert s.unit == "uM", s.key
        if s.compartment in {"urine", "gut"}:
            assert s.unit == "umol", s.key


def test_damage_signal_is_the_exposed_formula(network):
    obs = {o.name: o for o in network.observables}
    assert obs["dna_damage_signal"].formula == damage_formula()
    assert obs["dna_damage_signal"].unit == "1/cell"
    assert "crosslink@tumor" in damage_formula()


def test_vitro_network_reuses_the_chemistry(network):
    vitro = build_vitro_network()
    strip = {r.name.rsplit("_", 1)[0] for r in vitro.reactions if r.name.endswith("_vial")}
    tumour = {r.name.rsplit("_", 1)[0] for r in network.reactions if r.name.endswith("_tumor")}
    assert {"pm_cyclisation", "pm_aziridinium_hydrolysis", "pm_aziridinium_pn_cleavage",
            "pm_aziridinium_guanine", "pm_guanine_crosslink"} <= strip & tumour


@pytest.mark.parametrize(("name", "mg", "n"), [
    ("trofosfamide-preiss2004", 600.0 * 1.8, 1),
    ("trofosfamide-jost2014", 300.0 * 7 + 150.0 * 21, 28),
    ("trofosfamide-wist1991", 50.0 * 3 * 14, 42),
])
def test_scenario_regimens_deliver_the_right_total_dose(name, mg, n):
    sc = {s.name: s for s in SCENARIOS}[name]
    reg = sc.regimen()
    assert len(reg.doses) == n
    umol = reg.total_umol(sc.patient)[("trofosfamide", "gut")]
    assert umol * MW_TROFOSFAMIDE / 1e3 == pytest.approx(mg, rel=1e-12)
    assert sc.times[0] == 0.0 and sc.times[-1] >= reg.end_time
    assert np.max(np.diff(sc.times)) <= 0.5
    assert set(sc.plasma_species) and set(sc.tumor_species)


def test_library_molar_mass_of_trofosfamide():
    lib = pytest.importorskip("mechsim.molecules").load_library()
    assert lib.get("trofosfamide").average_mass == pytest.approx(MW_TROFOSFAMIDE, abs=0.01)
