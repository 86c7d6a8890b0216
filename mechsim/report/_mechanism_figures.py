"""The demo's mechanism figures: one figure per step, each panel on its own scale.

Trofosfamide (run on the coupled ``trofosfamide-apoptosis`` model): oxazaphosphorine PK in
plasma, mustards and aziridinium ions in the tumour, DNA adducts and cross-links. Aldoxorubicin
and doxorubicin: plasma conjugate and free drug, endosome/lysosome release, nuclear and
DNA-bound doxorubicin, DSBs, heart. Both drugs: p53, BCL-2 family, MOMP and caspases. Plus an
aldoxorubicin-vs-doxorubicin comparison with both regimens on the same axes.

Every figure is drawn from :class:`MechanismCurves` (long tables of species and observables),
so the functions also take synthetic curves. Series, panels and figures whose species or
observables a model lacks are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "COMPARISON_PANELS",
    "DOXORUBICIN_SCENARIOS",
    "FIGURES_BY_DRUG",
    "FIGURE_PANELS",
    "TROFOSFAMIDE_SCENARIOS",
    "MechanismCurves",
    "Panel",
    "comparison_figure",
    "mechanism_curves",
    "mechanism_figure",
    "mechanism_section",
]

#: A series: ``("species", compartment, name)`` or ``("observable", name)``, and its legend label.
Series = tuple[tuple[str, ...], str]


@dataclass(frozen=True)
class MechanismCurves:
    """Time courses of one scenario run, in long form.

    ``species``: columns ``time_h`` (h), ``compartment``, ``species``, ``value``, ``unit``
    (declared units, e.g. uM, nM); ``observables``: ``time_h``, ``observable``, ``value``,
    ``unit``.
    """

    scenario: str
    model: str
    species: pd.DataFrame
    observables: pd.DataFrame

    def series(self, key: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray, str] | None:
        """``(time_h, value, unit)`` of a series key, or None where the model lacks it."""
        if key[0] == "species":
            _, comp, name = key
            g = self.species[(self.species["compartment"] == comp) & (self.species["species"] == name)]
        else:
            g = self.observables[self.observables["observable"] == key[1]]
        if g.empty:
            return None
        return (g["time_h"].to_numpy(float), g["value"].to_numpy(float), str(g["unit"].iloc[0]))


def mechanism_curves(out) -> MechanismCurves:
    """:class:`MechanismCurves` of a :class:`~mechsim.scenarios._run.ScenarioOutput`.

    Species from its ``timecourse`` (the dense times that resolve the peaks, h),
    observables from its ``result`` (the scenario's own output times, h).
    """
    res = out.result
    net = res.model.network
    names = list(res.model.observable_names)
    ts = np.asarray(res.ts, dtype=float)
    if names:
        vals = np.asarray(res.observable_values(), dtype=float)
        units = [o.unit for o in net.observables]
        obs = pd.DataFrame({
            "time_h": np.repeat(ts, len(names)),
            "observable": np.tile(names, ts.size),
            "value": vals.reshape(-1),
            "unit": np.tile(units, ts.size),
        })
    else:
        obs = pd.DataFrame(columns=["time_h", "observable", "value", "unit"])
    tc = out.timecourse[["time_h", "compartment", "species", "value", "unit"]]
    return MechanismCurves(out.scenario.name, out.scenario.model, tc, obs)


@dataclass(frozen=True)
class Panel:
    """One axes: a title, the quantity on its y axis, its series; ``log`` None = automatic.

    ``decades``: how far below the panel's top a log axis reaches at most.
    """

    title: str
    quantity: str
    series: tuple[Series, ...]
    log: bool | None = None
    decades: float = 6.0


def _sp(comp: str, *names: str, label: str = "{name}") -> tuple[Series, ...]:
    return tuple((("species", comp, n), label.format(name=n, comp=comp)) for n in names)


def _ob(*names: str) -> tuple[Series, ...]:
    return tuple((("observable", n), n) for n in names)


_MUSTARDS = ("trofosfamide-mustard", "isophosphoramide-mustard", "phosphoramide-mustard")
_BCL2 = ("PUMA", "NOXA", "MCL1", "BCL2A1", "BAX-active")
_VESICLES = ("early_endosome", "late_endosome", "lysosome")

_APOPTOSIS = (
    Panel("DNA damage signal and p53", "p53", _sp("tumor_cell", "p53", "ATM-p", "Mdm2")),
    Panel("BCL-2 family", "protein", _sp("tumor_cell", *_BCL2)),
    Panel("MOMP and cell fate", "fraction", _ob("momp_fraction", "cytochrome_c_released",
                                                 "cleaved_substrate", "surviving_fraction"), log=False),
    Panel("caspases", "active caspase", _sp("tumor_cell", "caspase-9", "caspase-3")),
)

#: Figure name -> its panels. A figure is drawn where the model has any of its series.
FIGURE_PANELS: dict[str, tuple[Panel, ...]] = {
    "oxazaphosphorine_pk": (
        Panel("parent and dechloroethylated forms", "plasma concentration",
              _sp("plasma", "trofosfamide", "ifosfamide", "cyclophosphamide",
                  "2-dechloroethylifosfamide", "3-dechloroethylifosfamide")),
        Panel("4-hydroxy and aldo forms (activated)", "plasma concentration",
              _sp("plasma", "4-hydroxytrofosfamide", "4-hydroxyifosfamide",
                  "4-hydroxycyclophosphamide", "aldotrofosfamide", "aldoifosfamide",
                  "aldophosphamide")),
        Panel("mustards and by-products", "plasma concentration",
              _sp("plasma", *_MUSTARDS, "acrolein", "chloroacetaldehyde")),
    ),
    "tumour_alkylation": (
        Panel("mustards in tumour", "tumour concentration", _sp("tumor", *_MUSTARDS)),
        Panel("aziridinium ions in tumour", "tumour concentration",
              _sp("tumor", "trofosfamide-mustard-aziridinium", "isophosphoramide-mustard-aziridinium",
                  "isophosphoramide-mustard-aziridine", "phosphoramide-mustard-aziridinium")),
        Panel("glutathione and its conjugates", "tumour concentration",
              _sp("tumor", "glutathione", "trofosfamide-mustard-glutathione",
                  "isophosphoramide-mustard-glutathione", "phosphoramide-mustard-glutathione"),
              decades=9.0),  # mM glutathione above sub-uM conjugates
    ),
    "dna_lesions": (
        Panel("adducts and cross-links in tumour DNA", "lesions per 1e6 nucleotides",
              _ob("tumor_monoadducts_per_Mnt", "tumor_crosslinks_per_Mnt", "tumor_icl_per_Mnt")),
        Panel("interstrand cross-links per cell, by mustard", "lesions per tumour cell",
              _ob("tumor_icl_per_cell_TM", "tumor_icl_per_cell_IPM", "tumor_icl_per_cell_PM",
                  "dna_damage")),
    ),
    "doxorubicin_delivery": (
        Panel("plasma", "plasma concentration",
              _sp("plasma", "aldoxorubicin", "aldoxorubicin-albumin", "doxorubicin", "doxorubicinol")),
        Panel("tumour interstitium", "tumour concentration",
              _sp("tumor", "aldoxorubicin-albumin", "doxorubicin")),
        Panel("endosome/lysosome release", "vesicle concentration",
              tuple(s for c in _VESICLES
                    for s in _sp(c, "aldoxorubicin-albumin", "doxorubicin", label="{name} ({comp})"))),
        Panel("into the nucleus and onto DNA", "tumour-cell concentration",
              _sp("tumor_cell", "doxorubicin", label="{name} (cytosol)")
              + _sp("tumor_nucleus", "doxorubicin", "doxorubicin-dna", label="{name} (nucleus)")),
        Panel("DNA double-strand breaks", "DSBs per tumour cell", _ob("dsb")),
        Panel("heart", "concentration",
              _sp("heart", "doxorubicin", label="{name} (heart)")
              + _sp("plasma", "doxorubicin", label="{name} (plasma)")),
    ),
    "apoptosis": _APOPTOSIS,
}

#: The figures drawn per mechanism in the report (keys of :data:`FIGURE_PANELS`).
FIGURES_BY_DRUG: dict[str, tuple[str, ...]] = {
    "trofosfamide": ("oxazaphosphorine_pk", "tumour_alkylation", "dna_lesions", "apoptosis"),
    "doxorubicin": ("doxorubicin_delivery", "apoptosis"),
}

#: Short captions of :data:`FIGURE_PANELS` for the report.
_CAPTIONS = {
    "oxazaphosphorine_pk": "oxazaphosphorine PK in plasma",
    "tumour_alkylation": "mustards, aziridinium ions and glutathione in the tumour",
    "dna_lesions": "DNA adducts and cross-links",
    "doxorubicin_delivery": "delivery: plasma, endosome/lysosome release, nucleus and DNA, DSBs, heart",
    "apoptosis": "p53, BCL-2 family, MOMP and caspases in tumour cells",
}


def _days(t_max: float) -> bool:
    return t_max > 72.0


def _wants_log(values: list[np.ndarray]) -> bool:
    """Log scale where peaks differ by > 30x or a series falls > 100x from its peak by the end.

    Start-up values (zero before the first dose) are ignored, so a curve rising from zero
    alone does not ask for a log axis.
    """
    peaks = np.array([float(np.nanmax(v)) for v in values])
    if not np.any(peaks > 0):
        return False
    pos = peaks[peaks > 0]
    if pos.max() / pos.min() > 30.0:
        return True
    return any(p > 0 and p / max(float(v[-1]), p * 1e-12) > 100.0 for p, v in zip(peaks, values, strict=True))


def _draw_panel(ax, panel: Panel, curves: list[tuple[MechanismCurves, str]], days: bool) -> int:
    """Draw ``panel`` for each ``(curves, prefix)``; returns the number of series drawn."""
    from mechsim.analysis._figures import series_style

    drawn: list[tuple[np.ndarray, np.ndarray, str, str]] = []
    for c, prefix in curves:
        for key, label in panel.series:
            got = c.series(key)
            if got is not None:
                drawn.append((*got, prefix + label))
    if not drawn:
        return 0
    top = max(float(np.nanmax(v)) for _, v, _, _ in drawn)
    log = _wants_log([v for _, v, _, _ in drawn]) if panel.log is None else panel.log
    # log floor: the smallest positive value drawn, at most ``panel.decades`` below the top
    pos = np.concatenate([v[v > 0] for _, v, _, _ in drawn])
    floor = max(top * 10.0 ** -panel.decades, 0.5 * float(pos.min())) if top > 0 and pos.size else 1e-12
    for i, (t, v, _, label) in enumerate(drawn):
        colour, ls = series_style(i)
        x = t / 24.0 if days else t
        ax.plot(x, np.clip(v, floor, None) if log else v, color=colour, ls=ls, lw=1.4, label=label)
    if log:
        ax.set_yscale("log")
        ax.set_ylim(floor, top * 3.0)
    units = sorted({u for _, _, u, _ in drawn})
    ax.set_ylabel(f"{panel.quantity} ({', '.join(units)})")
    ax.set_xlabel("time (days)" if days else "time (h)")
    ax.set_title(panel.title, fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=6.5, loc="best", ncol=1 if len(drawn) <= 6 else 2)
    return len(drawn)


def _grid(n: int):
    from mechsim.analysis._figures import plt

    ncol = min(n, 3) if n != 4 else 2
    nrow = -(-n // ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(5.0 * ncol, 3.9 * nrow), squeeze=False)
    return fig, list(axes.ravel())


def mechanism_figure(curves: MechanismCurves, figure: str):
    """Figure ``figure`` (a key of :data:`FIGURE_PANELS`) for one run, or None if nothing to draw.

    Panels whose series the model lacks are left out; the figure's axes hold the drawn
    panels in order (``fig.axes``, each titled as in :data:`FIGURE_PANELS`).
    """
    from mechsim.analysis._figures import plt

    panels = [p for p in FIGURE_PANELS[figure] if any(curves.series(k) is not None for k, _ in p.series)]
    if not panels:
        return None
    t_max = max(float(curves.species["time_h"].max() if len(curves.species) else 0.0),
                float(curves.observables["time_h"].max() if len(curves.observables) else 0.0))
    fig, axes = _grid(len(panels))
    for ax, panel in zip(axes, panels, strict=False):
        _draw_panel(ax, panel, [(curves, "")], _days(t_max))
    for ax in axes[len(panels):]:
        fig.delaxes(ax)
    fig.suptitle(f"{curves.scenario} ({curves.model}): {_CAPTIONS[figure]}")
    fig.tight_layout()
    if not fig.axes:
        plt.close(fig)
        return None
    return fig


#: Panels of the aldoxorubicin-vs-doxorubicin comparison (each regimen on the same axes).
COMPARISON_PANELS: tuple[Panel, ...] = (
    Panel("tumour doxorubicin (all tumour compartments)", "concentration",
          _ob("tumor_doxorubicin")),
    Panel("DNA-bound doxorubicin", "nuclear concentration",
          _sp("tumor_nucleus", "doxorubicin-dna")),
    Panel("DNA double-strand breaks", "DSBs per tumour cell", _ob("dsb")),
    Panel("heart free doxorubicin", "heart concentration", _sp("heart", "doxorubicin")),
)


def comparison_figure(runs: list[MechanismCurves]):
    """Both regimens per panel (:data:`COMPARISON_PANELS`); None if no panel has data."""
    from mechsim.analysis._figures import plt

    panels = [p for p in COMPARISON_PANELS
              if any(c.series(k) is not None for c in runs for k, _ in p.series)]
    if not runs or not panels:
        return None
    t_max = max(float(c.species["time_h"].max()) for c in runs if len(c.species))
    fig, axes = _grid(len(panels))
    for ax, panel in zip(axes, panels, strict=False):
        # one series per panel: label each regimen by its scenario name
        _draw_panel(ax, Panel(panel.title, panel.quantity, tuple((k, "") for k, _ in panel.series),
                              panel.log, panel.decades), [(c, c.scenario) for c in runs], _days(t_max))
    for ax in axes[len(panels):]:
        fig.delaxes(ax)
    fig.suptitle("aldoxorubicin versus doxorubicin: tumour, DNA and heart")
    fig.tight_layout()
    if not fig.axes:
        plt.close(fig)
        return None
    return fig


def _curves(out) -> MechanismCurves:
    return out if isinstance(out, MechanismCurves) else mechanism_curves(out)


#: Scenarios shown step by step, in report order, and where their run is found.
TROFOSFAMIDE_SCENARIOS = ("trofosfamide-preiss2004", "trofosfamide-jost2014")
DOXORUBICIN_SCENARIOS = ("aldoxorubicin-350", "doxorubicin-75")


def mechanism_section(outputs: dict, coupled: dict, out_dir: Path) -> list[str]:
    """Write the mechanism figures to ``out_dir/mechanisms``; return the report's Markdown.

    ``outputs``: scenario name -> :class:`~mechsim.scenarios._run.ScenarioOutput` (the
    aldoxorubicin and doxorubicin runs); ``coupled``: the trofosfamide runs on the
    coupled apoptosis model; either may also map to :class:`MechanismCurves`. Scenarios
    missing from both are skipped. Figures: PNG and SVG, linked by relative path.
    """
    from mechsim.analysis import save_figure

    folder = Path(out_dir) / "mechanisms"
    lines = ["## The mechanisms step by step", "",
             "One figure per step of each mechanism, each panel on its own scale (log where its "
             "series differ by more than 30x or fall by more than 100x), units on the axes. Series a model lacks are left "
             "out (e.g. the trofosfamide model has no heart compartment; doxorubicin has no conjugate).", ""]
    runs: list[tuple[str, MechanismCurves]] = []
    for name in TROFOSFAMIDE_SCENARIOS:
        if name in coupled:
            runs.append(("trofosfamide", _curves(coupled[name])))
    for name in DOXORUBICIN_SCENARIOS:
        if name in outputs:
            runs.append(("doxorubicin", _curves(outputs[name])))
    if not runs:
        return []
    for drug, curves in runs:
        lines += [f"### {curves.scenario} on `{curves.model}`", ""]
        for figure in FIGURES_BY_DRUG[drug]:
            fig = mechanism_figure(curves, figure)
            if fig is None:
                continue
            stem = f"{curves.scenario}_{figure}"
            folder.mkdir(parents=True, exist_ok=True)
            save_figure(fig, folder / stem)
            cap = _CAPTIONS[figure]
            lines += [f"{cap[0].upper() + cap[1:]}:", "",
                      f"![{curves.scenario} {figure}](mechanisms/{stem}.png)", ""]
    dox = [c for kind, c in runs if kind == "doxorubicin"]
    if len(dox) > 1:
        fig = comparison_figure(dox)
        if fig is not None:
            folder.mkdir(parents=True, exist_ok=True)
            save_figure(fig, folder / "aldoxorubicin_vs_doxorubicin")
            lines += ["### Aldoxorubicin versus doxorubicin", "",
                      "Both regimens on the same axes: tumour doxorubicin, DNA-bound doxorubicin, "
                      "DSBs and free doxorubicin in heart.", "",
                      "![aldoxorubicin versus doxorubicin](mechanisms/aldoxorubicin_vs_doxorubicin.png)", ""]
    return lines
