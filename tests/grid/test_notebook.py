"""notebooks/03_dose_response_grid.ipynb executes top to bottom (small grid, < 60 s)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "03_dose_response_grid.ipynb"


def test_notebook_executes(tmp_path, subprocess_env, monkeypatch):
    for key in ("PYTHONPATH", "JAX_COMPILATION_CACHE_DIR"):
        monkeypatch.setenv(key, subprocess_env[key])  # the kernel inherits them
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = "".join(o.get("text", "") for o in outputs)
    assert "resume computed 0 chunks" in text
    assert os.fspath(NOTEBOOK).endswith(".ipynb")
