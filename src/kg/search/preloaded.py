"""Imported by the search processes' fork server (:mod:`.processes`) before it forks them: loads the sentence
encoder once, so that every search process shares its weights instead of loading its own copy."""

from .semantic import warm_up

warm_up()
