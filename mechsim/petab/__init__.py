"""PEtab v1 problems: the log-likelihood of a problem as a pure JAX function.

:func:`make_objective` returns ``(nllh_fn, x_nominal, names, bounds)``; :func:`llh`
evaluates the log-likelihood at the nominal parameters; :func:`make_residuals` gives
the least-squares form of problems with normal noise (``nllh = 0.5 |res|^2 + offset``);
:func:`simulate_measurements` the simulated value of every measurement row.
"""

from mechsim.petab._least_squares import PetabResiduals, default_sigma_floor, make_residuals
from mechsim.petab._llh import llh
from mechsim.petab._objective import PetabFunctions, make_objective, petab_functions
from mechsim.petab._simulate import simulate_measurements
from mechsim.petab._tables import PetabTables, load_tables

__all__ = [
    "PetabFunctions",
    "PetabResiduals",
    "PetabTables",
    "default_sigma_floor",
    "llh",
    "load_tables",
    "make_objective",
    "make_residuals",
    "petab_functions",
    "simulate_measurements",
]
