"""Parameter estimation: objectives, multi-start fits, profiles, Fisher information, NUTS.

Data flow: a network (or a PEtab problem) and a tidy measurement table ->
:class:`Problem` (a pure JAX negative log-likelihood of the free parameters on their
lin/log/log10 scales) -> :func:`fit` (starts uniform in the scaled bounds, each
minimised by the fides trust region with exact gradients and Fisher-information
curvature, :class:`TrustRegion`; or optimistix solvers advanced as one vmapped batch)
-> :class:`FitResult` -> :func:`profile`,
:func:`fisher_information`, :func:`sample_posterior` and the plots.
"""

from mechsim.fit._fisher import FisherResult, fisher_information
from mechsim.fit._lhs import latin_hypercube, uniform_starts
from mechsim.fit._multistart import default_optimizer, fit, legacy_optimizer
from mechsim.fit._network import Condition, network_problem
from mechsim.fit._noise import Noise, Prior
from mechsim.fit._objective import value_and_jacobian, with_gradient
from mechsim.fit._options import FIT_LANES, Gradient
from mechsim.fit._plots import plot_fit, plot_profiles, plot_waterfall
from mechsim.fit._problem import Problem
from mechsim.fit._profile import ProfileResult, profile
from mechsim.fit._pypesto import to_pypesto
from mechsim.fit._result import FitResult
from mechsim.fit._sampling import PosteriorSamples, sample_posterior
from mechsim.fit._trust_region import Curvature, TrustRegion

__all__ = [
    "FIT_LANES",
    "Condition",
    "Curvature",
    "FisherResult",
    "FitResult",
    "Gradient",
    "Noise",
    "PosteriorSamples",
    "Prior",
    "Problem",
    "ProfileResult",
    "TrustRegion",
    "default_optimizer",
    "fisher_information",
    "fit",
    "latin_hypercube",
    "legacy_optimizer",
    "network_problem",
    "plot_fit",
    "plot_profiles",
    "plot_waterfall",
    "profile",
    "sample_posterior",
    "to_pypesto",
    "uniform_starts",
    "value_and_jacobian",
    "with_gradient",
]
