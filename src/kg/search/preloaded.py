"""Imported by the search processes' fork server (:mod:`.processes`) before it forks them: loads the sentence
encoder once, so that every search process shares its weights instead of loading its own copy."""

import gc

from .semantic import warm_up

warm_up()
gc.freeze()  # the collector leaves what was loaded alone: its pages stay shared with the forked processes
