"""Doxorubicin redox cycling: the quinone is reduced to the semiquinone and re-oxidised by O2.

One-electron reduction of doxorubicin's quinone (NADPH-cytochrome P450 reductase and
other flavoenzymes) gives a semiquinone that hands its electron to O2 and returns to the
quinone; the superoxide dismutates to H2O2. Each cycle is catalytic in doxorubicin, so
H2O2 is produced at a rate proportional to free cytosolic doxorubicin::

    ROS production (uM H2O2 / h) = k_redox_dox * [doxorubicin @ tumor_cell]

The rate feeds the oxidative module (:mod:`mechsim.mechanisms.expression`), where
peroxidases consume it with GSH and KEAP1 senses it. The doxorubicin and aldoxorubicin
networks registered in :mod:`mechsim.scenarios` are unchanged; this term is composed onto
them by :func:`mechsim.mechanisms.expression.build_doxorubicin_oxidative`.
"""

from __future__ import annotations

from mechsim.mechanisms.apoptosis._provenance import ParamRow, assumed

__all__ = ["ROS_FORMULA", "ros_rows"]

#: H2O2 production by redox cycling of free cytosolic doxorubicin (uM/h, in ``tumor_cell``).
ROS_FORMULA = "k_redox_dox * {doxorubicin@tumor_cell}"


def ros_rows() -> list[ParamRow]:
    """Parameter table of the redox-cycling term."""
    return [
        ("k_redox_dox", 0.1, "1/s", assumed(
            "H2O2 per free cytosolic doxorubicin per second: one reduction/re-oxidation cycle "
            "every ~10 s per molecule; no cellular redox-cycling rate in kinetics.md (NOT "
            "FOUND); sets ROS from 1 uM free doxorubicin at ~10 % of the basal H2O2 production "
            "of the oxidative module; fittable"),
         "doxorubicin redox cycling (quinone -> semiquinone -> O2.- -> H2O2)"),
    ]
