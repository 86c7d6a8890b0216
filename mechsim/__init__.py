"""mechsim: molecular-level mechanism simulation of trofosfamide and aldoxorubicin.

Data flow: molecules (:mod:`mechsim.molecules`) -> network (:mod:`mechsim.network`)
-> compiled model (:mod:`mechsim.model`) -> solver (:mod:`mechsim.solver`) -> results
(:class:`SimulationResult`). Public names are listed in ``__all__``.
"""

from mechsim import _config  # noqa: F401  (float64 for JAX)
from mechsim.dosing import Dose, DosingPlan, Patient, Regimen
from mechsim.errors import (
    DataError,
    InputError,
    MechsimError,
    NetworkError,
    SolverError,
    UnitError,
    UnsupportedSBMLError,
)
from mechsim.model import CompiledModel, compile_network
from mechsim.network import (
    AssignmentRule,
    Compartment,
    Event,
    Expression,
    Hill,
    HillActivation,
    InitialAssignment,
    MassAction,
    MichaelisMenten,
    Network,
    Observable,
    Parameter,
    PHDependent,
    Provenance,
    RateRule,
    Reaction,
    ReversibleMassAction,
    Species,
    Transport,
    load_network,
    save_network,
)
from mechsim.results import SimulationResult
from mechsim.simulate import simulate
from mechsim.solver import (
    AutoBackend,
    AutoLaneBatch,
    DaskExecutor,
    LinearSolver,
    LocalExecutor,
    NativeBackend,
    XlaBackend,
)

__version__ = "0.1.0"

__all__ = [
    "AssignmentRule",
    "AutoBackend",
    "AutoLaneBatch",
    "Compartment",
    "CompiledModel",
    "DaskExecutor",
    "DataError",
    "Dose",
    "DosingPlan",
    "Event",
    "Expression",
    "Hill",
    "HillActivation",
    "InitialAssignment",
    "InputError",
    "LinearSolver",
    "LocalExecutor",
    "MassAction",
    "MechsimError",
    "MichaelisMenten",
    "NativeBackend",
    "Network",
    "NetworkError",
    "Observable",
    "PHDependent",
    "Parameter",
    "Patient",
    "Provenance",
    "RateRule",
    "Reaction",
    "Regimen",
    "ReversibleMassAction",
    "SimulationResult",
    "SolverError",
    "Species",
    "Transport",
    "UnitError",
    "UnsupportedSBMLError",
    "XlaBackend",
    "__version__",
    "compile_network",
    "load_network",
    "save_network",
    "simulate",
]
