"""Parameter tables of the aldoxorubicin/doxorubicin mechanism, with provenance.

Values are for the default patient (1.8 m**2 body surface area, mechsim.dosing.Patient).
Sources are the rows of ../shared/reference/kinetics.md; "derived" values say how they
were computed; "assumed" values say why they are defensible and stay fittable.
"""

from __future__ import annotations

import math

from mechsim.mechanisms.apoptosis._provenance import ParamRow, assumed, cited, derived

__all__ = [
    "BSA_M2", "CELL_VOLUME_PL", "DNA_SITES_UM", "MW_ALDOXORUBICIN", "MW_DOXORUBICIN",
    "albumin_rows", "cell_rows", "pk_rows", "volume_rows",
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


def volume_rows() -> list[ParamRow]:
    """Compartment volumes (L) and pH values."""
    return [
        ("V_plasma", 4.0 * BSA_M2, "L", derived(
            "aldoxorubicin-albumin Vd 3.96-4.08 L/m2 (Mita 2015) x 1.8 m2: the conjugate's "
            "space; free doxorubicin shares it with central_tissue"), ""),
        ("V_central_tissue", 17.7 - 4.0 * BSA_M2, "L", derived(
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
        ("pH_plasma", 7.4, "dimensionless", assumed("physiological blood pH"), ""),
        ("pH_tumor", 7.0, "dimensionless", assumed(
            "mildly acidic tumour interstitium; not in kinetics.md"), ""),
        ("pH_early_endosome", 6.5, "dimensionless", derived(
            "middle of early-endosome pH 6.1-6.8 (kinetics.md, secondary sources)"), ""),
        ("pH_late_endosome", 5.5, "dimensionless", assumed(
            "between early endosome and lysosome (progressive acidification, Huotari & "
            "Helenius 2011); no number in kinetics.md"), ""),
        ("pH_lysosome", 4.75, "dimensionless", derived(
            "middle of lysosomal pH 4.5-5.0 (kinetics.md, secondary sources)"), ""),
    ]


def albumin_rows() -> list[ParamRow]:
    """Conjugation, albumin-bound PK, EPR, endocytosis, trafficking, hydrazone hydrolysis."""
    k_conj = math.log(100.0) / (5.0 / 60.0) / 601.0
    t_rel_ph5 = 3.0
    return [
        ("albumin_thiol_0", 601.0, "uM", derived(
            "albumin 40 g/L / 66.5 kDa (kinetics.md: 35-50 g/L), one Cys34 per albumin"), ""),
        ("k_conjugation", k_conj, "1/uM/h", derived(
            "99 % coupling within 5 min at 601 uM Cys34 (Mita 2015 citing Kratz 2002): "
            "ln(100)/(5 min)/601 uM"), ""),
        ("k_albumin_turnover", math.log(2) / (19.0 * 24.0), "1/h", derived(
            "albumin t1/2 about 19 d (kinetics.md): ln2/456 h"), ""),
        ("CL_conjugate", 0.144 * BSA_M2, "L/h", derived(
            "aldoxorubicin CL 0.136-0.152 L/h/m2 (Mita 2015), midpoint x 1.8 m2"), ""),
        ("CL_epr", 0.002, "L/h", assumed(
            "EPR extravasation into the tumour: albumin leaves the circulation at 5 %/h "
            "(kinetics.md) ~0.002 L/h per L of tissue, x10 for leaky tumour vessels, x0.1 L "
            "tumour; fittable"), ""),
        ("CL_lymph", 0.0005, "L/h", assumed(
            "return of albumin from tumour interstitium (impaired lymphatics: EPR retention)"), ""),
        ("k_endocytosis", 0.1, "1/h", assumed(
            "fluid-phase/macropinocytic uptake of interstitial albumin by tumour cells"), ""),
        ("k_early_to_late", 60.0 / 11.5, "1/h", derived(
            "early-endosome residence 8-15 min (Huotari & Helenius 2011): 1/11.5 min"), ""),
        ("k_late_to_lysosome", 1.5, "1/h", assumed(
            "late endosome to lysosome fusion ~40 min; not in kinetics.md"), ""),
        ("k_lysosomal_proteolysis", 0.5, "1/h", assumed(
            "degradation of the linker-albumin left after release; the conjugate's hydrazone "
            "is assumed to survive proteolysis (a doxorubicin-hydrazone peptide still releases "
            "doxorubicin by hydrolysis), so only albumin-emch is degraded"), ""),
        ("k_vesicle_escape", 1.0, "1/h", assumed(
            "doxorubicin (weak base, trapped by acidic vesicles) leaving endosomes/lysosomes"), ""),
        ("k_hyd0", 1.0e-4, "1/h", assumed(
            "EMCH hydrazone uncatalysed hydrolysis (t1/2 ~ 0.8 y); no literature value "
            "(kinetics.md: NOT FOUND); fittable"), ""),
        ("k_hyd_H", math.log(2) / t_rel_ph5 / 1e-5, "1/M/h", assumed(
            "specific-acid catalysis of the EMCH hydrazone chosen to give release t1/2 = 3 h "
            "at pH 5 (ln2/3 h/1e-5 M) and ~4 weeks at pH 7.4; first-order [H+] regime of "
            "Cordes & Jencks 1962 (saturation below pH 4 neglected); NOT FOUND in the "
            "literature (kinetics.md); fittable"), ""),
    ]


def pk_rows() -> list[ParamRow]:
    """Free doxorubicin PK (Kontny 2013), doxorubicinol, tissue exchange."""
    return [
        ("CL_dox", 53.3, "L/h", cited("Kontny 2013 JCO, doxorubicin CL 53.3 L/h"), ""),
        ("f_doxorubicinol", 0.22, "dimensionless", cited(
            "Perez-Blanco 2016, fraction of doxorubicin to doxorubicinol 0.22"), ""),
        ("Q_peripheral", 58.7, "L/h", cited("Kontny 2013 JCO, Q2 58.7 L/h"), ""),
        ("Q_peripheral2", 21.8, "L/h", cited("Kontny 2013 JCO, Q3 21.8 L/h"), ""),
        ("CL_mix", 500.0, "L/h", assumed(
            "fast exchange making plasma + central_tissue one well-mixed central compartment "
            "(equilibration ~1 min, well below the ~5 min distribution t1/2 of the label)"), ""),
        ("fu_dox", 0.25, "dimensionless", derived("doxorubicin 75 % protein-bound (label)"), ""),
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
        ("K_dna", 7.0e5, "1/M", cited(
            "daunomycin-DNA K = 7.0e5 M^-1 at 0.2 M Na+ (Chaires 1982); doxorubicin binds "
            "somewhat more tightly (Barcelo 1988), so this is a lower bound"), ""),
        ("k_off_dna", 60.0, "1/h", assumed(
            "intercalation dissociation ~1 min; only the equilibrium K is sourced"), ""),
        ("dsb_yield", 200.0, "1/uM/h", assumed(
            "topo II poisoning: DSBs per cell per hour per uM free nuclear doxorubicin; "
            "NOT FOUND in the literature (kinetics.md); fittable"), ""),
        ("k_dsb_repair", math.log(2) / 2.0, "1/h", assumed(
            "DSB repair t1/2 2 h (NHEJ repairs most DSBs within hours); not in kinetics.md"), ""),
    ]
