"""Grids honour events whose instants are known before the solve (issue #21, item 1).

The probe of the issue, dosed: A (bolus, first-order decay with the scanned k) is set to 0
at t >= t_on = 1.5 h; B keeps what A lost before. Closed form at every grid point.
"""

from __future__ import annotations

import numpy as np
import pytest

from mechsim import NativeBackend
from mechsim.dosing import Dose
from mechsim.errors import InputError
from mechsim.grid import DoseAxis, GridSpec, ParamScan, RegimenSpec, dose_response
from mechsim.grid._chunks import EventsOnXlaWarning
from tests.event_networks import Event, probe_network
from tests.helpers import assert_close

TIMES = (0.0, 0.5, 1.0, 2.0)


def _network(trigger: str = "t >= t_on"):
    # A starts empty (dosed by the grid); the reset at t_on = 1.5 h
    return probe_network("grid-event-probe", [Event("reset", trigger, (("c.A", "0"),))], a0=0.0)


def _spec(scan: str = "k", values: tuple[float, ...] = (1e-9, 0.5)) -> GridSpec:
    return GridSpec(
        model="grid-event-probe",
        regimens=(RegimenSpec("bolus", (Dose("A", "c", 10.0, "umol"),)),),
        dose=DoseAxis(1.0, 10.0, 2, "A"),
        times=TIMES,
        scans=(ParamScan(scan, values),),
    )


@pytest.fixture(scope="module")
def grid():
    # the native C kernel has no events: asking for it runs XLA, with a warning
    with pytest.warns(EventsOnXlaWarning, match="native C kernel cannot apply"):
        return dose_response(_network(), _spec(), chunk_size=4, progress=False,
                             backend=NativeBackend())  # fmt: skip


def test_probe_grid_matches_closed_form(grid) -> None:
    t = np.asarray(TIMES)
    dose = grid["dose"].values[:, None, None]
    k = grid["k"].values[None, :, None]
    a = np.where(t < 1.5, dose * np.exp(-k * t), 0.0)
    b = dose * (1.0 - np.exp(-k * np.minimum(t, 1.5)))
    assert np.all(grid["status"].values == 0)
    assert_close(grid["A_conc"].isel(regimen=0).values, a, rtol=1e-6, atol=1e-9, what="A")
    assert_close(grid["B_conc"].isel(regimen=0).values, b, rtol=1e-6, atol=1e-9, what="B")
    assert np.all(grid["A_conc"].sel(time=2.0).values == 0.0)  # the probe: A(t=2) = 0


def test_native_backend_request_ran_on_xla(grid) -> None:
    assert grid.attrs["backend"] == "xla"


@pytest.mark.parametrize(
    ("trigger", "scan", "match"),
    [
        ("{A@c} < 1", "k", r"grid: event 'reset' .*reads the state"),
        ("t >= t_on", "t_on", r"grid: event 'reset' .*reads 't_on', which varies"),
    ],
)
def test_triggers_known_only_during_the_solve_are_refused(trigger, scan, match) -> None:
    with pytest.raises(InputError, match=match):
        dose_response(_network(trigger), _spec(scan, (0.5, 1.5)), progress=False)
