"""Figures of the virtual trials' toxicities: neutrophil course and end-of-treatment LVEF."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure

from mechsim.errors import InputError
from mechsim.trials import ArmSimulation, get_arm, simulate_arm
from mechsim.trials._toxicity_plots import lvef_figure, neutrophil_figure


@pytest.fixture(scope="module")
def sim() -> ArmSimulation:
    """Six virtual patients of the doxorubicin 75 mg/m2 arm (small: the test stays fast)."""
    return simulate_arm(get_arm("aldox-2b-doxorubicin"), 6, seed=1)


def test_neutrophil_figure(sim: ArmSimulation, tmp_path: Path) -> None:
    fig = neutrophil_figure([sim], days=42)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 1
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"
    assert ax.get_xlim() == (0.0, 42.0)
    # the median line, then the CTCAE grade 3 and 4 lines at 1.0 and 0.5 x1e9/L
    median = ax.lines[0].get_ydata()
    np.testing.assert_allclose(median[0], np.median(sim.toxicity.anc[:, 0]))
    assert {tuple(line.get_ydata()) for line in ax.lines[1:]} == {(1.0, 1.0), (0.5, 0.5)}
    path = tmp_path / "neutrophils.png"
    fig.savefig(path, dpi=50)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(InputError, match="days"):
        neutrophil_figure([sim], days=0)


def test_lvef_figure_skips_arms_without_heart(sim: ArmSimulation, tmp_path: Path) -> None:
    assert np.isfinite(sim.toxicity.lvef_end).all()
    fig = lvef_figure([sim])
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 1
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    below = int((sim.toxicity.lvef_end < 50.0).sum())
    assert len(ticks) == 1 and f"{below} of 6" in ticks[0]
    path = tmp_path / "lvef.png"
    fig.savefig(path, dpi=50)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # an arm without heart (all-NaN LVEF, as for trofosfamide) is left out
    tox = sim.toxicity
    no_heart = ArmSimulation(sim.arm, sim.seed, sim.patients, sim.times_days, sim.sld_mm,
                             sim.readout, sim.params, sim.n_reported,
                             type(tox)(**{**vars(tox), "lvef_end": np.full(6, np.nan)}))
    fig = lvef_figure([sim, no_heart])
    assert len(fig.axes[0].get_xticklabels()) == 1
    assert "not simulated" in fig.axes[0].get_title()
