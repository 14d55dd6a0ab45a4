"""Ontology documentation, generated from ``ontology/mea.ttl`` by ``kg build``: pyLODE's HTML page of every
class and property, with a class diagram (Mermaid) of the ontology's classes, their subclass links and the
object properties between them. The same diagram text is kept in docs/linked-data.md (a test checks it is current)."""

from __future__ import annotations

import logging
import re

import rdflib
from rdflib.namespace import OWL, RDF, RDFS

from .namespaces import MEA

_ENTITY = re.compile(
    r'(<div class="property entity" id="([^"]+)">)(\s*<h3>.{0,600}?<code>' + re.escape(MEA) + r"(\w+)</code>)", re.S
)
DIAGRAM_SCRIPT = (
    '<script src="/static/mermaid/mermaid.min.js"></script><script>mermaid.initialize({startOnLoad: true});</script>'
)
ACCESSIBLE_STYLE = """<style>
 /* pyLODE's colours, darkened to WCAG 2.1 AA contrast; a visible focus; a skip link (docs/accessibility.md). */
 #pylode { color: #595959; } #pylode #p { color: #2a7a3a; } #pylode #y { color: #8a6d00; }
 .sup-c, .sup-con { color: #a34f00; } .sup-fp { color: #1a5f8a; } .sup-dp { color: #1f6f1f; }
 :focus-visible { outline: 3px solid #b5582a; outline-offset: 2px; } #content:focus { outline: none; }
 .skip { position: absolute; left: 1rem; top: -10rem; background: #1d2a33; color: #fff; padding: .5rem 1rem;
        z-index: 10; }
 .skip:focus { top: 0; }
 @media (forced-colors: active) { :focus-visible { outline-color: Highlight; } }
 @media (max-width: 50rem) {  /* narrow screens and 200% zoom: one column, nothing fixed over the text */
  body { padding: 1em .75em; } #content { width: auto; } #toc { position: static; height: auto; border: none; }
  #pylode { position: static; transform: none; margin-bottom: 1em; } a, code, dd { overflow-wrap: anywhere; }
 }
</style>"""


def class_diagram(graph: rdflib.Graph) -> str:
    """A Mermaid ``classDiagram`` of the ``mea:`` classes: subclass links, and each object property whose
    domain and range are both ``mea:`` classes."""

    def local(term: rdflib.term.Node) -> str | None:
        return str(term)[len(MEA) :] if isinstance(term, rdflib.URIRef) and str(term).startswith(MEA) else None

    classes = sorted(name for name in map(local, graph.subjects(RDF.type, OWL.Class)) if name)
    lines = ["classDiagram", "  direction LR"]
    for child in classes:
        for parent in sorted(filter(None, map(local, graph.objects(rdflib.URIRef(MEA + child), RDFS.subClassOf)))):
            lines.append(f"  {parent} <|-- {child}")
    for prop in sorted(graph.subjects(RDF.type, OWL.ObjectProperty), key=str):
        domains = sorted(filter(None, map(local, graph.objects(prop, RDFS.domain))))
        ranges = sorted(filter(None, map(local, graph.objects(prop, RDFS.range))))
        name = local(prop)
        if name and len(domains) == 1 and len(ranges) == 1:
            lines.append(f"  {domains[0]} --> {ranges[0]} : {name}")
    return "\n".join(lines) + "\n"


def _anchor_by_local_name(match: re.Match) -> str:
    """pyLODE names some entries after their label: add an anchor named after the term (``#CitesAppendixITaxon``)
    so every term IRI's fragment lands on its entry."""
    div, anchor, rest, local = match.groups()
    return div + rest if anchor == local else f'<a id="{local}"></a>' + div + rest


def accessible(page: str) -> str:
    """pyLODE's page made to pass WCAG 2.1 AA: its language, readable colours, landmarks and a skip link."""
    for old, new in (
        ("<html>", '<html lang="en">'),
        ("</head>", ACCESSIBLE_STYLE + "</head>"),
        ("<body>", '<body><a class="skip" href="#content">Skip to content</a>'),
        ('<div id="content">', '<div id="content" role="main" tabindex="-1">'),
        ('<div id="toc">', '<div id="toc" role="navigation" aria-label="Contents">'),
    ):
        page = page.replace(old, new, 1)
    return page


def html(ontology: rdflib.Graph) -> str:
    """The ontology's documentation page (pyLODE), with the class diagram after its metadata."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    from pylode import OntPub  # imported here: pyLODE configures the root logger (DEBUG) when imported

    root.setLevel(level)
    root.handlers[:] = handlers

    english = rdflib.Graph()  # pyLODE runs a term's labels in every language together: document it in English
    for triple in ontology:
        if not (isinstance(triple[2], rdflib.Literal) and triple[2].language not in (None, "en")):
            english.add(triple)
    page = OntPub(ontology=english).make_html()
    diagram = class_diagram(ontology)
    figure = (
        '<section id="diagram"><h2>Class diagram</h2><figure><pre class="mermaid" role="img" '
        f'aria-labelledby="diagram-caption">\n{diagram}</pre><figcaption id="diagram-caption">The classes of the '
        "ontology, their subclass links and the object properties between them (generated from the ontology; "
        "the same in words: the Classes and Object Properties below).</figcaption></figure></section>"
    )
    page = _ENTITY.sub(_anchor_by_local_name, page)
    page = page.replace('<div class="section" id="classes">', figure + '<div class="section" id="classes">', 1)
    return accessible(page.replace("</body>", DIAGRAM_SCRIPT + "</body>", 1))


if __name__ == "__main__":  # python -m kg.docs: print the class diagram (for docs/linked-data.md)
    from .config import Settings

    print(class_diagram(rdflib.Graph().parse(Settings().ontology_file)), end="")
