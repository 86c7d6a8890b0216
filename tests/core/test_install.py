"""The built wheel ships the curated data and works outside the checkout."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def wheel(tmp_path_factory, root_dir: Path) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(out), str(root_dir)],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    (whl,) = out.glob("mechsim-*.whl")
    return whl


def test_wheel_contains_molecule_data_and_py_typed(wheel: Path, root_dir: Path):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "mechsim/py.typed" in names
    shipped = {n for n in names if n.startswith("mechsim/_data/molecules/")}
    local = {
        "mechsim/_data/molecules/" + p.relative_to(root_dir / "molecules").as_posix()
        for p in (root_dir / "molecules").rglob("*") if p.is_file()
    }
    assert local and local <= shipped


def test_installed_package_loads_library_outside_checkout(wheel: Path, tmp_path: Path):
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True, capture_output=True, timeout=300,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = (
        "import mechsim, mechsim.molecules as m; lib = m.load_library();"
        "print(mechsim.__file__); print(lib.get('ifosfamide').inchikey)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=elsewhere, capture_output=True, text=True, timeout=300,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert proc.returncode == 0, proc.stderr
    first, key = proc.stdout.split()[:2]
    assert first.startswith(str(target)), "the installed copy, not the checkout, was imported"
    assert key == "HOMGKSMUEGBAAB-UHFFFAOYSA-N"
