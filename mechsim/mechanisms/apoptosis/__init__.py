"""DNA damage -> ATM/ATR -> p53 pulses -> BCL-2 family -> MOMP -> caspases -> cell fate.

A network fragment shared by the doxorubicin/aldoxorubicin and trofosfamide mechanisms,
built on published models (Proctor & Gray 2008; Batchelor 2008 / Purvis 2012; Albeck 2008
EARM; Legewie 2006; Rehm 2006): see :func:`apoptosis_module`.
"""

from mechsim.mechanisms.apoptosis._module import (
    BASELINE,
    DEFAULT_COMPARTMENT,
    apoptosis_module,
    signalling_compartment,
)

__all__ = ["BASELINE", "DEFAULT_COMPARTMENT", "apoptosis_module", "signalling_compartment"]
