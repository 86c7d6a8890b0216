"""The shipped arms: every id loads, every quoted source occurs in its seed, roles as specified.

Table-driven: one case per arm and per endpoint, so a wrong quotation names its arm.
"""

from __future__ import annotations

import pytest

import mechsim.trials as trials
from mechsim.trials import ENDPOINTS, Role, get_arm, list_arms

from .conftest import normalise

CALIBRATION = {"aldox-2b-aldoxorubicin", "aldox-2b-doxorubicin", "jost2014", "wist1991"}
NOT_SIMULABLE = {"glas2020", "aldox-3-investigator", "aldox-1b-all", "blomqvist1995",
                 "kollmannsberger2022"}
IDS = [
    "hartman2020-doxorubicin", "hartman2020-trofosfamide", "jost2014", "blomqvist1995",
    "kollmannsberger2022", "wist1991", "glas2020", "aldox-1b-all", "aldox-1b-sts-mtd",
    "aldox-2b-aldoxorubicin", "aldox-2b-doxorubicin", "aldox-3-aldoxorubicin",
    "aldox-3-investigator", "aldox-1b-230", "aldox-1b-350", "aldox-1b-450",
]
ENDPOINT_CASES = [(a.id, i) for a in list_arms() for i in range(len(a.endpoints))]


def test_public_names_exist() -> None:
    for name in trials.__all__:
        assert hasattr(trials, name), name


def test_exactly_the_specified_ids_ship() -> None:
    assert sorted(a.id for a in list_arms()) == sorted(IDS)


@pytest.mark.parametrize("arm_id", IDS)
def test_arm_loads_with_its_sources_in_the_seed(arm_id: str, seed_texts: dict[str, str]) -> None:
    arm = get_arm(arm_id)
    assert arm.id == arm_id and arm.file.endswith(f"{arm_id}.yaml") and arm.line >= 1
    assert arm.seed in seed_texts, f"{arm_id}: unknown seed {arm.seed!r}"
    text = seed_texts[arm.seed]
    quoted = {"regimen": arm.regimen.source, "population": arm.population.source}
    if arm.assessment is not None:
        quoted["assessment"] = arm.assessment.source
    for what, sentence in quoted.items():
        assert sentence.strip(), f"{arm_id}: empty {what} source"
        assert normalise(sentence) in text, f"{arm_id}: {what} source not in {arm.seed}: {sentence!r}"


@pytest.mark.parametrize(("arm_id", "index"), ENDPOINT_CASES)
def test_endpoint_source_occurs_in_the_seed(arm_id: str, index: int,
                                            seed_texts: dict[str, str]) -> None:
    arm = get_arm(arm_id)
    e = arm.endpoints[index]
    assert e.source.strip()
    if e.reference is None:
        assert normalise(e.source) in seed_texts[arm.seed], (
            f"{arm_id}: endpoint {e.name} source not in {arm.seed}: {e.source!r}")
    else:  # an endpoint the seed leaves out, quoted from the publication it names
        assert e.reference.strip() and e.note, f"{arm_id}: {e.name} needs its reference and a note"
    assert e.unit == ENDPOINTS[e.name]
    # the reported number is in the quoted sentence (100 % rates and text endpoints aside)
    if e.value is not None:
        assert f"{e.value:g}" in normalise(e.source) or (e.value == 0 and "no " in e.source), (
            f"{arm_id}: {e.name} value {e.value:g} not in its source {e.source!r}")


@pytest.mark.parametrize("arm_id", IDS)
def test_role_is_as_specified(arm_id: str) -> None:
    arm = get_arm(arm_id)
    expected = (Role.CALIBRATION if arm_id in CALIBRATION else
                Role.NOT_SIMULABLE if arm_id in NOT_SIMULABLE else Role.VALIDATION)
    assert arm.role is expected
    if arm.role is Role.NOT_SIMULABLE:
        assert arm.reason and not arm.simulable
    else:
        assert arm.reason is None and arm.simulable and arm.regimen.doses


def test_calibration_and_validation_split() -> None:
    roles = {a.id: a.role for a in list_arms()}
    calibration = {k for k, r in roles.items() if r is Role.CALIBRATION}
    validation = {k for k, r in roles.items() if r is Role.VALIDATION}
    assert calibration == CALIBRATION
    assert not calibration & validation
    assert validation == set(IDS) - CALIBRATION - NOT_SIMULABLE
    assert "glas2020" in NOT_SIMULABLE and "aldox-3-investigator" in NOT_SIMULABLE


@pytest.mark.parametrize("arm_id", IDS)
def test_missing_details_carry_provenance(arm_id: str) -> None:
    arm = get_arm(arm_id)
    if arm.population.n is None:
        assert "n" in arm.population.provenance
    for prov in (*arm.regimen.provenance.values(), *arm.population.provenance.values()):
        assert prov.kind in ("citation", "assumed", "derived") and prov.text.strip()


def test_reported_numbers_spot_checks() -> None:
    """A few numbers read by hand from the seeds (and issue #19's cohorts)."""
    a, d = get_arm("aldox-2b-aldoxorubicin"), get_arm("aldox-2b-doxorubicin")
    assert (a.population.n, d.population.n) == (83, 40)
    assert a.endpoint("orr").value == 25 and d.endpoint("orr").value == 0
    assert a.endpoint("pfs_median_months").value == 5.6
    assert d.endpoint("lvef_below_50").value == 9.5 and d.endpoint("lvef_below_50").count == 3
    assert a.assessment.interval_weeks == 6
    assert [get_arm(f"aldox-1b-{x}").regimen.doses[0].dose for x in (230, 350, 450)] == [230, 350, 450]
    assert all(get_arm(f"aldox-1b-{x}").regimen.cycle_days == 21 for x in (230, 350, 450))
    jost = get_arm("jost2014").regimen
    assert [(s.dose, s.first_day, s.last_day, s.continuous) for s in jost.doses] == [
        (300, 1, 7, False), (150, 8, None, True)]
    wist = get_arm("wist1991").regimen.doses[0]
    assert (wist.dose, wist.times_per_day, wist.continuous) == (50, 3, True)
    p3 = get_arm("aldox-3-aldoxorubicin")
    assert p3.endpoint("pfs_median_months", "North America").value == 4.21
    assert p3.endpoint("pfs_median_months").hazard_ratio_ci == (0.64, 1.06)
