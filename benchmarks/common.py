"""Helpers shared by the benchmarks: best-of-repeats timing and a printed comparison table."""

import os
import platform
import time
import warnings


WARMUP = 0.15


def _calls_per_round(fn, budget):
    start = time.perf_counter()
    fn()
    return max(1, int(budget / max(time.perf_counter() - start, 1e-9)))


def _warm_up(fn, seconds):
    end = time.perf_counter() + seconds
    fn()
    while time.perf_counter() < end:
        fn()


def best_times(contenders, repeat=7, budget=0.2, statistic=min):
    """Best seconds per call of each ``{name: fn}`` (or another ``statistic`` of the rounds, e.g. the median),
    measured round-robin: every round times each
    contender once (about ``budget`` seconds of calls), so drift in the machine's speed hits all alike.

    Each contender's turn starts with ``WARMUP`` seconds of untimed calls, so that every contender is
    timed in its steady state, as in a training loop: by then the threads it uses are awake, and
    OpenBLAS's workers, which keep spinning for about 0.1 s after the previous contender's multithreaded
    products, have gone to sleep if this contender does not use them (they took 40 % from bpnn's row-block
    threads when timing started right after them)."""
    calls = {name: _calls_per_round(fn, budget) for name, fn in contenders.items()}
    rounds = {name: [] for name in contenders}
    for _ in range(repeat):
        for name, fn in contenders.items():
            _warm_up(fn, WARMUP)
            start = time.perf_counter()
            for _ in range(calls[name]):
                fn()
            rounds[name].append((time.perf_counter() - start) / calls[name])
    return {name: float(statistic(seconds)) for name, seconds in rounds.items()}


def timed_fit(make, X, y, repeat):
    """(best seconds of ``repeat`` whole fits of ``make()`` on (X, y), the last fitted model), with
    scikit-learn's ConvergenceWarning silenced (a capped run is part of what is compared)."""
    from sklearn.exceptions import ConvergenceWarning

    best = float("inf")
    for _ in range(repeat):
        model = make()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            start = time.perf_counter()
            model.fit(X, y)
            best = min(best, time.perf_counter() - start)
    return best, model


def machine():
    """One line describing where the numbers were measured."""
    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def ratio_line(name, ours, theirs, goal, faster=True):
    """'name: ratio× (goal …) ok/MISSED' where ratio = theirs / ours (how many times faster bpnn is)."""
    ratio = theirs / ours
    met = ratio >= goal if faster else ratio <= goal
    relation = "≥" if faster else "≤"
    return f"  {name:<46} {ratio:7.2f}×   goal {relation} {goal:g}×   {'ok' if met else 'MISSED'}"
