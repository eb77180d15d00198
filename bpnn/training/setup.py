"""What SciPy and mini-batch training share, done once before any training work: the checks of the
network, the data and the options, the targets (one-hot classes, or real values for a regression network),
θ₀, the held-out data, and the objective on the training data (in this process, or sharded on a Dask
cluster)."""

from dataclasses import dataclass

import numpy as np

from ..errors import BpnnError
from ..model.network import Network, cost_and_score
from ..model.validate import (as_generator, as_matrix, check_data, check_fits, check_indicator, check_lambda,
                              check_sample_weight, check_values, one_hot)
from ..objective.local import LocalObjective
from .stopping import check_early_stopping

__all__ = ["LAMBDA", "Problem", "Evaluation", "prepare", "make_objective"]

LAMBDA = 1.0  # λ when none is given: the course's regularization


def targets(network, X, y):
    """(X, Y) checked for ``network``: Y the one-hot targets of labels y in 0..K−1; for a multilabel network
    y itself, an m × K matrix of 0 and 1; for a regression network the real values y (m, or m × K) as an
    m × K matrix."""
    if network.task == "classification":
        X, y = check_data(X, y, n_features=network.sizes[0], n_classes=network.n_classes)
        return X, one_hot(y, network.n_classes, X.dtype)
    X = check_data(X, n_features=network.sizes[0])
    Y = np.asarray(y)
    if Y.dtype.kind not in ("biuf" if network.task == "multilabel" else "iuf"):
        raise BpnnError(f"{network.task} targets must be numbers, got an array of {Y.dtype}")
    Y = as_matrix(Y.reshape(-1, 1) if Y.ndim == 1 else Y, "y").astype(X.dtype)
    check = check_indicator if network.task == "multilabel" else check_values
    return X, check(Y, X.shape[0], network.n_classes)


class Evaluation:
    """Held-out data (X, targets y) for ``network``, checked once: their cost and score (accuracy, or R²
    for real values) from one forward pass, the cost with the training set's L2 term, λ stated for its size."""

    def __init__(self, network, X, y):
        self.network = network
        self.X, self.Y = targets(network, X, y)

    def score(self, theta):
        return self.cost_and_score(theta, 0.0, None)[1]

    def cost_and_score(self, theta, lam, train_size):
        J, value = cost_and_score(self.network, theta, self.X, self.Y, lam, train_size=train_size)
        return float(J), value


@dataclass(frozen=True)
class Problem:
    """A training problem ready to run: network, X (m × n), the targets Y (``targets``), λ, θ₀, the generator,
    the per-example weights (None: all 1) and the held-out ``Evaluation`` (or None)."""

    network: Network
    X: np.ndarray
    Y: np.ndarray
    lam: float
    theta0: np.ndarray
    rng: np.random.Generator
    sample_weight: np.ndarray = None
    evaluation: Evaluation = None


def prepare(network, X, y, *, lam, sample_weight, theta0, seed, init, evaluation, patience):
    """Check everything once and build the ``Problem``: labels in 0..K−1 for the network's K outputs (or
    real values for a regression network), θ₀ ``theta0`` when given (a run continued: it must fit the
    network), else drawn by ``network.init(seed, init)``; ``evaluation`` an optional held-out (X, y) pair,
    which early stopping (``patience``) needs."""
    if not isinstance(network, Network):
        raise BpnnError(f"network must be a bpnn.Network (e.g. Network((400, 25, 10))), got {type(network).__name__}")
    if network.task == "classification" and network.n_classes < 2:
        raise BpnnError(f"training needs a network with at least two outputs (classes), got {list(network.sizes)}: "
                        "one output learns nothing (a softmax of one unit is always 1)")
    lam, rng = check_lambda(lam), as_generator(seed)
    X, Y = targets(network, X, y)
    check_fits(f"training the network {list(network.sizes)} on {X.shape[0]} examples",
               8 * 3 * network.n_params + 2 * X.itemsize * X.shape[0] * network.units)
    if theta0 is None:
        theta0 = network.init(rng, init)
    else:
        theta0 = np.array(theta0, dtype=np.float64)
        if theta0.shape != (network.n_params,) or not np.all(np.isfinite(theta0)):
            raise BpnnError(f"the initial θ must be {network.n_params} finite numbers for the network "
                            f"{list(network.sizes)}, got shape {theta0.shape}")
    check_early_stopping(patience, evaluation)
    return Problem(network, X, Y, lam, theta0, rng,
                   check_sample_weight(sample_weight, X.shape[0]),
                   None if evaluation is None else Evaluation(network, *evaluation))


def make_objective(problem, parallel):
    """The problem's objective: in this process, or on ``parallel.client``'s workers."""
    if parallel.client is None:
        return LocalObjective(problem.network, problem.X, problem.Y, problem.lam, sample_weight=problem.sample_weight)
    from ..objective.sharded import ShardedObjective
    return ShardedObjective.scatter(parallel.client, problem.network, problem.X, problem.Y, problem.lam,
                                    sample_weight=problem.sample_weight, n_shards=parallel.n_shards)
