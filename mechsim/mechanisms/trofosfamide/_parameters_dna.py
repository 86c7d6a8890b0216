"""Parameters of the mustard chemistry, DNA alkylation and repair (values, units, provenance).

Conventions as in :mod:`._parameters`. The aziridinium branch ratios come from
Shulman-Roskes et al. 1998 (bis-alkylation 10-13 % in water, 55-76 % with 50 mM
thiosulfate); absolute aziridinium rates, the guanine-N7 rate constant and repair rates
are NOT FOUND in kinetics.md and are assumed (fittable).

DNA content: a diploid human nucleus holds 6.4e9 bp = 1.28e10 nucleotides; tumour tissue
holds 2e8 cells/mL (assumed) with 41 % GC, so guanine sites are ~435 uM of tissue.
"""

from __future__ import annotations

from collections.abc import Mapping

from mechsim.mechanisms.trofosfamide._provenance import assumed, cite, derived, fitted, param
from mechsim.network import Parameter

__all__ = ["chemistry_parameters"]

_SR98 = "Shulman-Roskes et al. 1998, J Med Chem 41:515"


def chemistry_parameters(cal: Mapping[str, float]) -> list[Parameter]:
    """Mustard cyclisation, aziridinium fates, DNA adducts and repair; ``cal`` = fitted values."""
    return [
        # ---------------------------------------------------------------- constants
        param("c_molar", 1.0, "M", derived("1 mol/L, converts [H+] = 10**-pH M into a concentration"),
              (1.0, 1.0), fixed=True, scale="lin"),
        param("avogadro", 6.02214076e17, "1/umol", derived("SI defining constant N_A (6.02214076e23 / mol)"),
              (6.02214076e17, 6.02214076e17), fixed=True, scale="lin"),
        param("cell_density_tumor", 2.0e11, "cell/L", assumed(
            "~2e8 cells/mL of tumour tissue (cells of ~2 pL at ~40 % cellular volume fraction)"), (5e10, 1e12)),
        param("nt_per_cell", 1.28e10, "nt/cell", assumed(
            "diploid human genome 6.4e9 bp = 1.28e10 nucleotides per nucleus (G1)"), (1.28e10, 2.56e10)),
        param("f_guanine", 0.205, "1/nt", assumed("human genome GC content ~41 %, so 0.205 guanines per nucleotide"),
              (0.15, 0.25), scale="lin"),
        param("pH_vitro", 7.4, "dimensionless", cite(_SR98 + " and Hemminki 1987: 37 C, pH 7.4 buffer"),
              (1.0, 13.0), scale="lin"),
        # ---------------------------------------------------------------- cyclisation
        param("pKa_IPM", 4.31, "dimensionless", cite("Millis et al. 1995, J Med Chem 38:2166"), (3.5, 5.5), scale="lin"),
        param("pKa_PM", 4.9, "dimensionless", cite("Gamcsik et al. 1993, PMID 8246232"), (4.0, 6.0), scale="lin"),
        param("pKa_IPM_aziridine", 5.30, "dimensionless", cite("Millis et al. 1995: IPM aziridine pKa"),
              (4.5, 6.5), scale="lin"),
        param("k_cyc_IPM", 6.67e-6, "1/s", cite(
            "Hong, Wilson & Hicks 2019, Neoplasia 21:159: IPM medium loss (fitted in HCT116 model), "
            "taken as the anion's cyclisation rate"), (1e-7, 1e-3)),
        param("k_cyc_PM", cal.get("k_cyc_PM", 2.08), "1/h", fitted(
            "loss t1/2 20 min at 37 C, pH 7.4 (Hemminki 1987, nor-nitrogen mustard as surrogate for PM)"),
            (0.1, 50.0)),
        param("kH_protonation_aziridine", 1e11, "1/M/h", assumed(
            "protonation of the IPM aziridine is fast (near diffusion control), so aziridine <=> aziridinium "
            "is a rapid equilibrium set by pKa 5.30; the exact value does not matter"), (1e9, 1e13)),
        # ---------------------------------------------------------------- aziridinium fates
        param("k_hyd_aziridinium", 5.0, "1/h", assumed(
            "aziridinium + water; absolute rate NOT FOUND (kinetics.md); only its ratio to P-N cleavage "
            "is constrained (" + _SR98 + ")"), (0.5, 100.0)),
        param("k_PN_aziridinium", cal.get("k_PN_aziridinium", 9.75), "1/h", fitted(
            "bis-alkylation 10-13 % of PM products in water (" + _SR98 + ")"), (0.1, 1000.0)),
        param("k_thiosulfate_aziridinium", cal.get("k_thiosulfate_aziridinium", 680.0), "1/M/h", fitted(
            "bis-alkylation 55-76 % of PM products with 50 mM thiosulfate (" + _SR98 + ")"), (1.0, 1e6)),
        param("GSH_per_thiosulfate", 50.0 / 82.5, "dimensionless", derived(
            "55-110 mM GSH (midpoint 82.5 mM) gives the same bis-alkylation as 50 mM thiosulfate "
            "(" + _SR98 + "), so k_GSH = k_thiosulfate x 50 / 82.5"), (0.2, 2.0)),
        param("k_guanine_aziridinium", 76.0, "1/M/h", assumed(
            "aziridinium + guanine-N7 NOT FOUND; order of magnitude from the sulfur-mustard ICL yield "
            "0.12 ICL per 1e9 Da DNA per uM (kinetics.md), i.e. ~0.4 % of aziridinium reaching DNA"),
            (1.0, 1e5)),
        param("thiosulfate_vitro", 50.0, "mM", cite(_SR98 + ": 50 mM thiosulfate"), (1.0, 200.0)),
        param("PM_vitro", 1.0, "mM", assumed("in-vitro PM concentration; results are first order in PM"), (0.1, 10.0)),
        # ---------------------------------------------------------------- second arm of G adducts
        param("t_half_arm2_IPM", 4.0, "h", cite(
            "Hemminki 1987, Chem Biol Interact: second arm of the NOR-G monoadduct hydrolyses with t1/2 4 h "
            "(37 C, pH 7.4); applied to IPM-G, whose arms are also on secondary N"), (1.0, 16.0)),
        param("t_half_arm2_PM", cal.get("t_half_arm2_PM", 2.38), "h", fitted(
            "PM-N7-guanine adduct decay t1/2 2.3 h, 37 C, pH 7.4 (Mehta et al. 1980, Cancer Res 40:4183)"),
            (0.5, 20.0)),
        param("pKa_arm2", 7.5, "dimensionless", cite(
            "Hemminki 1987: arm pKa ~7.5; cross-link at pH 7.4, only hydrolysis at pH 5"), (6.5, 8.5), scale="lin"),
        param("pH_arm2_reference", 7.4, "dimensionless", cite("Hemminki 1987: t1/2 measured at pH 7.4"),
              (7.4, 7.4), fixed=True, scale="lin"),
        param("f_ICL", 0.05, "dimensionless", assumed(
            "fraction of second-arm reactions of a DNA monoadduct that give an interstrand cross-link at "
            "pH 7.4: 'small; no number for mustards (platinum < 5 %)' (Wang, McHugh & Hartley 2013)"),
            (0.005, 0.3)),
        param("t_half_depurination", 70.0, "h", cite(
            "Osborne & Phillips 2000, Chem Res Toxicol 13:257: 7-methylguanine t1/2 70 h (39 C)")),
        param("f_depurination_ICL", 0.5, "dimensionless", assumed(
            "'cross-link depurinates more slowly' (Osborne & Phillips 2000); no number, half assumed"),
            (0.05, 1.0)),
        param("t_half_AP_repair", 2.0, "h", assumed("abasic sites are repaired by BER within hours"), (0.2, 24.0)),
        # ---------------------------------------------------------------- repair
        param("k_excision_mono", 0.029, "1/h", assumed(
            "BER/NER excision of N7-alkylguanine monoadducts at low load, t1/2 ~24 h; NOT FOUND"), (0.001, 1.0)),
        param("Km_excision_mono", 1.0e4, "1/cell", assumed(
            "excision saturates at ~1e4 monoadducts per cell (limited glycosylase/NER capacity)"), (1e2, 1e6)),
        param("k_unhook_ICL", 0.0229, "1/h", derived(
            "60 % of ICLs unhooked at 40 h (first order, -ln(0.4)/40 h): midpoint of 42-100 % for melphalan "
            "in relapsed myeloma (Spanswick et al. 2002, Blood 100:224; none in drug-naive cells)"),
            (1e-4, 0.5)),
        param("Km_unhook_ICL", 50.0, "1/cell", assumed(
            "ICL unhooking (FA/NER/HR) saturates at tens of ICLs per cell; NOT FOUND"), (1.0, 5000.0)),
        param("GSH_tumor0", 5000.0, "uM", assumed("intracellular GSH ~5 mM"), (500.0, 15000.0)),
        param("t_half_GSH_turnover", 5.0, "h", assumed("hepatic/tumour GSH turnover of hours"), (0.5, 50.0)),
        param("k_membrane_mustard", 5e-4, "1/s", cite(
            "Hong, Wilson & Hicks 2019: IPM membrane k_in = k_out = 5e-4 /s (HCT116); also used for PM")),
    ]
