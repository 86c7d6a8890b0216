"""PBMC composition under mustard exposure and the marker genes it moves (El-Serafi regimen).

A PBMC sample is a mixture: T cells, NK cells, B cells and monocytes (dendritic cells
and progenitors are lumped with monocytes). The mustards kill lymphocytes; a committed
cell leaves the sample when it is cleared. The model's committed fraction is the
apoptosis module's ``momp_fraction`` of its representative nucleated cell, followed by
clearance (``momp_cleared``, a first-order lag of ``t_half_clearance``)::

    alive_p(t) = 1 - s_p * momp_cleared(t)          s_p: relative sensitivity of population p

Each marker gene has a fixed per-cell expression level e_gp in each population (its
cell-type specificity; no transcriptional change per cell is modelled for these genes),
and the sample's expression per cell (equal RNA per cell assumed) is

    E_g(t) = sum_p f_p alive_p(t) e_gp / sum_p f_p alive_p(t)

reported as log2(E_g(t) / E_g(0)). A composition shift can only raise the genes of the
spared populations and lower those of the killed ones: what else moves a gene (cytokine
signalling, glucocorticoid premedication, influx of immature myeloid cells) is outside
the model, and the table says so in ``MECHANISM``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

__all__ = ["BASE_FRACTIONS", "MARKERS", "SENSITIVITY", "Marker", "pbmc_log2fc", "population_fractions"]

#: Untreated PBMC composition (fraction of cells). Assumed: typical adult PBMC, lymphocytes
#: 70-90 % (T cells the majority, B and NK cells 5-20 % each), monocytes 10-20 % (textbook
#: ranges, e.g. Kleiveland 2015, "Peripheral blood mononuclear cells", in The Impact of Food
#: Bioactives on Health, ch. 15); the El-Serafi patients (haematological malignancies) were
#: not characterised this way.
BASE_FRACTIONS: Mapping[str, float] = {"T": 0.60, "NK": 0.10, "B": 0.10, "monocyte": 0.20}

#: Relative sensitivity to the mustard (1 = the model's representative cell). Assumed:
#: lymphocytes are the blood cells oxazaphosphorines kill (the lymphotoxicity behind
#: cyclophosphamide's immunosuppressive use); monocytes are taken as four times less
#: sensitive (no measured ratio in kinetics.md; the choice sets the size, not the sign, of
#: the composition shift as long as it is below 1).
SENSITIVITY: Mapping[str, float] = {"T": 1.0, "NK": 1.0, "B": 1.0, "monocyte": 0.25}


@dataclass(frozen=True)
class Marker:
    """A seed gene read out through composition.

    ``levels``: per-cell expression by population, assumed from the cell-type specificity
    in the Human Protein Atlas blood atlas / DICE (1 = main expressing population, 0.1-0.5 =
    lower, 0 = not expressed); ``mechanism``: what the model can and cannot say.
    """

    seed_name: str
    symbol: str
    levels: Mapping[str, float]
    seed_direction: str
    mechanism: str


_T = "T-cell gene: falls with the lymphocyte share"
MARKERS: tuple[Marker, ...] = (
    Marker("CD3", "CD3E", {"T": 1.0, "NK": 0.0, "B": 0.0, "monocyte": 0.0}, "down", _T),
    Marker("CD28", "CD28", {"T": 1.0, "NK": 0.0, "B": 0.0, "monocyte": 0.0}, "down", _T),
    Marker("CTLA4", "CTLA4", {"T": 1.0, "NK": 0.0, "B": 0.0, "monocyte": 0.0}, "down", _T),
    Marker("MHC II", "HLA-DRA", {"T": 0.1, "NK": 0.0, "B": 1.0, "monocyte": 1.0}, "down",
           "B cells and monocytes both express it: composition moves it only as far as B-cell loss "
           "outweighs the monocyte gain; down-regulation per monocyte (e.g. by glucocorticoids) "
           "is not modelled"),
    Marker("PRF1", "PRF1", {"T": 0.3, "NK": 1.0, "B": 0.0, "monocyte": 0.0}, "down",
           "NK and cytotoxic T cells: falls with the lymphocyte share"),
    Marker("GZMB", "GZMB", {"T": 0.2, "NK": 1.0, "B": 0.1, "monocyte": 0.0}, "down",
           "NK and cytotoxic T cells: falls with the lymphocyte share"),
    Marker("IL-2R", "IL2RB", {"T": 0.5, "NK": 1.0, "B": 0.1, "monocyte": 0.0}, "down",
           "T and NK cells: falls with the lymphocyte share"),
    Marker("IL1R2", "IL1R2", {"T": 0.0, "NK": 0.0, "B": 0.1, "monocyte": 1.0}, "up",
           "monocyte gene: rises with the monocyte share; its induction per cell "
           "(glucocorticoids, IL-1 signalling) is not modelled"),
    Marker("IL18R1", "IL18R1", {"T": 0.5, "NK": 1.0, "B": 0.0, "monocyte": 0.1}, "up",
           "NK and T cells express it, so composition predicts a fall: the seed's rise "
           "(induction per cell or myeloid influx) is not explained by the model"),
    Marker("FLT3", "FLT3", {"T": 0.0, "NK": 0.0, "B": 0.1, "monocyte": 1.0}, "up",
           "monocytes/dendritic-cell precursors: rises with their share; progenitor "
           "mobilisation is not modelled"),
)


def population_fractions(momp_cleared: np.ndarray) -> dict[str, np.ndarray]:
    """Fractions of the sample (sum 1) for a cleared committed fraction ``momp_cleared`` (0-1)."""
    c = np.clip(np.asarray(momp_cleared, dtype=np.float64), 0.0, 1.0)
    alive = {p: BASE_FRACTIONS[p] * (1.0 - SENSITIVITY[p] * c) for p in BASE_FRACTIONS}
    total = sum(alive.values())
    return {p: v / total for p, v in alive.items()}


def pbmc_log2fc(marker: Marker, momp_cleared: np.ndarray) -> np.ndarray:
    """log2 fold change of ``marker`` in the PBMC sample against the untreated composition."""
    def expression(c):
        frac = population_fractions(c)
        return sum(frac[p] * marker.levels[p] for p in frac)

    base = expression(np.zeros(1))[0]
    return np.log2(expression(momp_cleared) / base)
