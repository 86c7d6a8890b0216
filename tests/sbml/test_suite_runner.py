"""The test-suite runner: a per-case time limit that always lets the run finish, tags, report.

A stand-in case that sleeps past the limit must come back as ``timeout`` (its worker is
killed) while the other cases of the same run still finish.
"""

from __future__ import annotations

import time
from pathlib import Path

from mechsim.sbml import CaseResult, report_markdown, run_cases, summarize
from mechsim.sbml._testsuite import case_tags, refusal_reason


def sleepy_case(case_dir: str) -> CaseResult:
    """Stand-in runner: a case named ``slow`` sleeps for a minute, others pass at once."""
    name = Path(case_dir).name
    if name == "slow":
        time.sleep(60)
    return CaseResult(name, "pass")


def test_run_cases_reports_timeout_and_the_run_finishes(tmp_path: Path) -> None:
    dirs = [tmp_path / n for n in ("fast1", "slow", "fast2")]
    for d in dirs:
        d.mkdir()
    (dirs[1] / "slow-model.m").write_text("componentTags: Species, Reaction\ntestTags: Amount\n")
    # one worker: the slow case's worker is killed and a new one runs the last case
    results = run_cases(dirs, jobs=1, case_timeout=1.5, runner=sleepy_case)
    assert [r.status for r in results] == ["pass", "timeout", "pass"]
    assert results[1].seconds < 30  # killed at the limit, not after the minute's sleep
    assert results[1].tags == ("Species", "Reaction", "Amount")
    summary = summarize(results)
    assert summary["timeout"] == 1 and summary["pass"] == 2
    assert summary["by_tag"]["Amount"]["timeout"] == 1
    assert "| timeout | 1 |" in report_markdown(summary)


def test_case_tags_reads_component_and_test_tags(tmp_path: Path) -> None:
    d = tmp_path / "00001"
    d.mkdir()
    (d / "00001-model.m").write_text(
        "(*\ncategory: Test\ncomponentTags: Compartment, Species \ntestTags:      InitialAmount\n*)\n")
    assert case_tags(d) == ("Compartment", "Species", "InitialAmount")
    assert case_tags(tmp_path) == ()


def test_refusal_reason_drops_element_ids() -> None:
    assert refusal_reason("event 'e1': event delays are not supported") == \
        "event delays are not supported"
