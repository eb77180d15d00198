"""The table of units: each hidden activation and each output layer with its cost, with every derivative
the network's math needs. Backprop, the R-operator and the checks read this table and never a unit's name,
so a new entry is covered by the gradient and Hessian checks by construction.

Hidden activations are ``Activation`` entries, each derivative written through the activation a = g(z),
which the forward pass already holds:
  ``apply(z, b)``    a = g(z + b), computed in place in ``z`` (the bias row b added on the way);
  ``derivative(a)``  g'(z):   sigmoid a(1 − a),            tanh 1 − a²,          relu [a > 0];
  ``second(a)``      g''(z):  sigmoid a(1 − a)(1 − 2a),    tanh −2a(1 − a²),     relu 0.

An output layer and its cost are one ``OutputCost``: ``output(z)`` is the output activation;
``cost_and_delta(z, Y, w)`` returns the cost summed over the batch (Σᵢ wᵢ costᵢ with per-example weights
w, plain Σᵢ costᵢ for w = None) together with the unweighted output delta δ = ∂cost/∂z, from shared
intermediate values; ``curvature(z, Y, scale, gauss_newton)`` returns the map r ↦ scale ⊙ H_C r, the output
cost's Hessian in z applied to r (its Gauss–Newton part with ``gauss_newton``), which the R-operator
(``bpnn.model.curvature``) needs:
  sigmoid + cross-entropy   H_C r = σ'(z) ⊙ r                                  (already positive);
  sigmoid + quadratic       H_C r = [σ'(z)² + (σ(z) − y) σ''(z)] ⊙ r,          Gauss–Newton: σ'(z)² ⊙ r;
  softmax + log-likelihood  H_C r = p ⊙ r − p (p·r),  p = softmax(z)           (already positive);
  identity + quadratic      H_C r = r                                          (the Gauss–Newton matrix itself).
``classifies`` says what the targets are: for the sigmoid and softmax outputs, classes, Y one-hot (one 1 per
row, zeros elsewhere); for the identity output, real values (regression), Y any finite m × K matrix.

Every cost is summed **term by term from non-negative terms**, so it is never negative and keeps its
relative precision when units saturate (|z| → ∞), where forms such as Σ max(z, 0) − Σ y z cancel. For
sigmoid outputs with cross-entropy,

  cost(z, y) = −[y log σ(z) + (1 − y) log(1 − σ(z))] = [max(z, 0) − y z] + log(1 + e),   e = exp(−|z|),

where for y ∈ {0, 1} the bracket is max(z, 0) or max(−z, 0), computed exactly; log(1 + e) = log1p(e) is
exact even where e is below the rounding of 1 + e. The delta δ = σ(z) − y comes from the same e:
σ(z) = 1/(1 + e) for z ≥ 0 and e/(1 + e) for z < 0 (1 − σ(|z|) would cancel).

The other pairs (output activation, cost):

  sigmoid + quadratic        cost = ½ (σ(z) − y)² = ½ σ(t)²,  t = z for y = 0, −z for y = 1,
                             δ = (σ(z) − y) σ(z)(1 − σ(z)) = ±σ(t) · e/(1 + e)²;
  softmax + log-likelihood   cost = [max z − z_y] + log1p(Σ_{k ≠ top} exp(zₖ − max z)),   δ = softmax(z) − y,
  identity + quadratic       cost = ½ Σₖ (zₖ − yₖ)²,   δ = z − y,

both brackets ≥ 0 and so is the log1p term, so softmax never overflows and the cost never cancels; the
squared error is a sum of squares.
Sums are accumulated in float64 whatever the dtype of z.
"""

from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy.special import expit

from ..errors import BpnnError

__all__ = [
    "sigmoid",
    "sigmoid_gradient",
    "log_sigmoid",
    "softmax",
    "Activation",
    "OutputCost",
    "HIDDEN_ACTIVATIONS",
    "OUTPUT_COSTS",
    "COSTS",
    "OUTPUTS",
    "get_activation",
    "output_of",
    "TASKS",
    "task_of",
]


def sigmoid(z, out=None):
    """σ(z) = 1 / (1 + e⁻ᶻ), elementwise, without overflow warnings for large |z|."""
    return expit(z, out=out)


def sigmoid_gradient(z):
    """σ'(z) = σ(z) (1 − σ(z)), elementwise (the course's ``sigmoidGradient``).

    Parameters
    ----------
    z : array_like
        Any shape.

    Returns
    -------
    ndarray
        σ'(z), the shape of z.

    Raises
    ------
    TypeError
        z is not numeric.

    Examples
    --------
    >>> import numpy as np, bpnn
    >>> bpnn.sigmoid_gradient(np.array([-1.0, 0.0, 1.0])).round(6)
    array([0.196612, 0.25    , 0.196612])
    """
    g = sigmoid(z)
    return g * (1.0 - g)


def log_sigmoid(z):
    """log σ(z) = −log(1 + e⁻ᶻ), finite for every finite z (log(sigmoid(z)) is −inf for z ≲ −745)."""
    return -np.logaddexp(0.0, -z)


@dataclass(frozen=True)
class Activation:
    """A hidden-layer activation g: ``apply(z, b)`` overwrites z with g(z + b); ``derivative`` and
    ``second`` map a = g(z) to g'(z) and g''(z)."""

    apply: Callable[[np.ndarray, np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray], np.ndarray]
    second: Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class OutputCost:
    """An output activation with its cost: ``output(z)`` = h, ``cost_and_delta(z, Y, w=None)`` =
    (Σᵢ wᵢ costᵢ, ∂cost/∂z), ``curvature(z, Y, scale, gauss_newton)`` = r ↦ scale ⊙ H_C r.

    ``cost_and_delta`` may overwrite z (it is the last use of z in backprop). ``classifies``: the targets are
    classes (one-hot Y), else real values."""

    output: Callable[[np.ndarray], np.ndarray]
    cost_and_delta: Callable[[np.ndarray, np.ndarray], tuple]
    curvature: Callable[..., Callable[[np.ndarray], np.ndarray]]
    classifies: bool = True


def _sigmoid_in_place(z, b=0.0):
    """z ← σ(z + b) = 1 / (1 + e^−(z+b)); the exponential may overflow to inf, which gives the right limit 0."""
    with np.errstate(over="ignore"):
        np.exp(np.subtract(-b, z, out=z), out=z)
    z += 1.0
    return np.reciprocal(z, out=z)


def _exp_minus_abs(z):
    """e = exp(−|z|) ∈ (0, 1] and q = 1 + e, the shared intermediates of the sigmoid output costs."""
    e = np.abs(z)
    np.exp(np.negative(e, out=e), out=e)
    return e, e + 1.0


def _weighted_sum(terms, w):
    """Σ of the non-negative terms (one row, or one entry, per example) in float64, row i weighted by wᵢ."""
    if w is None:
        return terms.sum(dtype=np.float64)
    per_example = terms.sum(axis=1, dtype=np.float64) if terms.ndim == 2 else terms.astype(np.float64)
    return float(np.dot(per_example, w))


def _sigmoid_cross_entropy(z, Y, w=None):
    """Σ [max(z, 0) − y z + log1p(e)] and δ = σ(z) − y, from e = exp(−|z|) (see the module docstring)."""
    loss = np.maximum(z, 0.0)
    loss -= Y * z  # max(z, 0) − z = max(−z, 0) where y = 1: exact, never negative
    e, q = _exp_minus_abs(z)
    total = _weighted_sum(loss, w) + _weighted_sum(np.log1p(e), w)
    h = np.maximum(e, z >= 0, out=e)  # σ(z)'s numerator: 1 for z ≥ 0, e for z < 0
    h /= q
    h -= Y
    return float(total), h


def _sigmoid_slope(a):
    """σ'(z) = a(1 − a), with one temporary."""
    slope = np.subtract(1.0, a)
    slope *= a
    return slope


def _sigmoid_quadratic(z, Y, w=None):
    """Σ ½ σ(t)² with t = z (y = 0) or −z (y = 1), and δ = ±σ(t) · e/(1 + e)² (see the module docstring)."""
    sign = 1.0 - 2.0 * Y  # +1 where y = 0, −1 where y = 1
    e, q = _exp_minus_abs(z)
    error = np.maximum(e, z * sign >= 0)  # σ(t)'s numerator
    error /= q
    total = 0.5 * (np.vdot(error, error) if w is None else _weighted_sum(error * error, w))
    error *= sign  # σ(z) − y
    error *= e
    error /= q * q  # σ(z)(1 − σ(z)) = e/(1 + e)²
    return float(total), error


def softmax(z):
    """Row-wise softmax exp(zₖ) / Σⱼ exp(zⱼ), computed as exp(z − max z) so it never overflows."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    e /= e.sum(axis=1, keepdims=True)
    return e


def _softmax_log_likelihood(z, Y, w=None):
    """Σᵢ [(max zᵢ − zᵢ·yᵢ) + log1p(Σ_{k ≠ top} exp(zᵢₖ − max zᵢ))] and δ = softmax(z) − y.

    The top unit's own term exp(0) = 1 is left out of the sum and added back by log1p, so terms far
    below 1 are not lost to the rounding of 1 + Σ."""
    rows = np.arange(z.shape[0])
    top_unit = z.argmax(axis=1)
    top = z[rows, top_unit][:, None]
    gap = top[:, 0] - np.einsum("ij,ij->i", Y, z)  # max z − z of the true class: ≥ 0, exact for one-hot rows
    e = np.exp(z - top)
    e[rows, top_unit] = 0.0
    others = e.sum(axis=1)
    total = _weighted_sum(gap, w) + _weighted_sum(np.log1p(others), w)
    e[rows, top_unit] = 1.0
    e /= (others + 1.0)[:, None]
    e -= Y
    return float(total), e


def _identity(z):
    return z


def _identity_quadratic(z, Y, w=None):
    """Σ ½ (z − y)² and δ = z − y, the squares in float64 (a float32 error past 2⁶⁴ still has its square)."""
    error = z - Y
    return 0.5 * float(_weighted_sum(np.square(error, dtype=np.float64), w)), error


def _identity_quadratic_curvature(z, Y, scale, gauss_newton):
    """r ↦ scale ⊙ r: the squared error's Hessian in z is the identity."""
    return lambda r: scale * r


def _sigmoid_cross_entropy_curvature(z, Y, scale, gauss_newton):
    """r ↦ scale ⊙ σ'(z) ⊙ r (the same for the Gauss–Newton part: it is already positive)."""
    s = expit(z)
    diagonal = s * (1.0 - s) * scale
    return lambda r: diagonal * r


def _sigmoid_quadratic_curvature(z, Y, scale, gauss_newton):
    """r ↦ scale ⊙ [σ'(z)² + (σ(z) − y) σ''(z)] ⊙ r, without the second term for Gauss–Newton."""
    s = expit(z)
    slope = s * (1.0 - s)
    diagonal = slope * slope if gauss_newton else slope * slope + (s - Y) * slope * (1.0 - 2.0 * s)
    diagonal *= scale
    return lambda r: diagonal * r


def _softmax_log_likelihood_curvature(z, Y, scale, gauss_newton):
    """r ↦ scale ⊙ [p ⊙ r − p (p·r)] with p = softmax(z) (already positive semi-definite)."""
    p = softmax(z)
    return lambda r: (p * r - p * np.sum(p * r, axis=1, keepdims=True)) * scale


def _tanh_in_place(z, b):
    z += b
    return np.tanh(z, out=z)


def _relu_in_place(z, b):
    z += b
    return np.maximum(z, 0.0, out=z)


HIDDEN_ACTIVATIONS = {
    "sigmoid": Activation(_sigmoid_in_place, _sigmoid_slope, lambda a: a * (1.0 - a) * (1.0 - 2.0 * a)),
    "tanh": Activation(_tanh_in_place, lambda a: 1.0 - a * a, lambda a: -2.0 * a * (1.0 - a * a)),
    "relu": Activation(_relu_in_place, lambda a: (a > 0.0).astype(a.dtype), np.zeros_like),
}

# (output activation, cost) pairs that make sense together; the first output listed for a cost is the
# one chosen when only the cost is given.
OUTPUT_COSTS = {
    ("sigmoid", "cross-entropy"): OutputCost(expit, _sigmoid_cross_entropy, _sigmoid_cross_entropy_curvature),
    ("sigmoid", "quadratic"): OutputCost(expit, _sigmoid_quadratic, _sigmoid_quadratic_curvature),
    ("softmax", "log-likelihood"): OutputCost(softmax, _softmax_log_likelihood, _softmax_log_likelihood_curvature),
    ("identity", "quadratic"): OutputCost(_identity, _identity_quadratic, _identity_quadratic_curvature,
                                          classifies=False),
}


def get_activation(name):
    """The hidden ``Activation`` called ``name`` (BpnnError naming the choices if there is none)."""
    try:
        return HIDDEN_ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise BpnnError(f"unknown hidden activation {name!r}; choose one of {', '.join(HIDDEN_ACTIVATIONS)}") from None


COSTS = tuple(dict.fromkeys(cost for _, cost in OUTPUT_COSTS))
OUTPUTS = tuple(dict.fromkeys(output for output, _ in OUTPUT_COSTS))


def check_names(activation="sigmoid", cost="cross-entropy", output=None):
    """The hidden activation, output activation and cost names, checked together (BpnnError naming the one
    that is unknown, or the pair that makes no sense), with ``output=None`` resolved to the cost's own."""
    get_activation(activation)
    return {"activation": activation, "output": output_of(cost, output), "cost": cost}


TASKS = ("classification", "multilabel", "regression")


def task_of(output, task=None):
    """What a network with this output activation learns (``task=None``: classification for sigmoid and
    softmax outputs, regression for identity ones): "classification" (one class per example, one-hot
    targets), "multilabel" (any set of labels per example: independent sigmoid outputs, 0/1 targets) or
    "regression" (real values); BpnnError where the outputs cannot learn it."""
    classifies = next(entry.classifies for (name, _), entry in OUTPUT_COSTS.items() if name == output)
    own = "classification" if classifies else "regression"
    if task is None:
        return own
    if not isinstance(task, str) or task not in TASKS:
        raise BpnnError(f"unknown task {task!r}; choose one of {', '.join(TASKS)}")
    if task == "multilabel" and output != "sigmoid":
        raise BpnnError(f"a multilabel network needs sigmoid outputs (independent yes/no units), not {output}")
    if (task == "regression") != (own == "regression"):
        raise BpnnError(f"{output} outputs do not learn {task}: regression takes identity outputs with the quadratic "
                        "cost, classification and multilabel take sigmoid or softmax ones")
    return task


def output_of(cost="cross-entropy", output=None):
    """The output activation's name for this cost (``output=None``: the cost's usual one), once the pair is
    known to make sense; BpnnError otherwise."""
    if not isinstance(cost, str) or cost not in COSTS:
        raise BpnnError(f"unknown cost {cost!r}; choose one of {', '.join(COSTS)}")
    if output is None:
        output = next(out for out, c in OUTPUT_COSTS if c == cost)
    if not isinstance(output, str) or output not in OUTPUTS:
        raise BpnnError(f"unknown output activation {output!r}; choose one of {', '.join(OUTPUTS)}")
    if (output, cost) not in OUTPUT_COSTS:
        pairs = ", ".join(f"{o} + {c}" for o, c in OUTPUT_COSTS)
        raise BpnnError(f"{output} outputs do not go with the {cost} cost; the pairs are: {pairs}")
    return output
