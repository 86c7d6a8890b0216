"""Declarative kinetic networks: species, compartments, reactions, rate laws, parameters.

A :class:`Network` is built in Python or read from a YAML file (:func:`load_network`),
checked for dimensional consistency with pint, and compiled to JAX by
:func:`mechsim.compile_network`.
"""

from mechsim.network._combine import combine
from mechsim.network._fileio import load_network, network_from_dict, network_to_dict, save_network
from mechsim.network._hill_activation import HillActivation
from mechsim.network._network import Network
from mechsim.network._parameter import Parameter, Provenance
from mechsim.network._ratelaws import (
    Expression,
    Hill,
    MassAction,
    MichaelisMenten,
    PHDependent,
    RateLaw,
    ReversibleMassAction,
    Transport,
)
from mechsim.network._reaction import (
    AssignmentRule,
    Event,
    InitialAssignment,
    Observable,
    RateRule,
    Reaction,
)
from mechsim.network._species import Compartment, Species
from mechsim.network._symbolic import SymbolicModel, symbolic

__all__ = [
    "AssignmentRule",
    "Compartment",
    "Event",
    "Expression",
    "Hill",
    "HillActivation",
    "InitialAssignment",
    "MassAction",
    "MichaelisMenten",
    "Network",
    "Observable",
    "PHDependent",
    "Parameter",
    "Provenance",
    "RateLaw",
    "RateRule",
    "Reaction",
    "ReversibleMassAction",
    "Species",
    "SymbolicModel",
    "Transport",
    "combine",
    "load_network",
    "network_from_dict",
    "network_to_dict",
    "save_network",
    "symbolic",
]
