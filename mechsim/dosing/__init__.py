"""Dosing: regimens of boluses and infusions, and their solver schedules."""

from mechsim.dosing._plan import DosingPlan, plan_regimen
from mechsim.dosing._regimen import Dose, Patient, Regimen

__all__ = ["Dose", "DosingPlan", "Patient", "Regimen", "plan_regimen"]
