"""Pathway diagram: a layered drawing of :func:`pathway_graph` with enzyme-labelled arrows.

Each weakly connected part of the chosen molecules (by default the trofosfamide route and
the aldoxorubicin route, :data:`MAIN_PATHWAY_IDS`) gets its own panel. Molecules sit in layers
by longest path from the panel's starting drug; within a layer they are ordered by the
barycentre of their predecessors to limit crossings. Arrows carry the enzyme, or for
non-enzymatic steps a short description of the chemistry. Boxes are coloured by role.
"""

from __future__ import annotations

import os
import re
import textwrap
from collections.abc import Sequence
from pathlib import Path

import networkx as nx
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from mechsim._io import atomic_open
from mechsim.molecules._depict import output_format
from mechsim.molecules._library import Library, resolve
from mechsim.molecules._model import Role
from mechsim.molecules._pathway import MAIN_PATHWAY_IDS, pathway_graph

ROLE_COLOURS: dict[str, str] = {
    Role.PARENT_DRUG: "#bcd4f0",
    Role.ACTIVE_METABOLITE: "#cdeec5",
    Role.REACTIVE_INTERMEDIATE: "#ffc9b8",
    Role.TOXIC_BY_PRODUCT: "#f6c3dc",
    Role.DETOXIFIED_METABOLITE: "#e4e4e4",
    Role.DNA_ADDUCT: "#fde5a6",
    Role.COFACTOR: "#ffffff",
    Role.MODEL_COMPOUND: "#e2dcf5",
}

#: Arrow labels for non-enzymatic steps.
TYPE_LABELS: dict[str, str] = {
    "ring-chain-tautomerism": "ring opening",
    "beta-elimination": "β-elimination",
    "aziridinium-formation": "−Cl⁻",
    "acid-base": "−H⁺",
    "aziridinium-hydrolysis": "+H₂O",
    "glutathione-conjugation": "+GSH",
    "thiosulfate-conjugation": "+S₂O₃²⁻",
    "guanine-n7-alkylation": "+G (N7)",
    "crosslink": "+G (N7), −Cl⁻",
    "arm-hydrolysis": "+H₂O, −Cl⁻",
    "depurination": "depurination",
    "michael-addition": "+RSH (Michael)",
    "hydrazone-hydrolysis": "H₃O⁺ (lysosome)",
}


def _label(name: str) -> str:
    short = re.sub(r"\s*\([^)]*\)", "", name).strip() or name
    lines = textwrap.wrap(short, width=20, break_long_words=False)
    if len(lines) > 3:
        lines = [*lines[:2], lines[2][:17] + "…"]
    return "\n".join(lines)


def _layers(graph: nx.DiGraph) -> dict[str, int]:
    if nx.is_directed_acyclic_graph(graph):
        layer: dict[str, int] = {}
        for node in nx.topological_sort(graph):
            preds = [layer[p] for p in graph.predecessors(node)]
            layer[node] = 1 + max(preds) if preds else 0
        return layer
    roots = [n for n in graph if graph.in_degree(n) == 0] or [next(iter(graph))]
    dist = nx.multi_source_dijkstra_path_length(graph, set(roots))
    return {n: int(dist.get(n, 0)) for n in graph}


def layered_positions(graph: nx.DiGraph, order: Sequence[str]) -> dict[str, tuple[float, float]]:
    """(x, y) per node: y = −layer, x centred within the layer, barycentre-ordered."""
    layer = _layers(graph)
    rank = {n: i for i, n in enumerate(order)}
    rows: dict[int, list[str]] = {}
    for node in sorted(graph, key=lambda n: rank.get(n, len(rank))):
        rows.setdefault(layer[node], []).append(node)
    x: dict[str, float] = {}

    def place() -> None:
        for nodes in rows.values():
            for i, node in enumerate(nodes):
                x[node] = i - (len(nodes) - 1) / 2

    place()
    for _ in range(4):
        for depth in sorted(rows)[1:]:

            def centre(node: str) -> float:
                preds = [x[p] for p in graph.predecessors(node)]
                return sum(preds) / len(preds) if preds else x[node]

            rows[depth].sort(key=lambda n: (centre(n), rank.get(n, 0)))
        place()
    return {n: (x[n], -float(layer[n])) for n in graph}


def draw_pathway(
    path: str | os.PathLike[str],
    *,
    ids: Sequence[str] | None = None,
    library: Library | None = None,
    title: str | None = None,
) -> Path:
    """Draw the pathway of ``ids`` (default :data:`MAIN_PATHWAY_IDS`) to ``path``.

    The format follows the suffix (``.svg`` or ``.png``; anything else raises
    :class:`~mechsim.molecules.UnsupportedFormatError`). Written atomically; returns the path.
    """
    fmt = output_format(path, None)
    lib = resolve(library)
    chosen = [lib.get(i).id for i in (MAIN_PATHWAY_IDS if ids is None else ids)]
    full = pathway_graph(lib)
    missing = [i for i in chosen if i not in full]
    if missing:
        raise ValueError(f"draw_pathway: {missing} take part in no transformation; leave them out")
    sub = full.subgraph(chosen).copy()
    parts = sorted(
        nx.weakly_connected_components(sub), key=lambda c: min(chosen.index(n) for n in c)
    )
    layouts = [layered_positions(sub.subgraph(p), chosen) for p in parts]
    widths = [
        max(1.0, max(x for x, _ in pos.values()) - min(x for x, _ in pos.values()) + 1)
        for pos in layouts
    ]
    depth = max(1 - min(y for _, y in pos.values()) for pos in layouts)
    fig = Figure(figsize=(max(6.0, 2.4 * sum(widths) + 1.0), 1.25 * depth + 1.6))
    axes = fig.subplots(1, len(parts), gridspec_kw={"width_ratios": widths}, squeeze=False)[0]
    for ax, part, pos in zip(axes, parts, layouts, strict=True):
        _draw_panel(ax, sub.subgraph(part), pos, chosen)
    roles = sorted({sub.nodes[n]["role"] for n in sub}, key=lambda r: list(Role).index(Role(r)))
    fig.legend(
        handles=[Patch(facecolor=ROLE_COLOURS[r], edgecolor="0.4", label=r) for r in roles],
        loc="lower center",
        ncol=len(roles),
        fontsize=8,
        frameon=False,
    )
    if title:
        fig.suptitle(title, fontsize=12)
    fig.subplots_adjust(left=0.02, right=0.98, top=0.93, bottom=0.08, wspace=0.05)
    with atomic_open(path, "wb") as handle:
        fig.savefig(handle, format=fmt, dpi=150)
    return Path(path)


def _draw_panel(
    ax, graph: nx.DiGraph, pos: dict[str, tuple[float, float]], order: Sequence[str]
) -> None:
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    ax.set_xlim(min(xs) - 0.65, max(xs) + 0.65)
    ax.set_ylim(min(ys) - 0.55, max(ys) + 0.55)
    ax.axis("off")
    first = min(graph, key=order.index)
    ax.set_title(graph.nodes[first]["name"] + " route", fontsize=11, fontweight="bold")
    boxes = {}
    for node, (x, y) in pos.items():
        role = graph.nodes[node]["role"]
        boxes[node] = ax.text(
            x,
            y,
            _label(graph.nodes[node]["name"]),
            ha="center",
            va="center",
            fontsize=7.5,
            zorder=3,
            bbox={
                "boxstyle": "round,pad=0.35",
                "facecolor": ROLE_COLOURS[role],
                "edgecolor": "0.35",
            },
        )
    for source, target, data in graph.edges(data=True):
        ax.annotate(
            "",
            xy=(0.5, 1.0),
            xycoords=boxes[target],
            xytext=(0.5, 0.0),
            textcoords=boxes[source],
            arrowprops={"arrowstyle": "-|>", "color": "0.3", "lw": 0.9, "shrinkA": 5, "shrinkB": 5},
            zorder=1,
        )
        label = (
            data["enzyme"]
            if data["enzyme"] != "none"
            else TYPE_LABELS.get(data["type"], data["type"])
        )
        (x0, y0), (x1, y1) = pos[source], pos[target]
        # labels of edges that skip layers sit nearer their source, away from shorter edges
        frac = 0.5 if abs(y0 - y1) <= 1 else 0.3
        lx, ly = x0 + frac * (x1 - x0), y0 + frac * (y1 - y0)
        ax.text(
            lx,
            ly,
            label,
            fontsize=6.5,
            style="italic",
            color="0.15",
            ha="center",
            va="center",
            zorder=2,
            bbox={
                "boxstyle": "round,pad=0.15",
                "facecolor": "white",
                "edgecolor": "none",
                "alpha": 0.85,
            },
        )
