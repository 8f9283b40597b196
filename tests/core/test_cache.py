"""`core.cache.shared_value` : une valeur coûteuse recalculée par un seul processus à la fois, la précédente
servie pendant ce temps."""

import threading
import time

import pytest
import time_machine
from django.core.cache import cache

from core.cache import shared_value


class Builder:
    """Un calcul qui compte ses appels ; `gate` le retient jusqu'à ce qu'on le libère."""

    def __init__(self, value, gate=None):
        self.value, self.gate, self.calls = value, gate, 0

    def __call__(self):
        self.calls += 1
        if self.gate is not None:
            self.gate.wait(5)
        return self.value


def test_a_value_is_built_once_per_version_and_age():
    first = Builder("v1")
    assert shared_value("page", "1", first, max_age=60) == "v1"
    assert shared_value("page", "1", first, max_age=60) == "v1"
    assert first.calls == 1

    second = Builder("v2")
    assert shared_value("page", "2", second, max_age=60) == "v2"  # la version a changé
    with time_machine.travel(time.time() + 61, tick=False):
        third = Builder("v2 bis")
        assert shared_value("page", "2", third, max_age=60) == "v2 bis"  # trop vieille
    assert (second.calls, third.calls) == (1, 1)


def test_while_one_process_rebuilds_the_others_serve_the_previous_value():
    shared_value("page", "1", Builder("v1"), max_age=60)
    cache.add("page:calcul", 1)  # un autre processus recalcule
    waiting = Builder("v2")
    assert shared_value("page", "2", waiting, max_age=60) == "v1"
    assert waiting.calls == 0

    cache.delete("page:calcul")
    assert shared_value("page", "2", waiting, max_age=60) == "v2"
    assert waiting.calls == 1 and cache.get("page:calcul") is None  # le verrou est rendu


def test_nothing_to_serve_yet_so_each_request_builds():
    cache.add("page:calcul", 1)
    builder = Builder("v1")
    assert shared_value("page", "1", builder, max_age=60) == "v1"
    assert builder.calls == 1


def test_a_failed_build_gives_back_the_lock():
    shared_value("page", "1", Builder("v1"), max_age=60)

    def failing():
        raise RuntimeError("base injoignable")

    with pytest.raises(RuntimeError):
        shared_value("page", "2", failing, max_age=60)
    retry = Builder("v2")
    assert shared_value("page", "2", retry, max_age=60) == "v2" and retry.calls == 1


def test_many_requests_at_once_after_a_change_build_it_once():
    shared_value("page", "1", Builder("v1"), max_age=60)
    gate = threading.Event()
    builder = Builder("v2", gate)
    results = []

    def request():
        results.append(shared_value("page", "2", builder, max_age=60))

    threads = [threading.Thread(target=request) for _ in range(8)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 5
    while len(results) < 7 and time.monotonic() < deadline:  # les autres ont répondu pendant le calcul
        time.sleep(0.01)
    gate.set()
    for thread in threads:
        thread.join(5)
    assert builder.calls == 1
    assert sorted(results) == ["v1"] * 7 + ["v2"]
    assert shared_value("page", "2", builder, max_age=60) == "v2"
