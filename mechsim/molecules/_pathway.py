"""The transformation network as a ``networkx.DiGraph`` keyed by molecule id.

Nodes are the molecules that appear as SMARTS reactants or products of some transformation
(co-substrates such as O2, NADPH or water only appear on edges). There is one edge from every
reactant to every product of a transformation; when several transformations connect the same
pair (e.g. two N-dechloroethylations both release chloroacetaldehyde from trofosfamide) the
edge lists all of them in ``transformations`` and its ``transformation``/``enzyme``/``type``
describe the first one.
"""

from __future__ import annotations

import networkx as nx

from mechsim.molecules._library import Library, resolve

#: The two drug routes drawn by default in :func:`~mechsim.molecules.draw_pathway`:
#: trofosfamide -> ... -> guanine cross-links (all three mustards), and aldoxorubicin -> Cys34 conjugate ->
#: doxorubicin -> doxorubicinol.
MAIN_PATHWAY_IDS: tuple[str, ...] = (
    "trofosfamide",
    "ifosfamide",
    "cyclophosphamide",
    "chloroacetaldehyde",
    "4-hydroxytrofosfamide",
    "4-hydroxyifosfamide",
    "4-hydroxycyclophosphamide",
    "aldotrofosfamide",
    "aldoifosfamide",
    "aldophosphamide",
    "carboxyifosfamide",
    "carboxyphosphamide",
    "trofosfamide-mustard",
    "isophosphoramide-mustard",
    "phosphoramide-mustard",
    "acrolein",
    "trofosfamide-mustard-aziridinium",
    "isophosphoramide-mustard-aziridinium",
    "phosphoramide-mustard-aziridinium",
    "trofosfamide-mustard-guanine-n7",
    "isophosphoramide-mustard-guanine-n7",
    "phosphoramide-mustard-guanine-n7",
    "trofosfamide-mustard-guanine-crosslink",
    "isophosphoramide-mustard-guanine-crosslink",
    "phosphoramide-mustard-guanine-crosslink",
    "aldoxorubicin",
    "aldoxorubicin-cysteine-adduct",
    "doxorubicin",
    "emch-cysteine-adduct",
    "doxorubicinol",
)


def pathway_graph(library: Library | None = None) -> nx.DiGraph:
    """Directed graph of the library's transformations, nodes keyed by molecule id.

    Node attributes: ``name``, ``role``, ``formula``, ``molecular_weight`` (g/mol).
    Edge attributes: ``transformation`` (id), ``transformations`` (all ids on that edge),
    ``enzyme``, ``type``, ``reversible``, ``co_substrates``, ``co_products`` (tuples of ids).
    ``graph.graph["transformations"]`` maps every transformation id to its record.
    """
    lib = resolve(library)
    graph = nx.DiGraph(name="mechsim transformations")
    graph.graph["transformations"] = {t.id: t for t in lib.transformations}
    for t in lib.transformations:
        for ident in (*t.reactants, *t.products):
            if ident not in graph:
                m = lib.by_id[ident]
                graph.add_node(
                    ident,
                    name=m.name,
                    role=m.role.value,
                    formula=m.formula,
                    molecular_weight=m.molecular_weight,
                )
        for source in t.reactants:
            for target in t.products:
                if graph.has_edge(source, target):
                    data = graph.edges[source, target]
                    data["transformations"] = (*data["transformations"], t.id)
                    continue
                graph.add_edge(
                    source,
                    target,
                    transformation=t.id,
                    transformations=(t.id,),
                    enzyme=t.enzyme.value,
                    type=t.type.value,
                    reversible=t.reversible,
                    co_substrates=t.co_substrates,
                    co_products=t.co_products,
                )
    return graph
