"""The demo's mechanism figures, drawn from synthetic curves on each model's own species."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from mechsim.analysis._figures import series_style, style_cycler
from mechsim.report._mechanism_figures import (
    FIGURE_PANELS,
    MechanismCurves,
    comparison_figure,
    mechanism_figure,
    mechanism_section,
)
from mechsim.scenarios import get_model


def _synthetic(model: str, scenario: str, t_end: float = 48.0) -> MechanismCurves:
    """Gamma-shaped curves (peak ~1e-6 to ~1e3 in declared units) for every species and observable."""
    net = get_model(model)
    t = np.linspace(0.0, t_end, 40)
    rows, obs = [], []
    for i, s in enumerate(net.species):
        amp = 10.0 ** (i % 10 - 6)
        rows.append(pd.DataFrame({"time_h": t, "compartment": s.compartment, "species": s.name,
                                  "value": amp * (t / 6.0) * np.exp(1.0 - t / 6.0), "unit": s.unit}))
    for o in net.observables:
        obs.append(pd.DataFrame({"time_h": t, "observable": o.name,
                                 "value": 1.0 - np.exp(-t / 12.0), "unit": o.unit}))
    return MechanismCurves(scenario, model, pd.concat(rows, ignore_index=True),
                           pd.concat(obs, ignore_index=True))


def _titles(fig) -> list[str]:
    return [ax.get_title() for ax in fig.axes]


def _panel_titles(figure: str, drop: tuple[str, ...] = ()) -> list[str]:
    return [p.title for p in FIGURE_PANELS[figure] if p.title not in drop]


@pytest.fixture(scope="module")
def curves() -> dict[str, MechanismCurves]:
    return {
        "trofosfamide": _synthetic("trofosfamide-apoptosis", "trofosfamide-preiss2004"),
        "aldoxorubicin": _synthetic("aldoxorubicin", "aldoxorubicin-350", t_end=1008.0),
        "doxorubicin": _synthetic("doxorubicin", "doxorubicin-75", t_end=1008.0),
    }


def test_trofosfamide_figures_have_their_panels(curves):
    c = curves["trofosfamide"]
    for figure in ("oxazaphosphorine_pk", "tumour_alkylation", "dna_lesions", "apoptosis"):
        fig = mechanism_figure(c, figure)
        assert fig is not None and _titles(fig) == _panel_titles(figure), figure
        plt.close(fig)
    # no doxorubicin, conjugate, DSB or heart in the trofosfamide model: no delivery figure
    assert mechanism_figure(c, "doxorubicin_delivery") is None


def test_doxorubicin_figures_skip_what_the_model_lacks(curves):
    fig = mechanism_figure(curves["aldoxorubicin"], "doxorubicin_delivery")
    assert _titles(fig) == _panel_titles("doxorubicin_delivery")
    assert all(ax.get_xlabel() == "time (days)" for ax in fig.axes)
    plt.close(fig)
    fig = mechanism_figure(curves["doxorubicin"], "doxorubicin_delivery")
    assert _titles(fig) == _panel_titles("doxorubicin_delivery", drop=("endosome/lysosome release",))
    plt.close(fig)
    assert mechanism_figure(curves["doxorubicin"], "oxazaphosphorine_pk") is None


def test_panels_state_units_and_use_log_axes_across_decades(curves):
    fig = mechanism_figure(curves["aldoxorubicin"], "doxorubicin_delivery")
    by_title = {ax.get_title(): ax for ax in fig.axes}
    assert all(ax.get_ylabel().endswith(")") for ax in fig.axes)  # units in parentheses
    assert "(uM)" in by_title["endosome/lysosome release"].get_ylabel()
    # six vesicle series span decades (synthetic amplitudes): log; distinct styles
    ves = by_title["endosome/lysosome release"]
    assert ves.get_yscale() == "log" and len(ves.lines) == 6
    assert len({(ln.get_color(), ln.get_linestyle()) for ln in ves.lines}) == 6
    plt.close(fig)
    fig = mechanism_figure(curves["trofosfamide"], "apoptosis")
    momp = {ax.get_title(): ax for ax in fig.axes}["MOMP and cell fate"]
    assert momp.get_yscale() == "linear" and "dimensionless" in momp.get_ylabel()
    plt.close(fig)


def test_comparison_puts_both_regimens_on_each_panel(curves):
    fig = comparison_figure([curves["aldoxorubicin"], curves["doxorubicin"]])
    assert len(fig.axes) == 4
    for ax in fig.axes:
        labels = [ln.get_label() for ln in ax.lines]
        assert labels == ["aldoxorubicin-350", "doxorubicin-75"], ax.get_title()
    assert any("heart" in t for t in _titles(fig))
    plt.close(fig)


def test_section_writes_pngs_linked_by_relative_path(curves, tmp_path):
    # the trofosfamide figures are drawn above; writing them here too would only add time
    lines = mechanism_section({"aldoxorubicin-350": curves["aldoxorubicin"],
                               "doxorubicin-75": curves["doxorubicin"]}, {}, tmp_path)
    assert lines[0] == "## The mechanisms step by step"
    links = [ln[ln.index("](") + 2:-1] for ln in lines if ln.startswith("![")]
    # aldoxorubicin and doxorubicin: delivery and apoptosis each, then the comparison
    assert len(links) == 5
    for rel in links:
        assert not rel.startswith("/") and (tmp_path / rel).stat().st_size > 1000
    assert "mechanisms/aldoxorubicin_vs_doxorubicin.png" in links


def test_palette_distinct_for_24_series():
    styles = [series_style(i) for i in range(24)]
    assert len(set(styles)) == 24
    cyc = [(d["color"], d["linestyle"]) for d in style_cycler()][:24]
    assert cyc == styles


def test_curves_from_a_scenario_run():
    """``mechanism_curves`` of a real run: units from the model, peaks on the dense times."""
    from mechsim.report._mechanism_figures import mechanism_curves
    from mechsim.scenarios._run import run_scenario

    out = run_scenario("doxorubicin-75")
    c = mechanism_curves(out)
    t, v, unit = c.series(("observable", "heart_doxorubicin"))
    assert unit == "uM" and t.size == len(out.scenario.times)
    np.testing.assert_allclose(v, np.asarray(out.result.observable("heart_doxorubicin")))
    t, v, unit = c.series(("species", "tumor_nucleus", "doxorubicin-dna"))
    assert unit == "uM" and t.size > len(out.scenario.times) and v.max() > 0
    assert c.series(("species", "lysosome", "aldoxorubicin-albumin")) is None
    fig = mechanism_figure(c, "apoptosis")
    assert _titles(fig) == _panel_titles("apoptosis")
    plt.close(fig)
