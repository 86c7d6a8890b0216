"""The chemist's tour notebook executes from top to bottom (nbclient, kernel python3)."""

from __future__ import annotations

import nbformat
from nbclient import NotebookClient


def test_chemist_tour_executes(root_dir):
    path = root_dir / "notebooks" / "01_chemist_tour.ipynb"
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(root_dir)}},
    )
    client.execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    kinds = {key for o in outputs for key in o.get("data", {})}
    assert {"image/svg+xml", "image/png", "text/html"} <= kinds
    text = "".join(o.get("text", "") for o in outputs)
    assert "regenerate their products" in text
    assert "agree: False" in text  # the atom-map section catches the wrong map
    assert "C10-N12 broken (1->0)" in text  # ring opening of 4-hydroxyifosfamide: C4-N3 breaks
