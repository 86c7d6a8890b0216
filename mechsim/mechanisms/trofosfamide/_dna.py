"""DNA guanine-N7 adducts in the tumour: second arm, depurination, repair and read-outs.

Guanine sites (species ``9-methylguanine``, the library's N7-guanine model) start at
``cell_density_tumor * nt_per_cell * f_guanine / N_A`` (~435 uM of tissue with the
default 2e8 cells/mL, 1.28e10 nt per diploid cell and 20.5 % G).

For each mustard M (TM, IPM, PM) the monoadduct ``M-guanine-n7``:

* second arm (Hemminki 1987: for the NOR-G monoadduct the arm reacts with t1/2 4 h at
  pH 7.4, "the main product is the G-NOR-G cross-link, at pH 5 only hydrolysis", arm pKa
  ~7.5; Mehta 1980 fixes PM-G): a G-G cross-link (``M-guanine-crosslink``) with a rate
  gated by the arm pKa (none at pH 5), or hydrolysis (``M-guanine-n7-hydroxy``); at
  pH 7.4 a fraction ``f_crosslink`` (> 0.5, "main product") of second-arm events
  cross-link. The cross-link species holds both topologies (the same structure in the
  9-methylguanine model); ``f_interstrand`` of them are interstrand cross-links (ICLs),
  the lesion handed to the apoptosis module, the rest intrastrand;
* depurinates (Osborne & Phillips 2000, 7-MeG t1/2 70 h; cross-links more slowly),
  releasing ``M-guanine-n7-base`` and leaving an abasic site (``abasic-site-model``)
  repaired by BER;
* is excised (monoadducts) or unhooked (cross-links) by repair with a saturable
  capacity: ``v_i = k * L_i / (1 + L_total / Km)`` with Km in lesions per cell (ICLs for
  the cross-links; intrastrand cross-links are taken to be removed at the same rate,
  assumed).
"""

from __future__ import annotations

from mechsim.mechanisms.trofosfamide._common import Fragment
from mechsim.network import (
    AssignmentRule,
    Expression,
    InitialAssignment,
    MassAction,
    Observable,
    Reaction,
)

__all__ = ["DNA_RULES", "MUSTARD_SPECIES", "damage_formula", "dna_fragment", "dna_observables"]

_G = "9-methylguanine"
_AP = "abasic-site-model"
#: mustard key -> its species name (order of :data:`._chemistry.MUSTARDS`)
MUSTARD_SPECIES = {"TM": "trofosfamide-mustard", "IPM": "isophosphoramide-mustard",
                   "PM": "phosphoramide-mustard"}
_M = tuple(MUSTARD_SPECIES.values())
_MONO = tuple(f"{m}-guanine-n7{s}" for m in _M for s in ("", "-hydroxy"))
_ICL = tuple(f"{m}-guanine-crosslink" for m in _M)

DNA_RULES = (
    AssignmentRule("k_depurination", "log(2) / t_half_depurination", "1/h"),
    AssignmentRule("k_AP_repair", "log(2) / t_half_AP_repair", "1/h"),
    AssignmentRule("t_half_arm2_TM", "t_half_arm2_PM", "h"),
    *(AssignmentRule(f"k_arm2_hydrolysis_{k}", f"(1 - f_crosslink) * log(2) / t_half_arm2_{k}", "1/h")
      for k in MUSTARD_SPECIES),
    *(AssignmentRule(f"k_crosslink_{k}",
                     f"f_crosslink * log(2) / t_half_arm2_{k} * (1 + 10**(pKa_arm2 - pH_arm2_reference))",
                     "1/h")
      for k in MUSTARD_SPECIES),
)


def _total(names: tuple[str, ...], comp: str) -> str:
    return " + ".join(f"{{{n}@{comp}}}" for n in names)


def damage_formula() -> str:
    """Expression formula for interstrand cross-links per tumour cell (unit ``1/cell``).

    Combine with another fragment's rate law, e.g. ``Expression(f"k * ({damage_formula()})")``;
    it needs this network's parameters ``avogadro``, ``cell_density_tumor`` and
    ``f_interstrand`` (the interstrand share of the G-G cross-links).
    """
    return f"f_interstrand * ({_total(_ICL, 'tumor')}) * avogadro / cell_density_tumor"


def dna_fragment(compartment: str = "tumor", ph: str = "pH_tumor", *, repair: bool = True,
                 mustards: tuple[str, ...] = tuple(MUSTARD_SPECIES),
                 cell_density: str = "cell_density_tumor") -> Fragment:
    """Adduct second arm, depurination, AP-site and adduct repair in ``compartment``.

    ``mustards``: keys of :data:`MUSTARD_SPECIES` whose adducts form there;
    ``cell_density``: the parameter (cell/L) that sets the guanine sites and the repair
    capacity (only used when ``compartment`` holds cells: ``tumor`` or with ``repair``).
    """
    c = compartment
    f = Fragment()
    f.assignment_rules += list(DNA_RULES)
    ms = tuple(MUSTARD_SPECIES[k] for k in mustards)
    mono_all = tuple(f"{m}-guanine-n7{s}" for m in ms for s in ("", "-hydroxy"))
    icl_all = tuple(f"{m}-guanine-crosslink" for m in ms)
    f.need(c, _G, _AP, *(f"{m}-guanine-n7-base" for m in ms), *mono_all, *icl_all)
    if c != "vial":
        f.initial_assignments.append(InitialAssignment(
            f"{c}.{_G}", f"{cell_density} * nt_per_cell * f_guanine / avogadro", "uM"))
    for m, key in zip(ms, mustards, strict=True):
        k = key.lower()
        mono, mono_oh, icl = f"{m}-guanine-n7", f"{m}-guanine-n7-hydroxy", f"{m}-guanine-crosslink"
        f.reactions += [
            Reaction(f"{k}_guanine_crosslink_{c}", {mono: 1, _G: 1}, {icl: 1},
                     Expression(f"k_crosslink_{key} * {{{mono}}} / (1 + 10**(pKa_arm2 - {ph}))"), c,
                     description="second arm alkylates an opposite-strand guanine (ICL)"),
            Reaction(f"{k}_guanine_arm2_hydrolysis_{c}", {mono: 1}, {mono_oh: 1},
                     MassAction(f"k_arm2_hydrolysis_{key}"), c, description="second arm hydrolyses"),
            Reaction(f"{k}_crosslink_depurination_{c}", {icl: 1}, {mono_oh: 1, _AP: 1},
                     Expression(f"f_depurination_ICL * k_depurination * {{{icl}}}"), c,
                     description="one guanine of the ICL depurinates; the rest counted as an inert monoadduct"),
        ]
        for lesion in (mono, mono_oh):
            f.reactions.append(Reaction(
                f"{k}_{'mono' if lesion == mono else 'monohydroxy'}_depurination_{c}", {lesion: 1},
                {_AP: 1, f"{m}-guanine-n7-base": 1}, MassAction("k_depurination"), c,
                description="N7-alkylguanine depurination (Osborne & Phillips 2000); the hydroxy-arm "
                            "base is lumped with the chloroethyl one"))
    f.reactions.append(Reaction(f"ap_site_repair_{c}", {_AP: 1}, {_G: 1},
                                MassAction("k_AP_repair"), c, description="BER of abasic sites"))
    if repair:
        f.need(c, "dna-adduct-excision-products")
        f.assignment_rules += [
            AssignmentRule(f"Km_excision_conc_{c}", f"Km_excision_mono * {cell_density} / avogadro", "uM"),
            AssignmentRule(f"Km_unhook_conc_{c}", f"Km_unhook_ICL * {cell_density} / avogadro", "uM"),
        ]
        mono_total = " + ".join(f"{{{n}}}" for n in mono_all)
        icl_total = " + ".join(f"{{{n}}}" for n in icl_all)
        for lesion in mono_all:
            f.reactions.append(Reaction(
                f"excision_{lesion.replace('-', '_')}{'' if c == 'tumor' else '_' + c}", {lesion: 1},
                {_G: 1, "dna-adduct-excision-products": 1},
                Expression(f"k_excision_mono * {{{lesion}}} / (1 + ({mono_total}) / Km_excision_conc_{c})"), c,
                enzyme="BER/NER", description="saturable monoadduct excision"))
        for lesion in icl_all:
            f.reactions.append(Reaction(
                f"unhooking_{lesion.replace('-', '_')}{'' if c == 'tumor' else '_' + c}", {lesion: 1},
                {_G: 2, "dna-adduct-excision-products": 1},
                Expression(f"k_unhook_ICL * {{{lesion}}} / "
                           f"(1 + f_interstrand * ({icl_total}) / Km_unhook_conc_{c})"), c,
                enzyme="FA/NER/HR", description="saturable ICL unhooking and repair"))
    return f


def dna_observables() -> list[Observable]:
    """Adducts per 1e6 nucleotides, cross-links and ICLs per cell in the tumour, per mustard."""
    per_nt = "avogadro / (cell_density_tumor * nt_per_cell)"
    per_cell = "avogadro / cell_density_tumor"
    obs = [
        Observable("tumor_monoadducts_per_Mnt", f"({_total(_MONO, 'tumor')}) * {per_nt}", "1/Mnt",
                   description="guanine-N7 monoadducts (intact or hydrolysed arm) per 1e6 nucleotides"),
        Observable("tumor_crosslinks_per_Mnt", f"({_total(_ICL, 'tumor')}) * {per_nt}", "1/Mnt",
                   description="G-G cross-links (interstrand and intrastrand) per 1e6 nucleotides"),
        Observable("tumor_icl_per_Mnt", f"f_interstrand * ({_total(_ICL, 'tumor')}) * {per_nt}", "1/Mnt",
                   description="interstrand cross-links per 1e6 nucleotides"),
        Observable("dna_damage_signal", damage_formula(), "1/cell",
                   description="interstrand cross-links per tumour cell (input of the apoptosis module)"),
    ]
    for key, m in MUSTARD_SPECIES.items():
        obs.append(Observable(
            f"tumor_icl_per_cell_{key}", f"f_interstrand * {{{m}-guanine-crosslink@tumor}} * {per_cell}",
            "1/cell", description=f"interstrand cross-links per tumour cell made by {m}"))
    return obs
