"""Coverage of the external identifiers (data/turtle/links.ttl): for each identifier scheme and each class of
resources it applies to (``mea:appliesTo``), how many of those resources have an identifier in it.

`kg build` prints the table; docs/links.md gives it with what was not found and why.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from .namespaces import MEA, RDFS
from .typed_query import select

COVERAGE_QUERY = f"""PREFIX mea: <{MEA}>
PREFIX rdfs: <{RDFS}>
SELECT ?scheme ?schemeLabel ?class ?classLabel
       (COUNT(DISTINCT ?resource) AS ?total) (COUNT(DISTINCT ?found) AS ?linked)
WHERE {{
  ?scheme a mea:IdentifierScheme ; mea:appliesTo ?class .
  OPTIONAL {{ ?scheme rdfs:label ?schemeLabel FILTER(LANG(?schemeLabel) = "en") }}
  OPTIONAL {{ ?class rdfs:label ?classLabel FILTER(LANG(?classLabel) = "en") }}
  OPTIONAL {{ ?resource a ?class }}
  BIND(IF(EXISTS {{ ?link a mea:ExternalLink ; mea:identifierScheme ?scheme ; mea:linkSubject ?resource }},
          ?resource, ?none) AS ?found)
}} GROUP BY ?scheme ?schemeLabel ?class ?classLabel ORDER BY ?scheme ?class"""


@dataclass(frozen=True)
class Coverage:
    scheme: str  # the scheme's English label
    kind: str  # the English label of the class of resources it applies to
    found: int
    total: int


def coverage(dataset: ox.Store) -> list[Coverage]:
    """Found / total for each scheme and class it applies to (inferred types count: run it after reasoning)."""
    return [
        Coverage(
            scheme=_text(row["schemeLabel"]) or row["scheme"].value.rsplit("/", 1)[-1],
            kind=_text(row["classLabel"]) or row["class"].value.rsplit("#", 1)[-1],
            found=int(row["linked"].value),
            total=int(row["total"].value),
        )
        for row in select(dataset, COVERAGE_QUERY, use_default_graph_as_union=True)
    ]


def _text(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> str:
    return term.value if isinstance(term, ox.Literal) else ""
