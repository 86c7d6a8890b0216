"""Fixtures for the trial-arm tests: the seed texts and a valid user arm to break."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"


def normalise(text: str) -> str:
    """Whitespace collapsed and markdown bold (``**``) removed, for quoting checks."""
    return re.sub(r"\s+", " ", text.replace("**", "")).strip()


@pytest.fixture(scope="session")
def seed_texts() -> dict[str, str]:
    """File name -> normalised text of every seed document."""
    if not SEEDS.is_dir():
        pytest.fail(f"{SEEDS} is missing: the trial tests need the seed documents")
    return {p.name: normalise(p.read_text(encoding="utf-8")) for p in SEEDS.glob("*.txt")}


USER_ARM = """\
id: my-arm
title: Aldoxorubicin 250 mg/m2 every 3 weeks
study: planned study
drug: aldoxorubicin
role: validation
regimen:
  route: intravenous
  doses:
    - {dose: 250, unit: mg/m2, first_day: 1}
  cycle_days: 21
  cycles: 6
  infusion_minutes: 30
  source: "aldoxorubicin 250 mg/m2 on day 1 every 21 days"
  provenance:
    infusion_minutes: "assumed: as in the phase IIb protocol"
population:
  histology: soft-tissue sarcoma
  pretreated: false
  line: first
  age_group: adult
  n: 60
  source: "60 patients"
assessment:
  interval_weeks: 6
  description: CT every 6 weeks
  source: "CT every 6 weeks"
endpoints:
  - name: orr
    value: 20
    unit: "%"
    count: 12
    source: "ORR 20 %"
  - name: pfs_median_months
    value: 5.0
    unit: months
    p_value: 0.03
    hazard_ratio: 0.8
    hazard_ratio_ci: [0.6, 1.1]
    source: "median PFS 5.0 months"
"""


@pytest.fixture
def user_arm(tmp_path: Path) -> Path:
    """A valid user arm file."""
    path = tmp_path / "my-arm.yaml"
    path.write_text(USER_ARM, encoding="utf-8")
    return path


@pytest.fixture
def user_arm_dict() -> dict:
    """The valid user arm as plain data (to break one field at a time)."""
    return yaml.safe_load(USER_ARM)
