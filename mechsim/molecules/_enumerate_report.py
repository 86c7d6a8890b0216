"""The metabolite tree as a report section (``mechsim demo``): figure, table and files.

The demo must run without the optional ``sygma`` package, so it uses mechsim's own rules only
(``molecules/enumeration_rules.yaml``). Those encode the non-enzymatic chemistry and leave the
enzymatic steps (CYP, ALDH) to SyGMa by design, so the tree starts at trofosfamide's CYP product,
4-hydroxytrofosfamide (the curated step ``trofosfamide-4-hydroxylation``), and shows everything
that follows spontaneously: ring opening, β-elimination to the mustard and acrolein, the
aziridinium ions and their hydrolysis and thiol products.
"""

from __future__ import annotations

from pathlib import Path

from mechsim.molecules._enumerate import MetaboliteTree, enumerate_metabolites
from mechsim.molecules._enumerate_write import write_metabolite_tree
from mechsim.molecules._library import Library, resolve
from mechsim.molecules._rules import load_rules

#: Root of the demo tree: the product of trofosfamide's curated CYP 4-hydroxylation.
DEMO_ROOT = "4-hydroxytrofosfamide"
#: Enzymatic steps per path (the mechsim rules have none, so spontaneous steps set the tree).
DEMO_DEPTH = 2
#: Metabolites drawn and tabulated.
DEMO_TOP = 12


def demo_tree(library: Library | None = None) -> MetaboliteTree:
    """The demo's metabolite tree: :data:`DEMO_ROOT` with mechsim's rules, depth :data:`DEMO_DEPTH`."""
    lib = resolve(library)
    return enumerate_metabolites(DEMO_ROOT, depth=DEMO_DEPTH, rules=load_rules(("mechsim",), lib), library=lib)


def metabolite_tree_section(out_dir: str | Path, library: Library | None = None) -> list[str]:
    """Markdown lines of the section; writes ``molecules/metabolite_tree/`` under ``out_dir``
    (``tree.png``, ``metabolites.csv``, ``tree.json``)."""
    out_dir = Path(out_dir)
    folder = out_dir / "molecules" / "metabolite_tree"
    tree = demo_tree(library)
    write_metabolite_tree(tree, folder, DEMO_TOP)
    rel = folder.relative_to(out_dir).as_posix()
    lines = [
        "### Metabolite tree after trofosfamide's activation (rules)", "",
        f"`mechsim molecules enumerate {DEMO_ROOT} --rules mechsim --depth {DEMO_DEPTH}`: mechsim's "
        "non-enzymatic rules (ring-chain tautomerism, β-elimination, aziridinium formation, "
        "hydrolysis, thiol addition; `molecules/enumeration_rules.yaml`) applied from "
        "4-hydroxytrofosfamide, the product of the curated CYP step. The enzymatic steps before it "
        "(and the phase I/II alternatives) need SyGMa's rules (`--rules sygma,mechsim`, optional "
        "extra `metabolites`). Score = product of the rule probabilities along the path "
        "(dimensionless). Changed atoms are highlighted; each arrow carries the rule, its "
        "probability and the path score; red labels are products not in the curated library "
        f"([metabolites.csv]({rel}/metabolites.csv), [tree.json]({rel}/tree.json)).", "",
        f"![metabolite tree]({rel}/tree.png)", "",
        "| rank | score | rule | library | SMILES |", "|---|---|---|---|---|",
    ]  # fmt: skip
    for m in tree.top(DEMO_TOP):
        lines.append(f"| {m.rank} | {m.score:.3g} | {m.rule} | {m.library_id or 'new'} | `{m.smiles}` |")
    return [*lines, ""]
