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
relative in the tests), so the same path. With float32 data that rounding is float32's, which TNC's
finite-difference curvature amplifies: its path then parts from the in-process one after a few iterations.

Every evaluation is a round trip to every worker: worth it when one shard's evaluation takes much longer
than the round trip (``python -m benchmarks.bench_sharded`` prints both). Dask is an optional dependency
(``pip install bpnn[dask]``); nothing here imports it until a client is given.
"""

import threading
import uuid
from concurrent.futures import CancelledError

import numpy as np

from ..errors import BpnnError, ClusterLostError
from ..model.curvature import Curvature, l2_curvature
from ..model.network import add_l2, cost_and_grad, cost_and_score_parts, forward, score, score_parts
from ..model.validate import is_integer
from .local import CurvatureCache

__all__ = ["ShardedObjective", "WORKER_TIMEOUT"]

WORKER_TIMEOUT = 60.0  # seconds an evaluation waits for a worker to join a cluster left with none
_RESENDS = 3  # times one evaluation sends lost shards again and starts over before training stops
_POLL = 1.0  # seconds between the checks, while an evaluation runs, that the client is open and has workers


def _size(w, m):
    return float(m if w is None else w.sum())


def _rows_of(shard, rows):
    """The shard's (X, Y, w), or those of its ``rows`` (numbered within the shard)."""
    X, Y, w = shard
    return shard if rows is None else (X[rows], Y[rows], None if w is None else w[rows])


def _shard_cost_and_grad(shard, network, theta, rows=None):
    """The shard's (J_s, ∇J_s, W_s) over its rows (all, or ``rows``), J_s normalized by its own W_s."""
    X, Y, w = _rows_of(shard, rows)
    if w is not None and not w.any():
        return 0.0, 0.0, 0.0
    return (*cost_and_grad(network, theta, X, Y, sample_weight=w), _size(w, len(X)))


_CURVATURES = {}  # on each worker: shard key → CurvatureCache, the most recently used last
_CACHED_SHARDS = 16
_CURVATURES_LOCK = threading.Lock()  # a worker runs the tasks of several shards on parallel threads


def _shard_hessp(shard, network, theta, v, key, gauss_newton, rows=None):
    """The shard's (H_s·v, W_s) over its rows (all, or ``rows``), H_s·v normalized by its own W_s. The
    worker keeps the curvature of the last (θ, rows, kind) of each of its ``_CACHED_SHARDS`` most recently
    used shards (``key`` names the shard), so the products of one conjugate-gradient solve gather the rows
    and run the forward pass once."""
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


def _shard_cost_and_score_parts(shard, network, theta):
    """The shard's (J_s, W_s, ``score_parts``); a shard of zero weight adds no cost, but its rows count in
    the (unweighted) score."""
    X, Y, w = shard
    if w is not None and not w.any():
        return 0.0, 0.0, score_parts(network, forward(network, theta, X)[1], Y)
    J, parts = cost_and_score_parts(network, theta, X, Y, sample_weight=w)
    return J, _size(w, len(X)), parts


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


def _connect(client):
    """(the client, whether it was connected here): a running ``dask.distributed.Client`` as it is, a scheduler
    address (a string) connected to, as Dask does; anything else is refused, naming ``client``."""
    from distributed import Client

    if not isinstance(client, str):
        return _check_client(client), False
    try:
        return Client(client), True
    except (OSError, ValueError, TypeError) as error:
        raise BpnnError(f"client: cannot connect to a Dask scheduler at {client!r} ({error})") from None


def _check_client(client):
    """The client, if it is a running ``dask.distributed.Client``, else BpnnError naming ``client``."""
    from distributed import Client

    if not isinstance(client, Client):
        raise BpnnError(f"client must be a dask.distributed.Client or a scheduler address, got a "
                        f"{type(client).__name__}")
    if client.status != "running":
        raise BpnnError(f"client: the Dask client is {client.status}; give a running one")
    if client.asynchronous:
        raise BpnnError("client: an asynchronous Dask client cannot serve bpnn's training, which waits for each "
                        "evaluation; give a synchronous one")
    return client


def _holders(client):
    """The sorted addresses of the client's workers, to send shards to; BpnnError when there are none."""
    workers = sorted(client.scheduler_info()["workers"])
    if not workers:
        raise BpnnError("client: the Dask cluster has no workers to hold the shards")
    return workers


def _check_n_shards(n_shards, m, n_workers):
    """The number of shards: ``n_shards``, an integer from 1 to the m rows, or by default one per worker (at
    most one per row)."""
    if n_shards is None:
        return min(n_workers, m)
    if not is_integer(n_shards) or not 1 <= n_shards <= m:
        raise BpnnError(f"n_shards must be an integer from 1 to the {m} rows, got {n_shards!r}")
    return int(n_shards)


class ShardedObjective:
    """J(θ), ∇J(θ), H·v and mini-batch gradients of ``network`` on data held in shards by Dask workers.

    ``shards`` are tuples (X_s, Y_s, w_s) of rows, their one-hot targets and weights (or None), each held by
    a worker: either futures (``client.submit``) of such tuples, made on the workers, or tuples held here,
    which the objective sends to the workers in turn. Shards a worker loads itself never pass through the
    client; ``scatter`` cuts arrays the client holds. A shard stays on its worker until ``close()``, the end
    of a ``with`` block or the objective's garbage collection (Dask releases data no future refers to).
    ``lam`` is λ.

    A worker lost during an evaluation (killed, restarted, its machine gone) takes its shards with it. The
    objective sends the lost shards it holds here again, to the workers there are then, and evaluates anew:
    the same sums, so training takes the same path. It raises ``ClusterLostError``, which the trainers
    treat as Ctrl-C, where it cannot go on: the client closed, no worker for ``WORKER_TIMEOUT`` seconds,
    shards lost ``_RESENDS`` times within one evaluation, a lost shard Dask cannot compute again (a future
    of data scattered by the caller), a task that failed on a worker. Dask itself makes a lost task's
    result again, so shards the workers load by tasks come back by themselves.
    """

    def __init__(self, client, network, shards, lam=0.0):
        if not shards:
            raise BpnnError("no shards given")
        self.client, self.network, self.lam = _check_client(client), network, float(lam)
        self._parts = [shard if isinstance(shard, tuple) else None for shard in shards]
        self._key, self._connected = uuid.uuid4().hex, False  # names this objective's shards in _CURVATURES
        workers = _holders(self.client) if any(part is not None for part in self._parts) else []
        self.shards = [shard if part is None else self._send(i, workers)
                       for i, (shard, part) in enumerate(zip(shards, self._parts))]
        rows, weights = np.array(self._map(_shard_size, [(i, ()) for i in range(len(self.shards))])).T
        self.offsets = np.concatenate([[0], np.cumsum(rows)[:-1]]).astype(int)
        self.n_examples, self.train_size = int(rows.sum()), float(weights.sum())
        if self.train_size <= 0:
            raise BpnnError("the shards hold no examples of positive weight")

    @classmethod
    def scatter(cls, client, network, X, Y, lam=0.0, *, sample_weight=None, n_shards=None):
        """The objective on X (m × n), Y (m × K one-hot) and the optional weights, cut into ``n_shards``
        contiguous shards (default: one per worker) sent to the workers in turn. ``client`` may also be a
        scheduler's address: the objective then connects a client of its own and closes it with itself."""
        client, connected = _connect(client)
        try:
            n_shards = _check_n_shards(n_shards, len(X), len(_holders(client)))
            edges = np.linspace(0, len(X), n_shards + 1).round().astype(int)
            objective = cls(client, network, [(X[a:b], Y[a:b], None if sample_weight is None else sample_weight[a:b])
                                              for a, b in zip(edges[:-1], edges[1:])], lam)
        except BaseException:
            if connected:
                client.close()
            raise
        objective._connected = connected
        return objective

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        """Release the shards on the workers (and close the client, if the objective connected it)."""
        for shard in self.shards:
            shard.release()
        self.shards = []
        if self._connected:
            self.client.close()

    def __call__(self, theta):
        """(J, ∇J) at θ: the shards' parts summed in shard order, plus the L2 term."""
        return self._cost_and_grad(np.asarray(theta, dtype=np.float64), self._held())

    def hessp(self, theta, v, gauss_newton=True, rows=None):
        """G·v (``gauss_newton``, the default: positive semi-definite) or H·v at θ, summed over the shards:
        over every row, or over ``rows`` (numbered 0..m−1 across the shards; see ``bpnn.objective.sampling``),
        the L2 term stated for the whole training set."""
        theta, v = np.asarray(theta, dtype=np.float64), np.asarray(v, dtype=np.float64)
        products, sizes = zip(*self._map(_shard_hessp, [(i, (self.network, theta, v, (self._key, i), gauss_newton,
                                                             held)) for i, held in self._held(rows)]))
        return _weighted_sum(products, sizes) + l2_curvature(self.network, v, self.lam, self.train_size)

    def batch(self, theta, rows, masks=None):
        """(J, ∇J) of the mini-batch of ``rows`` (numbered 0..m−1 across the shards), its L2 term stated for
        the whole training set, as ``train_sgd``'s batches (no dropout ``masks``)."""
        if masks is not None:
            raise BpnnError("dropout is not offered with sharded data")
        return self._cost_and_grad(np.asarray(theta, dtype=np.float64), self._held(np.asarray(rows)))

    def cost_and_score(self, theta):
        """(J(θ), the score on the training rows), the shards' parts combined."""
        theta = np.asarray(theta, dtype=np.float64)
        costs, sizes, parts = zip(*self._map(_shard_cost_and_score_parts, [(i, (self.network, theta))
                                                                           for i in range(len(self._live()))]))
        J, _ = add_l2(_weighted_sum(costs, sizes), None, self.network, theta, self.lam, self.train_size)
        return J, score(self.network, parts)

    def _cost_and_grad(self, theta, held):
        """The (J_s, ∇J_s, W_s) of the ``held`` rows of each shard summed, plus the L2 term for the whole
        training set."""
        costs, grads, sizes = zip(*self._map(_shard_cost_and_grad, [(i, (self.network, theta, rows))
                                                                    for i, rows in held]))
        J, grad = _weighted_sum(costs, sizes), _weighted_sum(grads, sizes)
        return add_l2(J, np.asarray(grad, dtype=np.float64), self.network, theta, self.lam, self.train_size)

    def _held(self, rows=None):
        """(shard number, its part of ``rows`` in its own numbering) for each shard holding some of ``rows``
        (numbered 0..m−1 across the shards); every shard with None when ``rows`` is None."""
        if rows is None:
            return [(i, None) for i in range(len(self._live()))]
        shard_of = np.searchsorted(self.offsets, rows, side="right") - 1
        held = [(i, rows[shard_of == i] - self.offsets[i]) for i in range(len(self._live()))]
        return [(i, part) for i, part in held if len(part)]

    def _live(self):
        if not self.shards:
            raise BpnnError("this ShardedObjective is closed")
        return self.shards

    def _map(self, fn, tasks):
        """[fn(shard i, *args) for each task (i, args)], run by the workers. When a worker was lost, the lost
        shards are sent again and every task run anew, up to ``_RESENDS`` times."""
        from distributed import KilledWorker

        for attempt in range(_RESENDS + 1):
            try:
                if attempt:
                    self._resend()
                futures = [self.client.submit(fn, self._live()[i], *args, pure=False) for i, args in tasks]
                return self.client.gather(self._wait(futures))
            except BpnnError:
                raise
            except (CancelledError, KilledWorker, OSError):  # OSError: a connection closed, a timeout
                continue
            except Exception as error:
                self._check_open()  # a client closed meanwhile fails its calls: say so
                raise ClusterLostError(f"a task failed on a Dask worker: {type(error).__name__}: {error}") from error
        raise ClusterLostError(f"the Dask cluster lost the shards {_RESENDS + 1} times in one evaluation")

    def _wait(self, futures):
        """The futures, once all are done. Meanwhile, every ``_POLL`` seconds, checks that the client is open
        and the cluster has workers (``_workers``)."""
        from distributed import wait

        while True:
            try:
                wait(futures, timeout=_POLL)
                return futures
            except TimeoutError:
                self._workers(timeout=WORKER_TIMEOUT)

    def _resend(self):
        """Send each shard held here that was lost with its worker again, to the workers there are now. A shard
        given as a future is Dask's to make again (a task's result); one Dask cancelled is lost for good."""
        workers = self._workers(timeout=WORKER_TIMEOUT)
        for i, shard in enumerate(self._live()):
            if shard.status == "finished":
                continue
            if self._parts[i] is not None:
                self.shards[i] = self._send(i, workers)
            elif shard.cancelled():
                raise ClusterLostError(f"the Dask cluster lost shard {i}, a future Dask cannot compute again")

    def _send(self, i, workers):
        """A future of shard i, sent from here to one of the ``workers`` (in turn by shard number)."""
        return self.client.scatter([self._parts[i]], workers=[workers[i % len(workers)]], hash=False)[0]

    def _workers(self, timeout=None):
        """The addresses of the cluster's workers, sorted. With a ``timeout``, waits that many seconds for one
        when there are none. ClusterLostError when the client is closed or no worker came."""
        self._check_open()
        if timeout is not None and not self.client.scheduler_info()["workers"]:
            try:
                self.client.wait_for_workers(1, timeout=timeout)
            except TimeoutError:
                raise ClusterLostError(f"the Dask cluster has had no workers for {timeout:g} s") from None
        return sorted(self.client.scheduler_info()["workers"])

    def _check_open(self):
        if self.client.status != "running":
            raise ClusterLostError(f"the Dask client is {self.client.status}")
