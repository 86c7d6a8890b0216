"""Cell-level potency of the DNA damage -> apoptosis link, calibrated on Hong 2019.

Usage::

    python benchmarks/calibrate_hong2019.py [--no-write]

Hong, Wilson & Hicks 2019 (Neoplasia 21:159; kinetics.md section 2) give, for HCT116 cells
and isophosphoramide mustard, a fitted cell model (medium loss 6.67e-6 1/s, intracellular
loss 0.015 1/s, k_in = k_out = 5e-4 1/s) and 10 % clonogenic survival at an intracellular
IPM AUC of 0.771 uM*h. The ``ipm-hct116`` model (:mod:`mechsim.mechanisms.trofosfamide._hong2019`)
builds that experiment from the tumour's own chemistry, DNA and apoptosis parts.

Method
------
0. ``k_guanine_aziridinium`` (NOT FOUND) is derived from the sulfur-mustard ICL yield of
   kinetics.md, 0.12 ICL per 1e9 Da DNA per uM = 499 ICL per diploid cell per uM, read as
   per uM*h of intracellular mustard: Brent's method on ``log10(k)`` until the model
   makes that many peak ICLs per cell per uM*h of intracellular IPM (1 uM in the medium).
1. Checks that the model reproduces Hong's kinetic constants (not fitted: they are its
   parameters): medium loss rate, intracellular loss rate, k_in/k_out.
2. The IPM concentration in the medium giving an intracellular AUC of 0.771 uM*h over the
   72-h run: IPM kinetics are linear, so it is 0.771 / (AUC per uM), checked by a run.
3. ``dsb_per_icl`` (the one free parameter, one target) by Brent's method on
   ``log10(dsb_per_icl)`` so that ``surviving_fraction`` at 72 h is 0.10 at that exposure;
   then the survival-vs-AUC curve around it is reported (not fitted).

Writes ``benchmarks/results/hong2019_calibration.{md,json}`` and, unless ``--no-write``,
the generated DSB_PER_ICL and HONG_IPM_UM blocks of the package.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import time
from pathlib import Path

import numpy as np
from scipy.optimize import brentq

import mechsim
from mechsim.mechanisms.trofosfamide._hong2019 import (
    HONG_AUC10,
    build_hct116_apoptosis,
    hong_regimen,
    hong_times,
)

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks/results"
FILES = {
    "K_GUANINE": ROOT / "mechsim/mechanisms/trofosfamide/_parameters_dna.py",
    "DSB_PER_ICL": ROOT / "mechsim/mechanisms/trofosfamide/_apoptosis.py",
    "HONG_IPM_UM": ROOT / "mechsim/mechanisms/trofosfamide/_hong2019.py",
}
RTOL, ATOL = 1e-8, 1e-16
TARGET_SF = 0.10
#: Sulfur-mustard ICL yield (kinetics.md section 2, keratinocytes): 0.12 ICL per 1e9 Da of DNA
#: per uM; a diploid genome of 1.28e10 nt at 325 Da per nucleotide is 4.16e12 Da.
ICL_PER_CELL_PER_UMH = 0.12 * 1.28e10 * 325.0 / 1e9


def rewrite(name: str, value: float) -> None:
    """Replace the generated ``name = value`` block (6 significant digits)."""
    path = FILES[name]
    text = path.read_text()
    new, n = re.subn(rf"(# BEGIN {name}[^\n]*\n){name} = [^\n]+\n", rf"\g<1>{name} = {value:.6g}\n", text)
    if n != 1:
        raise RuntimeError(f"no {name} block in {path}")
    path.write_text(new)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--no-write", action="store_true", help="do not rewrite the package constants")
    args = ap.parse_args()
    t0 = time.time()
    net = build_hct116_apoptosis()
    cm = mechsim.compile_network(net)
    times = hong_times()
    k_guanine = float(net.parameter("k_guanine_aziridinium").value)

    def run(ipm_uM: float, dsb_per_icl: float | None = None):
        params = {"k_guanine_aziridinium": k_guanine}
        if dsb_per_icl is not None:
            params["dsb_per_icl"] = dsb_per_icl
        res = mechsim.simulate(cm, hong_regimen(ipm_uM), times, params=params, rtol=RTOL, atol=ATOL)
        if int(res.status) != 0:
            raise RuntimeError(f"simulation failed at {ipm_uM} uM: {res.messages()}")
        return res

    def intracellular_auc(res) -> float:
        return float(np.trapezoid(np.asarray(res.get("isophosphoramide-mustard", "cells")), times))

    def icl_yield(res) -> float:  # peak ICLs per cell per uM*h of intracellular IPM
        dsb = float(net.parameter("dsb_per_icl").value)
        return float(np.asarray(res.observable("dna_damage")).max()) / dsb / intracellular_auc(res)

    # 0. the guanine rate constant from the sulfur-mustard ICL yield
    k_start = k_guanine

    def yield_gap(log10_k: float) -> float:
        nonlocal k_guanine
        k_guanine = 10.0 ** log10_k
        return np.log(icl_yield(run(1.0)) / ICL_PER_CELL_PER_UMH)

    k_guanine = 10.0 ** brentq(yield_gap, -2.0, 5.0, xtol=1e-6)
    yield_check = icl_yield(run(1.0))

    # 1. Hong's constants as the model realises them
    ref = run(1.0)
    med = np.asarray(ref.get("isophosphoramide-mustard", "medium"))
    cell = np.asarray(ref.get("isophosphoramide-mustard", "cells"))
    m = times >= 24.0
    k_medium = -np.polyfit(times[m], np.log(med[m]), 1)[0] / 3600.0  # 1/s
    ratio = float(np.median(cell[m] / med[m]))  # quasi-steady C_in / C_med = k_in / (k_out + k_loss)
    k_in = k_out = float(net.parameter("k_membrane_mustard").value)
    k_loss_cell = k_in / ratio - k_out  # 1/s, from the quasi-steady ratio
    gate = 1.0 / (1.0 + 10.0 ** (net.parameter("pKa_IPM").value - net.parameter("pH_medium").value))
    k_chem = float(net.parameter("k_cyc_IPM").value) * gate  # 1/s, declared unit of k_cyc_IPM
    checks = {
        "medium_loss_per_s (chemistry)": (k_chem, 6.67e-6),
        "medium_decline_per_s (chemistry + uptake by cells)": (k_medium, 6.67e-6),
        "intracellular_loss_per_s": (k_loss_cell, 0.015),
    }
    # 2. exposure giving the Hong AUC
    auc_per_uM = intracellular_auc(ref)
    ipm_uM = HONG_AUC10 / auc_per_uM
    auc_check = intracellular_auc(run(ipm_uM))

    # 3. dsb_per_icl
    def sf(log10_dsb: float) -> float:
        res = run(ipm_uM, 10.0 ** log10_dsb)
        return float(np.asarray(res.observable("surviving_fraction"))[-1])

    lo, hi = -7.0, 1.0
    f_lo, f_hi = sf(lo) - TARGET_SF, sf(hi) - TARGET_SF
    if not (f_lo > 0 > f_hi):
        raise RuntimeError(f"10 % survival is not bracketed: SF-0.1 = {f_lo:.3g} at 1e{lo:g}, "
                           f"{f_hi:.3g} at 1e{hi:g}")
    log10_dsb = brentq(lambda x: sf(x) - TARGET_SF, lo, hi, xtol=1e-6)
    dsb = 10.0 ** log10_dsb
    fitted = run(ipm_uM, dsb)
    sf_fit = float(np.asarray(fitted.observable("surviving_fraction"))[-1])
    icl_peak = float(np.asarray(fitted.observable("dna_damage")).max()) / dsb
    curve = []
    for fold in (0.25, 0.5, 1.0, 2.0, 4.0):
        r = run(ipm_uM * fold, dsb)
        curve.append({"ipm_medium_uM": ipm_uM * fold, "auc_intracellular_uMh": intracellular_auc(r),
                      "icl_per_cell_peak": float(np.asarray(r.observable("dna_damage")).max()) / dsb,
                      "surviving_fraction": float(np.asarray(r.observable("surviving_fraction"))[-1])})
    seconds = time.time() - t0
    machine = f"{platform.node()} {platform.machine()} python {platform.python_version()}"
    payload = {"k_guanine_aziridinium": k_guanine, "k_guanine_start": k_start,
               "icl_per_cell_per_uMh": yield_check, "dsb_per_icl": dsb, "ipm_medium_uM": ipm_uM, "auc_per_uM": auc_per_uM,
               "auc_check": auc_check, "surviving_fraction": sf_fit, "icl_per_cell_peak": icl_peak,
               "checks": {k: {"model": a, "hong": b} for k, (a, b) in checks.items()},
               "curve": curve, "runtime_s": seconds, "machine": machine}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "hong2019_calibration.json").write_text(json.dumps(payload, indent=2))
    lines = [
        "# Cell-level potency: Hong, Wilson & Hicks 2019 (HCT116, IPM)",
        "",
        f"Generated by `benchmarks/calibrate_hong2019.py` in {seconds:.0f} s on {machine}; "
        f"rtol {RTOL:g}. Model `ipm-hct116` (scenario `ipm-hong2019-hct116`): IPM added to 1 mL "
        "medium, continuous exposure, survival read at 72 h.",
        "",
        "## The guanine-N7 rate constant (derived)",
        "",
        f"Sulfur-mustard ICL yield 0.12 ICL per 1e9 Da DNA per uM (kinetics.md) = "
        f"{ICL_PER_CELL_PER_UMH:.0f} ICL per diploid cell per uM*h of intracellular mustard: "
        f"`k_guanine_aziridinium` {k_start:.4g} -> **{k_guanine:.4g} 1/M/h** (model yield "
        f"{yield_check:.4g} ICL per cell per uM*h).",
        "",
        "## Hong's kinetic constants as the model realises them (parameters, not fitted)",
        "",
        "| quantity | Hong 2019 | model |",
        "|---|---:|---:|",
    ]
    for k, (a, b) in checks.items():
        lines.append(f"| {k} | {b:.4g} | {a:.4g} |")
    lines += [
        f"| k_in = k_out (1/s) | 5e-04 | {k_in:.4g} |",
        "",
        "The medium declines 7 % faster than its chemistry because the cells take IPM up "
        "(V_cells/V_medium = 1e-3 at k_in 5e-4 1/s, nearly all of it lost inside). "
        "The intracellular rate is read back from the quasi-steady ratio C_in/C_medium = "
        "k_in/(k_out + k_loss); it differs from 0.015 only by the pKa gate of the cyclisation "
        "(pKa 4.31 at pH 7.2).",
        "",
        "## Calibration (one parameter, one target)",
        "",
        f"* medium IPM giving an intracellular AUC of {HONG_AUC10} uM*h over 72 h: "
        f"**{ipm_uM:.4g} uM** (AUC per uM {auc_per_uM:.4g} uM*h; check {auc_check:.4g} uM*h)",
        f"* fitted `dsb_per_icl` = **{dsb:.4g}** DSB-equivalents per ICL -> surviving fraction "
        f"{sf_fit:.4f} (target {TARGET_SF}); peak ICLs per cell at that exposure {icl_peak:.3g}",
        "",
        "`dsb_per_icl` is the lethality of one modelled ICL in DSB-equivalents; with the ICL yield "
        "set from the sulfur-mustard anchor it also carries what that analogy gets wrong. "
        "It is a calibration, not a validation: the tumour response of the trials (issue #18) "
        "is the independent check.",
        "",
        "## Survival around the anchor (not fitted)",
        "",
        "| medium IPM (uM) | intracellular AUC (uM*h) | peak ICL per cell | surviving fraction |",
        "|---:|---:|---:|---:|",
    ]
    for r in curve:
        lines.append(f"| {r['ipm_medium_uM']:.4g} | {r['auc_intracellular_uMh']:.4g} | "
                     f"{r['icl_per_cell_peak']:.3g} | {r['surviving_fraction']:.4f} |")
    (RESULTS / "hong2019_calibration.md").write_text("\n".join(lines) + "\n")
    if not args.no_write:
        rewrite("K_GUANINE", k_guanine)
        rewrite("DSB_PER_ICL", dsb)
        rewrite("HONG_IPM_UM", ipm_uM)
    print(json.dumps({k: payload[k] for k in ("dsb_per_icl", "ipm_medium_uM", "surviving_fraction")}))


if __name__ == "__main__":
    main()
