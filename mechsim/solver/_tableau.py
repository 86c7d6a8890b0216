"""Butcher-type tableaus of the stiffly accurate Rosenbrock methods Rodas4 and Rodas5P.

A Rosenbrock step of size h from (t, y) with s stages solves, for i = 1..s,

    (I/(h γ) - J) k_i = f(t + c_i h, y + Σ_{j<i} a_ij k_j) + d_i h ∂f/∂t + Σ_{j<i} (C_ij / h) k_j

with J = ∂f/∂y(t, y), and returns y_1 = y + Σ b_j k_j; the embedded solution differs by
the error estimate Σ e_j k_j (for the Rodas family: the last stage, e = e_s). This is the
"W-transformed" form of Hairer & Wanner (1996), Solving ODEs II, §IV.7, eq. (7.25), also
used by OrdinaryDiffEq.jl, whose ``rosenbrock_tableaus.jl`` the coefficients are copied
from (verified against the original papers' published digits):

* Rodas4: Hairer & Wanner (1996), §IV.7, Table 7.3 (order 4, embedded 3, L-stable,
  stiffly accurate), with the dense-output coefficients of the Fortran code RODAS.
* Rodas5P: G. Steinebach, "Construction of Rosenbrock-Wanner method Rodas5P and numerical
  benchmarks within the Julia Differential Equations package", BIT Numer. Math. 63 (2023) 27
  (order 5, embedded 4, L-stable, stiffly accurate, order-4 dense output).

Dense output on θ ∈ [0, 1]: y(t + θh) = (1-θ) y_0 + θ (y_1 + (1-θ)(q_1 + θ(q_2 + θ q_3)))
with q_r = Σ_j H_rj k_j (Rodas4 has q_3 = 0).
"""

from __future__ import annotations

import dataclasses

import numpy as np

__all__ = ["RODAS4", "RODAS5P", "RosenbrockTableau"]


@dataclasses.dataclass(frozen=True, eq=False)
class RosenbrockTableau:
    """Coefficients of an s-stage stiffly accurate Rosenbrock method (all float64 numpy)."""

    name: str
    gamma: float
    a: np.ndarray  # (s, s) strictly lower: stage arguments
    C: np.ndarray  # (s, s) strictly lower: coupling through (C_ij / h) k_j
    c: np.ndarray  # (s,) stage times (fractions of h)
    d: np.ndarray  # (s,) coefficients of h ∂f/∂t
    b: np.ndarray  # (s,) weights of the solution
    e: np.ndarray  # (s,) weights of the error estimate
    H: np.ndarray  # (3, s) dense-output coefficients
    order: int
    embedded_order: int

    @property
    def stages(self) -> int:
        """Number of stages s (= number of linear solves per step)."""
        return int(self.c.shape[0])


def _stiffly_accurate(
    name: str,
    gamma: float,
    a_rows: list[list[float]],
    c_rows: list[list[float]],
    c: list[float],
    d: list[float],
    h_rows: list[list[float]],
    order: int,
    embedded_order: int,
) -> RosenbrockTableau:
    """Assemble the full tableau from the OrdinaryDiffEq.jl parameterisation.

    The given ``a_rows`` cover stages 2..r; every later stage (and the solution) adds the
    previous stage's k with weight 1 (u_{i+1} = u_i + k_i), which makes the method stiffly
    accurate; the last k is the error estimate.
    """
    s = len(c_rows) + 1
    a = np.zeros((s, s))
    for i, row in enumerate(a_rows, start=1):
        a[i, : len(row)] = row
    for i in range(len(a_rows) + 1, s):
        a[i] = a[i - 1]
        a[i, i - 1] += 1.0
    b = a[s - 1].copy()
    b[s - 1] += 1.0
    C = np.zeros((s, s))
    for i, row in enumerate(c_rows, start=1):
        C[i, : len(row)] = row
    cc = np.zeros(s)
    cc[: len(c)] = c
    cc[len(c) :] = 1.0
    dd = np.zeros(s)
    dd[: len(d)] = d
    e = np.zeros(s)
    e[s - 1] = 1.0
    H = np.zeros((3, s))
    for r, row in enumerate(h_rows):
        H[r, : len(row)] = row
    return RosenbrockTableau(
        name=name,
        gamma=gamma,
        a=a,
        C=C,
        c=cc,
        d=dd,
        b=b,
        e=e,
        H=H,
        order=order,
        embedded_order=embedded_order,
    )


RODAS4 = _stiffly_accurate(
    "Rodas4",
    gamma=0.25,
    a_rows=[
        [1.544000000000000],
        [0.9466785280815826, 0.2557011698983284],
        [3.314825187068521, 2.896124015972201, 0.9986419139977817],
        [1.221224509226641, 6.019134481288629, 12.53708332932087, -0.6878860361058950],
    ],
    c_rows=[
        [-5.668800000000000],
        [-2.430093356833875, -0.2063599157091915],
        [-0.1073529058151375, -9.594562251023355, -20.47028614809616],
        [7.496443313967647, -10.24680431464352, -33.99990352819905, 11.70890893206160],
        [
            8.083246795921522,
            -7.981132988064893,
            -31.52159432874371,
            16.31930543123136,
            -6.058818238834054,
        ],
    ],
    c=[0.0, 0.386, 0.21, 0.63],
    d=[0.25, -0.1043, 0.1035, -0.03620000000000023],
    h_rows=[
        [
            10.12623508344586,
            -7.487995877610167,
            -34.80091861555747,
            -7.992771707568823,
            1.025137723295662,
        ],
        [
            -0.6762803392801253,
            6.087714651680015,
            16.43084320892478,
            24.76722511418386,
            -6.594389125716872,
        ],
    ],
    order=4,
    embedded_order=3,
)

RODAS5P = _stiffly_accurate(
    "Rodas5P",
    gamma=0.21193756319429014,
    a_rows=[
        [3.0],
        [2.849394379747939, 0.45842242204463923],
        [-6.954028509809101, 2.489845061869568, -10.358996098473584],
        [2.8029986275628964, 0.5072464736228206, -0.3988312541770524, -0.04721187230404641],
        [
            -7.502846399306121,
            2.561846144803919,
            -11.627539656261098,
            -0.18268767659942256,
            0.030198172008377946,
        ],
    ],
    c_rows=[
        [-14.155112264123755],
        [-17.97296035885952, -2.859693295451294],
        [147.12150275711716, -1.41221402718213, 71.68940251302358],
        [165.43517024871676, -0.4592823456491126, 42.90938336958603, -5.961986721573306],
        [
            24.854864614690072,
            -3.0009227002832186,
            47.4931110020768,
            5.5814197821558125,
            -0.6610691825249471,
        ],
        [
            30.91273214028599,
            -3.1208243349937974,
            77.79954646070892,
            34.28646028294783,
            -19.097331116725623,
            -28.087943162872662,
        ],
        [
            37.80277123390563,
            -3.2571969029072276,
            112.26918849496327,
            66.9347231244047,
            -40.06618937091002,
            -54.66780262877968,
            -9.48861652309627,
        ],
    ],
    c=[0.0, 0.6358126895828704, 0.4095798393397535, 0.9769306725060716, 0.4288403609558664],
    d=[
        0.21193756319429014,
        -0.42387512638858027,
        -0.3384627126235924,
        1.8046452872882734,
        2.325825639765069,
    ],
    h_rows=[
        [
            25.948786856663858,
            -2.5579724845846235,
            10.433815404888879,
            -2.3679251022685204,
            0.524948541321073,
            1.1241088310450404,
            0.4272876194431874,
            -0.17202221070155493,
        ],
        [
            -9.91568850695171,
            -0.9689944594115154,
            3.0438037242978453,
            -24.495224566215796,
            20.176138334709044,
            15.98066361424651,
            -6.789040303419874,
            -6.710236069923372,
        ],
        [
            11.419903575922262,
            2.8879645146136994,
            72.92137995996029,
            80.12511834622643,
            -52.072871366152654,
            -59.78993625266729,
            -0.15582684282751913,
            4.883087185713722,
        ],
    ],
    order=5,
    embedded_order=4,
)
