"""Molecules of the trofosfamide and aldoxorubicin mechanisms: curated data and chemistry.

The library (``molecules/library/*.yaml``) and the transformations
(``molecules/transformations.yaml``) are data; on load every formula and InChIKey is
re-derived from the SMILES with RDKit and every equation is balanced. Quick tour::

    from mechsim.molecules import load_library, molecular_weight, check_transformations
    lib = load_library()
    lib.get("IPM").formula                   # 'C4H11Cl2N2O2P'
    molecular_weight("ifosfamide")           # 261.09 g/mol
    all(c.ok for c in check_transformations())
    pathway_graph()                          # networkx.DiGraph keyed by molecule id
    enumerate_metabolites("ifosfamide", depth=2).top(10)  # rule-based metabolites, best first
    reaction_centre("[CH3:1][Br:2].[OH-:3]>>[CH3:1][OH:3].[Br-:2]").describe()  # bonds made/broken

Units: masses in g/mol, TPSA in Å², charges in elementary charges.
"""

from mechsim.molecules._atom_map import (
    BondChange,
    MapComparison,
    ReactionCentre,
    compare_maps,
    reaction_centre,
)
from mechsim.molecules._atom_map_check import (
    AtomMapCheck,
    check_atom_maps,
    template_mapped_reaction,
)
from mechsim.molecules._depict import (
    REACTIVE_GROUPS,
    UnsupportedFormatError,
    draw_grid,
    draw_molecule,
    draw_same_scale,
    reactive_groups,
)
from mechsim.molecules._enumerate import (
    MAX_DEPTH,
    Metabolite,
    MetaboliteTree,
    enumerate_metabolites,
)
from mechsim.molecules._enumerate_write import write_metabolite_tree
from mechsim.molecules._library import (
    Library,
    UnknownMoleculeError,
    UnknownTransformationError,
    default_data_dir,
    default_library,
    load_library,
)
from mechsim.molecules._model import Molecule, Role
from mechsim.molecules._pathway import MAIN_PATHWAY_IDS, pathway_graph
from mechsim.molecules._pathway_plot import draw_pathway
from mechsim.molecules._properties import molecular_weight, molecule_properties, properties_table
from mechsim.molecules._reactions import (
    TransformationCheck,
    check_transformation,
    check_transformations,
)
from mechsim.molecules._report import write_report
from mechsim.molecules._rules import Rule, load_rules
from mechsim.molecules._sdf import SDF_TAGS, write_sdf
from mechsim.molecules._transformations import Enzyme, Transformation, TransformationType

__all__ = [
    "MAIN_PATHWAY_IDS",
    "MAX_DEPTH",
    "REACTIVE_GROUPS",
    "SDF_TAGS",
    "AtomMapCheck",
    "BondChange",
    "Enzyme",
    "Library",
    "MapComparison",
    "Metabolite",
    "MetaboliteTree",
    "Molecule",
    "ReactionCentre",
    "Role",
    "Rule",
    "Transformation",
    "TransformationCheck",
    "TransformationType",
    "UnknownMoleculeError",
    "UnknownTransformationError",
    "UnsupportedFormatError",
    "check_atom_maps",
    "check_transformation",
    "check_transformations",
    "compare_maps",
    "default_data_dir",
    "default_library",
    "draw_grid",
    "draw_molecule",
    "draw_pathway",
    "draw_same_scale",
    "enumerate_metabolites",
    "load_library",
    "load_rules",
    "molecular_weight",
    "molecule_properties",
    "pathway_graph",
    "properties_table",
    "reaction_centre",
    "reactive_groups",
    "template_mapped_reaction",
    "write_metabolite_tree",
    "write_report",
    "write_sdf",
]
