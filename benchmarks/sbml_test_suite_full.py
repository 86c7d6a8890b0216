"""The whole shared SBML Test Suite (``cases/`` + ``cases-more/``) with a per-case time limit.

Writes ``benchmarks/results/sbml_test_suite_full.md`` and ``.json``: counts by outcome
(pass / fail / refused / error / timeout), by component and test tag, the refusal reasons
with counts, the wall time, the machine and the date.

    python benchmarks/sbml_test_suite_full.py --jobs 2 --case-timeout 120

Runs can be split (``--folders cases-more --out part``) and their JSON outputs combined
into one record with ``--merge part1.json part2.json`` (cases in both: the later file's).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from pathlib import Path

from mechsim._io import atomic_write_text
from mechsim.bench.grid import machine_description
from mechsim.sbml import CaseResult, report_markdown, run_cases, summarize

ROOT = Path(__file__).resolve().parents[1]
SUITE = ROOT.parent / "shared" / "sbml-test-suite"
OUT = ROOT / "benchmarks" / "results" / "sbml_test_suite_full"


def _case_dirs(folder: Path) -> list[Path]:
    return sorted(d for d in folder.iterdir() if d.is_dir() and any(d.glob("*-settings.txt")))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--jobs", type=int, default=2, help="worker processes")
    ap.add_argument("--case-timeout", type=float, default=120.0, help="seconds per case")
    ap.add_argument("--folders", nargs="+", default=["cases", "cases-more"],
                    help="folders of the suite to run")
    ap.add_argument("--out", type=Path, default=OUT, help="output path without suffix")
    ap.add_argument("--merge", nargs="+", type=Path, default=None,
                    help="combine these JSON outputs of earlier runs instead of running")
    args = ap.parse_args()
    dirs = [d for f in args.folders for d in _case_dirs(SUITE / f)]
    if args.merge:
        _merge(args, dirs)
        return
    started = dt.datetime.now(dt.UTC)
    t0 = time.perf_counter()
    seen: list = []

    def tick(r) -> None:
        seen.append(r)
        if r.status != "pass":
            print(f"[{len(seen)}/{len(dirs)}] {r.case}: {r.status} {r.message[:150]}", flush=True)
        if len(seen) % 100 == 0 and len(seen) < len(dirs):  # a record survives an interrupted run
            _write(args, dirs, seen, started, time.perf_counter() - t0)

    results = run_cases(dirs, jobs=args.jobs, case_timeout=args.case_timeout, on_result=tick)
    _write(args, dirs, results, started, time.perf_counter() - t0)
    print(f"wrote {args.out.with_suffix('.md')} and .json; wall {time.perf_counter() - t0:.0f} s")


def _merge(args: argparse.Namespace, dirs: list[Path]) -> None:
    parts = [json.loads(p.read_text()) for p in args.merge]
    by_case = {}
    for part in parts:
        for c in part["cases"]:
            by_case[c["case"]] = CaseResult(**{**c, "tags": tuple(c.get("tags", ()))})
    order = [d.name for d in dirs if d.name in by_case]
    runs = "; ".join(
        f"`{p}`: {part['date']}, {len(part['cases'])} cases, wall {part['wall_seconds']:.0f} s, "
        f"jobs {part['jobs']}, case timeout {part['case_timeout']:g} s"
        + (" (partial)" if part.get("partial") else "")
        for p, part in zip(args.merge, parts, strict=True))
    args.jobs, args.case_timeout = parts[0]["jobs"], max(p["case_timeout"] for p in parts)
    started = min(dt.datetime.strptime(p["date"], "%Y-%m-%d %H:%M UTC").replace(tzinfo=dt.UTC)
                  for p in parts)
    wall = max(p["wall_seconds"] for p in parts)
    _write(args, dirs, [by_case[n] for n in order], started, wall,
           note=f"Merged from runs that ran side by side on the same machine: {runs}.")
    print(f"wrote {args.out.with_suffix('.md')} and .json from {len(order)} cases")


def _write(args: argparse.Namespace, dirs: list[Path], results: list, started: dt.datetime,
           wall: float, note: str = "") -> None:
    folder_of = {d.name: d.parent.name for d in dirs}
    summary = summarize(results)
    by_folder = {}
    for f in args.folders:
        rs = [r for r in results if folder_of[r.case] == f]
        by_folder[f] = {s: sum(r.status == s for r in rs) for s in ("pass", "fail", "refused",
                                                                      "error", "timeout")}
        by_folder[f]["total"] = len(rs)
    partial = len(results) < len(dirs)
    summary.update({
        "date": started.strftime("%Y-%m-%d %H:%M UTC"),
        "wall_seconds": wall,
        "machine": machine_description(),
        "jobs": args.jobs,
        "case_timeout": args.case_timeout,
        "cases_planned": len(dirs),
        "partial": partial,
        "folders": by_folder,
        "note": note,
    })
    args.out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(args.out.with_suffix(".json"), json.dumps(summary, indent=1))
    head = [
        f"Run on {summary['date']} by `python benchmarks/sbml_test_suite_full.py --jobs {args.jobs} "
        f"--case-timeout {args.case_timeout:g}` over `{'`, `'.join(args.folders)}` of "
        f"`../shared/sbml-test-suite` ({len(dirs)} cases): wall time {wall:.0f} s on "
        f"{summary['machine']} (shared with other jobs).",
        "",
        *([note, ""] if note else []),
        *([f"**Partial: {len(results)} of {len(dirs)} cases had finished when this was written.**",
           ""] if partial else []),
        "| folder | total | pass | fail | refused | error | timeout |",
        "|---|---|---|---|---|---|---|",
        *(f"| {f} | {c['total']} | {c['pass']} | {c['fail']} | {c['refused']} | {c['error']} | "
          f"{c['timeout']} |" for f, c in by_folder.items()),
        "",
    ]
    md = report_markdown(summary, title="SBML Test Suite: cases + cases-more")
    title, rest = md.split("\n", 1)
    atomic_write_text(args.out.with_suffix(".md"), title + "\n\n" + "\n".join(head) + rest)


if __name__ == "__main__":
    main()
