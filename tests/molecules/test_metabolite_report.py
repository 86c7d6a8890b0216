"""The metabolite tree in the demo report: runs without SyGMa, writes the figure and the files."""

from __future__ import annotations

from pathlib import Path

from mechsim.molecules._enumerate_report import DEMO_TOP, demo_tree, metabolite_tree_section


def test_demo_tree_follows_the_activation_chemistry(library) -> None:
    tree = demo_tree(library)
    found = {m.library_id for m in tree.metabolites if m.library_id}
    # the curated spontaneous route downstream of 4-hydroxytrofosfamide
    assert {"aldotrofosfamide", "trofosfamide-mustard", "acrolein", "trofosfamide-mustard-aziridinium"} <= found
    # scores are products of probabilities in (0, 1], ancestors first
    for m in tree.top(DEMO_TOP):
        assert 0 < m.score <= 1
    assert [m.score for m in tree.top(DEMO_TOP)] == sorted((m.score for m in tree.top(DEMO_TOP)), reverse=True)


def test_section_writes_figure_and_tables(tmp_path: Path, library) -> None:
    lines = metabolite_tree_section(tmp_path, library)
    folder = tmp_path / "molecules" / "metabolite_tree"
    assert (folder / "tree.png").read_bytes()[:4] == b"\x89PNG"
    assert (folder / "metabolites.csv").is_file() and (folder / "tree.json").is_file()
    text = "\n".join(lines)
    assert "![metabolite tree](molecules/metabolite_tree/tree.png)" in text
    assert sum(line.startswith("| ") and line[2].isdigit() for line in lines) == DEMO_TOP
    assert "| 1 | 1 | ring-chain-tautomerism | aldotrofosfamide |" in text
