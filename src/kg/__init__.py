"""mea-kg: a knowledge graph of the CMS–CITES Joint Work Programme and the CAMI programme of work."""

__version__ = "0.1.0"
