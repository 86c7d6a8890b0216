"""The demo report shows the highlighted structures inline in index.html, at one drawing scale."""

from __future__ import annotations

import re
import statistics

from rdkit import Chem

from mechsim.molecules import Role, default_library, draw_same_scale, reactive_groups
from mechsim.report._demo import _html, _molecule_section

_SVG = re.compile(r"<svg.*?</svg>", re.S)
_LINE = re.compile(r"<path class='bond-(\d+) atom-\d+ atom-\d+' d='M ([\d.]+),([\d.]+) L ([\d.]+),([\d.]+)'")


def drawn_bond_px(svg: str, mol: Chem.Mol) -> float:
    """Median drawn length (px) of the C-C single bonds: unlabelled ends, drawn end to end."""
    longest: dict[int, float] = {}
    for m in _LINE.finditer(svg):
        idx = int(m.group(1))
        x0, y0, x1, y1 = map(float, m.groups()[1:])
        longest[idx] = max(longest.get(idx, 0.0), ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5)
    cc = [
        longest[b.GetIdx()]
        for b in mol.GetBonds()
        if b.GetIdx() in longest and b.GetBondType() == Chem.BondType.SINGLE
        and b.GetBeginAtom().GetSymbol() == b.GetEndAtom().GetSymbol() == "C"
    ]
    assert cc, "no C-C single bond drawn"
    return statistics.median(cc)


def test_small_and_large_molecules_share_one_bond_length():
    lib = default_library()
    names = ["acrolein", "ifosfamide", "doxorubicin", "aldoxorubicin-cysteine-adduct"]
    svgs = draw_same_scale(names, bond_px=25.0)
    assert list(svgs) == names
    for name, svg in svgs.items():
        assert abs(drawn_bond_px(svg, lib.get(name).mol) - 25.0) < 0.75, name
    widths = [int(re.search(r"width='(\d+)px'", svgs[n]).group(1)) for n in names]
    assert widths[0] < widths[1] < widths[3]  # each canvas sized to its molecule


def test_index_html_embeds_every_structure_at_one_scale(tmp_path):
    lib = default_library()
    shown = [m for m in lib.molecules if m.role is not Role.COFACTOR]
    lines = _molecule_section(tmp_path)
    page = _html("\n".join(lines), root=tmp_path)
    svgs = _SVG.findall(page)
    assert len(svgs) == len(shown)  # inline, not links to files beside the page
    assert "structures/" not in page.split("<h3>Structures</h3>")[1]
    for m in shown:
        assert f"<span class='caption'>{m.name.replace('&', '&amp;')}</span>" in page
    for mol, svg in zip(shown, svgs, strict=True):
        if any(b.GetBondType() == Chem.BondType.SINGLE and b.GetBeginAtom().GetSymbol() == "C"
               and b.GetEndAtom().GetSymbol() == "C" for b in mol.mol.GetBonds()):
            assert abs(drawn_bond_px(svg, mol.mol) - 25.0) < 0.75, mol.id
        assert ("<ellipse" in svg) == bool(reactive_groups(mol.mol)), mol.id  # highlighted groups


def test_code_spans_render_and_a_smiles_is_not_a_link() -> None:
    page = _html("`mechsim demo` writes [index](index.md)\n\n| SMILES |\n|---|\n| `N[C@@H](C)C(=O)O` |\n")
    assert "<code>mechsim demo</code>" in page and "<a href='index.md'>index</a>" in page
    assert "<code>N[C@@H](C)C(=O)O</code>" in page and "href='C)" not in page
