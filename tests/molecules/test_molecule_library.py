"""Every library entry, re-derived with RDKit; ids, look-ups and the reference table."""

from __future__ import annotations

import csv
from collections import Counter

import pytest
from rdkit import Chem
from rdkit.Chem import rdMolDescriptors

import mechsim.molecules as mm
from mechsim.errors import MechsimError
from mechsim.molecules import Role, UnknownMoleculeError

from .conftest import raw_entries

ENTRIES = raw_entries()
IDS = [e["id"] for _, e in ENTRIES]

#: Ids other work streams refer to; all must exist.
REQUIRED_IDS = """
trofosfamide ifosfamide cyclophosphamide 4-hydroxytrofosfamide 4-hydroxyifosfamide
4-hydroxycyclophosphamide aldotrofosfamide aldoifosfamide aldophosphamide isophosphoramide-mustard
phosphoramide-mustard isophosphoramide-mustard-aziridinium isophosphoramide-mustard-aziridine
phosphoramide-mustard-aziridinium acrolein chloroacetaldehyde 2-dechloroethylifosfamide
3-dechloroethylifosfamide 4-ketoifosfamide 4-ketocyclophosphamide carboxyifosfamide carboxyphosphamide
isophosphoramide-mustard-hydroxy phosphoramide-mustard-hydroxy isophosphoramide-mustard-glutathione
phosphoramide-mustard-glutathione 9-methylguanine isophosphoramide-mustard-guanine-n7
phosphoramide-mustard-guanine-n7 isophosphoramide-mustard-guanine-n7-hydroxy
phosphoramide-mustard-guanine-n7-hydroxy isophosphoramide-mustard-guanine-crosslink
phosphoramide-mustard-guanine-crosslink doxorubicin doxorubicinol aldoxorubicin emch cysteine-model
aldoxorubicin-cysteine-adduct emch-cysteine-adduct oxygen water nadph nadp nadh nad proton chloride
glutathione thiosulfate
""".split()


def _composition(mol: Chem.Mol) -> Counter:
    c: Counter = Counter()
    for atom in mol.GetAtoms():
        c[atom.GetSymbol()] += 1
        c["H"] += atom.GetTotalNumHs()
    return c


def test_required_ids_present(library):
    missing = [i for i in REQUIRED_IDS if i not in library.by_id]
    assert not missing, f"missing library ids: {missing}"
    assert len(library) >= 30


@pytest.mark.parametrize(("file", "entry"), ENTRIES, ids=IDS)
def test_entry_formula_and_inchikey_recomputed(file, entry):
    """The formula and InChIKey written in the YAML equal RDKit's, computed here directly."""
    mol = Chem.MolFromSmiles(entry["smiles"])
    assert mol is not None, f"{file}: {entry['id']}: SMILES does not parse"
    assert rdMolDescriptors.CalcMolFormula(mol) == entry["formula"]
    assert Chem.MolToInchiKey(mol) == entry["inchikey"]


@pytest.mark.parametrize(("file", "entry"), ENTRIES, ids=IDS)
def test_entry_fields_and_protonation_state(file, entry):
    assert entry["id"] == entry["id"].lower() and " " not in entry["id"]
    assert Role(entry["role"])  # one of the eight roles
    for key in ("name", "source", "pka_basis", "stereo_note"):
        assert isinstance(entry[key], str) and entry[key].strip(), f"{entry['id']}: empty {key}"
    cid = entry["pubchem_cid"]
    assert cid is None or (isinstance(cid, int) and cid > 0)
    assert entry["chebi"] is None or entry["chebi"].startswith("CHEBI:")
    # The pH 7.4 form differs from the stored structure only by protons: same heavy atoms,
    # and the change in hydrogen count equals the change in charge.
    stored = Chem.MolFromSmiles(entry["smiles"])
    ph74 = Chem.MolFromSmiles(entry["charge_state_ph74"])
    assert ph74 is not None
    a, b = _composition(stored), _composition(ph74)
    heavy = {k for k in a | b if k != "H"}
    assert all(a[k] == b[k] for k in heavy)
    assert b["H"] - a["H"] == Chem.GetFormalCharge(ph74) - Chem.GetFormalCharge(stored)


@pytest.mark.parametrize(("file", "entry"), ENTRIES, ids=IDS)
def test_loaded_molecule_matches_file(library, file, entry):
    m = library.get(entry["id"])
    assert m.inchikey == entry["inchikey"]
    assert m.file.endswith(file) and m.line and m.line > 0
    copy = m.mol
    copy.GetAtomWithIdx(0).SetFormalCharge(5)  # mutating the copy must not touch the library
    assert Chem.MolToSmiles(library.get(entry["id"]).mol) == Chem.MolToSmiles(
        Chem.MolFromSmiles(m.smiles)
    )


def test_no_two_entries_share_a_structure(library):
    keys = Counter(m.inchikey for m in library)
    assert [k for k, n in keys.items() if n > 1] == []


def test_dechloroethylcyclophosphamide_is_one_entry_with_3_dce_ifo(library):
    assert library.get("dechloroethylcyclophosphamide").id == "3-dechloroethylifosfamide"
    dcecp = Chem.MolFromSmiles("ClCCNP1(=O)NCCCO1")  # CP minus one exocyclic chloroethyl
    assert Chem.MolToInchiKey(dcecp) == library.get("3-DCE-IFO").inchikey


@pytest.mark.parametrize(
    ("ident", "charge"),
    [
        ("phosphoramide-mustard-aziridinium", 1),
        ("isophosphoramide-mustard-aziridinium", 1),
        ("phosphoramide-mustard-guanine-n7", 1),
        ("phosphoramide-mustard-guanine-crosslink", 2),
        ("proton", 1),
        ("chloride", -1),
        ("nadp", 1),
        ("nad", 1),
        ("thiosulfate", -2),
        ("ifosfamide", 0),
    ],
)
def test_formal_charges_as_documented(library, ident, charge):
    assert library.get(ident).charge == charge


# Well-known standard InChIKeys (PubChem/ChEBI records) the library must reproduce.
KNOWN_KEYS = {
    "water": "XLYOFNOQVPJJNP-UHFFFAOYSA-N",
    "oxygen": "MYMOFIZGZYHOMD-UHFFFAOYSA-N",
    "glutathione": "RWSXRVCMGQZWBV-WDSKDSINSA-N",
    "nadh": "BOPGDPNILDQYTO-NNYOXOHSSA-N",
    "nadph": "ACFIXJIJDZMPPO-NNYOXOHSSA-N",
    "nad": "BAWFJGJZGIEFAR-NNYOXOHSSA-O",
    "nadp": "XJLXINKUBYWONI-NNYOXOHSSA-O",
    "acrolein": "HGINCPLSRVDWNT-UHFFFAOYSA-N",
    "doxorubicin": "AOJJSUZBOXZQNB-TZSSRYMLSA-N",
    "ifosfamide": "HOMGKSMUEGBAAB-UHFFFAOYSA-N",
    "cyclophosphamide": "CMSMOCZEIVJLDB-UHFFFAOYSA-N",
    "guanine": "UYTPUPDQBNUYGX-UHFFFAOYSA-N",
}


@pytest.mark.parametrize(("ident", "key"), sorted(KNOWN_KEYS.items()))
def test_known_inchikeys(library, ident, key):
    assert library.get(ident).inchikey == key


# structures.csv id -> library id, for rows kept with the same structure.
CSV_SAME = {
    "TRO": "trofosfamide",
    "IFO": "ifosfamide",
    "CP": "cyclophosphamide",
    "OHTRO": "4-hydroxytrofosfamide",
    "OHIFO": "4-hydroxyifosfamide",
    "ALDOIFO": "aldoifosfamide",
    "OHCP": "4-hydroxycyclophosphamide",
    "ALDOCP": "aldophosphamide",
    "IPM": "isophosphoramide-mustard",
    "PM": "phosphoramide-mustard",
    "ACR": "acrolein",
    "CAA": "chloroacetaldehyde",
    "D2IFO": "2-dechloroethylifosfamide",
    "D3IFO": "3-dechloroethylifosfamide",
    "KETOIFO": "4-ketoifosfamide",
    "CXIFO": "carboxyifosfamide",
    "GNORG": "g-nor-g",
    "DOX": "doxorubicin",
    "ALDOX": "aldoxorubicin",
    "EMCH": "emch",
    "ADD_NAC": "aldoxorubicin-cysteine-adduct",
}
# Rows changed on purpose (protonation convention) keep the skeleton: equal InChIKeys up to the
# protonation flag. DOXOL's C13 was made undefined: equal connectivity block only.
CSV_PROTONATION = {
    "IPMAZ": "isophosphoramide-mustard-aziridinium",
    "PMAZ": "phosphoramide-mustard-aziridinium",
    "PMG": "phosphoramide-mustard-guanine-n7",
    "IPMG": "isophosphoramide-mustard-guanine-n7",
    "PMGG": "phosphoramide-mustard-guanine-crosslink",
    "IPMGG": "isophosphoramide-mustard-guanine-crosslink",
}


def _csv_rows(shared_dir):
    with open(shared_dir / "reference" / "structures.csv", newline="", encoding="utf-8") as fh:
        return {row["id"]: row for row in csv.DictReader(fh)}


def test_reference_table_agreement(library, shared_dir):
    rows = _csv_rows(shared_dir)
    for csv_id, ident in CSV_SAME.items():
        assert library.get(ident).inchikey == rows[csv_id]["inchikey"], csv_id
    for csv_id, ident in CSV_PROTONATION.items():
        ours, theirs = library.get(ident).inchikey, rows[csv_id]["inchikey"]
        assert ours[:-1] == theirs[:-1] and ours != theirs, csv_id
        # and the CSV's structure is exactly our documented pH 7.4 form
        ph74 = Chem.MolToInchiKey(Chem.MolFromSmiles(library.get(ident).charge_state_ph74))
        if csv_id != "IPMAZ":  # CSV stored the (minor) zwitterion; we list the aziridine anion
            assert ph74 == theirs, csv_id
    doxol = library.get("doxorubicinol")
    assert doxol.inchikey.split("-")[0] == rows["DOXOL"]["inchikey"].split("-")[0]
    assert doxol.inchikey != rows["DOXOL"]["inchikey"]


# -- look-up -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "ident"),
    [
        ("ifosfamide", "ifosfamide"),
        ("IFOSFAMIDE", "ifosfamide"),
        ("Ifex", "ifosfamide"),
        ("ipm", "isophosphoramide-mustard"),
        ("Isophosphoramide mustard", "isophosphoramide-mustard"),
        ("palifosfamide", "isophosphoramide-mustard"),
        ("INNO-206", "aldoxorubicin"),
        ("adriamycin", "doxorubicin"),
        ("  NADP+ ", "nadp"),
        ("h+", "proton"),
        ("DCCP", "3-dechloroethylifosfamide"),
    ],
)
def test_lookup_by_id_name_synonym(library, query, ident):
    assert library.get(query).id == ident
    assert query in library
    assert library[query] is library.get(query)


def test_unknown_name_lists_closest(library):
    with pytest.raises(UnknownMoleculeError) as info:
        library.get("ifosfamid")
    assert isinstance(info.value, KeyError) and isinstance(info.value, MechsimError)
    message = str(info.value)
    assert "ifosfamid" in message and "Ifosfamide" in message
    assert info.value.suggestions[0] == "Ifosfamide"
    assert "nonsense" not in library


def test_molecular_weight_module_function():
    assert mm.molecular_weight("ifosfamide") == pytest.approx(261.09, abs=0.01)
    assert mm.molecular_weight("Trofosfamide") == pytest.approx(323.59, abs=0.01)
    with pytest.raises(KeyError):
        mm.molecular_weight("no such drug")


def test_by_role(library):
    parents = {m.id for m in library.by_role("parent drug")}
    assert {"trofosfamide", "aldoxorubicin"} <= parents
    assert all(m.role is Role.DNA_ADDUCT for m in library.by_role(Role.DNA_ADDUCT))


def test_public_names_exist():
    for name in mm.__all__:
        assert hasattr(mm, name), name


def test_default_library_is_shared_and_average_mass_alias(library):
    # the session fixture may predate a cache drop by the memory guard (tests/conftest.py)
    shared = mm.default_library()
    assert mm.load_library() is shared and shared.ids == library.ids
    reloaded = mm.load_library(mm.default_data_dir())
    assert reloaded is not shared and reloaded.ids == shared.ids
    m = library.get("ifosfamide")
    assert m.average_mass == m.molecular_weight
