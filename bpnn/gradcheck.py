"""Gradient checking: backprop's gradient against central differences of the same cost.

  numerical ∂J/∂θⱼ ≈ (J(θ + ε eⱼ) − J(θ − ε eⱼ)) / 2ε,

one coordinate at a time: θ is perturbed in place and restored, so memory is O(n), never an n×n matrix
of perturbation vectors. The check reports the relative difference ‖num − ana‖ / ‖num + ana‖ (the
course's measure: about 1e-11 when backprop is right, ≳1e-4 when it is wrong) and, per weight matrix,
the largest absolute difference.
"""

from dataclasses import dataclass

import numpy as np

from .datasets import load_dataset
from .errors import BpnnError
from .network import cost_and_grad, one_hot
from .params import as_generator, check_layer_sizes, init_weights, unpack

__all__ = [
    "numerical_gradient",
    "relative_difference",
    "GradCheck",
    "check_gradients",
    "debug_initialize_weights",
    "debug_problem",
    "full_size_problem",
]


def _cost_only(f, theta):
    value = f(theta)
    return value[0] if isinstance(value, tuple) else value


def numerical_gradient(f, theta, eps=1e-4, indices=None):
    """Central-difference gradient of the scalar ``f`` at θ (``f`` may also return ``(J, grad)``).

    With ``indices``, only those coordinates are estimated and the result has one entry per index.
    θ is restored exactly after each perturbation.
    """
    theta = np.array(theta, dtype=np.float64)  # a private copy to perturb in place
    indices = np.arange(theta.size) if indices is None else np.asarray(indices)
    num = np.empty(indices.size)
    for out_pos, j in enumerate(indices):
        original = theta[j]
        theta[j] = original + eps
        plus = _cost_only(f, theta)
        theta[j] = original - eps
        minus = _cost_only(f, theta)
        theta[j] = original
        num[out_pos] = (plus - minus) / (2.0 * eps)
    return num


@dataclass
class GradCheck:
    """Result of a gradient check over the coordinates ``indices`` of θ."""

    indices: np.ndarray
    numerical: np.ndarray
    analytic: np.ndarray
    relative_difference: float
    max_abs_error_per_layer: list  # one float per weight matrix (nan where no coordinate was checked)

    def rows(self, n=10):
        """The first ``n`` (index, numerical, analytic) triples, for printing side by side."""
        return list(zip(self.indices[:n].tolist(), self.numerical[:n].tolist(), self.analytic[:n].tolist()))


def relative_difference(a, b):
    """‖a − b‖ / ‖a + b‖ (0 when both are zero)."""
    denom = np.linalg.norm(a + b)
    return float(np.linalg.norm(a - b) / denom) if denom else float(np.linalg.norm(a - b))


def check_gradients(theta, layer_sizes, X, Y, lam=0.0, k=None, rng=None, eps=1e-4, **options):
    """Compare ``cost_and_grad``'s gradient with central differences at θ.

    All coordinates by default; with ``k``, ``k`` coordinates drawn at random (seeded by ``rng``), which is
    how a full-size network is checked in seconds. ``options`` go to ``cost_and_grad`` (activation, output, cost, dropout).
    """
    sizes = check_layer_sizes(layer_sizes)
    theta = np.asarray(theta, dtype=np.float64)

    def f(t):
        return cost_and_grad(t, sizes, X, Y, lam, **options)

    _, analytic_full = f(theta)
    if k is None or k >= theta.size:
        indices = np.arange(theta.size)
    else:
        indices = np.sort(as_generator(rng).choice(theta.size, size=k, replace=False))
    numerical = numerical_gradient(f, theta, eps, indices)
    analytic = analytic_full[indices]

    layer_of = np.empty(theta.size, dtype=np.int64)
    for layer, view in enumerate(unpack(layer_of, sizes)):
        view[...] = layer
    errors = np.abs(numerical - analytic)
    per_layer = [
        float(errors[layer_of[indices] == layer].max()) if np.any(layer_of[indices] == layer) else float("nan")
        for layer in range(len(sizes) - 1)
    ]
    return GradCheck(indices, numerical, analytic, relative_difference(numerical, analytic), per_layer)


def debug_initialize_weights(fan_out, fan_in):
    """The course's ``debugInitializeWeights``: a (fan_out, 1 + fan_in) matrix of sin(1), sin(2), … / 10,
    filled column by column (as MATLAB's reshape does), so the check is the same on every machine."""
    shape = (fan_out, 1 + fan_in)
    return (np.sin(np.arange(1, shape[0] * shape[1] + 1)) / 10.0).reshape(shape, order="F")


def debug_problem(layer_sizes=(3, 5, 3), m=5):
    """The course's small check problem: (θ, X, Y) for these sizes with m examples.

    Weights and inputs come from ``debug_initialize_weights`` (X is its m × s₁ block without column 0)
    and labels are 1 + (i mod K) for i = 1..m in the course's 1-based terms, i.e. i mod K here.
    """
    sizes = check_layer_sizes(layer_sizes)
    theta = np.concatenate(
        [debug_initialize_weights(fan_out, fan_in).ravel() for fan_in, fan_out in zip(sizes[:-1], sizes[1:])]
    )
    X = debug_initialize_weights(m, sizes[0] - 1)
    y = np.arange(1, m + 1) % sizes[-1]
    return theta, X, one_hot(y, sizes[-1])


def full_size_problem(layer_sizes=(400, 25, 10), source=None, rng=0, init="uniform"):
    """(θ, X, Y) for checking a full-size network: θ from ``init_weights`` seeded by ``rng``, X and Y the
    data set at ``source`` (default: ``load_dataset``'s default)."""
    dataset = load_dataset(source)
    sizes = check_layer_sizes(layer_sizes)
    if sizes[0] != dataset.X.shape[1] or sizes[-1] != dataset.n_classes:
        raise BpnnError(f"layer sizes {list(sizes)} do not fit {dataset.name}: it has {dataset.X.shape[1]} "
                        f"features and {dataset.n_classes} classes")
    return init_weights(sizes, rng, init), dataset.X, one_hot(dataset.y, dataset.n_classes)
