"""SBML text of a small DAE for the tests: a fast equilibrium A <=> B with a slow decay."""

from __future__ import annotations

TIME = '<csymbol encoding="text" definitionURL="http://www.sbml.org/sbml/symbols/time">t</csymbol>'

HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<sbml xmlns="http://www.sbml.org/sbml/level2/version4" level="2" version="4">
  <model id="m">
    <listOfCompartments><compartment id="c" size="2"/></listOfCompartments>
"""

_LAW = ("<apply><minus/><apply><times/><ci>kf</ci><ci>A</ci></apply>"
        "<apply><times/><ci>kr</ci><ci>B</ci></apply></apply>")


def fast_equilibrium(events: str = "") -> str:
    """A <=> B fast (kf A - kr B, K = kf/kr = 3), B -> (slow, k B = 0.5 B); amounts in a
    compartment of 2 L, A = 1 and B = 0 at t = 0; ``events`` is put in as a listOfEvents."""
    listed = f"\n    <listOfEvents>{events}\n    </listOfEvents>" if events else ""
    return HEADER + f"""
    <listOfSpecies>
      <species id="A" compartment="c" initialAmount="1" hasOnlySubstanceUnits="true"/>
      <species id="B" compartment="c" initialAmount="0" hasOnlySubstanceUnits="true"/>
    </listOfSpecies>
    <listOfParameters>
      <parameter id="kf" value="3"/><parameter id="kr" value="1"/><parameter id="k" value="0.5"/>
    </listOfParameters>
    <listOfReactions>
      <reaction id="eq" fast="true">
        <listOfReactants><speciesReference species="A"/></listOfReactants>
        <listOfProducts><speciesReference species="B"/></listOfProducts>
        <kineticLaw><math xmlns="http://www.w3.org/1998/Math/MathML">{_LAW}</math></kineticLaw>
      </reaction>
      <reaction id="decay" reversible="false">
        <listOfReactants><speciesReference species="B"/></listOfReactants>
        <kineticLaw><math xmlns="http://www.w3.org/1998/Math/MathML">
          <apply><times/><ci>k</ci><ci>B</ci></apply></math></kineticLaw>
      </reaction>
    </listOfReactions>{listed}
  </model>
</sbml>"""
