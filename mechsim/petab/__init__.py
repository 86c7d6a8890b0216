"""PEtab v1 problems: the log-likelihood of a problem as a pure JAX function.

:func:`make_objective` returns ``(nllh_fn, x_nominal, names, bounds)``; :func:`llh`
evaluates the log-likelihood at the nominal parameters.
"""

from mechsim.petab._llh import llh
from mechsim.petab._objective import make_objective
from mechsim.petab._tables import PetabTables, load_tables

__all__ = ["PetabTables", "llh", "load_tables", "make_objective"]
