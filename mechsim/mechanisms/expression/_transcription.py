"""mRNA layer: one relative mRNA per gene, driven by the transcription factor the literature assigns it.

Each mRNA ``m`` (dimensionless, 1 at the untreated steady state) obeys first-order
synthesis and decay::

    dm/dt = ln2 / t_half * (promoter / promoter_baseline - m)

so ``log2(m)`` is the log2 fold change over the untreated steady state. Promoters:

* p53 activates BBC3 (PUMA), PMAIP1 (NOXA) and BAX with the same Hill term the
  apoptosis module uses for their proteins (``K_p53_apo``, ``n_p53_apo``; basal + induced
  synthesis); GADD45A, a high-affinity cell-cycle-arrest target, with the Mdm2/Wip1
  promoter term ``p53_tx`` (``K_p53_tx``, ``n_p53_tx``) above a basal share.
* p53 represses MCL1 and BCL2A1 (the apoptosis module's ``1 / (1 + (p53/K_p53_rep)^2)``)
  and MYC (p53-dependent repression of the c-myc promoter, Ho et al. 2005, Mol Cell Biol
  25:7423), with the same term.
* NRF2 (ARE activity ``are_rel``) drives HMOX1, NQO1, GCLC and GCLM.
* MAPK1 (ERK2) has no drug-responsive transcription factor in the model: a constitutive
  (housekeeping) promoter, so the model predicts no change.

Half-lives: the median mammalian mRNA half-life (Schwanhaeusser 2011) for every gene but
MYC, whose mRNA is short-lived (Jones & Cole 1987). Nothing here is set per gene to
reach a seed direction.
"""

from __future__ import annotations

from dataclasses import dataclass

from mechsim.mechanisms.apoptosis import BASELINE
from mechsim.mechanisms.apoptosis._provenance import ParamRow, assumed, cited, derived
from mechsim.network import RateRule

__all__ = ["GENES", "Gene", "transcription_parts", "transcription_rows"]


@dataclass(frozen=True)
class Gene:
    """One modelled transcript: HGNC ``symbol``, the seed's name, driver and half-life parameter."""

    symbol: str
    seed_name: str
    driver: str
    promoter: str
    half_life: str = "t_half_mrna_median"


_ACT = "{{p53@{c}}}**n_p53_apo / (K_p53_apo**n_p53_apo + {{p53@{c}}}**n_p53_apo)"
_ACT_REF = "p53_baseline**n_p53_apo / (K_p53_apo**n_p53_apo + p53_baseline**n_p53_apo)"
_TX = "{{p53@{c}}}**n_p53_tx / (K_p53_tx**n_p53_tx + {{p53@{c}}}**n_p53_tx)"
_TX_REF = "p53_baseline**n_p53_tx / (K_p53_tx**n_p53_tx + p53_baseline**n_p53_tx)"
_REP = "(1 + (p53_baseline / K_p53_rep)**2) / (1 + ({{p53@{c}}} / K_p53_rep)**2)"


def _induced(gene: str) -> str:
    return (f"(ksyn_{gene}_basal + ksyn_{gene} * {_ACT}) / "
            f"(ksyn_{gene}_basal + ksyn_{gene} * {_ACT_REF})")


#: The genes of the trofosfamide gene-expression seed that act inside cells.
GENES: tuple[Gene, ...] = (
    Gene("GADD45A", "GADD45", "p53 (activator)",
         f"(f_basal_gadd45a + (1 - f_basal_gadd45a) * {_TX}) / "
         f"(f_basal_gadd45a + (1 - f_basal_gadd45a) * {_TX_REF})"),
    Gene("MAPK1", "MAPK1", "none (constitutive)", "1"),
    Gene("MYC", "MYC", "p53 (repressor)", _REP, "t_half_mrna_myc"),
    Gene("BCL2A1", "BCL2A1", "p53 (repressor)", _REP),
    Gene("MCL1", "MCL1", "p53 (repressor)", _REP),
    Gene("BBC3", "PUMA", "p53 (activator)", _induced("puma")),
    Gene("PMAIP1", "NOXA", "p53 (activator)", _induced("noxa")),
    Gene("BAX", "BAX", "p53 (activator)", _induced("bax")),
    Gene("HMOX1", "HMOX1", "NRF2 (ARE)", "are_rel"),
    Gene("NQO1", "NQO1", "NRF2 (ARE)", "are_rel"),
    Gene("GCLC", "GCLC", "NRF2 (ARE)", "are_rel"),
    Gene("GCLM", "GCLM", "NRF2 (ARE)", "are_rel"),
)


def transcription_rows() -> list[ParamRow]:
    """Parameter table of the mRNA layer."""
    return [
        ("t_half_mrna_median", 9.0, "h", cited(
            "Schwanhaeusser et al. 2011 (Nature 473:337): median mRNA half-life 9 h (NIH3T3); "
            "Sharova et al. 2009 (DNA Res 16:45) report a median of 7.1 h; gene-specific "
            "half-lives of the modelled genes not in kinetics.md"), "median mRNA half-life"),
        ("t_half_mrna_myc", 0.5, "h", cited(
            "Jones & Cole 1987 (Mol Cell Biol 7:4513): c-myc mRNA cytoplasmic half-life 30 min "
            "or less"), "MYC mRNA half-life"),
        ("f_basal_gadd45a", 0.2, "dimensionless", assumed(
            "p53-independent share of GADD45A transcription at full p53 activation; not in "
            "kinetics.md; fittable"), ""),
        ("p53_baseline", BASELINE["p53"], "nM", derived(
            "untreated steady state of the apoptosis module's p53 (mechsim.mechanisms.apoptosis."
            "BASELINE, nominal parameters)"), "reference p53 of the promoters"),
    ]


def transcription_parts(cell: str, genes: tuple[Gene, ...] = GENES) -> dict:
    """Rate rules ``mrna_<SYMBOL>`` (dimensionless, 1 at baseline) of ``genes`` in ``cell``.

    ``cell`` is the signalling compartment holding ``p53`` (the apoptosis module's) and
    ``NRF2`` (the oxidative module's).
    """
    rules = []
    for gene in genes:
        promoter = gene.promoter.format(c=cell) if "{" in gene.promoter else gene.promoter
        rules.append(RateRule(
            f"mrna_{gene.symbol}", f"log(2) / {gene.half_life} * ({promoter} - mrna_{gene.symbol})",
            1.0, "dimensionless",
            description=f"{gene.symbol} mRNA relative to untreated ({gene.driver})"))
    return {"rate_rules": tuple(rules)}
