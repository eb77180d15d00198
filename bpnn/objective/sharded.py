"""Data-parallel training on a Dask cluster: the training rows split into shards held by the workers.

J(θ) is a sum over examples, so it splits over shards S₁ … S_k of the rows with total weights W_s
(W_s = |S_s| without sample weights, W = Σ W_s):

  J(θ) = Σ_s (W_s/W) J_s(θ) + λ/(2W) Σₗ ‖W⁽ˡ⁾‖²,    ∇J and H·v the same sums of the shards' parts,

where J_s is the shard's unregularized ``cost_and_grad`` (its data term, normalized by W_s). Each
evaluation sends θ (and v) to the workers; each returns its shard's weighted part, and the client adds the
parts in shard order and the L2 term once; a worker keeps the curvature (forward pass) of each shard's
last θ, rows and kind, as ``LocalObjective`` does in-process. ``ShardedObjective`` is therefore a drop-in
``bpnn.objective.base.Objective``: J and ∇J for every SciPy method, TNC included, ``hessp(θ, v)`` for the
curvature methods, and its mini-batch gradient ``batch(θ, rows)`` (rows numbered across the shards, each
worker summing the rows it holds) for ``train_sgd``. The trainers given ``parallel=Parallel(client=…)``
build one from the validated data and otherwise run as they do in-process:
the same θ₀ and mini-batches from the same seed, sums equal to the in-process ones to rounding (1e-12
relative in the tests), so the same path.

Every evaluation is a round trip to every worker: worth it when one shard's evaluation takes much longer
than the round trip (``python -m benchmarks.bench_sharded`` prints both). Dask is an optional dependency
(``pip install bpnn[dask]``); nothing here imports it until a client is given.
"""

import threading

import numpy as np

from ..errors import BpnnError
from ..model.curvature import Curvature, l2_curvature
from ..model.network import add_l2, cost_and_accuracy, cost_and_grad
from .local import CurvatureCache

__all__ = ["ShardedObjective"]


def _size(w, m):
    return float(m if w is None else w.sum())


def _rows_of(shard, rows):
    """The shard's (X, Y, w), or those of its ``rows`` (numbered within the shard)."""
    X, Y, w = shard
    return shard if rows is None else (X[rows], Y[rows], None if w is None else w[rows])


def _shard_cost_and_grad(network, theta, shard, rows=None):
    """The shard's (J_s, ∇J_s, W_s) over its rows (all, or ``rows``), J_s normalized by its own W_s."""
    X, Y, w = _rows_of(shard, rows)
    if w is not None and not w.any():
        return 0.0, 0.0, 0.0
    return (*cost_and_grad(network, theta, X, Y, sample_weight=w), _size(w, len(X)))


_CURVATURES = {}  # on each worker: shard key → CurvatureCache, the most recently used last
_CACHED_SHARDS = 16
_CURVATURES_LOCK = threading.Lock()  # a worker runs the tasks of several shards on parallel threads


def _shard_hessp(network, theta, v, shard, key, gauss_newton, rows=None):
    """The shard's (H_s·v, W_s) over its rows (all, or ``rows``), H_s·v normalized by its own W_s. The
    worker keeps the curvature of the last (θ, rows, kind) of each of its ``_CACHED_SHARDS`` most recently
    used shards (``key``: the shard future's key), so the products of one conjugate-gradient solve gather the
    rows and run the forward pass once."""
    X, _, w = shard
    if rows is not None:
        w = None if w is None else w[rows]
    if w is not None and not w.any():
        return 0.0, 0.0
    with _CURVATURES_LOCK:
        cache = _CURVATURES.pop(key, None) or CurvatureCache()
        _CURVATURES[key] = cache
        while len(_CURVATURES) > _CACHED_SHARDS:
            del _CURVATURES[next(iter(_CURVATURES))]

    def build():
        X_rows, Y_rows, w_rows = _rows_of(shard, rows)
        return Curvature(network, theta, X_rows, Y_rows, sample_weight=w_rows, gauss_newton=gauss_newton)

    return cache.times(network, theta, v, rows, gauss_newton, build), _size(w, len(X) if rows is None else len(rows))


def _shard_cost_and_correct(network, theta, shard):
    """The shard's (J_s, W_s, number of rows predicted right)."""
    X, Y, w = shard
    J, accuracy = cost_and_accuracy(network, theta, X, Y, sample_weight=w)
    return J, _size(w, len(X)), accuracy * len(X)


def _weighted_sum(values, sizes):
    """Σ_s (W_s / W) value_s in shard order, W = Σ W_s (one shard: its value exactly)."""
    total, result = sum(sizes), 0.0
    for value, size in zip(values, sizes):
        result = result + (size / total) * value
    return result


def _shard_size(shard):
    """(rows, total weight) of a shard."""
    X, Y, w = shard
    if len(X) != len(Y) or (w is not None and len(w) != len(X)):
        raise BpnnError(f"a shard's X, Y and weights differ in length: {len(X)}, {len(Y)}, "
                        f"{None if w is None else len(w)}")
    return len(X), _size(w, len(X))


class ShardedObjective:
    """J(θ), ∇J(θ), H·v and mini-batch gradients of ``network`` on data held in shards by Dask workers.

    ``shards`` are futures (``client.submit``/``client.scatter``), each holding a tuple (X_s, Y_s, w_s) on a
    worker: rows, their one-hot targets and weights (or None). Shards a worker loads itself never pass
    through the client; ``scatter`` cuts arrays the client holds. A shard stays on its worker until
    ``close()``, the end of a ``with`` block or the objective's garbage collection (Dask releases data no
    future refers to). ``lam`` is λ.
    """

    def __init__(self, client, network, shards, lam=0.0):
        if not shards:
            raise BpnnError("no shards given")
        self.client, self.network, self.lam, self.shards = client, network, float(lam), list(shards)
        rows, weights = np.array(client.gather([client.submit(_shard_size, shard) for shard in self.shards])).T
        self.offsets = np.concatenate([[0], np.cumsum(rows)[:-1]]).astype(int)
        self.n_examples, self.train_size = int(rows.sum()), float(weights.sum())
        if self.train_size <= 0:
            raise BpnnError("the shards hold no examples of positive weight")

    @classmethod
    def scatter(cls, client, network, X, Y, lam=0.0, *, sample_weight=None, n_shards=None):
        """The objective on X (m × n), Y (m × K one-hot) and the optional weights, cut into ``n_shards``
        contiguous shards (default: one per worker) sent to the workers in turn."""
        workers = sorted(client.scheduler_info()["workers"])
        if not workers:
            raise BpnnError("the Dask cluster has no workers")
        n_shards = len(workers) if n_shards is None else n_shards
        if not isinstance(n_shards, (int, np.integer)) or not 1 <= n_shards <= len(X):
            raise BpnnError(f"n_shards must be an integer from 1 to the {len(X)} rows, got {n_shards!r}")
        edges = np.linspace(0, len(X), n_shards + 1).round().astype(int)
        shards = [client.scatter([(X[a:b], Y[a:b], None if sample_weight is None else sample_weight[a:b])],
                                 workers=[workers[i % len(workers)]], hash=False)[0]  # one future per shard
                  for i, (a, b) in enumerate(zip(edges[:-1], edges[1:]))]
        return cls(client, network, shards, lam)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        """Release the shards on the workers."""
        for shard in self.shards:
            shard.release()
        self.shards = []

    def __call__(self, theta):
        """(J, ∇J) at θ: the shards' parts summed in shard order, plus the L2 term."""
        theta = np.asarray(theta, dtype=np.float64)
        return self._cost_and_grad(theta, [self._submit(_shard_cost_and_grad, theta, shard) for shard in self._live()])

    def hessp(self, theta, v, gauss_newton=True, rows=None):
        """G·v (``gauss_newton``, the default: positive semi-definite) or H·v at θ, summed over the shards:
        over every row, or over ``rows`` (numbered 0..m−1 across the shards; see ``bpnn.objective.sampling``),
        the L2 term stated for the whole training set."""
        theta, v = np.asarray(theta, dtype=np.float64), np.asarray(v, dtype=np.float64)
        products, sizes = zip(*self.client.gather([
            self._submit(_shard_hessp, theta, v, shard, shard.key, gauss_newton, held)
            for shard, held in self._held(rows)]))
        return _weighted_sum(products, sizes) + l2_curvature(self.network, v, self.lam, self.train_size)

    def batch(self, theta, rows, masks=None):
        """(J, ∇J) of the mini-batch of ``rows`` (numbered 0..m−1 across the shards), its L2 term stated for
        the whole training set, as ``train_sgd``'s batches (no dropout ``masks``)."""
        if masks is not None:
            raise BpnnError("dropout is not offered with sharded data")
        theta = np.asarray(theta, dtype=np.float64)
        return self._cost_and_grad(theta, [self._submit(_shard_cost_and_grad, theta, shard, held)
                                           for shard, held in self._held(np.asarray(rows))])

    def cost_and_accuracy(self, theta):
        """(J(θ), the fraction of training rows predicted right), one forward pass per shard."""
        theta = np.asarray(theta, dtype=np.float64)
        costs, sizes, correct = zip(*self.client.gather([self._submit(_shard_cost_and_correct, theta, shard)
                                                         for shard in self._live()]))
        J, _ = add_l2(_weighted_sum(costs, sizes), None, self.network, theta, self.lam, self.train_size)
        return J, sum(correct) / self.n_examples

    def _submit(self, fn, theta, *args):
        return self.client.submit(fn, self.network, theta, *args, pure=False)

    def _cost_and_grad(self, theta, parts):
        """The shards' (J_s, ∇J_s, W_s) summed, plus the L2 term for the whole training set."""
        costs, grads, sizes = zip(*self.client.gather(parts))
        J, grad = _weighted_sum(costs, sizes), _weighted_sum(grads, sizes)
        return add_l2(J, np.asarray(grad, dtype=np.float64), self.network, theta, self.lam, self.train_size)

    def _held(self, rows=None):
        """(shard, its part of ``rows`` in its own numbering) for each shard holding some of ``rows``
        (numbered 0..m−1 across the shards); every shard with None when ``rows`` is None."""
        if rows is None:
            return [(shard, None) for shard in self._live()]
        shard_of = np.searchsorted(self.offsets, rows, side="right") - 1
        held = [(shard, rows[shard_of == i] - self.offsets[i]) for i, shard in enumerate(self._live())]
        return [(shard, part) for shard, part in held if len(part)]

    def _live(self):
        if not self.shards:
            raise BpnnError("this ShardedObjective is closed")
        return self.shards
