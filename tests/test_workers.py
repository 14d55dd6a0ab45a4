"""kg.workers: a worker evaluates on a thread of its own (its own malloc arena), and loses nothing it raises."""

import threading

import pytest

from kg import workers


def test_function_runs_off_the_main_thread_with_its_arguments():
    seen = []
    workers._on_own_arena(lambda a, b: seen.append((a, b, threading.current_thread() is threading.main_thread())), 1, 2)
    assert seen == [(1, 2, False)]


def test_what_the_function_raises_reaches_the_caller():
    def fail() -> None:
        raise SystemExit(3)

    with pytest.raises(SystemExit) as raised:
        workers._on_own_arena(fail)
    assert raised.value.code == 3
