"""Run SBML Test Suite cases (or cases laid out like them) and judge the results.

A point passes when ``|C - U| <= absolute + relative * |C|`` (C expected, U simulated);
a case passes when every point of every variable does. Each case ends as ``pass``,
``fail`` (simulated, outside tolerance), ``refused`` (an
:class:`~mechsim.errors.UnsupportedSBMLError`: a construct mechsim does not support) or
``error`` (any other exception, recorded with its message: one bad case never stops a
run).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from mechsim.errors import UnsupportedSBMLError

__all__ = [
    "CaseResult", "case_files", "report_markdown", "run_case", "run_cases", "simulate_case",
    "summarize",
]


@dataclass(frozen=True)
class CaseResult:
    """Outcome of one case. ``worst`` is max |C-U| / (Ta + Tr|C|) over all points."""

    case: str
    status: str
    message: str = ""
    worst: float = float("nan")
    seconds: float = 0.0

    def to_dict(self) -> dict:
        """Plain-data form (JSON)."""
        return asdict(self)


def case_files(case_dir: str | os.PathLike[str]) -> tuple[Path, Path, Path]:
    """``(model, settings, results)`` of a case folder; the model at the highest level."""
    d = Path(case_dir)
    name = d.name
    models = sorted(d.glob(f"{name}-sbml-l*.xml"))
    preferred = [m for m in models if m.name.endswith("-sbml-l3v2.xml")]
    if preferred:
        model = preferred[0]
    elif models:
        model = models[-1]
    elif (d / f"{name}.xml").exists():
        model = d / f"{name}.xml"
    else:
        raise FileNotFoundError(f"case {name!r}: no SBML model file in {str(d)!r}")
    return model, d / f"{name}-settings.txt", d / f"{name}-results.csv"


def simulate_case(model_path: str | os.PathLike[str], settings_path: str | os.PathLike[str],
                  *, rtol: float = 1e-10):
    """Import ``model_path`` and simulate it as ``settings_path`` asks.

    Returns:
        :class:`~mechsim.sbml.SbmlTimeCourse`.
    """
    from mechsim.sbml._driver import simulate_sbml
    from mechsim.sbml._import import import_sbml
    from mechsim.sbml._settings import read_settings

    settings = read_settings(settings_path)
    model = import_sbml(model_path)
    atol = float(np.clip(1e-6 * settings.absolute, 1e-22, 1e-12)) if settings.absolute else 1e-14
    variables = [(v, settings.how(v)) for v in settings.variables]
    return simulate_sbml(model, settings.times, variables, rtol=rtol, atol=atol)


def run_case(case_dir: str | os.PathLike[str]) -> CaseResult:
    """Simulate one case folder and compare with its expected results (never raises)."""
    from mechsim.sbml._settings import read_results, read_settings

    name = Path(case_dir).name
    start = time.perf_counter()
    try:
        model, settings_path, results_path = case_files(case_dir)
        settings = read_settings(settings_path)
        course = simulate_case(model, settings_path)
        header, expected = read_results(results_path)
        worst = _worst(expected[:, 1:], course.values, settings.absolute, settings.relative,
                       header[1:], list(settings.variables))
    except UnsupportedSBMLError as exc:
        return CaseResult(name, "refused", str(exc), seconds=time.perf_counter() - start)
    except Exception as exc:
        msg = f"{type(exc).__name__}: {exc}"
        return CaseResult(name, "error", msg[:500], seconds=time.perf_counter() - start)
    status = "pass" if worst <= 1.0 else "fail"
    msg = "" if status == "pass" else f"max error / tolerance = {worst:.3g}"
    return CaseResult(name, status, msg, worst, time.perf_counter() - start)


def _worst(expected: np.ndarray, got: np.ndarray, ta: float, tr: float,
           header: list[str], variables: list[str]) -> float:
    order = [header.index(v) if v in header else i for i, v in enumerate(variables)]
    expected = expected[:, order]
    if expected.shape != got.shape:
        raise ValueError(f"expected results have shape {expected.shape}, simulated {got.shape}")
    tol = ta + tr * np.abs(expected)
    err = np.abs(expected - got)
    both_nan = np.isnan(expected) & np.isnan(got)
    same_inf = np.isinf(expected) & (expected == got)
    ratio = np.where(both_nan | same_inf, 0.0, err / np.where(tol > 0, tol, 1e-300))
    ratio = np.where(np.isnan(ratio), np.inf, ratio)
    return float(ratio.max()) if ratio.size else 0.0


def _init_worker() -> None:
    import mechsim._config  # noqa: F401


def run_cases(case_dirs: Iterable[str | os.PathLike[str]], *, jobs: int = 1,
              on_result: Callable[[CaseResult], None] | None = None) -> list[CaseResult]:
    """Run cases (in ``jobs`` processes) and return their results in input order."""
    dirs = [str(d) for d in case_dirs]
    results: dict[str, CaseResult] = {}
    for r in _iterate(dirs, jobs):
        results[r.case] = r
        if on_result is not None:
            on_result(r)
    return [results[Path(d).name] for d in dirs]


#: Cases per worker process before it is replaced: each case compiles its own XLA
#: executables, and one process that compiles hundreds exhausts LLVM's code memory.
CASES_PER_WORKER = 50


def _iterate(dirs: list[str], jobs: int) -> Iterator[CaseResult]:
    if len(dirs) <= 1:
        for d in dirs:
            yield run_case(d)
        return
    ctx = mp.get_context("spawn")
    with ctx.Pool(max(1, jobs), initializer=_init_worker, maxtasksperchild=CASES_PER_WORKER) as pool:
        yield from pool.imap_unordered(run_case, dirs)


def summarize(results: list[CaseResult]) -> dict:
    """Counts per status, the pass rate and per-case entries (JSON-ready)."""
    counts = {s: sum(r.status == s for r in results) for s in ("pass", "fail", "refused", "error")}
    total = len(results)
    return {
        "total": total,
        **counts,
        "pass_rate": counts["pass"] / total if total else 0.0,
        "seconds": sum(r.seconds for r in results),
        "cases": [r.to_dict() for r in results],
    }


def report_markdown(summary: dict, title: str = "SBML Test Suite") -> str:
    """A Markdown report of :func:`summarize`'s output: counts, then every non-passing case."""
    lines = [
        f"# {title}",
        "",
        "| status | cases |",
        "|---|---|",
        *(f"| {k} | {summary[k]} |" for k in ("pass", "fail", "refused", "error")),
        f"| **pass rate** | **{100 * summary['pass_rate']:.1f} %** of {summary['total']} |",
        "",
        f"Total case time {summary['seconds']:.0f} s (sum over cases, all workers).",
        "",
    ]
    bad = [c for c in summary["cases"] if c["status"] != "pass"]
    if bad:
        lines += ["## Cases that do not pass", "", "| case | status | cause |", "|---|---|---|"]
        for c in bad:
            cause = c["message"].replace("|", "\\|").replace("\n", " ")[:200]
            lines.append(f"| {c['case']} | {c['status']} | {cause} |")
    return "\n".join(lines) + "\n"
