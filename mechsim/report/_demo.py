"""``mechsim demo``: run the seeds' scenarios of both mechanisms and write a report."""

from __future__ import annotations

import html
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from mechsim._io import atomic_write_text
from mechsim.report._assumed import assumed_section
from mechsim.report._markdown import md_table as _md_table
from mechsim.report._mechanism_figures import mechanism_section
from mechsim.report._params import parameter_table
from mechsim.report._survival import (
    COUPLED_MODELS,
    run_coupled,
    survival_table,
    trofosfamide_section,
)
from mechsim.report._trials import trials_section

__all__ = ["comparison_table", "write_demo"]


def _final_observable(out, name: str) -> float:
    names = out.result.model.observable_names
    if name not in names:
        return float("nan")
    return float(np.asarray(out.result.observable(name))[-1])


def comparison_table(outputs: dict) -> pd.DataFrame:
    """Tumour doxorubicin AUC, heart peak of free doxorubicin and survival per scenario."""
    rows = []
    for name, out in outputs.items():
        s = out.summary
        tum = s[(s["compartment"].str.startswith("tumor")) & (s["species"] == "doxorubicin")]
        heart = s[(s["compartment"] == "heart") & (s["species"] == "doxorubicin")]
        if tum.empty and heart.empty:
            continue
        rows.append({
            "scenario": name,
            "tumor_doxorubicin_auc_uM_h": float(tum["auc"].sum()) if not tum.empty else float("nan"),
            "heart_doxorubicin_peak_uM": float(heart["cmax"].max()) if not heart.empty else float("nan"),
            "surviving_fraction_end": _final_observable(out, "surviving_fraction"),
        })
    return pd.DataFrame(rows)


def write_demo(out_dir: str | Path, console: Console | None = None) -> Path:
    """Run every registered scenario and write ``index.md`` and ``index.html`` in ``out_dir``.

    The report holds the pathway diagrams, plasma and tumour curves per scenario, the
    trofosfamide regimens' cross-link and survival curves (run on the coupled
    ``trofosfamide-apoptosis`` model), the mechanisms step by step
    (:mod:`mechsim.report._mechanism_figures`), the aldoxorubicin-vs-doxorubicin comparison and
    the virtual trials of the seeds' arms (:mod:`mechsim.report._trials`: forest plot,
    waterfall and Kaplan-Meier per drug, the tumour-level parameters), the assumed
    parameters that move its headline outputs by more than 20 %
    (``assumed_parameters_that_matter.csv``, see :mod:`mechsim.report._assumed`), the
    surviving fraction of every regimen, and the parameter tables with provenance;
    figures as PNG and SVG, tables as CSV. Returns the path of ``index.html``.
    """
    from mechsim._validate import check_output_path
    from mechsim.scenarios import get_model, list_scenarios
    from mechsim.scenarios._run import run_scenario, shared_n_times, write_scenario

    console = console or Console()
    out_dir = check_output_path(out_dir, arg="out_dir", kind="folder")
    out_dir.mkdir(parents=True, exist_ok=True)
    md: list[str] = ["# mechsim demo report", ""]
    t0 = time.perf_counter()
    scenarios = list_scenarios()
    n_coupled = sum(sc.model in COUPLED_MODELS for sc in scenarios)
    with Progress(
        TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(), console=console, transient=False,
    ) as progress:
        task = progress.add_task("molecules", total=len(scenarios) + n_coupled + 3)
        md += _molecule_section(out_dir)
        from mechsim.molecules._enumerate_report import metabolite_tree_section  # issue #24

        md += metabolite_tree_section(out_dir)
        progress.advance(task)
        outputs = {}
        for sc in scenarios:
            progress.update(task, description=f"scenario {sc.name}")
            # output times padded to the model's largest grid: its scenarios share one compile
            out = run_scenario(sc, n_times=shared_n_times(sc.model))
            files = write_scenario(out, out_dir / "scenarios" / sc.name)
            out.figures.extend(f.stem for f in files if f.suffix == ".png")
            outputs[sc.name] = out
            progress.advance(task)
        coupled = {}  # the same regimens on the model with the apoptosis module: one compile
        for sc in scenarios:
            if sc.model in COUPLED_MODELS:
                progress.update(task, description=f"survival {sc.name}")
                coupled[sc.name] = run_coupled(sc)
                progress.advance(task)
        progress.update(task, description="tables and report")
        md += _scenario_sections(outputs, coupled)
        md += mechanism_section(outputs, coupled, out_dir)
        md += trofosfamide_section(coupled, out_dir)
        cmp = comparison_table(outputs)
        if not cmp.empty:
            atomic_write_text(out_dir / "comparison.csv", cmp.to_csv(index=False, float_format="%.6g"))
            md += ["## Aldoxorubicin versus doxorubicin", "",
                   "Tumour doxorubicin exposure (AUC over all tumour compartments), peak free "
                   "doxorubicin in heart, and the surviving tumour-cell fraction at the end of "
                   "each scenario ([comparison.csv](comparison.csv)).", "", _md_table(cmp), ""]
            progress.update(task, description="assumed parameters that matter")
            md += assumed_section(out_dir)
        sf = survival_table({**outputs, **coupled})
        if not sf.empty:
            atomic_write_text(out_dir / "survival.csv", sf.to_csv(index=False, float_format="%.6g"))
            md += ["## Tumour-cell survival by regimen, both drugs", "",
                   "Both mechanisms feed the same apoptosis module with DNA lesions per tumour cell: "
                   "doxorubicin its topoisomerase II DSBs, trofosfamide its interstrand cross-links "
                   "as DSB-equivalents. Peak lesions per cell and the surviving fraction at the end "
                   "of each regimen ([survival.csv](survival.csv)).", "", _md_table(sf), ""]
        md += trials_section(out_dir, status=lambda m: progress.update(task, description=m))
        from mechsim.mechanisms.expression._outputs import expression_section  # issue #23

        md += expression_section(out_dir, status=lambda m: progress.update(task, description=m))
        progress.advance(task)
        md += ["## Parameters and their provenance", ""]
        tables: dict[str, pd.DataFrame] = {}
        models = sorted({sc.model for sc in scenarios}) + sorted({o.scenario.model for o in coupled.values()})
        for model in models:
            df = parameter_table(get_model(model))
            tables[model] = df
            atomic_write_text(out_dir / f"parameters_{model}.csv", df.to_csv(index=False))
            counts = df["kind"].value_counts().to_dict()
            base = next((b for b, c in COUPLED_MODELS.items() if c == model and b in tables), None)
            shown, note = df, ""
            if base is not None:  # list only what the coupling adds to the base model's table
                shown = df[~df["name"].isin(set(tables[base]["name"]))]
                note = f" Listed below: the {len(shown)} not in `{base}` (apoptosis module and coupling)."
            md += [f"### {model}", "", f"{len(df)} parameters: " + ", ".join(f"{v} {k}" for k, v in counts.items())
                   + f" ([parameters_{model}.csv](parameters_{model}.csv)).{note}", "",
                   _md_table(shown[["name", "value", "unit", "kind", "source"]]), ""]
        progress.advance(task)
    md += [f"_Generated by mechsim in {time.perf_counter() - t0:.0f} s._", ""]
    text = "\n".join(md)
    atomic_write_text(out_dir / "index.md", text)
    return atomic_write_text(out_dir / "index.html", _html(text, root=out_dir))


def _molecule_section(out_dir: Path) -> list[str]:
    from mechsim.molecules import REACTIVE_GROUPS, Role, default_library, write_report
    from mechsim.molecules._depict import GROUP_COLOUR_NAMES
    from mechsim.molecules._report import structures_line

    page = write_report(out_dir / "molecules")
    rel = page.relative_to(out_dir)
    lines = ["## Molecules and pathways", "", f"Full molecule report: [{rel}]({rel}).", ""]
    for png in sorted((out_dir / "molecules").glob("*pathway*.png")):
        lines += [f"![{png.stem}]({png.relative_to(out_dir)})", ""]
    lib = default_library()
    shown = [m.id for m in lib.molecules if m.role is not Role.COFACTOR]
    groups = "; ".join(f"{GROUP_COLOUR_NAMES[name]}: {name}" for name in REACTIVE_GROUPS)
    lines += ["### Structures", "",
              "Every molecule of both mechanisms (cofactors left out), all drawn at one scale: "
              "a bond is the same length in every drawing, so sizes compare as the molecules do. "
              f"Reactive groups highlighted ({groups}).", "",
              structures_line(shown, lib, f"{rel.parent.as_posix()}/structures"), ""]
    return lines


def _scenario_sections(outputs: dict, coupled: dict | None = None) -> list[str]:
    coupled = coupled or {}
    lines = ["## Scenarios", ""]
    for name, out in outputs.items():
        sc = out.scenario
        lines += [f"### {name}", "", sc.description + (f" Source: {sc.source}." if sc.source else ""), ""]
        folder = Path("scenarios") / name
        for fig in out.figures:
            lines.append(f"![{name} {fig}]({folder / fig}.png)")
        lines += ["", f"Tables: [timecourse.csv]({folder}/timecourse.csv), [summary.csv]({folder}/summary.csv).", ""]
        key = out.summary[out.summary["compartment"].isin(["plasma"]) & out.summary["species"].isin(sc.plasma_species)]
        if not key.empty:
            lines += [_md_table(key), ""]
        obs = out.result.model.observable_names
        if obs:
            vals = np.asarray(out.result.observable_values())
            df = pd.DataFrame({"observable": obs, "max": vals.max(0), "end": vals[-1]})
            lines += [_md_table(df), ""]
        if name in coupled:
            c = coupled[name]
            sf = float(np.asarray(c.result.observable("surviving_fraction"))[-1])
            lines += [f"Surviving tumour-cell fraction at the end on `{c.scenario.model}`: {sf:.4g} "
                      "(curves in the trofosfamide survival section below).", ""]
    return lines


_IMAGE = re.compile(r"!\[((?:\\.|[^\]\\])*)\]\(([^)]+)\)")


def _svg_figure(svg: str, caption: str) -> str:
    """An SVG file's drawing inline, captioned, as a phrasing element (it sits in a <p>)."""
    body = svg[svg.index("<svg"):]
    body = re.sub(r"<!--.*?-->", "", body, flags=re.S)
    width = re.search(r"width='(\d+)(?:px)?'", body)
    px = max(int(width.group(1)) if width else 0, 110)
    return (f"<span class='structure' style='width:{px}px'>{body}"
            f"<span class='caption'>{caption}</span></span>")


def _html(markdown_text: str, root: Path | None = None) -> str:
    """Minimal Markdown-to-HTML for the report's own subset (headings, tables, images, links,
    `code` spans).

    With ``root``, SVG images found under it (the molecule structures) are embedded in the
    page rather than linked, so ``index.html`` shows them on its own.
    """
    out = ["<!doctype html><html><head><meta charset='utf-8'><title>mechsim demo</title>",
           "<style>body{font-family:sans-serif;max-width:1100px;margin:auto}table{border-collapse:collapse;font-size:12px}"
           "td,th{border:1px solid #ccc;padding:2px 6px}img{max-width:100%}"
           ".structure{display:inline-block;vertical-align:bottom;margin:4px 6px;text-align:center}"
           ".structure svg{display:block;margin:auto}.caption{display:block;font-size:11px}</style></head><body>"]
    rows: list[str] = []

    def image(m: re.Match) -> str:
        alt, src = re.sub(r"\\(.)", r"\1", m.group(1)), m.group(2)
        if root is not None and src.endswith(".svg") and (root / src).is_file():
            return _svg_figure((root / src).read_text(encoding="utf-8"), html.escape(alt))
        return f"<img alt='{html.escape(alt)}' src='{html.escape(src)}'>"

    def text(s: str) -> str:  # `code` spans first: a SMILES' [C@@H](...) is not a link
        parts = re.split(r"(`[^`]+`)", s)
        return "".join(
            f"<code>{html.escape(p[1:-1])}</code>" if len(p) > 1 and p[0] == p[-1] == "`"
            else re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r"<a href='\2'>\1</a>", html.escape(p))
            for p in parts)

    def inline(s: str) -> str:
        parts, last = [], 0
        for m in _IMAGE.finditer(s):
            parts += [text(s[last:m.start()]), image(m)]
            last = m.end()
        return "".join([*parts, text(s[last:])])

    def flush() -> None:
        if rows:
            out.append("<table>" + "".join(rows) + "</table>")
            rows.clear()

    for line in markdown_text.splitlines():
        if line.startswith("|"):
            if set(line) <= set("|-"):
                continue
            cells = [c.strip() for c in line.strip("|").split("|")]
            tag = "th" if not rows else "td"
            rows.append("<tr>" + "".join(f"<{tag}>{inline(c)}</{tag}>" for c in cells) + "</tr>")
            continue
        flush()
        m = re.match(r"^(#+) (.*)", line)
        if m:
            n = len(m.group(1))
            out.append(f"<h{n}>{inline(m.group(2))}</h{n}>")
        elif line.strip():
            out.append(f"<p>{inline(line)}</p>")
    flush()
    out.append("</body></html>")
    return "\n".join(out)
