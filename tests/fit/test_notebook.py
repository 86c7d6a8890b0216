"""notebooks/02_fitting_rates.ipynb runs top to bottom (small problem)."""

from __future__ import annotations

import nbformat
from nbclient import NotebookClient


def test_fitting_notebook_executes(root_dir, tmp_path):
    nb = nbformat.read(root_dir / "notebooks" / "02_fitting_rates.ipynb", as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()  # fmt: skip
    outputs = "".join(
        o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
    )
    assert "best nllh" in outputs and "Fisher information" in outputs
