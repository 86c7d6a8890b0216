"""Recall of rule-based metabolite enumeration against the curated pathways (issue #24).

For each parent (trofosfamide, ifosfamide, cyclophosphamide, aldoxorubicin) this enumerates
metabolites with SyGMa's phase-I/II rules plus mechsim's non-enzymatic rules
(``mechsim molecules enumerate``) and looks up every *curated metabolite* of that parent in the
ranked list by InChIKey.

Curated metabolites of a parent: the library molecules reachable from it through the curated
transformations (``molecules/transformations.yaml``), leaving out DNA chemistry (guanine
alkylation, cross-links, adduct arm hydrolysis, depurination: adducts, not metabolites),
cofactors, and fragments the enumeration drops by design (fewer than 3 heavy atoms or no
carbon: chloride). For each we give the curated path length (enzymatic steps / all steps),
whether the enumeration found it, its rank and score, and why it was missed.

Usage: ``python benchmarks/enumeration_recall.py [--depth 3] [--top 30] [--out FILE.md]``.
Needs the ``sygma`` package (``pip install wheel && pip install --no-build-isolation sygma``).
"""

from __future__ import annotations

import argparse
import platform
import time
from collections import deque
from pathlib import Path

import rdkit

from mechsim._io import atomic_write_text
from mechsim.molecules import Role, default_library
from mechsim.molecules._enumerate import MIN_HEAVY_ATOMS, enumerate_metabolites
from mechsim.molecules._rules import load_rules

PARENTS = ("trofosfamide", "ifosfamide", "cyclophosphamide", "aldoxorubicin")
DNA_TYPES = {"guanine-n7-alkylation", "crosslink", "arm-hydrolysis", "depurination"}
SKIPPED_ROLES = {Role.COFACTOR, Role.DNA_ADDUCT}
OXAZAPHOSPHORINES = {"trofosfamide", "ifosfamide", "cyclophosphamide"}


def curated_metabolites(parent: str) -> dict[str, tuple[int, int, tuple[str, ...]]]:
    """Library id -> (enzymatic steps, all steps, transformation ids) on the shortest curated path."""
    lib = default_library()
    best: dict[str, tuple[int, int, tuple[str, ...]]] = {parent: (0, 0, ())}
    queue = deque([parent])
    while queue:
        here = queue.popleft()
        e, s, path = best[here]
        for t in lib.transformations:
            if here not in t.reactants or t.type.value in DNA_TYPES:
                continue
            step = (e + (t.enzyme.value != "none"), s + 1, (*path, t.id))
            for product in t.products:
                if product not in best or step[:2] < best[product][:2]:
                    best[product] = step
                    queue.append(product)
    out = {}
    for ident, value in best.items():
        m = lib.by_id[ident]
        if ident == parent or m.role in SKIPPED_ROLES:
            continue
        if m.mol.GetNumHeavyAtoms() < MIN_HEAVY_ATOMS or "C" not in m.formula:
            continue
        out[ident] = value
    return out


#: Whether a candidate family would matter kinetically, by the first enzymatic rule on its path
#: (the chemist's reading of kinetics.md; no rate for any of them is in the reference).
KINETIC_NOTES = {
    "hydrolysis_(X=X-X_exclude_phosphate)": "P-N/P-O cleavage of the intact prodrug: not reported in vivo "
    "(kinetics.md lists only CYP routes); would matter only if it competed with 4-hydroxylation; no rate.",
    "aliphatic_dehalogenation": "Cl -> OH on a prodrug arm: a non-alkylating prodrug; would lower the active "
    "fraction if fast; not reported; no rate.",
    "aliphatic_hydroxylation_(sec_carbon_in_a_ringA)": "C5-hydroxylation of the ring: not reported; an inactive "
    "branch at most.",
    "N-dealkylation_(tertiaryN-CH2-alkyl)": "dechloroethylation (curated route) or ring N-C cleavage; "
    "the ring opening is not reported.",
    "N-dealkylation_(R-NHCH2-alkyl)": "dechloroethylation of the exocyclic NH (curated route for IFO).",
    "oxidation_(amine_in_a_ring)": "4-keto form (curated) in one step instead of 4-OH then oxidation.",
    "primary_alcohol_oxidation_(aliphatic)": "oxidation of an alcohol made by an earlier step: a detoxified end "
    "product, kinetically irrelevant.",
    "O-glucuronidation_(aliphatic_hydroxyl)": "phase II conjugate of a hydroxy metabolite: elimination only.",
}


#: What the tables say, written by hand from the recorded run (rerun: check it still holds).
READING = [
    "- **Target not met for the oxazaphosphorines.** The issue asks for every curated metabolite in the "
    "top 30 at depth 3. Trofosfamide has 34 curated metabolites, more than 30 places, so it cannot be met "
    "there by construction. For ifosfamide and cyclophosphamide every curated metabolite one enzymatic step "
    "away is in the top 30 except the chloroacetaldehyde-glutathione conjugate (the assumed GSH "
    "trapping probability puts it at rank ~230) and the hydroxy, glutathione and thiosulfate "
    "forms of the mustard (the assumed trapping probabilities 0.5/0.3/0.1 put them at ranks 48-208); the "
    "carboxy forms (two enzymatic steps: 0.046 x ALDH 0.5) rank about 40-45. For trofosfamide the "
    "metabolites of its metabolites ifosfamide and cyclophosphamide score 0.119 x 0.046 = 0.0055 and rank "
    "about 180-200.",
    "- **Why the activation ranks low.** SyGMa scores C4-hydroxylation with its generic rule "
    "`aliphatic_hydroxylation_(sec_carbon_next_to_SP2,in_a_ring)`, 97 of 2110 = 0.046, below its "
    "generic P-N/P-O `hydrolysis_(X=X-X_exclude_phosphate)` (0.174), `aliphatic_dehalogenation` (0.12) and "
    "`N-dealkylation_(tertiaryN-CH2-alkyl)` (0.119). Those products, and the aziridinium forms that "
    "the hydrolysed P-OH products make spontaneously (probability 1), take the top places. The rules "
    "carry no knowledge that CYP 4-hydroxylation is a main route of these prodrugs (carboxyphosphamide "
    "alone is 11-23 % of a cyclophosphamide dose in urine, while none of SyGMa's favoured hydrolysis or "
    "dechlorination products is among the reported urinary metabolites, kinetics.md §1); no mechsim rule adds it, so the recall measures SyGMa's generic rules, not the "
    "curated answer.",
    "- **Chloroacetaldehyde is found with the dechloroethylation** (rank 8-11, score 0.119): SyGMa's "
    "N-dealkylation rules write the leaving group as an alcohol (2-chloroethanol); mechsim reads them with "
    "the leaving group as the aldehyde the carbinolamine releases (Guengerich 2001; "
    "`mechsim.molecules._rules.carbonyl_leaving_group`). Before that change chloroacetaldehyde ranked "
    "1087 (trofosfamide) and 192 (ifosfamide), reached only via an unrelated hydrolysis/deamination path.",
    "- **Aldoxorubicin**: all five curated metabolites are in the top 7 because the designed chemistry "
    "(Cys34 addition, hydrazone hydrolysis) carries probability 1 and SyGMa's ketone reduction gives "
    "doxorubicinol (0.349). Candidates changing the cysteine model (N-demethylation, N-deacetylation, "
    "sulfoxide) are artefacts of the albumin stand-in; the doxorubicin aglycones (O-deglycosidation) and "
    "O-demethylation are known minor doxorubicin metabolites, a few % of a dose: not worth a species in "
    "the kinetic network.",
    "- **Would the new oxazaphosphorine candidates matter kinetically?** Only through competition with "
    "4-hydroxylation: P-N/P-O hydrolysis, dechlorination (Cl -> OH) and C5-hydroxylation of the intact "
    "prodrug are not reported in vivo and have no rate in kinetics.md, so they stay out of the network. "
    "The further aziridinium/aziridine forms of the mustards are real (sequential aziridinyl intermediates, "
    "Springer 1998) and alkylating; the network lumps them into the curated aziridinium.",
]


def kinetic_note(pathway: tuple[str, ...], rules: dict[str, object]) -> str:
    if "beta-elimination" in pathway and pathway[-1].startswith("aziridinium"):
        return ("a further aziridinium/aziridine of the active mustard (bis-alkylation runs through "
                "sequential aziridinyl intermediates, Springer 1998): kinetically relevant as an alkylating "
                "species; the network lumps it into the curated aziridinium; rates NOT FOUND.")
    for rule_id in pathway:
        if rule_id in KINETIC_NOTES:
            return KINETIC_NOTES[rule_id]
    first = next((r for r in pathway if getattr(rules[r], "enzymatic", False)), pathway[0] if pathway else "")
    return f"follows {first}; not in kinetics.md, kinetic weight unknown"


def why_missed(ident: str, steps: tuple[int, int, tuple[str, ...]], depth: int) -> str:
    lib = default_library()
    first = [lib.transformation(t) for t in steps[2]]
    if steps[0] > depth:
        return f"needs {steps[0]} enzymatic steps > depth {depth}"
    if ident == "chloroacetaldehyde":
        return ("SyGMa's N-dealkylation writes the leaving group as the alcohol (2-chloroethanol, "
                "found) not the aldehyde")
    kinds = ", ".join(sorted({t.type.value for t in first}))
    return f"no rule reproduces one of: {kinds}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depth", type=int, default=3)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--max-expansions", type=int, default=3000)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "enumeration_recall.md")
    args = parser.parse_args()
    lib = default_library()
    rules = load_rules()
    lines = [
        "# Metabolite enumeration: recall against the curated pathways",
        "",
        f"`python benchmarks/enumeration_recall.py --depth {args.depth} --top {args.top}` "
        f"on {platform.node() or 'this machine'} ({platform.machine()}, {platform.processor() or '?'}), "
        f"Python {platform.python_version()}, RDKit {rdkit.__version__}, "
        f"{sum(r.rule_set.startswith('sygma') for r in rules)} SyGMa rules + "
        f"{sum(r.rule_set == 'mechsim' for r in rules)} mechsim rules. Wall times are for orientation only "
        "(a shared 2-core machine with other jobs running).",
        "",
        "Depth counts enzymatic steps; spontaneous steps (ring-chain tautomerism, beta-elimination, "
        "aziridinium chemistry, hydrolysis, thiol addition) follow without using depth. "
        "Score = product of the rule probabilities along the best path. Rank 1 = best metabolite "
        "(the parent is not ranked). `curated e/s`: enzymatic/all steps on the shortest curated path.",
        "",
    ]
    summary = []
    candidates = []
    for parent in PARENTS:
        t0 = time.perf_counter()
        tree = enumerate_metabolites(parent, depth=args.depth, rules=rules, max_expansions=args.max_expansions)
        wall = time.perf_counter() - t0
        curated = curated_metabolites(parent)
        lines += [f"## {parent}", "",
                  f"{len(tree.metabolites)} metabolites, {tree.expanded} molecules expanded"
                  f"{f' (stopped by --max-expansions: ranks exact down to score {tree.truncated_at:.3g})' if tree.truncated else ''}"
                  f", {wall:.1f} s.", "",
                  "| curated metabolite | curated e/s | rank | score | rule path | note |",
                  "|---|---|---|---|---|---|"]  # fmt: skip
        within, target, within1, target1 = 0, 0, 0, 0
        for ident, steps in sorted(curated.items(), key=lambda kv: (kv[1][:2], kv[0])):
            m = tree.find(lib.by_id[ident].inchikey)
            in_scope = steps[0] <= args.depth
            target += in_scope
            target1 += steps[0] <= 1
            if m is None:
                lines.append(f"| {ident} | {steps[0]}/{steps[1]} | missed | | | {why_missed(ident, steps, args.depth)} |")
                continue
            ok = m.rank <= args.top
            within += ok and in_scope
            within1 += ok and steps[0] <= 1
            note = "" if m.library_match == "exact" else f"{m.library_match} match"
            flag = "" if ok else f" (beyond top {args.top})"
            lines.append(f"| {ident} | {steps[0]}/{steps[1]} | {m.rank}{flag} | {m.score:.3g} | "
                         f"{' > '.join(m.pathway)} | {note} |")  # fmt: skip
        summary.append((parent, within, target, within1, target1, len(curated)))
        lines += ["", f"Within the top {args.top}: {within} of the {target} curated metabolites "
                  f"reachable in {args.depth} enzymatic steps ({len(curated)} curated in all).", ""]
        new = [m for m in tree.top(args.top) if not m.in_library]
        candidates.append((parent, new))
    lines += ["## Summary", "", f"| parent | curated in top {args.top} / reachable at depth {args.depth} | "
              f"of those one enzymatic step away: in top {args.top} | curated in all |", "|---|---|---|---|"]  # fmt: skip
    lines += [f"| {p} | {w} / {t} | {w1} / {t1} | {n} |" for p, w, t, w1, t1, n in summary]
    lines += ["", f"## Candidates not in the library (top {args.top} of each parent)", "",
              "| parent | rank | score | SMILES | rule path | would it matter kinetically? |",
              "|---|---|---|---|---|---|"]  # fmt: skip
    by_id = {r.id: r for r in rules}
    for parent, new in candidates:
        lines += [f"| {parent} | {m.rank} | {m.score:.3g} | `{m.smiles}` | {' > '.join(m.pathway)} | "
                  f"{kinetic_note(m.pathway, by_id)} |" for m in new]  # fmt: skip
    lines += ["", "## Reading", "", *READING]
    text = "\n".join(lines) + "\n"
    atomic_write_text(args.out, text)
    print(text)


if __name__ == "__main__":
    main()
