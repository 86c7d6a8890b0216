"""Files of an expression run: the fold-change table (CSV), its heatmap (PNG), the demo section."""

from __future__ import annotations

import io
import textwrap
from pathlib import Path

import numpy as np

__all__ = ["HEATMAP_FILE", "TABLE_FILE", "expression_section", "heatmap_png", "write_expression"]

#: File names written by :func:`write_expression` (and ``mechsim expression``).
TABLE_FILE = "log2fc.csv"
HEATMAP_FILE = "heatmap.png"


def heatmap_png(table, title: str) -> bytes:
    """PNG bytes of a gene x time heatmap of ``value`` (log2 fold change).

    Each cell shows the value; a cell whose direction disagrees with the seed is outlined
    in black; one with no seed direction is shown by its value only.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    genes = list(dict.fromkeys(table["gene"]))
    times = sorted(set(table["time"]))
    grid = np.full((len(genes), len(times)), np.nan)
    agree = {}
    for row in table.itertuples(index=False):
        i, j = genes.index(row[0]), times.index(row[1])
        grid[i, j] = row[2]
        agree[(i, j)] = row[5]
    lim = max(1.0, float(np.nanmax(np.abs(grid))))
    fig, ax = plt.subplots(figsize=(2.2 + 1.3 * len(times), 0.9 + 0.36 * len(genes)))
    im = ax.imshow(grid, cmap="RdBu_r", vmin=-lim, vmax=lim, aspect="auto")
    for (i, j), a in agree.items():
        dark = abs(grid[i, j]) > 0.6 * lim
        ax.text(j, i, f"{grid[i, j]:+.2f}", ha="center", va="center", fontsize=8,
                color="white" if dark else "black")
        if a == "no":
            ax.add_patch(plt.Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, lw=2.0, ec="black"))
    ax.set_xticks(range(len(times)), [f"{t:g} h" for t in times])
    ax.set_yticks(range(len(genes)), genes, fontsize=8)
    ax.set_title("\n".join(textwrap.wrap(title, 48)), fontsize=8)
    fig.colorbar(im, ax=ax, label="log2 fold change vs untreated")
    fig.text(0.01, 0.005, "black frame: direction disagrees with the seed", fontsize=7)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    return buf.getvalue()


def write_expression(table, title: str, folder: Path) -> list[Path]:
    """Write :data:`TABLE_FILE` and :data:`HEATMAP_FILE` into ``folder`` (each atomically)."""
    from mechsim._io import atomic_write_bytes, atomic_write_text

    folder.mkdir(parents=True, exist_ok=True)
    return [atomic_write_text(folder / TABLE_FILE, table.to_csv(index=False)),
            atomic_write_bytes(folder / HEATMAP_FILE, heatmap_png(table, title))]


def expression_section(out_dir: Path, status=lambda message: None) -> list[str]:
    """Markdown of the demo report's expression section; runs both scenarios (a few minutes)."""
    from mechsim.mechanisms.expression._scenarios import (
        EXPRESSION_SCENARIOS,
        expression_table,
        simulate_expression,
    )
    from mechsim.report._markdown import md_table

    md = ["## Oxidative stress and gene expression (seed: trofosfamide gene expression)", "",
          "Acrolein and chloroacetaldehyde conjugate GSH (Esterbauer 1975 for acrolein; CAA "
          "assumed), cells resynthesise GSH through GCL, H2O2 and the electrophiles modify KEAP1 "
          "and stabilise NRF2, which induces HMOX1, NQO1, GCLC and GCLM; p53 drives its targets "
          "and represses MCL1, BCL2A1 and MYC; PBMC marker genes follow the cell composition "
          "(lymphocytes killed, monocytes spared). Values are log2(treated / untreated); a black "
          "frame marks a direction that disagrees with the seed. Nothing is set per gene.", ""]
    for sc in EXPRESSION_SCENARIOS:
        status(f"expression {sc.name}")
        result = simulate_expression(sc)
        table = expression_table(result)
        folder = out_dir / "expression" / sc.name
        write_expression(table, f"{sc.name}: {sc.description}", folder)
        rel = f"expression/{sc.name}"
        gsh = result.treated["gsh_cell"]
        extra = ""
        if "gsh_plasma" in result.treated:
            extra = f"; blood GSH {result.treated['gsh_plasma'][0]:.0f} -> {result.treated['gsh_plasma'].min():.0f} uM"
        md += [f"### {sc.name}", "", f"{sc.description}. Source: {sc.source}.",
               f"Intracellular GSH {gsh[0]:.0f} -> {gsh.min():.0f} uM (minimum){extra}; "
               f"NRF2 peak {result.treated['nrf2'].max() / result.treated['nrf2'][0]:.3f}x basal. "
               f"([{rel}/log2fc.csv]({rel}/log2fc.csv))", "",
               f"![{sc.name} heatmap]({rel}/heatmap.png)", "", md_table(table), ""]
    return md
