"""The seeds' directions (issues #18, #19) checked on validation records."""

from __future__ import annotations

from mechsim.trials._validation import SEED_DIRECTIONS, ArmValidation, Direction, directions


def _arm(arm_id: str, **endpoints: dict) -> ArmValidation:
    eps = tuple({"name": k, "reported": v.get("reported"), "simulated": v.get("simulated"),
                 "interval": None, "agrees": None, **({"mean": v["mean"]} if "mean" in v else {})}
                for k, v in endpoints.items())
    return ArmValidation(arm_id, "calibration", "x", 10, True, 2, eps)


def test_rate_direction_uses_the_mean_and_chains() -> None:
    check = Direction("DLT rises", "dlt_rate", ("c", "b", "a"), ">")
    rising = [_arm("a", dlt_rate={"simulated": 0.0, "mean": 0.5}),
              _arm("b", dlt_rate={"simulated": 0.0, "mean": 2.0}),
              _arm("c", dlt_rate={"simulated": 5.0, "mean": 6.0})]
    (d,) = directions(rising, [check])
    assert d["holds"] is True and d["simulated"] == [6.0, 2.0, 0.5]  # medians tie at 0, means do not
    flat = [*rising[:1], _arm("b", dlt_rate={"simulated": 0.0, "mean": 0.5}), rising[2]]
    assert directions(flat, [check])[0]["holds"] is False


def test_pfs_direction_counts_not_reached_as_longest() -> None:
    check = Direction("trofosfamide shorter", "pfs_median_months", ("t", "d"), "<")
    not_reached = [_arm("t", pfs_median_months={"reported": 2.8, "simulated": None}),
                   _arm("d", pfs_median_months={"reported": 4.3, "simulated": 2.76})]
    (d,) = directions(not_reached, [check])
    assert d["holds"] is False and d["simulated"] == [None, 2.76] and d["reported"] == [2.8, 4.3]
    ok = [_arm("t", pfs_median_months={"simulated": 2.0}), not_reached[1]]
    assert directions(ok, [check])[0]["holds"] is True


def test_missing_arms_are_left_out_and_missing_endpoints_undecided() -> None:
    assert directions([_arm("aldox-2b-aldoxorubicin", orr={"simulated": 25.0, "mean": 25.0})]) == []
    check = Direction("x", "orr", ("a", "b"), ">")
    (d,) = directions([_arm("a", orr={"simulated": 1.0, "mean": 1.0}), _arm("b")], [check])
    assert d["holds"] is None


def test_seed_directions_name_existing_arms() -> None:
    from mechsim.trials import get_arm

    for d in SEED_DIRECTIONS:
        assert d.op in (">", "<")
        for a in d.arms:
            assert get_arm(a).simulable, a
