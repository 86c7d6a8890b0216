"""Re-deriving every transformation: run its SMARTS on the library reactants and compare.

:func:`check_transformations` applies each reaction SMARTS with RDKit's ``rdChemReactions`` to
the stored reactant structures, sanitises every product set, and compares the multiset of
standard InChIKeys with the library's products (a reaction may yield several product sets:
equivalent arms, symmetric maleimide carbons; the expected one must be among them). It also
re-checks element and charge balance of the full equation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from rdkit import Chem

from mechsim.molecules._library import Library, resolve
from mechsim.molecules._model import Molecule
from mechsim.molecules._rdkit import inchikey, quiet_rdkit, strip_atom_maps
from mechsim.molecules._transformations import Transformation, format_imbalance, imbalance


@dataclass(frozen=True)
class TransformationCheck:
    """Outcome of re-deriving one transformation.

    ``product_sets`` holds the sorted InChIKeys of each product set the SMARTS produced
    (``"unsanitizable: ..."`` for a product RDKit rejects); ``imbalance`` the surplus of the
    right side (elements and ``"charge"``), empty when balanced.
    """

    id: str
    products_match: bool
    balanced: bool
    expected: tuple[str, ...]
    product_sets: tuple[tuple[str, ...], ...]
    imbalance: Mapping[str, int] = field(default_factory=dict)
    reason: str = ""

    @property
    def ok(self) -> bool:
        """True when the products are regenerated and the equation balances."""
        return self.products_match and self.balanced


def product_sets(
    transformation: Transformation, molecules: Mapping[str, Molecule]
) -> list[tuple[str, ...]]:
    """Sorted InChIKeys of every product set the SMARTS yields on the stored reactants."""
    rxn = transformation.reaction()
    reactants = tuple(molecules[i].mol for i in transformation.reactants)
    out: list[tuple[str, ...]] = []
    with quiet_rdkit():
        raw = rxn.RunReactants(reactants)
    for products in raw:
        keys = []
        for product in products:
            mol = strip_atom_maps(product)
            try:
                with quiet_rdkit():
                    Chem.SanitizeMol(mol)
            except ValueError as exc:  # RDKit sanitisation errors subclass ValueError
                keys.append(
                    f"unsanitizable: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
                )
                continue
            keys.append(inchikey(mol))
        out.append(tuple(sorted(keys)))
    return out


def check_transformation(
    transformation: Transformation, molecules: Mapping[str, Molecule]
) -> TransformationCheck:
    """Re-derive one transformation's products and balance; never raises for chemistry."""
    expected = tuple(sorted(molecules[i].inchikey for i in transformation.products))
    sets = product_sets(transformation, molecules)
    unique = tuple(dict.fromkeys(sets))
    match = expected in unique
    diff = imbalance(transformation, molecules)
    reasons = []
    if not sets:
        reasons.append("the SMARTS does not match the reactants")
    elif not match:
        got = "; ".join(", ".join(s) for s in unique[:3])
        reasons.append(f"expected products {', '.join(expected)} but the SMARTS gave {got}")
    if diff:
        reasons.append(format_imbalance(diff))
    return TransformationCheck(
        id=transformation.id,
        products_match=match,
        balanced=not diff,
        expected=expected,
        product_sets=unique,
        imbalance=diff,
        reason="; ".join(reasons) if reasons else "products regenerated; balanced",
    )


def check_transformations(library: Library | None = None) -> list[TransformationCheck]:
    """Re-derive every transformation of ``library`` (default: the shipped one).

    Returns one :class:`TransformationCheck` per transformation, in file order; inspect
    ``.ok`` and ``.reason``. Nothing is raised for chemistry failures.
    """
    lib = resolve(library)
    return [check_transformation(t, lib.by_id) for t in lib.transformations]
