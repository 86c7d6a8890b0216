"""Parameter estimation: objectives, multi-start fits, profiles, Fisher information, NUTS.

Data flow: a network (or a PEtab problem) and a tidy measurement table ->
:class:`Problem` (a pure JAX negative log-likelihood of the free parameters on their
lin/log/log10 scales) -> :func:`fit` (Latin-hypercube starts advanced as one vmapped
batch of an optimistix solver) -> :class:`FitResult` -> :func:`profile`,
:func:`fisher_information`, :func:`sample_posterior` and the plots.
"""

from mechsim.fit._fisher import FisherResult, fisher_information
from mechsim.fit._lhs import latin_hypercube
from mechsim.fit._multistart import default_optimizer, fit
from mechsim.fit._network import Condition, network_problem
from mechsim.fit._noise import Noise, Prior
from mechsim.fit._objective import value_and_jacobian, with_gradient
from mechsim.fit._plots import plot_fit, plot_profiles, plot_waterfall
from mechsim.fit._problem import Problem
from mechsim.fit._profile import ProfileResult, profile
from mechsim.fit._result import FitResult
from mechsim.fit._sampling import PosteriorSamples, sample_posterior

__all__ = [
    "Condition",
    "FisherResult",
    "FitResult",
    "Noise",
    "PosteriorSamples",
    "Prior",
    "Problem",
    "ProfileResult",
    "default_optimizer",
    "fisher_information",
    "fit",
    "latin_hypercube",
    "network_problem",
    "plot_fit",
    "plot_profiles",
    "plot_waterfall",
    "profile",
    "sample_posterior",
    "value_and_jacobian",
    "with_gradient",
]
