"""What SciPy and mini-batch training share: one validation of the data and options, the network
[n, *hidden, K], the one-hot targets and θ₀, before any training work; and the objective on those data in
this process (``LocalObjective``), the counterpart of ``bpnn.sharded.ShardedObjective`` on a cluster."""

from dataclasses import dataclass

import numpy as np

from ..checks import check_data, check_lambda, check_sample_weight, one_hot
from ..errors import BpnnError
from ..limits import check_fits
from ..hessian import Curvature, CurvatureCache
from ..network import Network, cost_and_accuracy, cost_and_grad
from ..params import INITIALIZERS, as_generator, is_integer

__all__ = ["LAMBDA", "Problem", "LocalObjective", "make_objective", "prepare", "check_hidden", "check_patience"]

LAMBDA = 1.0  # λ when none is given: the course's regularization


def check_hidden(hidden):
    """The hidden layer sizes as a tuple of positive ints (BpnnError for 2.5, 0, −3, "ten", …)."""
    sizes = tuple(np.atleast_1d(np.asarray(hidden, dtype=object)).tolist())
    if not all((is_integer(h) or (isinstance(h, float) and h.is_integer())) and h >= 1 for h in sizes):
        raise BpnnError(f"hidden layer sizes must be positive integers, got {list(sizes)!r}")
    return tuple(int(h) for h in sizes)


def check_patience(patience):
    """An early-stopping patience: None (no early stopping) or an integer ≥ 1."""
    if patience is not None and (not is_integer(patience) or patience < 1):
        raise BpnnError(f"early stopping's patience must be an integer ≥ 1, got {patience!r}")
    return patience


@dataclass(frozen=True)
class Problem:
    """A training problem ready to run: network, X (m × n), labels y, one-hot Y, λ, θ₀, the generator and
    the per-example weights (None: all 1)."""

    network: Network
    X: np.ndarray
    y: np.ndarray
    Y: np.ndarray
    lam: float
    theta0: np.ndarray
    rng: np.random.Generator
    sample_weight: np.ndarray = None

    @property
    def train_size(self):
        """n, the examples λ is stated for: m, or Σw with weights."""
        return len(self.y) if self.sample_weight is None else float(self.sample_weight.sum())


class LocalObjective:
    """A problem's objective on its data in this process, offering what ``bpnn.sharded.ShardedObjective``
    offers on a cluster: (J, ∇J) when called, ``hessp`` (over every row, or over ``rows``), ``batch``
    (a mini-batch's J and ∇J) and ``cost_and_accuracy``. Whichever rows a call uses, λ is stated for the
    whole training set (``Problem.train_size``)."""

    def __init__(self, problem):
        self.network, self.X, self.Y, self.lam = problem.network, problem.X, problem.Y, problem.lam
        self.w, self.train_size = problem.sample_weight, problem.train_size
        self._curvatures = CurvatureCache()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass  # nothing to release: a counterpart of ``ShardedObjective``'s ``with`` block

    def __call__(self, theta):
        return cost_and_grad(self.network, theta, self.X, self.Y, self.lam, sample_weight=self.w)

    def hessp(self, theta, v, gauss_newton=True, rows=None):
        """G·v (``gauss_newton``) or H·v at θ, over every row or over ``rows`` (``bpnn.training.curvature``).
        Successive products at one θ, rows and kind share one forward pass (``bpnn.hessian.Curvature``)."""
        def build():
            X, Y, w = (self.X, self.Y, self.w) if rows is None else self._rows(rows)
            return Curvature(self.network, theta, X, Y, self.lam, train_size=self.train_size, sample_weight=w,
                             gauss_newton=gauss_newton)

        return self._curvatures.times(self.network, theta, v, rows, gauss_newton, build)

    def batch(self, theta, rows, masks=None):
        """(J, ∇J) of the mini-batch of ``rows`` (dropout ``masks`` optional)."""
        X, Y, w = self._rows(rows)
        return cost_and_grad(self.network, theta, X, Y, self.lam, masks=masks, train_size=self.train_size,
                             sample_weight=w)

    def cost_and_accuracy(self, theta):
        """(J(θ), the fraction of training rows predicted right), one forward pass."""
        return cost_and_accuracy(self.network, theta, self.X, self.Y, self.lam, sample_weight=self.w)

    def _rows(self, rows):
        return self.X[rows], self.Y[rows], None if self.w is None else self.w[rows]


def _n_classes(y, n_classes):
    """K: ``n_classes`` when given (at least 2), else max(y) + 1 when y holds at least two different labels.
    A network for one class learns nothing (one sigmoid output, or a softmax that is always 1)."""
    if n_classes is not None:
        if n_classes < 2:
            raise BpnnError(f"training needs at least two classes; n_classes is {n_classes}")
        return int(n_classes)
    labels = np.unique(y)
    if labels.size < 2:
        raise BpnnError(f"training needs at least two classes; every label in y is {labels[0]} (pass n_classes "
                        "when these examples are part of a larger problem)")
    return int(labels[-1]) + 1


def make_objective(problem, client=None, n_shards=None):
    """The problem's objective, for a ``with`` block: a ``LocalObjective``, or with ``client`` (a
    ``dask.distributed.Client`` or a scheduler's address) a ``bpnn.sharded.ShardedObjective`` on the data
    cut into ``n_shards`` shards (default: one per worker), released at the end of the block."""
    if client is None:
        if n_shards is not None:
            raise BpnnError(f"n_shards={n_shards!r} needs a Dask client (client=) to hold the shards")
        return LocalObjective(problem)
    from ..sharded import ShardedObjective
    return ShardedObjective.scatter(client, problem.network, problem.X, problem.Y, problem.lam,
                                    sample_weight=problem.sample_weight, n_shards=n_shards)


def prepare(X, y, *, hidden, activation, cost, output, lam, init, seed, n_classes=None, sample_weight=None,
            theta0=None):
    """Validate everything once and build the ``Problem``. K is ``n_classes`` or max(y) + 1 (at least 2); θ₀ is
    ``theta0`` when given (a run continued: it must fit the network), else drawn by ``init``."""
    hidden, lam = check_hidden(hidden), check_lambda(lam)
    names = Network((1, 1), activation, cost, output).names  # the names fail here, before the data are read
    if init not in INITIALIZERS:
        raise BpnnError(f"unknown initializer {init!r}; choose one of {', '.join(INITIALIZERS)}")
    rng = as_generator(seed)
    X, y = check_data(X, y, n_classes=n_classes)
    n_classes = _n_classes(y, n_classes)
    network = Network((X.shape[1], *hidden, n_classes), **names)
    check_fits(f"training the network {list(network.sizes)} on {X.shape[0]} examples",
               8 * 3 * network.n_params + 2 * X.itemsize * X.shape[0] * sum(network.sizes[1:]))
    if theta0 is None:
        theta0 = network.init(rng, init)
    else:
        theta0 = np.array(theta0, dtype=np.float64)
        if theta0.shape != (network.n_params,) or not np.all(np.isfinite(theta0)):
            raise BpnnError(f"the initial θ must be {network.n_params} finite numbers for the network "
                            f"{list(network.sizes)}, got shape {theta0.shape}")
    return Problem(network, X, y, one_hot(y, n_classes, X.dtype), lam, theta0, rng,
                   check_sample_weight(sample_weight, X.shape[0]))
