"""Checks of the derivatives against central differences of the same cost: the gradient (the course's
``checkNNGradients`` and ``computeNumericalGradient``) and the Hessian-vector products.

  numerical ∂J/∂θⱼ ≈ (J(θ + ε eⱼ) − J(θ − ε eⱼ)) / 2ε,

with J from ``cost`` (a forward pass only, with the same dropout masks), not from ``cost_and_grad``,

one coordinate at a time: θ is perturbed in place and restored, so memory is O(n), never an n×n matrix
of perturbation vectors. The check reports the relative difference ‖num − ana‖ / ‖num + ana‖ (the
course's measure: about 1e-11 when backprop is right, ≳1e-4 when it is wrong) and, per weight matrix,
the largest absolute difference. ``check_hessian`` compares H·v (``bpnn.model.curvature``) with the central
difference (∇J(θ + ε v) − ∇J(θ − ε v)) / 2ε of the gradient. Both are parametrized over the units table in
the tests, so every activation and output cost is checked.
"""

from dataclasses import dataclass

import numpy as np

from ..errors import BpnnError
from .curvature import hessp
from .network import Network, cost, cost_and_grad
from .validate import as_generator, check_fits, check_step, check_vector, is_integer, one_hot

__all__ = [
    "numerical_gradient",
    "relative_difference",
    "GradCheck",
    "check_gradients",
    "check_hessian",
    "debug_initialize_weights",
    "debug_problem",
    "full_size_problem",
]


def _cost_only(f, theta):
    value = f(theta)
    return value[0] if isinstance(value, tuple) else value


def numerical_gradient(f, theta, eps=1e-4, indices=None):
    """Central-difference gradient of the scalar ``f`` at θ (the course's ``computeNumericalGradient``; ``f``
    may also return ``(J, grad)``).

    With ``indices``, only those coordinates are estimated and the result has one entry per index.
    θ is restored exactly after each perturbation. BpnnError for an ε that is not a finite number > 0 or
    that is lost when added to a θⱼ (the difference would be 0), for indices that are not integers in
    0..n−1, and where ``f`` is not finite.
    """
    eps = check_step(eps)
    theta = np.array(check_vector(theta, np.size(theta), "theta"))  # a private copy to perturb in place
    indices = np.arange(theta.size) if indices is None else _check_indices(indices, theta.size)
    lost = theta[indices] + eps == theta[indices]
    if np.any(lost):
        j = indices[lost][0]
        raise BpnnError(f"eps = {eps:g} is too small for θ[{j}] = {theta[j]:g}: θ + ε rounds back to θ in float64")
    num = np.empty(indices.size)
    for out_pos, j in enumerate(indices):
        original = theta[j]
        theta[j] = original + eps
        plus = _cost_only(f, theta)
        theta[j] = original - eps
        minus = _cost_only(f, theta)
        theta[j] = original
        if not (np.isfinite(plus) and np.isfinite(minus)):
            raise BpnnError(f"the cost is not finite at θ ± ε e_{j} (eps = {eps:g}): no difference to take")
        num[out_pos] = (plus - minus) / (2.0 * eps)
    return num


def _check_indices(indices, n):
    indices = np.asarray(indices)
    if indices.ndim != 1 or indices.dtype.kind not in "iu" or (
            indices.size and not 0 <= indices.min() <= indices.max() < n):
        raise BpnnError(f"indices must be a list of integers in 0..{n - 1} (coordinates of θ), got {indices!r}")
    return indices


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
    """‖a − b‖ / ‖a + b‖ (‖a − b‖ when a + b = 0), with a and b divided by their largest |entry| first so that
    the norms of huge gradients (λ = 1e300) do not overflow: the ratio is the same. BpnnError when a or b
    holds a NaN or infinity."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        raise BpnnError("the derivatives to compare are not all finite: the cost overflows float64 (λ, the "
                        "weights or the inputs are too large)")
    scale = max(np.abs(a).max(initial=0.0), np.abs(b).max(initial=0.0))
    scale = scale if scale > 0 else 1.0
    difference, denom = np.linalg.norm((a - b) / scale), np.linalg.norm((a + b) / scale)
    return float(difference / denom) if denom else float(difference * scale)


def check_gradients(network, theta, X, Y, lam=0.0, *, k=None, seed=None, eps=1e-4, masks=None, sample_weight=None):
    """Compare ``cost_and_grad``'s gradient with central differences of ``cost`` at θ (``checkNNGradients``).

    Each numerical derivative is (J(θ + ε eⱼ) − J(θ − ε eⱼ)) / 2ε, taken one coordinate at a time in O(n)
    memory. The gradient is right when the relative difference ‖num − ana‖ / ‖num + ana‖ is below about 1e-9.

    Parameters
    ----------
    network : Network
    theta : ndarray of shape (n_params,)
    X : ndarray of shape (m, s₁)
    Y : ndarray of shape (m, s_L)
        One-hot targets.
    lam : float, default 0
        λ.
    k : int, optional
        Check ``k`` coordinates drawn at random (seeded by ``seed``) instead of all: how a full-size network is
        checked in seconds.
    seed : int, optional
        Seeds the draw of the ``k`` coordinates.
    eps : float, default 1e-4
        ε.
    masks : list of ndarray, optional
        Dropout masks, fixed for both sides.
    sample_weight : array_like of shape (m,), optional
        Example weights, on both sides.

    Returns
    -------
    GradCheck
        ``indices`` (the coordinates checked), ``numerical`` and ``analytic`` (side by side, as the course
        prints them), ``relative_difference`` and ``max_abs_error_per_layer``.

    Raises
    ------
    BpnnError
        A bad ``k`` or ``eps`` (one that does not move θ), a cost that is not finite at θ ± ε eⱼ, or input that
        does not fit the network.

    Examples
    --------
    >>> import bpnn
    >>> network = bpnn.Network((3, 5, 3))
    >>> check = bpnn.check_gradients(network, *bpnn.debug_problem(), lam=3.0)
    >>> bool(check.relative_difference < 1e-9), check.numerical.shape
    (True, (38,))
    """
    theta = check_vector(theta, network.n_params, "theta")
    if k is not None and (not is_integer(k) or k < 1):
        raise BpnnError(f"k (the number of coordinates to check) must be an integer ≥ 1 or None, got {k!r}")
    _, analytic_full = cost_and_grad(network, theta, X, Y, lam, masks=masks, sample_weight=sample_weight)
    if k is None or k >= theta.size:
        indices = np.arange(theta.size)
    else:
        indices = np.sort(as_generator(seed).choice(theta.size, size=k, replace=False))
    numerical = numerical_gradient(lambda t: cost(network, t, X, Y, lam, masks=masks, sample_weight=sample_weight),
                                   theta, eps, indices)
    analytic = analytic_full[indices]

    layer_of = np.empty(theta.size, dtype=np.int64)
    for layer, view in enumerate(network.unpack(layer_of)):
        view[...] = layer
    errors = np.abs(numerical - analytic)
    per_layer = [
        float(errors[layer_of[indices] == layer].max()) if np.any(layer_of[indices] == layer) else float("nan")
        for layer in range(len(network.sizes) - 1)
    ]
    return GradCheck(indices, numerical, analytic, relative_difference(numerical, analytic), per_layer)


def check_hessian(network, theta, X, Y, lam=0.0, *, v=None, seed=0, eps=1e-5, sample_weight=None):
    """Compare ``hessp`` with a central difference of the gradient along a direction v.

    The numerical product is (∇J(θ + ε v) − ∇J(θ − ε v)) / 2ε of ``cost_and_grad``'s gradient.

    Parameters
    ----------
    network : Network
    theta : ndarray of shape (n_params,)
    X : ndarray of shape (m, s₁)
    Y : ndarray of shape (m, s_L)
        One-hot targets.
    lam : float, default 0
        λ.
    v : ndarray of shape (n_params,), optional
        The direction (default: random, seeded by ``seed``).
    seed : int, default 0
    eps : float, default 1e-5
        ε.
    sample_weight : array_like of shape (m,), optional

    Returns
    -------
    relative_difference : float
        ‖num − H·v‖ / ‖num + H·v‖.
    Hv : ndarray of shape (n_params,)
        ``hessp``'s product.
    numerical : ndarray of shape (n_params,)
        The central difference.

    Raises
    ------
    BpnnError
        A v that is not n real finite numbers or is zero (both sides would be 0 and nothing checked), an ε that
        is not a finite number > 0 or too small to move θ.

    Examples
    --------
    >>> import bpnn
    >>> network = bpnn.Network((3, 5, 3))
    >>> difference, Hv, numerical = bpnn.check_hessian(network, *bpnn.debug_problem(), lam=3.0)
    >>> bool(difference < 1e-8)
    True
    """
    theta = check_vector(theta, network.n_params, "theta")
    eps = check_step(eps)
    v = np.random.default_rng(seed).standard_normal(theta.size) if v is None else check_vector(v, theta.size, "v")
    if not np.any(v):
        raise BpnnError("v is zero: H·v = 0 along it, so it cannot check the Hessian; give a non-zero direction")
    if np.array_equal(theta + eps * v, theta):
        raise BpnnError(f"eps = {eps:g} is too small for this v: θ + ε v rounds back to θ in float64")
    exact = hessp(network, theta, v, X, Y, lam, sample_weight=sample_weight)
    plus = cost_and_grad(network, theta + eps * v, X, Y, lam, sample_weight=sample_weight)[1]
    minus = cost_and_grad(network, theta - eps * v, X, Y, lam, sample_weight=sample_weight)[1]
    numerical = (plus - minus) / (2.0 * eps)
    return relative_difference(exact, numerical), exact, numerical


def debug_initialize_weights(fan_out, fan_in):
    """The course's ``debugInitializeWeights``: a (fan_out, 1 + fan_in) matrix of sin(1), sin(2), … / 10,
    filled column by column (as MATLAB's reshape does), so the check is the same on every machine."""
    shape = (fan_out, 1 + fan_in)
    return (np.sin(np.arange(1, shape[0] * shape[1] + 1)) / 10.0).reshape(shape, order="F")


_ROW_COPIES = 4  # numbers per example and unit that a cost evaluation holds at once (z, a and temporaries)


def debug_problem(sizes=(3, 5, 3), m=5):
    """The course's small check problem: (θ, X, Y) for these layer sizes with m examples.

    Weights and inputs come from ``debug_initialize_weights`` (sines, so every run gets the same numbers; X is
    its m × s₁ block without column 0) and labels are 1 + (i mod K) for i = 1..m in the course's 1-based terms,
    i.e. i mod K here.

    Parameters
    ----------
    sizes : sequence of int, default (3, 5, 3)
        The layer sizes, as ``checkNNGradients``'s input_layer_size, hidden_layer_size, num_labels.
    m : int, default 5
        The number of examples.

    Returns
    -------
    theta : ndarray of shape (n_params,)
    X : ndarray of shape (m, sizes[0])
    Y : ndarray of shape (m, sizes[-1])
        One-hot targets.

    Raises
    ------
    BpnnError
        Sizes that are not ≥ 2 positive integers.

    Examples
    --------
    >>> import bpnn
    >>> theta, X, Y = bpnn.debug_problem()
    >>> theta.shape, X.shape, Y.argmax(axis=1)
    ((38,), (5, 3), array([1, 2, 0, 1, 2]))
    """
    network = Network(sizes)
    check_fits(f"the debug problem {list(network.sizes)} with m = {m} examples", 8 * network.n_params
               + 8 * m * (network.sizes[0] + network.n_classes + _ROW_COPIES * sum(network.sizes[1:])))
    theta = np.concatenate([debug_initialize_weights(fan_out, fan_in).ravel()
                            for fan_in, fan_out in zip(network.sizes[:-1], network.sizes[1:])])
    X = debug_initialize_weights(m, network.sizes[0] - 1)
    y = np.arange(1, m + 1) % network.n_classes
    return theta, X, one_hot(y, network.n_classes)


def full_size_problem(network, dataset, seed=0, init="uniform"):
    """(θ, X, Y) for checking a full-size network on a data set: θ from ``network.init(seed, init)``."""
    if network.sizes[0] != dataset.X.shape[1] or network.n_classes != dataset.n_classes:
        raise BpnnError(f"layer sizes {list(network.sizes)} do not fit {dataset.name}: it has "
                        f"{dataset.X.shape[1]} features and {dataset.n_classes} classes")
    return network.init(seed, init), dataset.X, one_hot(dataset.y, dataset.n_classes)
