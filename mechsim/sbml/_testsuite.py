"""Run SBML Test Suite cases (or cases laid out like them) and judge the results.

A point passes when ``|C - U| <= absolute + relative * |C|`` (C expected, U simulated);
a case passes when every point of every variable does. Each case ends as ``pass``,
``fail`` (simulated, outside tolerance), ``refused`` (an
:class:`~mechsim.errors.UnsupportedSBMLError`: a construct mechsim does not support) or
``error`` (any other exception, recorded with its message: one bad case never stops a
run) or ``timeout`` (still running at the per-case time limit: its worker process is
killed, see :mod:`._pool`, and the run goes on).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from mechsim.errors import UnsupportedSBMLError

__all__ = [
    "CASE_TIMEOUT", "STATUSES", "CaseResult", "case_files", "case_tags", "refusal_reason",
    "report_markdown",
    "run_case", "run_cases", "simulate_case", "summarize",
]

#: Outcomes of a case, in report order.
STATUSES = ("pass", "fail", "refused", "error", "timeout")
#: Default wall-clock limit of one case (seconds).
CASE_TIMEOUT = 120.0


@dataclass(frozen=True)
class CaseResult:
    """Outcome of one case. ``worst`` is max |C-U| / (Ta + Tr|C|) over all points."""

    case: str
    status: str
    message: str = ""
    worst: float = float("nan")
    seconds: float = 0.0
    tags: tuple[str, ...] = ()

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


def case_tags(case_dir: str | os.PathLike[str]) -> tuple[str, ...]:
    """The ``componentTags`` and ``testTags`` of a case (from ``NNNNN-model.m``; () if absent)."""
    d = Path(case_dir)
    path = d / f"{d.name}-model.m"
    if not path.exists():
        return ()
    tags: list[str] = []
    for line in path.read_text(errors="replace").splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("componentTags", "testTags"):
            tags += [t.strip() for t in value.split(",") if t.strip()]
    return tuple(dict.fromkeys(tags))


def case_test_type(case_dir: str | os.PathLike[str]) -> str:
    """The case's ``testType`` (``TimeCourse``, ``FluxBalanceSteadyState``...; "" if absent)."""
    d = Path(case_dir)
    path = d / f"{d.name}-model.m"
    if path.exists():
        for line in path.read_text(errors="replace").splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "testType":
                return value.strip()
    return ""


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
        test_type = case_test_type(case_dir)
        if test_type not in ("", "TimeCourse"):
            raise UnsupportedSBMLError(
                f"case {name}: test type {test_type!r} is not supported: flux-balance steady "
                "states need a linear-programming solver, which mechsim does not have")
        if "RandomEventExecution" in case_tags(case_dir):
            raise UnsupportedSBMLError(
                f"case {name}: random event execution is not supported: SBML fires events of "
                "equal priority in random order (L3V2 section 4.11.8) and the case checks the "
                "statistics of that order; mechsim fires them in a fixed order")
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
              on_result: Callable[[CaseResult], None] | None = None,
              case_timeout: float | None = CASE_TIMEOUT,
              runner: Callable[[str], CaseResult] | None = None) -> list[CaseResult]:
    """Run cases and return their results in input order (the run always finishes).

    Args:
        case_dirs: case folders (``NNNNN/`` with model, settings and results files).
        jobs: worker processes.
        on_result: called with each result as it arrives (progress display).
        case_timeout: wall-clock limit of one case in seconds; a case over it is killed
            with its worker process and reported as ``timeout``. ``None`` with
            ``jobs=1`` runs the cases in this process (no limit).
        runner: runs one case folder in a worker (a picklable module-level function;
            default :func:`run_case`; tests pass a slow stand-in).
    """
    if case_timeout is not None and not case_timeout > 0:
        raise ValueError(f"case_timeout must be > 0 seconds or None, got {case_timeout}")
    dirs = [str(d) for d in case_dirs]
    by_name = {Path(d).name: d for d in dirs}
    results: dict[str, CaseResult] = {}
    for r in _iterate(dirs, jobs, case_timeout, runner or run_case):
        r = replace(r, tags=case_tags(by_name[r.case]))
        results[r.case] = r
        if on_result is not None:
            on_result(r)
    return [results[Path(d).name] for d in dirs]


#: Cases per worker process before it is replaced: each case compiles its own XLA
#: executables, and one process that compiles hundreds exhausts LLVM's code memory.
CASES_PER_WORKER = 50


def _iterate(dirs: list[str], jobs: int, case_timeout: float | None,
             runner: Callable[[str], CaseResult]) -> Iterator[CaseResult]:
    from mechsim.sbml._pool import run_pool

    if case_timeout is None and jobs <= 1:
        for d in dirs:
            yield runner(d)
        return
    for out in run_pool(runner, dirs, jobs=jobs, timeout=case_timeout, init=_init_worker,
                        tasks_per_worker=CASES_PER_WORKER):
        if out.kind == "done":
            yield out.value
        else:
            status = "timeout" if out.kind == "timeout" else "error"
            yield CaseResult(Path(out.task).name, status, out.detail, seconds=out.seconds)


def refusal_reason(message: str) -> str:
    """A refusal message without the element ids: what construct was refused."""
    text = message.split(": ", 1)[1] if ": " in message else message
    for marker in (" (function ", " (document "):
        if marker in text:
            text = text.split(marker)[0] + text[text.index(")", text.index(marker)) + 1:]
    if "unknown identifier" in text:
        return "unknown identifier"
    text = text.strip()
    if text.endswith(")") and " (" in text:  # the details: file names, libSBML's messages
        text = text[:text.rindex(" (")]
    return text


def summarize(results: list[CaseResult]) -> dict:
    """Counts per status and per tag, refusal reasons, the pass rate and per-case entries."""
    counts = {s: sum(r.status == s for r in results) for s in STATUSES}
    total = len(results)
    by_tag: dict[str, dict[str, int]] = {}
    for r in results:
        for tag in r.tags:
            row = by_tag.setdefault(tag, dict.fromkeys(STATUSES, 0))
            row[r.status] += 1
    reasons: dict[str, int] = {}
    for r in results:
        if r.status == "refused":
            key = refusal_reason(r.message)
            reasons[key] = reasons.get(key, 0) + 1
    return {
        "total": total,
        **counts,
        "pass_rate": counts["pass"] / total if total else 0.0,
        "seconds": sum(r.seconds for r in results),
        "by_tag": dict(sorted(by_tag.items())),
        "refusal_reasons": dict(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
        "cases": [r.to_dict() for r in results],
    }


def report_markdown(summary: dict, title: str = "SBML Test Suite") -> str:
    """A Markdown report of :func:`summarize`'s output: counts, by tag, reasons, bad cases."""
    lines = [
        f"# {title}",
        "",
        "| status | cases |",
        "|---|---|",
        *(f"| {k} | {summary.get(k, 0)} |" for k in STATUSES),
        f"| **pass rate** | **{100 * summary['pass_rate']:.1f} %** of {summary['total']} |",
        "",
        f"Total case time {summary['seconds']:.0f} s (sum over cases, all workers).",
        "",
    ]
    if summary.get("by_tag"):
        lines += ["## By tag", "", "A case counts under each of its component and test tags.", "",
                  "| tag | " + " | ".join(STATUSES) + " |", "|---" * (len(STATUSES) + 1) + "|"]
        for tag, row in summary["by_tag"].items():
            lines.append(f"| {tag} | " + " | ".join(str(row[s]) for s in STATUSES) + " |")
        lines.append("")
    if summary.get("refusal_reasons"):
        lines += ["## Refusal reasons", "", "| reason | cases |", "|---|---|"]
        for reason, n in summary["refusal_reasons"].items():
            lines.append(f"| {_cell(reason)} | {n} |")
        lines.append("")
    bad = [c for c in summary["cases"] if c["status"] != "pass"]
    if bad:
        lines += ["## Cases that do not pass", "", "| case | status | cause |", "|---|---|---|"]
        for c in bad:
            lines.append(f"| {c['case']} | {c['status']} | {_cell(c['message'])[:200]} |")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
