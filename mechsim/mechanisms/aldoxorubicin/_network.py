"""Assemble the aldoxorubicin and doxorubicin networks, with or without apoptosis."""

from __future__ import annotations

from mechsim.mechanisms.aldoxorubicin._albumin import ACIDIC, albumin_parts
from mechsim.mechanisms.aldoxorubicin._cell import cell_parts
from mechsim.mechanisms.aldoxorubicin._doxorubicin import doxorubicin_parts
from mechsim.mechanisms.aldoxorubicin._parameters import (
    albumin_rows,
    aldoxorubicin_parameters,
    cell_rows,
    pk_rows,
    volume_rows,
)
from mechsim.mechanisms.apoptosis import apoptosis_module
from mechsim.network import Compartment, Network, Observable

__all__ = ["DAMAGE_FORMULA", "build_aldoxorubicin", "build_doxorubicin"]

#: Lesions per tumour cell handed to the apoptosis module (DSBs from topo II poisoning).
DAMAGE_FORMULA = "dsb_per_cell"

_PH = {"plasma", "tumor", *ACIDIC}
_BASE = ("plasma", "central_tissue", "peripheral", "peripheral2", "heart", "tumor",
         "tumor_cell", "tumor_nucleus")
_TISSUE = "(V_tumor + V_tumor_cell + V_tumor_nucleus)"


def _compartments(names: tuple[str, ...]) -> tuple[Compartment, ...]:
    return tuple(
        Compartment(n, f"V_{n}", f"pH_{n}" if n in _PH else None) for n in names
    )


def _observables(with_conjugate: bool) -> tuple[Observable, ...]:
    forms = ["{amount:doxorubicin@tumor}", "{amount:doxorubicin@tumor_cell}",
             "{amount:doxorubicin@tumor_nucleus}", "{amount:doxorubicin-dna@tumor_nucleus}"]
    if with_conjugate:
        forms += [f"{{amount:doxorubicin@{c}}}" for c in ACIDIC]
    obs = [
        Observable("tumor_doxorubicin", f"({' + '.join(forms)}) / {_TISSUE}", "uM",
                   description="doxorubicin in tumour tissue, all unconjugated forms, "
                   "tissue average"),
        Observable("heart_doxorubicin", "{doxorubicin@heart}", "uM",
                   description="unbound doxorubicin in the heart"),
        Observable("plasma_doxorubicin", "{doxorubicin@plasma}", "uM"),
        Observable("dsb", "dsb_per_cell", description="DSBs per tumour cell"),
    ]
    if with_conjugate:
        obs.append(Observable("plasma_conjugate", "{aldoxorubicin-albumin@plasma}", "uM"))
    return tuple(obs)


def _network(name: str, with_conjugate: bool, apoptosis: bool, description: str) -> Network:
    comps = _BASE + (ACIDIC if with_conjugate else ())
    vol_ph = [r for r in volume_rows()
              if r[0].removeprefix("V_").removeprefix("pH_") in comps]
    rows = vol_ph + pk_rows() + cell_rows() + (albumin_rows() if with_conjugate else [])
    frags = [doxorubicin_parts(), cell_parts(vesicles=with_conjugate)]
    if with_conjugate:
        frags.append(albumin_parts())
    merged: dict[str, tuple] = {"species": (), "reactions": (), "rate_rules": ()}
    for frag in frags:
        for key, items in frag.items():
            merged[key] += tuple(items)
    net = Network(
        name=name, description=description, compartments=_compartments(comps),
        parameters=aldoxorubicin_parameters(rows), observables=_observables(with_conjugate), **merged,
    )
    if apoptosis:
        net = apoptosis_module(DAMAGE_FORMULA, "tumor_cell", upstream=net, name=name)
    return net


def build_aldoxorubicin(apoptosis: bool = True) -> Network:
    """Aldoxorubicin -> albumin conjugate -> tumour release -> doxorubicin action.

    Compartments ``plasma``, ``central_tissue``, ``peripheral``, ``peripheral2``,
    ``heart``, ``tumor`` (interstitium), ``tumor_cell``, ``tumor_nucleus``,
    ``early_endosome``, ``late_endosome``, ``lysosome``; species in uM (signalling in nM).
    Dose ``aldoxorubicin`` (or ``doxorubicin``) into ``plasma``. ``apoptosis=False``
    leaves out the signalling module (a smaller network for PK questions).
    """
    return _network("aldoxorubicin", True, apoptosis, build_aldoxorubicin.__doc__ or "")


def build_doxorubicin(apoptosis: bool = True) -> Network:
    """Free doxorubicin (comparator): 3-compartment PK, heart, tumour, DNA, DSBs, apoptosis."""
    return _network("doxorubicin", False, apoptosis, build_doxorubicin.__doc__ or "")
