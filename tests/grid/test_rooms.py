"""``mechsim.grid`` runs and stores grids; their analysis is ``mechsim.analysis.dose_response``
(#21 item 6). The names users import from ``mechsim.grid`` still work and are the same objects;
the stand-in model is the registered example model ``"standin"``, not part of the grid package.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import mechsim.analysis
import mechsim.analysis.dose_response as dr
import mechsim.grid

GRID_DIR = Path(mechsim.grid.__file__).parent


@pytest.mark.parametrize("name", [n for n in dr.__all__ if n not in ("STAGES", "default_response")])
def test_grid_names_are_the_analysis_objects(name):
    assert getattr(mechsim.grid, name) is getattr(dr, name)
    assert name in mechsim.grid.__all__


def test_analysis_exports_the_entry_points():
    for name in ("HillFit", "fit_hill", "fit_hill_curves", "plot_dose_response", "plot_heatmap",
                 "summarize_curves", "summarize_store"):
        assert getattr(mechsim.analysis, name) is getattr(dr, name), name
    assert mechsim.analysis.auc is not dr.auc  # one time course (arrays) vs labelled grid curves


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


@pytest.mark.parametrize("path", sorted(p for p in GRID_DIR.glob("_*.py") if p.name != "__init__.py"), ids=lambda p: p.name)
def test_grid_modules_run_and_store_only(path):
    """No plotting, no fits, no stand-in model inside mechsim/grid (the package re-exports aside)."""
    mods = _imports(path)
    assert not {m for m in mods if m.split(".")[0] == "matplotlib" or m.startswith("mechsim.analysis")}
    assert "mechsim.scenarios._standin" not in mods


def test_standin_is_a_registered_example_model():
    from mechsim.grid._points import resolve_model
    from mechsim.scenarios import get_model, list_models

    assert "standin" in list_models()
    assert not hasattr(mechsim.grid, "standin_network")
    net = get_model("standin")
    assert len(net.species) == 27
    assert all(p.provenance.kind == "assumed" for p in net.parameters)
    assert resolve_model("standin").network is net
