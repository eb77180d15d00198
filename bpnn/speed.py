"""Parallel evaluation over blocks of rows, using the threads BLAS would otherwise use.

The cost and gradient are sums over examples, so a batch can be cut into row blocks that are evaluated at
the same time and added up (``sum_over_row_blocks``). For big batches this beats letting a multithreaded
BLAS share each matrix product, because the elementwise work (sigmoids, deltas), which BLAS never
parallelizes, runs on every core too (the README's Performance section has the measurements).

The number of threads is, unless ``set_num_threads`` fixed it (or ``$BPNN_NUM_THREADS``), the number of
threads BLAS has at the time of the call, so whatever already limits BLAS (``OPENBLAS_NUM_THREADS``,
threadpoolctl, joblib's workers) limits bpnn as well. While blocks run, BLAS is held at one thread (so
two levels of threads never compete for the cores) and restored afterwards; the calling thread evaluates
one block itself. A batch too small to split runs with BLAS at the full thread count, even inside an
optimizer that holds BLAS at one thread for its own work (see ``bpnn.optimize``).

Splitting pays only when each block carries more elementwise work than handing it to another thread
costs (waking the thread, and the threads taking turns at Python's lock between numpy calls). That work
is one exponential per unit and row, so a block needs ``MIN_ACTIVATIONS_PER_BLOCK`` activations (rows ×
hidden and output units), four times more in float32, whose ``exp`` is about four times faster. Right after
multithreaded BLAS work, OpenBLAS's worker threads keep spinning for a while and take a core from the
blocks, so the first calls after such work are slower.
"""

import os
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import numpy as np
from threadpoolctl import ThreadpoolController

from .errors import BpnnError

__all__ = ["set_num_threads", "get_num_threads", "using_threads", "limit_blas", "row_blocks", "map_blocks",
           "sum_over_row_blocks"]

MIN_ACTIVATIONS_PER_BLOCK = {"float64": 60_000, "float32": 240_000}

_libraries = None
_pool = None
_fixed = None


def _blas_libraries():
    """The BLAS libraries loaded in the process (numpy's and SciPy's), looked up once."""
    global _libraries
    if _libraries is None:
        _libraries = ThreadpoolController().select(user_api="blas").lib_controllers
    return _libraries


def set_num_threads(n):
    """Use ``n`` threads for row blocks (1: never split); ``None`` goes back to following BLAS."""
    global _fixed
    if n is not None and (int(n) != n or n < 1):
        raise BpnnError(f"number of threads must be a positive integer or None, got {n!r}")
    _fixed = None if n is None else int(n)


@contextmanager
def using_threads(n):
    """Within the block, row blocks use ``n`` threads (whatever BLAS is limited to meanwhile)."""
    global _fixed
    saved = _fixed
    set_num_threads(n)
    try:
        yield
    finally:
        _fixed = saved


@contextmanager
def limit_blas(n):
    """A context holding BLAS at ``n`` threads (``None``: no change), restored afterwards.

    Sets each BLAS library directly, and only if it differs: a few microseconds, cheap enough per call."""
    counts = [] if n is None else [(lib, lib.get_num_threads()) for lib in _blas_libraries()]
    changed = [(lib, count) for lib, count in counts if count != int(n)]
    for lib, _ in changed:
        lib.set_num_threads(int(n))
    try:
        yield
    finally:
        for lib, count in changed:
            lib.set_num_threads(count)


def get_num_threads():
    """Threads for row blocks: ``set_num_threads``'s value, ``$BPNN_NUM_THREADS``, or BLAS's thread count."""
    if _fixed is not None:
        return _fixed
    env = os.environ.get("BPNN_NUM_THREADS")
    if env:
        try:
            return max(1, int(env))
        except ValueError:
            raise BpnnError(f"BPNN_NUM_THREADS must be a positive integer, got {env!r}") from None
    return max((lib.get_num_threads() for lib in _blas_libraries()), default=1)


def row_blocks(m, units=1, dtype="float64", least=None):
    """Slices cutting m rows into as many blocks as there are threads, each holding at least ``least``
    activations (default ``MIN_ACTIVATIONS_PER_BLOCK[dtype]``) when a row has ``units`` of them."""
    least = least or MIN_ACTIVATIONS_PER_BLOCK["float32" if dtype == np.float32 else "float64"]
    most = m * units // least
    k = 1 if most < 2 else max(1, min(get_num_threads(), most))  # small batches: one block, no thread query
    edges = [round(i * m / k) for i in range(k + 1)]
    return [slice(a, b) for a, b in zip(edges[:-1], edges[1:])]


def map_blocks(fn, *iterables):
    """``[fn(*args) for args in zip(*iterables)]``: several items in parallel threads with BLAS at one thread
    (the calling thread evaluates the last one itself); a single item with BLAS at ``get_num_threads()``
    threads inside ``using_threads`` (which ``minimize`` sets), so an optimizer that holds BLAS at one thread
    for its own work still gets every core here, and as BLAS is outside it."""
    global _pool
    items = list(zip(*iterables))
    if len(items) == 1:
        if _fixed is None:  # no optimizer holds BLAS below its budget: leave it as it is
            return [fn(*items[0])]
        with limit_blas(get_num_threads()):
            return [fn(*items[0])]
    if _pool is None or _pool._max_workers < len(items) - 1:
        _pool = ThreadPoolExecutor(max_workers=len(items) - 1, thread_name_prefix="bpnn")
    with limit_blas(1):
        futures = [_pool.submit(fn, *args) for args in items[:-1]]
        last = fn(*items[-1])
        return [future.result() for future in futures] + [last]


def sum_over_row_blocks(block, m, network, dtype):
    """(Σ J, Σ ∇J) of ``block(rows, grads) -> J`` over row blocks of m rows, each block writing its gradient
    into ``grads`` (views of one flat array per block, in ``dtype``); the sum is float64."""
    blocks = row_blocks(m, units=sum(network.sizes[1:]), dtype=dtype)
    flats = [np.empty(network.n_params, dtype=dtype) for _ in blocks]
    totals = map_blocks(lambda rows, flat: block(rows, network.unpack(flat)), blocks, flats)
    grad = flats[0].astype(np.float64, copy=False)
    for other in flats[1:]:
        grad += other
    return float(sum(totals)), grad
