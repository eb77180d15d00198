"""What is there only to go faster, in one place: row blocks on parallel threads, BLAS thread limits, and the
constants measured for them and for the optimizers.

The cost, the gradient and the curvature products are sums over examples, so a batch can be cut into row
blocks that are evaluated at the same time and added up. For big batches this beats letting a
multithreaded BLAS share each matrix product, because the elementwise work (sigmoids, deltas), which BLAS
never parallelizes, runs on every core too. ``RowBlocks`` is such a cutting: the math (``bpnn.model``)
takes one as its ``blocks`` argument, and the objectives (``bpnn.objective``) pass one.

A ``RowBlocks`` uses ``threads`` threads; with ``threads=None`` it follows, at each call, the threads BLAS
has (``$BPNN_NUM_THREADS`` overrides), so whatever already limits BLAS (``OPENBLAS_NUM_THREADS``,
threadpoolctl, joblib's workers) limits bpnn as well. While blocks run, BLAS is held at one thread (two
levels of threads never compete for the cores) and restored afterwards; the calling thread evaluates one
block itself. A batch too small to split runs with BLAS at ``threads`` threads, even inside an optimizer that
holds BLAS at one thread for its own work (``limit_blas``, scoped by ``bpnn.training.scipy.minimize``).

Splitting pays only when each block carries more elementwise work than handing it to another thread costs
(waking the thread, the threads taking turns at Python's lock between numpy calls). That work is about one
exponential per unit and row, so a block needs ``MIN_ACTIVATIONS_PER_BLOCK`` activations (rows × hidden
and output units), four times more in float32, whose ``exp`` is about four times faster; curvature products,
whose R-passes carry more matrix products per exponential, ``MIN_ACTIVATIONS_PER_PRODUCT_BLOCK`` in either
dtype. The other constants here were measured the same way, with the benchmark commands of
``benchmarks/`` (whose README has the runs).
"""

import os
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import lru_cache

import numpy as np
from threadpoolctl import ThreadpoolController

from .errors import BpnnError
from .model.validate import check_integer

__all__ = ["MIN_ACTIVATIONS_PER_BLOCK", "MIN_ACTIVATIONS_PER_PRODUCT_BLOCK", "BLAS_THREADS", "TNC_INNER_STEPS",
           "FLOAT32_OPTIONS", "CURVATURE_ROWS", "RowBlocks", "limit_blas", "blas_threads", "default_threads"]

MIN_ACTIVATIONS_PER_BLOCK = {"float64": 60_000, "float32": 240_000}
MIN_ACTIVATIONS_PER_PRODUCT_BLOCK = 80_000

# BLAS threads for a SciPy method's own work between evaluations (methods not listed: BLAS as it is).
# L-BFGS-B, CG and the methods using curvature products do vector operations of their own, which OpenBLAS
# spreads over threads whose workers then keep spinning and take a core from the next evaluation's row
# blocks; TNC does no linear algebra of its own, and BFGS's n × n updates gain from threads.
BLAS_THREADS = {"L-BFGS-B": 1, "CG": 1, "Newton-CG": 1, "trust-ncg": 1, "trust-krylov": 1}

# TNC's inner truncated-Newton solve under the stopping rule (SciPy's maxCGit, whose default allows 50),
# per dtype of the data. Each inner step costs one gradient and the rule ends the run before long solves'
# extra precision pays; with float32 data the steps' products are differences of float32 gradients, too
# noisy for long solves to pay at all.
TNC_INNER_STEPS = {"float64": 10, "float32": 5}

# SciPy options per method when the data are float32: TNC's finite differences of the gradient (its
# Hessian-vector products) need a relative step at float32's scale; SciPy's default suits float64 only.
FLOAT32_OPTIONS = {"TNC": {"accuracy": 1e-5}}

# Rows of a curvature sample (``bpnn.objective.sampling``): enough to keep clear of small samples' noise,
# few enough that the inner conjugate-gradient solves cost less than the gradients.
CURVATURE_ROWS = 2000


@lru_cache(maxsize=1)
def _blas_libraries():
    """The BLAS libraries loaded in the process (numpy's and SciPy's), looked up once."""
    return ThreadpoolController().select(user_api="blas").lib_controllers


def blas_threads():
    """The number of threads BLAS has now (the largest over its libraries)."""
    return max((lib.get_num_threads() for lib in _blas_libraries()), default=1)


def default_threads():
    """Threads for row blocks: ``$BPNN_NUM_THREADS``, else the threads BLAS has now."""
    env = os.environ.get("BPNN_NUM_THREADS")
    if env:
        try:
            return max(1, int(env))
        except ValueError:
            raise BpnnError(f"BPNN_NUM_THREADS must be a positive integer, got {env!r}") from None
    return blas_threads()


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


class RowBlocks:
    """Cuts m rows into blocks and maps a function over them on parallel threads, with BLAS at one thread.

    ``threads``: the threads to use (None: follow BLAS at each call, see the module docstring); ``least``:
    the activations a block needs, one number or one per dtype name."""

    def __init__(self, threads=None, least=None):
        self.threads = check_integer("threads", threads, 1, none=True)
        self.least = MIN_ACTIVATIONS_PER_BLOCK if least is None else least
        self._pool, self._workers = None, 0

    def split(self, m, units, dtype):
        """Slices cutting m rows into as many blocks as there are threads, each holding at least ``least``
        activations when a row has ``units`` of them."""
        least = self.least if isinstance(self.least, int) else self.least[
            "float32" if dtype == np.float32 else "float64"]
        most = m * units // least
        k = 1 if most < 2 else max(1, min(self.threads or default_threads(), most))
        edges = [round(i * m / k) for i in range(k + 1)]
        return [slice(a, b) for a, b in zip(edges[:-1], edges[1:])]

    def map(self, fn, items):
        """``[fn(item) for item in items]``: several items on parallel threads with BLAS at one thread (the
        calling thread evaluates the last one itself); a single item with BLAS at ``threads`` threads."""
        items = list(items)
        if len(items) == 1:
            if self.threads is None:
                return [fn(items[0])]
            with limit_blas(self.threads):
                return [fn(items[0])]
        if self._workers < len(items) - 1:
            self.close()
            self._pool = ThreadPoolExecutor(max_workers=len(items) - 1, thread_name_prefix="bpnn")
            self._workers = len(items) - 1
        with limit_blas(1):
            futures = [self._pool.submit(fn, item) for item in items[:-1]]
            last = fn(items[-1])
            return [future.result() for future in futures] + [last]

    def close(self):
        """End the threads (a later ``map`` starts new ones)."""
        if self._pool is not None:
            self._pool.shutdown(wait=False)
        self._pool, self._workers = None, 0

