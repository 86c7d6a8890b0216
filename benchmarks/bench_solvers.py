"""Run the solver benchmark (same as ``mechsim bench solvers [--quick] [--json FILE]``)."""

from __future__ import annotations

import sys
from pathlib import Path

from mechsim.bench.solvers import run_benchmark, to_markdown, write_results

if __name__ == "__main__":
    quick = "--quick" in sys.argv
    out = Path(__file__).parent / "results" / "solvers_cpu.json"
    kwargs = (
        {"n_params": 64, "n_diffrax": 16, "n_lsoda": 3, "n_ref": 2, "repeats": 1} if quick else {}
    )
    result = run_benchmark(**kwargs)
    write_results(result, out)
    print(to_markdown(result))
