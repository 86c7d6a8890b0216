"""The ``mechsim trial validate`` record: every simulable arm x 20 replicates, timed.

Usage::

    python benchmarks/trial_validation.py [--replicates 20]
    python benchmarks/trial_validation.py --structures [--replicates 20]

``--structures`` validates the two threshold structures of
:class:`mechsim.trials._tumour.ThresholdStructure` (A: ``CALIBRATED``, B: ``CALIBRATED_B``)
in this process on the same virtual patients (:func:`mechsim.trials._validation.validate_structures`,
seed 0 as ``trial validate``) and writes ``benchmarks/results/trial_structures.{md,json}``
beside the two calibrations (``trial_calibration.json`` for A,
``trial_structures_calibration.json`` for B); ``trial_validation.*`` is left alone.

Runs ``mechsim trial validate --replicates R --out DIR --json benchmarks/results/trial_validation.json``
in a fresh process (compile included, as a user runs it), measures its wall time and peak
resident memory, and writes ``benchmarks/results/trial_validation.md``: every endpoint of
every arm (reported, simulated with the 2.5-97.5 % range over replicate trials, agrees or
not, calibration or validation) and the counts per role. Target (issue #18): under 10
minutes on the 2-core reference machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks/results"


def _fmt(x, unit: str) -> str:
    if x is None:
        return "NR" if unit == "months" else "—"
    return f"{x:.3g}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replicates", type=int, default=20)
    ap.add_argument("--structures", action="store_true",
                    help="validate structures A and B side by side (trial_structures.{md,json})")
    args = ap.parse_args()
    if args.structures:
        from trial_structures_report import run_structures

        run_structures(args.replicates)
        return
    out_json = RESULTS / "trial_validation.json"
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "mechsim", "trial", "validate", "--replicates",
               str(args.replicates), "--out", str(Path(tmp) / "val"), "--json", str(out_json)]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"trial validate failed ({proc.returncode}): {proc.stderr[-2000:]}")
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    rec = json.loads(out_json.read_text())
    md = ["# `mechsim trial validate`: virtual trials against the seeds", "",
          f"`benchmarks/trial_validation.py`: `mechsim trial validate --replicates {args.replicates}` "
          f"in a fresh process on {platform.platform()} ({os.cpu_count()} CPUs): "
          f"**{wall:.0f} s wall** (compile included; target: under 600 s), peak RSS "
          f"{peak_mib:.0f} MiB.", "",
          "Simulated: median over replicate trials of the arm's size; interval: 2.5-97.5 % over "
          "replicates. A rate agrees when it lies in the reported 95 % binomial interval widened "
          "by 0.05 (shown as the acceptance range), a median when within a factor 1.5. Rates "
          "in %, medians in months; NR: median not reached in most replicates.", ""]
    for role, c in rec["summary"].items():
        md.append(f"- {role}: {c['agrees']} of {c['compared']} endpoints agree")
    md += ["", "| arm | role | n × R | endpoint | reported | acceptance | simulated [interval] | agrees |",
           "|---|---|---|---|---|---|---|---|"]
    for a in rec["arms"]:
        for e in a["endpoints"]:
            unit = e.get("unit") or "%"
            rng = e.get("reported_range")
            acc = "—" if not rng else f"{rng[0]:.3g}–{rng[1]:.3g}"
            iv = e.get("interval")
            sim = _fmt(e["simulated"], unit)
            if iv:
                sim += f" [{_fmt(iv[0], unit)}–{_fmt(iv[1], unit)}]"
            if e["agrees"] is None and e["simulated"] is None:
                sim = "not simulated"
            ag = {True: "yes", False: "**no**", None: "—"}[e["agrees"]]
            rep = "—" if e["reported"] is None else f"{e['reported']:g}"
            md.append(f"| {a['id']} | {a['role']} | {a['n_patients']} × {a['replicates']} | "
                      f"{e['name']} | {rep} | {acc} | {sim} | {ag} |")
    md += ["", "## The seeds' directions", "",
           "Rates: mean over replicate trials; PFS: median over replicates (NR: not reached).", "",
           "| direction | arms | reported | simulated | holds |", "|---|---|---|---|---|"]
    for d in rec.get("directions", []):
        rep = " vs ".join("—" if v is None else f"{v:g}" for v in d["reported"])
        sim = " vs ".join("NR" if v is None else f"{v:.3g}" for v in d["simulated"])
        ok = {True: "yes", False: "**no**", None: "—"}[d["holds"]]
        md.append(f"| {d['name']} | {' vs '.join(d['arms'])} | {rep} | {sim} | {ok} |")
    md.append("")
    (RESULTS / "trial_validation.md").write_text("\n".join(md))
    print("\n".join(md))


if __name__ == "__main__":
    main()
