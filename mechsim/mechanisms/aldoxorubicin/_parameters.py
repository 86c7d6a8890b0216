"""Parameter tables of the aldoxorubicin/doxorubicin mechanism, with provenance.

Values are for the default patient (1.8 m**2 body surface area, mechsim.dosing.Patient).
Sources are the rows of ../shared/reference/kinetics.md; "derived" values say how they
were computed; "assumed" values say why they are defensible and stay fittable.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from dataclasses import replace

import numpy as np

from mechsim.mechanisms.aldoxorubicin._albumin import hydrazone_rate
from mechsim.mechanisms.apoptosis._provenance import (
    ParamRow,
    assumed,
    cited,
    derived,
    parameters,
)
from mechsim.network import Parameter

__all__ = [
    "BSA_M2", "CELL_VOLUME_PL", "DNA_SITES_UM", "MITA_CL_L_H_M2", "MITA_T_HALF_H",
    "MITA_V_L_M2", "MW_ALDOXORUBICIN", "MW_DOXORUBICIN", "RANGES", "albumin_rows",
    "aldoxorubicin_parameters", "cell_rows", "conjugate_pk", "pk_rows", "volume_rows",
]

#: Body surface area (m**2) the per-m**2 PK values are scaled with (Patient default).
BSA_M2 = 1.8
#: Average molar masses (g/mol), structures.csv rows ALDOX and DOX (free bases).
MW_ALDOXORUBICIN = 750.76
MW_DOXORUBICIN = 543.53

# DNA intercalation sites. Diploid human genome 6.4e9 bp (textbook; assumed), site size
# 3.1 bp (Barcelo 1988, kinetics.md). The single-cell volume is derived so that the
# model's equilibrium accumulation (cytosol 90 %, nucleus 10 % of the cell, nuclear
# bound:free = K * sites) equals the cited 230-fold intracellular accumulation
# (Cells 2021;10:1717): 0.9 + 0.1 * (1 + K * S_nuc) = 230.
_K_DNA_PER_UM = 7.0e5 * 1e-6  # 7.0e5 1/M (Chaires 1982) in 1/uM
_SITES_PER_CELL = 6.4e9 / 3.1
_NUC_FRACTION = 0.1
_S_NUC_UM = (230.0 - 0.9 - _NUC_FRACTION) / (_NUC_FRACTION * _K_DNA_PER_UM)
#: Intercalation sites in the nucleus (uM), from the accumulation constraint above.
DNA_SITES_UM = _S_NUC_UM
#: Single-cell volume (pL) implied: sites per nucleus / (N_A * S_nuc) / nuclear fraction.
CELL_VOLUME_PL = _SITES_PER_CELL / 6.02214076e23 / (_S_NUC_UM * 1e-6) / _NUC_FRACTION * 1e12

_TUMOUR = "a 100 mL soft-tissue sarcoma (tumour size not given in the seeds)"

# Hydrazone law (all assumed; see albumin_rows): pKa of the saturating acid term, water
# rate (1/h), and the acid constant (1/M/h) giving release t1/2 = 3 h at pH 5.
_PKA_HYD = 4.0
_PH_PLASMA = 7.4
_K_HYD0 = 1.0e-4
_K_HYD_H = math.log(2) / 3.0 / 1e-5 * (1.0 + 10.0 ** (_PKA_HYD - 5.0))

#: Mita 2015 (kinetics.md section 3), aldoxorubicin 230 or 350 mg/m2, n = 18: ranges of
#: the conjugate's observed half-life (h), volume (L/m2) and clearance (L/h/m2).
MITA_T_HALF_H = (20.1, 21.1)
MITA_V_L_M2 = (3.96, 4.08)
MITA_CL_L_H_M2 = (0.136, 0.152)


@functools.cache
def conjugate_pk() -> tuple[float, float]:
    """Conjugate volume (L/m2) and total clearance (L/h/m2) consistent with Mita 2015.

    Mita's three ranges are summaries over patients and are not mutually consistent at
    their midpoints: a one-compartment conjugate has t1/2 = ln2 V/CL, and the midpoints
    (4.02 L/m2, 0.144 L/h/m2) give 19.3 h, below the reported 20.1-21.1 h. The (V, CL)
    pairs for which all three ranges hold form a small region (V in 3.96-4.08, CL from
    0.136 up to ln2 V/20.1 h); this returns its centroid (area-weighted mean of V and CL
    over the region). No half-life is fitted: the simulated t1/2 emerges from the sum of
    the elimination paths (see :func:`albumin_rows`).
    """
    ln2 = math.log(2.0)
    v = np.linspace(*MITA_V_L_M2, 2001)
    lo = np.maximum(MITA_CL_L_H_M2[0], ln2 * v / MITA_T_HALF_H[1])
    hi = np.minimum(MITA_CL_L_H_M2[1], ln2 * v / MITA_T_HALF_H[0])
    w = np.clip(hi - lo, 0.0, None)
    area = np.trapezoid(w, v)
    return (float(np.trapezoid(v * w, v) / area),
            float(np.trapezoid(0.5 * (lo + hi) * w, v) / area))  # fmt: skip


def volume_rows() -> list[ParamRow]:
    """Compartment volumes (L) and pH values."""
    return [
        ("V_plasma", conjugate_pk()[0] * BSA_M2, "L", derived(
            "aldoxorubicin-albumin Vd 3.96-4.08 L/m2 (Mita 2015) x 1.8 m2: the conjugate's "
            "space (free doxorubicin shares it with central_tissue). The value, "
            f"{conjugate_pk()[0]:.4f} L/m2, is the V of the centroid of the (V, CL) pairs for which Mita's V, CL and t1/2 "
            "ranges all hold under one-compartment kinetics (_parameters.conjugate_pk)"), ""),
        ("V_central_tissue", 17.7 - conjugate_pk()[0] * BSA_M2, "L", derived(
            "Kontny 2013 doxorubicin Vc 17.7 L minus V_plasma, so plasma + central_tissue "
            "form Kontny's central compartment"), ""),
        ("V_peripheral", 1830.0, "L", cited("Kontny 2013 JCO, doxorubicin Vp 1830 L"), ""),
        ("V_peripheral2", 71.6, "L", cited("Kontny 2013 JCO, doxorubicin Vp2 71.6 L"), ""),
        ("V_heart", 0.3, "L", assumed("adult heart about 300 g; not in kinetics.md"), ""),
        ("V_tumor", 0.03, "L", assumed(f"interstitial space (30 %) of {_TUMOUR}"), ""),
        ("V_tumor_cell", 0.054, "L", assumed(f"cytoplasm of the cells (60 % x 90 %) of {_TUMOUR}"), ""),
        ("V_tumor_nucleus", 0.006, "L", assumed(
            f"nuclei (10 % of cell volume) of {_TUMOUR}"), ""),
        ("V_early_endosome", 3e-4, "L", assumed("early endosomes ~0.5 % of cytoplasm"), ""),
        ("V_late_endosome", 3e-4, "L", assumed("late endosomes ~0.5 % of cytoplasm"), ""),
        ("V_lysosome", 3e-4, "L", assumed("lysosomes ~0.5 % of cytoplasm"), ""),
        ("pH_plasma", _PH_PLASMA, "dimensionless", assumed("physiological blood pH"), ""),
        ("pH_tumor", 7.0, "dimensionless", assumed(
            "mildly acidic tumour interstitium; not in kinetics.md"), ""),
        ("pH_early_endosome", 6.5, "dimensionless", derived(
            "middle of early-endosome pH 6.1-6.8 (kinetics.md, secondary sources): "
            "(6.1 + 6.8)/2 = 6.45, rounded to 6.5"), ""),
        ("pH_late_endosome", 5.5, "dimensionless", assumed(
            "between early endosome and lysosome (progressive acidification, Huotari & "
            "Helenius 2011); no number in kinetics.md"), ""),
        ("pH_lysosome", 4.75, "dimensionless", derived(
            "middle of lysosomal pH 4.5-5.0 (kinetics.md, secondary sources)"), ""),
    ]


def albumin_rows() -> list[ParamRow]:
    """Conjugation, albumin-bound PK, EPR, endocytosis, trafficking, hydrazone hydrolysis.

    The conjugate's elimination paths and how they add up to Mita 2015's clearance:
    ``CL_total = V (k_albumin_turnover + k_hyd(pH_plasma)) + CL_epr + CL_conjugate_other``
    (L/h). ``CL_total`` and ``V`` come from :func:`conjugate_pk`; the albumin turnover
    is sourced (t1/2 19 d), hydrazone hydrolysis at plasma pH and EPR are assumed, and
    ``CL_conjugate_other`` is derived as the remainder. Mita's CL is the whole
    conjugate's, so none of the paths is counted twice and the simulated half-life
    emerges as ln2 V/CL_total (20.3 h) only if the paths are wired as declared.
    """
    k_conj = math.log(100.0) / (5.0 / 60.0) / 601.0
    pka_h, k_hyd0, k_hyd_h = _PKA_HYD, _K_HYD0, _K_HYD_H
    k_alb = math.log(2) / (19.0 * 24.0)
    cl_epr = 0.002
    v_l_m2, cl_l_h_m2 = conjugate_pk()
    v, cl_total = v_l_m2 * BSA_M2, cl_l_h_m2 * BSA_M2
    k_plasma = float(hydrazone_rate(_PH_PLASMA, k_hyd0, k_hyd_h, pka_h))
    cl_other = cl_total - v * (k_alb + k_plasma) - cl_epr
    return [
        ("albumin_thiol_0", 601.0, "uM", derived(
            "albumin 40 g/L (a typical value within 35-50 g/L, kinetics.md 'reviews') / "
            "66.5 kDa = 601.5 uM, one Cys34 per albumin; every Cys34 taken as a free thiol "
            "(assumed: the reduced fraction of Cys34 is not in kinetics.md)"), ""),
        ("k_conjugation", k_conj, "1/uM/h", derived(
            "coupling 'rapidly (within 5 min)' in plasma (Mita 2015 citing Kratz 2002), read "
            "as 99 % coupled at 5 min (the 99 % is the reading, not a reported number), "
            "pseudo-first order at 601 uM Cys34: ln(100)/(5 min)/601 uM"), ""),
        ("k_albumin_turnover", k_alb, "1/h", derived(
            "albumin t1/2 about 19 d (kinetics.md): ln2/456 h; catabolism of free albumin "
            "and of the conjugate's albumin alike"), ""),
        ("CL_conjugate_other", cl_other, "L/h", derived(
            f"Mita 2015 whole-conjugate clearance minus the separately modelled paths: "
            f"CL_total = {cl_l_h_m2:.4f} L/h/m2 x 1.8 m2 = {cl_total:.4f} L/h (CL of the "
            f"centroid of the (V, CL) pairs consistent with Mita's V 3.96-4.08 L/m2, CL "
            f"0.136-0.152 L/h/m2 and t1/2 20.1-21.1 h; _parameters.conjugate_pk) minus "
            f"V x albumin turnover ({v * k_alb:.4f} L/h), V x hydrazone hydrolysis at pH "
            f"7.4 ({v * k_plasma:.4f} L/h, nominal assumed law) and EPR ({cl_epr} L/h) = "
            f"{cl_other:.4f} L/h. It lumps the non-hydrolytic routes not modelled one by one "
            f"(uptake and catabolism of drug-modified albumin, thiosuccinimide exchange "
            f"with other thiols: t1/2 3.1-258 h, Wu 2018). Holding it fixed while an "
            f"assumed path varies moves the conjugate t1/2 (see the sensitivity report)"), ""),
        ("f_other_release", 0.0, "dimensionless", assumed(
            "fraction of CL_conjugate_other that returns free doxorubicin to plasma (e.g. "
            "release inside the cells that take the conjugate up); 0: the drug leaves "
            "with the conjugate, the model's original assumption. Free doxorubicin after "
            "aldoxorubicin (the data that would set it) is not in kinetics.md"), ""),
        ("CL_epr", cl_epr, "L/h", assumed(
            "EPR extravasation into the tumour: albumin leaves the circulation at 5 %/h "
            "(kinetics.md) ~0.002 L/h per L of tissue, x10 for leaky tumour vessels, x0.1 L "
            "tumour; fittable"), ""),
        ("CL_lymph", 0.0005, "L/h", assumed(
            "return of albumin from tumour interstitium (impaired lymphatics: EPR retention)"), ""),
        ("k_endocytosis", 0.1, "1/h", assumed(
            "fluid-phase/macropinocytic uptake of interstitial albumin by tumour cells"), ""),
        ("k_early_to_late", 60.0 / 11.5, "1/h", derived(
            "early-endosome residence 8-15 min before conversion to late endosome (Huotari & "
            "Helenius 2011): 1/(11.5 min), the midpoint residence"), ""),
        ("k_late_to_lysosome", 1.5, "1/h", assumed(
            "late endosome to lysosome fusion ~40 min; not in kinetics.md"), ""),
        ("k_lysosomal_proteolysis", 0.5, "1/h", assumed(
            "degradation of the linker-albumin left after release; the conjugate's hydrazone "
            "is assumed to survive proteolysis (a doxorubicin-hydrazone peptide still releases "
            "doxorubicin by hydrolysis), so only albumin-emch is degraded"), ""),
        ("k_vesicle_escape", 1.0, "1/h", assumed(
            "doxorubicin (weak base, trapped by acidic vesicles) leaving endosomes/lysosomes"), ""),
        ("k_hyd0", k_hyd0, "1/h", assumed(
            "EMCH hydrazone uncatalysed (water) hydrolysis, t1/2 ~ 0.8 y, so that the acid "
            "term dominates at pH 7.4 as well; no literature value (kinetics.md: NOT FOUND); "
            "fittable"), ""),
        ("k_hyd_H", k_hyd_h, "1/M/h", assumed(
            "specific-acid catalysis of the EMCH hydrazone in the Cordes & Jencks 1962 "
            "two-regime law k = k_hyd0 + k_hyd_H [H+]/(1 + [H+]/Ka), chosen to give release "
            "t1/2 = 3 h at pH 5 (ln2/3 h / 1e-5 M x (1 + 10^(pKa_hyd - 5))): 'cleaved in "
            "acidic endosomes/lysosomes' (Kratz 2002) within hours; t1/2 ~ 26 d at pH 7.4. "
            "Half-lives at pH 7.4/6/5/4 NOT FOUND (kinetics.md); fittable"), ""),
        ("pKa_hyd", pka_h, "dimensionless", assumed(
            "where the acid term of the Cordes & Jencks 1962 law saturates (rate-limiting "
            "step changes from carbinolamine decomposition to amine attack, Ka in "
            "k_hyd_H [H+]/(1 + [H+]/Ka)); placed half to one unit below lysosomal pH "
            "4.5-5.0 so that release is still acid-driven but levelling off in lysosomes; "
            "NOT FOUND for the EMCH hydrazone (kinetics.md); fittable"), ""),
    ]


def pk_rows() -> list[ParamRow]:
    """Free doxorubicin PK (Kontny 2013), doxorubicinol, tissue exchange."""
    return [
        ("CL_dox", 53.3, "L/h", cited("Kontny 2013 JCO, doxorubicin CL 53.3 L/h"), ""),
        ("f_doxorubicinol", 0.22, "dimensionless", cited(
            "Perez-Blanco 2016, fraction of doxorubicin to doxorubicinol 0.22 (50 mg/m2; "
            "their model's CL is 62.4 L/h, applied here as a fraction of Kontny's CL_dox)"), ""),
        ("Q_peripheral", 58.7, "L/h", cited("Kontny 2013 JCO, Q2 58.7 L/h"), ""),
        ("Q_peripheral2", 21.8, "L/h", cited("Kontny 2013 JCO, Q3 21.8 L/h"), ""),
        ("CL_mix", 500.0, "L/h", assumed(
            "fast exchange making plasma + central_tissue one well-mixed central compartment "
            "(equilibration ~1 min, well below the ~5 min distribution t1/2 of the label)"), ""),
        ("fu_dox", 0.25, "dimensionless", derived(
            "1 - 0.75: doxorubicin 75 % protein-bound (label)"), ""),
        ("k_doxorubicinol_elim", math.log(2) / 30.0, "1/h", assumed(
            "doxorubicinol elimination t1/2 30 h (order of doxorubicin's terminal t1/2 20-48 h, "
            "label); no doxorubicinol PK in kinetics.md"), ""),
        ("Q_heart", 15.0, "L/h", assumed(
            "coronary plasma flow ~250 mL/min, flow-limited exchange; not in kinetics.md"), ""),
        ("Q_tumor", 0.6, "L/h", assumed(
            "tumour perfusion ~0.1 mL/min/g x 100 g, flow-limited exchange; not in "
            "kinetics.md"), ""),
    ]


def cell_rows() -> list[ParamRow]:
    """Tumour-cell uptake, nuclear transfer, DNA intercalation, topo II DSBs, repair."""
    return [
        ("CL_cell_uptake", 10.0, "L/h", assumed(
            "passive membrane permeation of doxorubicin, interstitium <-> cytoplasm; with "
            "the 230-fold binding capacity (~12 L-equivalents) cells load within ~1 h"), ""),
        ("CL_nuclear", 1.0, "L/h", assumed("cytoplasm <-> nucleus through nuclear pores (fast)"), ""),
        ("K_dna", 7.0e5, "1/M", derived(
            "by analogy from daunomycin, not a doxorubicin measurement: daunomycin-DNA K = "
            "7.0e5 M^-1 at 0.2 M Na+ (Chaires 1982) taken for doxorubicin, which binds "
            "somewhat more tightly (Barcelo 1988), so this is a lower bound; the nuclear site "
            "density is derived with this K (DNA_SITES_UM) so that K x sites reproduces the "
            "cited 230-fold accumulation"), ""),
        ("k_off_dna", 60.0, "1/h", assumed(
            "intercalation dissociation ~1 min; only the equilibrium K is sourced"), ""),
        ("dsb_yield", 200.0, "1/uM/h", assumed(
            "topo II poisoning: DSBs per cell per hour per uM free nuclear doxorubicin; "
            "NOT FOUND in the literature (kinetics.md); fittable"), ""),
        ("k_dsb_repair", math.log(2) / 2.0, "1/h", assumed(
            "DSB repair t1/2 2 h (NHEJ repairs most DSBs within hours); not in kinetics.md"), ""),
    ]


#: Plausible ranges (declared units) of the assumed parameters: the bounds a fit and the
#: sensitivity analysis use, each with its reason. Assumed parameters not listed here
#: keep the default bounds (a factor 100 either side).
RANGES: dict[str, tuple[float, float, str]] = {
    "V_heart": (0.25, 0.4, "adult heart 250-400 g"),
    "V_tumor": (0.02, 0.06, "interstitial fraction 20-60 % of a 100 mL tumour"),
    "V_tumor_cell": (0.036, 0.072, "cytoplasm 40-80 % of a 100 mL tumour"),
    "V_tumor_nucleus": (0.003, 0.012, "nuclei 5-20 % of the cell volume"),
    "V_early_endosome": (1e-4, 1e-3, "0.2-2 % of the cytoplasm"),
    "V_late_endosome": (1e-4, 1e-3, "0.2-2 % of the cytoplasm"),
    "V_lysosome": (1e-4, 1e-3, "0.2-2 % of the cytoplasm"),
    "pH_plasma": (7.35, 7.45, "normal arterial pH range"),
    "pH_tumor": (6.5, 7.4, "acidic to normal interstitial pH"),
    "pH_late_endosome": (5.0, 6.1, "between lysosome 4.5-5.0 and early endosome 6.1-6.8 "
                         "(kinetics.md)"),
    "CL_mix": (100.0, 2000.0, "central mixing 0.2-5 min, faster than distribution"),
    "k_doxorubicinol_elim": (math.log(2) / 48.0, math.log(2) / 20.0,
                             "t1/2 20-48 h, doxorubicin's terminal range (label)"),
    "Q_heart": (9.0, 24.0, "coronary flow 150-400 mL/min"),
    "Q_tumor": (0.06, 6.0, "tumour perfusion 0.01-1 mL/min/g x 100 g"),
    "CL_cell_uptake": (1.0, 100.0, "an order of magnitude either way"),
    "CL_nuclear": (0.1, 10.0, "an order of magnitude either way"),
    "k_off_dna": (6.0, 600.0, "an order of magnitude either way"),
    "dsb_yield": (20.0, 2000.0, "an order of magnitude either way"),
    "k_dsb_repair": (math.log(2) / 8.0, math.log(2) / 0.5, "repair t1/2 0.5-8 h"),
    "f_other_release": (0.0, 1.0, "none to all of the drug in the other clearance routes"),
    "CL_epr": (2e-4, 2e-2, "from normal-tissue albumin escape (no EPR gain) to 10x the "
               "nominal EPR gain"),
    "CL_lymph": (5e-5, 5e-3, "an order of magnitude either way"),
    "k_endocytosis": (0.01, 1.0, "an order of magnitude either way"),
    "k_late_to_lysosome": (0.5, 5.0, "late-endosome residence 12 min-2 h"),
    "k_lysosomal_proteolysis": (0.05, 5.0, "an order of magnitude either way"),
    "k_vesicle_escape": (0.1, 10.0, "an order of magnitude either way"),
    "k_hyd0": (1e-5, 1e-3, "an order of magnitude either way (NOT FOUND)"),
    "k_hyd_H": (_K_HYD_H / 10.0, _K_HYD_H * 10.0, "an order of magnitude either way (NOT FOUND): release "
                "t1/2 at pH 5 from 18 min to 30 h"),
    "pKa_hyd": (3.0, 5.0, "one unit either way (NOT FOUND)"),
}


def aldoxorubicin_parameters(rows: Iterable[ParamRow]) -> tuple[Parameter, ...]:
    """Parameters from table rows, with the :data:`RANGES` bounds on assumed values.

    pH values and fractions vary on a linear scale, all other ranged values on log10.
    """
    out = []
    for p in parameters(rows):
        if p.name in RANGES and p.provenance.kind == "assumed":
            lo, hi, _ = RANGES[p.name]
            lin = p.name.startswith("pH_") or p.unit == "dimensionless"
            p = replace(p, bounds=(lo, hi), scale="lin" if lin else "log10")
        out.append(p)
    return tuple(out)
