"""MIRIAM annotations (InChIKey, PubChem CID, ChEBI) for exported species."""

from __future__ import annotations

import functools

import libsbml

__all__ = ["annotate_species", "library_available"]


@functools.lru_cache(maxsize=1)
def _library():
    try:
        from mechsim.molecules import load_library
    except ImportError:  # the molecule library is optional for the exporter
        return None
    return load_library()


def library_available() -> bool:
    """True if :func:`mechsim.molecules.load_library` can be imported."""
    return _library() is not None


def annotate_species(species: libsbml.Species, molecule_id: str) -> bool:
    """Add ``bqbiol:is`` resources for ``molecule_id``; False if the library is missing."""
    lib = _library()
    if lib is None or molecule_id not in lib:
        return False
    mol = lib[molecule_id]
    if not species.isSetMetaId():
        species.setMetaId(f"meta_{species.getId()}")
    cv = libsbml.CVTerm(libsbml.BIOLOGICAL_QUALIFIER)
    cv.setBiologicalQualifierType(libsbml.BQB_IS)
    cv.addResource(f"https://identifiers.org/inchikey:{mol.inchikey}")
    if mol.pubchem_cid:
        cv.addResource(f"https://identifiers.org/pubchem.compound:{mol.pubchem_cid}")
    if mol.chebi:
        chebi = str(mol.chebi)
        chebi = chebi if chebi.upper().startswith("CHEBI:") else f"CHEBI:{chebi}"
        cv.addResource(f"https://identifiers.org/{chebi}")
    species.addCVTerm(cv)
    return True
