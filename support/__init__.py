"""Helpers shared by the tests and the benchmarks (a real `kg serve`, real remote SPARQL servers, the soak
driver); not part of the installed package."""
