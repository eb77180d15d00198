"""What SciPy and mini-batch training share: one validation of the data and options, the network
[n, *hidden, K], the one-hot targets and θ₀, before any training work."""

from dataclasses import dataclass

import numpy as np

from ..checks import check_data, check_lambda, one_hot
from ..errors import BpnnError
from ..limits import check_fits
from ..network import Network
from ..params import INITIALIZERS, as_generator, is_integer

__all__ = ["LAMBDA", "Problem", "prepare", "check_hidden"]

LAMBDA = 1.0  # λ when none is given: the course's regularization


def check_hidden(hidden):
    """The hidden layer sizes as a tuple of positive ints (BpnnError for 2.5, 0, −3, "ten", …)."""
    sizes = tuple(np.atleast_1d(np.asarray(hidden, dtype=object)).tolist())
    if not all((is_integer(h) or (isinstance(h, float) and h.is_integer())) and h >= 1 for h in sizes):
        raise BpnnError(f"hidden layer sizes must be positive integers, got {list(sizes)!r}")
    return tuple(int(h) for h in sizes)


@dataclass(frozen=True)
class Problem:
    """A training problem ready to run: network, X (m × n), labels y, one-hot Y, λ, θ₀ and the generator."""

    network: Network
    X: np.ndarray
    y: np.ndarray
    Y: np.ndarray
    lam: float
    theta0: np.ndarray
    rng: np.random.Generator


def prepare(X, y, *, hidden, activation, cost, output, lam, init, seed, n_classes=None):
    """Validate everything once and build the ``Problem``. K is ``n_classes`` or max(y) + 1."""
    hidden, lam = check_hidden(hidden), check_lambda(lam)
    names = Network((1, 1), activation, cost, output).names  # the names fail here, before the data are read
    if init not in INITIALIZERS:
        raise BpnnError(f"unknown initializer {init!r}; choose one of {', '.join(INITIALIZERS)}")
    rng = as_generator(seed)
    X, y = check_data(X, y, n_classes=n_classes)
    n_classes = int(n_classes) if n_classes is not None else int(y.max()) + 1
    network = Network((X.shape[1], *hidden, n_classes), **names)
    check_fits(f"training the network {list(network.sizes)} on {X.shape[0]} examples",
               8 * 3 * network.n_params + 2 * X.itemsize * X.shape[0] * sum(network.sizes[1:]))
    return Problem(network, X, y, one_hot(y, n_classes, X.dtype), lam, network.init(rng, init), rng)
