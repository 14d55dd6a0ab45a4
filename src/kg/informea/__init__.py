"""An InforMEA-style OData v2 feed of the graph: the entity model, query options, the mapping from the
graph (SPARQL, ``queries/informea/*.rq``) and the OData JSON / Atom / EDMX documents."""
