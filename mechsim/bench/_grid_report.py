"""Write a grid benchmark result: JSON, a Markdown table beside it, a work-precision plot."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mechsim._io import atomic_open, atomic_write_text

__all__ = ["markdown", "write_results"]

_TARGETS = (
    "Targets on a 2-core CPU: mechsim >= 10x libRoadRunner and >= 20x diffrax Kvaerno5 "
    "per solve at equal or better accuracy; JIT compile of the full mechanism <= 10 s."
)


_GPU_TARGETS = (
    "Targets on one H100: >= 10^6 full-mechanism solves per second in float64 and >= 20x "
    "diffrax Kvaerno5 on the same GPU; GPU memory per million points reported (XLA's "
    "buffer assignment, and the device's peak)."
)


def _memory_lines(results: list[dict[str, Any]]) -> list[str]:
    """Device memory of the vectorised methods (from XLA's buffer assignment, and the
    runtime peak where the device reports one)."""
    rows = [r for r in results if r.get("program_bytes") is not None]
    if not rows:
        return []
    lines = ["", "| method | points per call | memory per call GiB | GiB per 10^6 points in flight "
             "| device peak GiB |", "|---|---:|---:|---:|---:|"]  # fmt: skip
    for r in rows:
        peak = r.get("device_peak_bytes")
        lines.append(
            f"| {r['method']} | {r['batch']} | {r['program_bytes'] / 2**30:.3f} | "
            f"{r['gib_per_million_points']:.1f} | "
            f"{'not reported' if peak is None else f'{peak / 2**30:.2f}'} |"
        )
    lines += ["", "Memory per call: arguments + outputs + XLA temporaries of one compiled call "
              "(buffer assignment). Per 10^6 points: arguments and outputs scaled to 10^6 "
              "points, temporaries too when a call is one vmap (GPU), once when lanes run in "
              "groups (CPU). Device peak: the process's peak bytes in use so far (GPU only; "
              "it includes the methods run before)."]  # fmt: skip
    if any(r.get("backend") == "native" for r in rows):
        lines += ["", "Native backend: host memory of the per-point inputs, schedules and outputs "
                  "(each thread's solver state lives on its stack, tens of KiB)."]  # fmt: skip
    return lines


def markdown(res: dict[str, Any], quick: bool = False) -> str:
    """The Markdown report of one model's result."""
    by = {r["method"]: r for r in res["results"]}
    lines = [
        f"# Grid benchmark: {res['model']}{' (STAND-IN mechanism)' if res.get('stand_in') else ''}",
        "",
        f"- machine: {res['machine']}",
        f"- device: {res['device']}"
        + (
            " (no GPU was available to this run; the benchmark runs unchanged on CUDA after "
            "`pip install '.[gpu]'`, GPU numbers are not recorded here)"
            if res["device"].startswith("cpu")
            else ""
        ),
        f"- model: `{res['model']}`, {res['n_states']} states; grid: {res['n']} points = dose "
        f"({res['dose']['state']}, bolus at t=0 as initial amount, {res['dose']['range']} of "
        f"{res['dose']['reference_umol']:.4g} umol) x `{res['scan_parameter']}` (1/3x..3x nominal, log)",
        f"- tolerances rtol {res['rtol']:g}, atol {res['atol']:g} umol; outputs {res['times_h']} h",
        "- error: max over reference points, species and times of |y - ref| / peak_t |ref| "
        "(reference: scipy Radau rtol 1e-10, atol 1e-14)",
        f"- {'QUICK run (small n, short budgets): indicative only' if quick else 'full run'}; date {res['date']}, jax {res['jax_version']}",
        "",
        "| method | solves/s | ms/solve | compile s | max rel err | points timed | failed |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in res["results"]:
        ext = " (extrapolated)" if r["extrapolated"] else ""
        lines.append(
            f"| {r['method']} | {r['solves_per_s']:.1f} | {1e3 / r['solves_per_s']:.2f} | "
            f"{r['compile_s']:.2f} | {r['max_rel_err']:.2e} | {r['points_timed']}{ext} | {r['failed']} |"
        )
    lines += _memory_lines(res["results"])
    ms = by.get("mechsim-rosenbrock")
    if ms:
        lines += ["", f"Speed-up of mechsim-rosenbrock per solve ({_backend_words(ms)}):"]
        for other in ("libroadrunner-cvode", "diffrax-kvaerno5", "scipy-lsoda",
                      "mechsim-rosenbrock-xla"):  # fmt: skip
            if other in by:
                lines.append(f"- vs {other}: {ms['solves_per_s'] / by[other]['solves_per_s']:.1f}x")
        one = ms.get("solves_per_s_one_thread")
        rr = by.get("libroadrunner-cvode")
        if one and rr:
            lines.append(
                f"- per core: {one:.0f} solves/s on one thread, {one / rr['solves_per_s']:.1f}x "
                "libRoadRunner's loop (which runs on one core)"
            )
    lines += matched_accuracy(res.get("work_precision") or [])
    lines += [
        "",
        _GPU_TARGETS if res["device"].startswith("gpu") else _TARGETS,
        "",
        "Loop methods (LSODA, libRoadRunner) and any method over its time "
        "budget are timed on the first points and extrapolated to n.",
        "",
        f"![work-precision](grid_{res['model']}_work_precision.png)",
        "",
    ]
    return "\n".join(lines)


def _backend_words(r: dict[str, Any]) -> str:
    if r.get("backend") == "native":
        return f"native C kernel, {r.get('threads', '?')} threads, one trajectory per thread"
    return "XLA backend, jit(vmap)"


def matched_accuracy(wp: list[dict[str, Any]], ours: str = "mechsim-rosenbrock") -> list[str]:
    """Speed-ups at equal or better accuracy, from the work-precision sweep.

    For every competitor setting (method, rtol) the fastest mechsim setting whose error is
    no larger is found; the ratio of their times per solve is the speed-up at equal or
    better accuracy. Settings no mechsim run matches in accuracy are listed as such.
    """
    mine = [w for w in wp if w["method"] == ours]
    others = [w for w in wp if w["method"] != ours]
    if not mine or not others:
        return []
    lines = ["", f"At equal or better accuracy (work-precision sweep): speed-up of {ours} over",
             "", "| method | its rtol | its ms/solve | its error | mechsim rtol | mechsim ms/solve "
             "| mechsim error | speed-up |", "|---|---:|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
    for w in others:
        ok = [m for m in mine if m["max_rel_err"] <= w["max_rel_err"]]
        if not ok:
            lines.append(f"| {w['method']} | {w['rtol']:g} | {1e3 * w['s_per_solve']:.2f} | "
                         f"{w['max_rel_err']:.1e} | none as accurate | | | |")  # fmt: skip
            continue
        m = min(ok, key=lambda r: r["s_per_solve"])
        lines.append(f"| {w['method']} | {w['rtol']:g} | {1e3 * w['s_per_solve']:.2f} | "
                     f"{w['max_rel_err']:.1e} | {m['rtol']:g} | {1e3 * m['s_per_solve']:.2f} | "
                     f"{m['max_rel_err']:.1e} | {w['s_per_solve'] / m['s_per_solve']:.1f}x |")  # fmt: skip
    return lines


def write_results(res: dict[str, Any], out_dir: Path, quick: bool = False) -> list[Path]:
    """``grid_<model>.json``, ``grid_<model>.md`` and ``grid_<model>_work_precision.png``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"grid_{res['model']}{'_quick' if quick else ''}"
    paths = [
        atomic_write_text(out_dir / f"{stem}.json", json.dumps(res, indent=2)),
        atomic_write_text(
            out_dir / f"{stem}.md",
            markdown(res, quick).replace(
                f"grid_{res['model']}_work_precision.png", f"{stem}_work_precision.png"
            ),
        ),
    ]
    fig, ax = plt.subplots(figsize=(5.5, 4))
    for meth in dict.fromkeys(w["method"] for w in res["work_precision"]):
        pts = [w for w in res["work_precision"] if w["method"] == meth]
        ax.loglog(
            [w["s_per_solve"] * 1e3 for w in pts],
            [max(w["max_rel_err"], 1e-16) for w in pts],
            "o-",
            label=meth,
        )
        for w in pts:
            ax.annotate(
                f"{w['rtol']:.0e}",
                (w["s_per_solve"] * 1e3, max(w["max_rel_err"], 1e-16)),
                fontsize=6,
            )
    ax.set_xlabel("time per solve [ms]")
    ax.set_ylabel("max relative error vs reference")
    ax.set_title(
        f"work-precision: {res['model']}{' (stand-in)' if res.get('stand_in') else ''}", fontsize=9
    )
    ax.legend(fontsize=7)
    png = out_dir / f"{stem}_work_precision.png"
    with atomic_open(png, "wb") as fh:
        fig.savefig(fh, format="png", dpi=120, bbox_inches="tight")
    plt.close(fig)
    return [*paths, png]
