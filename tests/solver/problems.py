"""Test problems for the solver tests (JAX right-hand sides and constants)."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

import mechsim._config  # noqa: F401


def robertson(t, y, k):
    """Robertson's stiff chemical kinetics (Hairer & Wanner 1996, §IV.1), k = (k1, k2, k3)."""
    return jnp.stack(
        [
            -k[0] * y[0] + k[2] * y[1] * y[2],
            k[0] * y[0] - k[2] * y[1] * y[2] - k[1] * y[1] ** 2,
            k[1] * y[1] ** 2,
        ]
    )


def robertson_np(t, y, k):
    return [
        -k[0] * y[0] + k[2] * y[1] * y[2],
        k[0] * y[0] - k[2] * y[1] * y[2] - k[1] * y[1] ** 2,
        k[1] * y[1] ** 2,
    ]


def hires(t, y, p):
    """HIRES (Schäfer 1975; Hairer & Wanner 1996, §IV.10), 8 species; p scales rates."""
    s = p[0]
    return jnp.stack(
        [
            -1.71 * s * y[0] + 0.43 * y[1] + 8.32 * y[2] + 0.0007,
            1.71 * s * y[0] - 8.75 * y[1],
            -10.03 * y[2] + 0.43 * y[3] + 0.035 * y[4],
            8.32 * y[1] + 1.71 * s * y[2] - 1.12 * y[3],
            -1.745 * y[4] + 0.43 * y[5] + 0.43 * y[6],
            -280.0 * y[5] * y[7] + 0.69 * y[3] + 1.71 * s * y[4] - 0.43 * y[5] + 0.69 * y[6],
            280.0 * y[5] * y[7] - 1.81 * y[6],
            -280.0 * y[5] * y[7] + 1.81 * y[6],
        ]
    )


HIRES_Y0 = np.array([1.0, 0, 0, 0, 0, 0, 0, 0.0057])
HIRES_SPARSITY = np.array(
    [
        [1, 1, 1, 0, 0, 0, 0, 0],
        [1, 1, 0, 0, 0, 0, 0, 0],
        [0, 0, 1, 1, 1, 0, 0, 0],
        [0, 1, 1, 1, 0, 0, 0, 0],
        [0, 0, 0, 0, 1, 1, 1, 0],
        [0, 0, 0, 1, 1, 1, 1, 1],
        [0, 0, 0, 0, 0, 1, 1, 1],
        [0, 0, 0, 0, 0, 1, 1, 1],
    ],
    dtype=bool,
)
