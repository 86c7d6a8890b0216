"""User arm files: round trip, and bad input as one clear error with the file and line."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from mechsim.errors import MechsimError
from mechsim.trials import Arm, arm_to_dict, get_arm, list_arms, load_arm

from .conftest import USER_ARM


def test_user_arm_loads(user_arm: Path) -> None:
    arm = load_arm(user_arm)
    assert isinstance(arm, Arm) and arm.id == "my-arm" and arm.simulable
    assert arm.regimen.doses[0].dose == 250 and arm.population.n == 60
    assert arm.endpoint("orr").count == 12 and arm.endpoint("pfs_median_months").hazard_ratio == 0.8
    assert arm.file == str(user_arm) and arm.line == 1


def test_user_arm_round_trips(user_arm: Path, tmp_path: Path) -> None:
    arm = load_arm(user_arm)
    again = tmp_path / "again.yaml"
    again.write_text(yaml.safe_dump(arm.to_dict(), sort_keys=False, allow_unicode=True))
    assert load_arm(again) == arm


@pytest.mark.parametrize("arm_id", [a.id for a in list_arms()])
def test_shipped_arms_round_trip(arm_id: str, tmp_path: Path) -> None:
    arm = get_arm(arm_id)
    path = tmp_path / f"{arm_id}.yaml"
    path.write_text(yaml.safe_dump(arm_to_dict(arm), sort_keys=False, allow_unicode=True))
    assert load_arm(path) == arm


def test_readme_example_loads(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Trial arms", 1)[1]
    block = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "readme-arm.yaml"
    path.write_text(block)
    assert load_arm(path).id == "my-arm"


def _line_of(text: str, needle: str) -> int:
    return next(i for i, ln in enumerate(text.splitlines(), 1) if needle in ln)


# (description, edit of the YAML text, words the one-line message must contain)
TEXT_CASES = [
    ("misspelt top-level field", ("drug:", "drgu:"), ["line {drgu:}", "'drgu'", "did you mean 'drug'"]),
    ("misspelt regimen field", ("cycle_days:", "cycle_day:"),
     ["line {cycle_day:}", "'cycle_day'", "did you mean 'cycle_days'"]),
    ("misspelt endpoint field", ("    p_value:", "    pvalue:"),
     ["line {pvalue:}", "'pvalue'", "did you mean 'p_value'"]),
    ("missing population field", ("  histology: soft-tissue sarcoma\n", ""),
     ["line {population:}", "missing the field 'histology'"]),
    ("missing top-level field", ("role: validation\n", ""), ["line 1", "missing the field 'role'"]),
    ("misspelt required field", ("title:", "titel:"),
     ["line {titel:}", "'titel'", "did you mean 'title'"]),
    ("negative n", ("  n: 60", "  n: -3"), ["line {n: -3}", "population.n", ">= 1", "-3"]),
    ("zero dose", ("dose: 250", "dose: 0"), ["line {dose: 0}", "regimen.doses[0].dose", "> 0"]),
    ("negative dose", ("dose: 250", "dose: -5"), ["line {dose: -5}", "must be > 0"]),
    ("dose not a number", ("dose: 250", "dose: lots"), ["line {dose: lots}", "must be a number"]),
    ("unknown dose unit", ("unit: mg/m2", "unit: mg/m3"), ["line {mg/m3}", "'mg/m3'", "mg/m2"]),
    ("unknown role", ("role: validation", "role: validaton"), ["line {role:}", "did you mean 'validation'"]),
    ("unknown endpoint", ("name: orr", "name: orrr"), ["line {orrr}", "'orrr'", "did you mean 'orr'"]),
    ("wrong endpoint unit", ('unit: "%"', "unit: months"), ["line {unit: months}", "its unit is '%'"]),
    ("rate over 100", ("value: 20", "value: 120"), ["line {value: 120}", "[0, 100]"]),
    ("not-simulable without reason", ("role: validation", "role: not-simulable"),
     ["line {role:}", "needs a 'reason'"]),
    ("bad provenance", ('"assumed: as in the phase IIb protocol"', '"guessed: because"'),
     ["line {guessed}", "provenance.infusion_minutes"]),
    ("last day before first day", ("first_day: 1}", "first_day: 3, last_day: 2}"),
     ["line {last_day: 2}", "before first_day"]),
    ("continuous with a last day", ("first_day: 1}", "first_day: 1, last_day: 2, continuous: true}"),
     ["line {continuous: true}", "remove one of them"]),
    ("infusion for an oral arm", ("route: intravenous", "route: oral"),
     ["line {infusion_minutes: 30}", "only meaningful for route 'intravenous'"]),
    ("fractional n", ("  n: 60", "  n: 60.5"), ["line {n: 60.5}", "whole number"]),
    ("malformed YAML", ("  cycles: 6", "  cycles: [6"), ["malformed YAML"]),
]


@pytest.mark.parametrize(("what", "edit", "words"), TEXT_CASES, ids=[c[0] for c in TEXT_CASES])
def test_bad_arm_file(tmp_path: Path, what: str, edit: tuple[str, str], words: list[str]) -> None:
    old, new = edit
    assert old in USER_ARM, what
    text = USER_ARM.replace(old, new, 1)
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(MechsimError) as info:
        load_arm(path)
    message = str(info.value)
    assert "\n" not in message and str(path) in message, message
    for word in words:
        if word.startswith("line {"):
            word = f"line {_line_of(text, word[6:-1])}"
        assert word in message, f"{what}: {word!r} not in {message!r}"
    assert info.value.exit_code == 2


@pytest.mark.parametrize("content", ["", "# only a comment\n"])
def test_empty_file(tmp_path: Path, content: str) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text(content)
    with pytest.raises(MechsimError, match="is empty"):
        load_arm(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(MechsimError, match="does not exist"):
        load_arm(tmp_path / "nope.yaml")


def test_simulable_arm_needs_doses(user_arm_dict: dict, tmp_path: Path) -> None:
    d = copy.deepcopy(user_arm_dict)
    d["regimen"]["doses"] = []
    path = tmp_path / "nodoses.yaml"
    path.write_text(yaml.safe_dump(d))
    with pytest.raises(MechsimError, match=r"needs at least one entry in regimen.doses"):
        load_arm(path)


def test_unknown_n_needs_a_reason(user_arm_dict: dict, tmp_path: Path) -> None:
    d = copy.deepcopy(user_arm_dict)
    del d["population"]["n"]
    path = tmp_path / "non.yaml"
    path.write_text(yaml.safe_dump(d))
    with pytest.raises(MechsimError, match=r"population.n is missing"):
        load_arm(path)
    d["population"]["provenance"] = {"n": "assumed: not reported"}
    path.write_text(yaml.safe_dump(d))
    assert load_arm(path).population.n is None


@pytest.mark.parametrize(("query", "closest"), [
    ("aldox-2b", ["aldox-2b-aldoxorubicin", "aldox-2b-doxorubicin"]),
    ("wist1990", ["wist1991"]),
    ("jost", ["jost2014"]),
    ("hartman2020-dox", ["hartman2020-doxorubicin"]),
])
def test_unknown_id_names_the_closest(query: str, closest: list[str]) -> None:
    with pytest.raises(MechsimError) as info:
        get_arm(query)
    message = str(info.value)
    assert f"unknown trial arm {query!r}" in message
    for c in closest:
        assert c in message
