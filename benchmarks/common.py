"""Helpers shared by the benchmarks: best-of-repeats timing and a printed comparison table."""

import os
import platform
import time


IDLE = 0.25


def _calls_per_round(fn, budget):
    start = time.perf_counter()
    fn()
    return max(1, int(budget / max(time.perf_counter() - start, 1e-9)))


def best_times(contenders, repeat=7, budget=0.2):
    """Best seconds per call of each ``{name: fn}``, measured round-robin: every round times each
    contender once (about ``budget`` seconds of calls), so drift in the machine's speed hits all alike.

    Before each contender's turn the harness sleeps ``IDLE`` seconds: OpenBLAS's worker threads keep
    spinning for about 0.1 s after a multithreaded product, and would otherwise steal a core from
    whichever contender runs next (seen here: bpnn's row-block threads lost 40 % to it)."""
    calls = {name: _calls_per_round(fn, budget) for name, fn in contenders.items()}
    best = dict.fromkeys(contenders, float("inf"))
    for _ in range(repeat):
        for name, fn in contenders.items():
            time.sleep(IDLE)
            start = time.perf_counter()
            for _ in range(calls[name]):
                fn()
            best[name] = min(best[name], (time.perf_counter() - start) / calls[name])
    return best


def machine():
    """One line describing where the numbers were measured."""
    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def ratio_line(name, ours, theirs, goal, faster=True):
    """'name: ratio× (goal …) ok/MISSED' where ratio = theirs / ours (how many times faster bpnn is)."""
    ratio = theirs / ours
    met = ratio >= goal if faster else ratio <= goal
    relation = "≥" if faster else "≤"
    return f"  {name:<46} {ratio:7.2f}×   goal {relation} {goal:g}×   {'ok' if met else 'MISSED'}"
