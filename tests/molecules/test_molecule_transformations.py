"""Every transformation regenerates the library's products and balances; the pathway graph."""

from __future__ import annotations

from collections import Counter

import networkx as nx
import pytest
from rdkit import Chem
from rdkit.Chem import rdChemReactions

from mechsim.molecules import (
    Enzyme,
    TransformationType,
    check_transformation,
    check_transformations,
    load_library,
    pathway_graph,
)

from .conftest import raw_transformations

RAW = raw_transformations()
T_IDS = [t["id"] for t in RAW]


def _composition(smiles: str) -> Counter:
    mol = Chem.MolFromSmiles(smiles)
    c: Counter = Counter()
    for atom in mol.GetAtoms():
        c[atom.GetSymbol()] += 1
        c["H"] += atom.GetTotalNumHs()
    c["charge"] += Chem.GetFormalCharge(mol)
    return c


@pytest.mark.parametrize("raw", RAW, ids=T_IDS)
def test_smarts_regenerates_products(library, raw):
    """Run the SMARTS here with rdChemReactions; the expected InChIKey multiset must appear."""
    rxn = rdChemReactions.ReactionFromSmarts(raw["smarts"])
    reactants = [Chem.MolFromSmiles(library.get(r).smiles) for r in raw["reactants"]]
    expected = sorted(library.get(p).inchikey for p in raw["products"])
    found = []
    for products in rxn.RunReactants(reactants):
        keys = []
        for product in products:
            mol = Chem.Mol(product)
            Chem.SanitizeMol(mol)
            keys.append(Chem.MolToInchiKey(mol))
        found.append(sorted(keys))
    assert found, "the SMARTS does not match the reactants"
    assert expected in found


@pytest.mark.parametrize("raw", RAW, ids=T_IDS)
def test_equation_balances(library, raw):
    """Elements and charge of reactants + co-substrates equal products + co-products."""
    left: Counter = Counter()
    right: Counter = Counter()
    for ident in raw["reactants"] + raw["co_substrates"]:
        left.update(_composition(library.get(ident).smiles))
    for ident in raw["products"] + raw["co_products"]:
        right.update(_composition(library.get(ident).smiles))
    assert left == right


@pytest.mark.parametrize("raw", RAW, ids=T_IDS)
def test_check_transformation_reports_ok(library, raw):
    result = check_transformation(library.transformation(raw["id"]), library.by_id)
    assert result.ok, result.reason
    assert Enzyme(raw["enzyme"]) and TransformationType(raw["type"])


def test_check_transformations_covers_all(library):
    results = check_transformations(library)
    assert [r.id for r in results] == T_IDS
    assert len(results) >= 30


def test_required_chemistry_present(library):
    kinds = Counter(t.type.value for t in library.transformations)
    for kind, n in {
        "hydroxylation": 3,
        "n-dechloroethylation": 5,
        "ring-chain-tautomerism": 3,
        "beta-elimination": 3,
        "aldehyde-oxidation": 2,
        "alcohol-oxidation": 1,
        "aziridinium-formation": 2,
        "aziridinium-hydrolysis": 2,
        "glutathione-conjugation": 2,
        "guanine-n7-alkylation": 2,
        "crosslink": 2,
        "arm-hydrolysis": 2,
        "michael-addition": 1,
        "hydrazone-hydrolysis": 1,
        "carbonyl-reduction": 1,
    }.items():
        assert kinds[kind] >= n, kind
    for t in library.transformations:
        if (
            t.type is TransformationType.HYDROXYLATION
            or t.type is TransformationType.N_DECHLOROETHYLATION
        ):
            assert set(t.co_substrates) == {"oxygen", "nadph", "proton"}
            assert set(t.co_products) == {"water", "nadp"}
            assert t.enzyme in (Enzyme.CYP3A4, Enzyme.CYP2B6)
        if t.type is TransformationType.N_DECHLOROETHYLATION:
            assert "chloroacetaldehyde" in t.products
        if t.type is TransformationType.ALDEHYDE_OXIDATION:
            assert t.enzyme is Enzyme.ALDH1A1 and "nad" in t.co_substrates
    doxol = library.transformation("doxorubicin-carbonyl-reduction")
    assert doxol.enzyme is Enzyme.CARBONYL_REDUCTASE and "nadph" in doxol.co_substrates


def test_wrong_product_is_detected(library, scratch_library):
    """Same formula, wrong isomer: balances (so it loads) but the SMARTS check must fail."""
    root = scratch_library(
        transformations=[
            {
                "id": "ifosfamide-4-hydroxylation",
                "name": "mislabelled product",
                "type": "hydroxylation",
                "enzyme": "CYP3A4",
                "smarts": library.transformation("ifosfamide-4-hydroxylation").smarts,
                "reactants": ["ifosfamide"],
                "products": ["4-hydroxycyclophosphamide"],
                "co_substrates": ["oxygen", "nadph", "proton"],
                "co_products": ["water", "nadp"],
                "reversible": False,
                "source": "test",
            }
        ]
    )
    result = check_transformations(load_library(root))[0]
    assert result.balanced and not result.products_match and not result.ok
    assert library.get("4-hydroxycyclophosphamide").inchikey in result.reason


# -- pathway graph ------------------------------------------------------------------------------
def test_pathway_graph_structure(library):
    g = pathway_graph(library)
    assert isinstance(g, nx.DiGraph)
    assert set(g) <= set(library.ids)
    for node, data in g.nodes(data=True):
        assert data["name"] == library.get(node).name
        assert data["molecular_weight"] == pytest.approx(library.get(node).molecular_weight)
    edge = g.edges["ifosfamide", "4-hydroxyifosfamide"]
    assert edge["transformation"] == "ifosfamide-4-hydroxylation"
    assert edge["enzyme"] == "CYP3A4" and edge["type"] == "hydroxylation"
    both = g.edges["trofosfamide", "chloroacetaldehyde"]["transformations"]
    assert set(both) == {"trofosfamide-to-ifosfamide", "trofosfamide-to-cyclophosphamide"}
    # every transformation is represented by all its reactant -> product edges
    for t in library.transformations:
        for r in t.reactants:
            for p in t.products:
                assert t.id in g.edges[r, p]["transformations"]
    assert "oxygen" not in g and "nadph" not in g  # co-substrates live on edges only


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("trofosfamide", "isophosphoramide-mustard-guanine-crosslink"),
        ("trofosfamide", "phosphoramide-mustard-guanine-crosslink"),
        ("trofosfamide", "acrolein"),
        ("ifosfamide", "carboxyifosfamide"),
        ("aldoxorubicin", "aldoxorubicin-cysteine-adduct"),
        ("aldoxorubicin", "doxorubicinol"),
    ],
)
def test_pathway_routes_exist(start, end):
    assert nx.has_path(pathway_graph(), start, end)


def test_albumin_route_goes_through_conjugate():
    g = pathway_graph()
    path = nx.shortest_path(
        g.subgraph(set(g) - {"emch"}), "aldoxorubicin-cysteine-adduct", "doxorubicin"
    )
    assert path == ["aldoxorubicin-cysteine-adduct", "doxorubicin"]
    assert g.edges["aldoxorubicin-cysteine-adduct", "doxorubicin"]["type"] == "hydrazone-hydrolysis"
