"""Activation functions, their derivatives, and output-layer costs with their deltas.

Hidden activations are ``Activation`` pairs:
  ``apply(z, b)``    a = g(z + b), computed in place in ``z`` (the bias row b added on the way);
  ``derivative(a)``  g'(z) written in terms of the activation a = g(z), which backprop already holds:
                     sigmoid a(1 − a), tanh 1 − a², relu [a > 0].

An output layer and its cost are one ``OutputCost``: ``output(z)`` is the output activation, and
``cost_and_delta(z, Y)`` returns the cost summed over the batch together with the output delta
δ = ∂cost/∂z, from shared intermediate values. For sigmoid outputs with cross-entropy,

  cost(z, y) = −[y log σ(z) + (1 − y) log(1 − σ(z))] = softplus(z) − y z,     δ = σ(z) − y,

and both come from one exponential e = exp(−|z|) ∈ (0, 1]:

  softplus(z) = log(1 + eᶻ) = max(z, 0) + log(1 + e),     σ(z) = 1/(1 + e) for z ≥ 0, e/(1 + e) for z < 0,

the second form keeping σ's relative precision where it is tiny (1 − σ(|z|) would cancel).

The other pairs (output activation, cost):

  sigmoid + quadratic        cost = ½ ‖σ(z) − y‖²,             δ = (σ(z) − y) ⊙ σ(z)(1 − σ(z));
  softmax + log-likelihood   cost = logsumexp(z) − z·y,        δ = softmax(z) − y,

with logsumexp(z) = max z + log Σ exp(z − max z), so softmax never overflows either.

Nothing overflows, so the cost stays finite when units saturate (log(sigmoid(z)) would be −inf).
Σ log(1 + e) is summed as the logs of products of 512 factors at a time (each factor is in (1, 2], so a
product stays below 2⁵¹²): one logarithm per 512 numbers, with rounding at the level of the sum itself.
"""

from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy.special import expit

from .errors import BpnnError

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
    "get_output_cost",
]


def sigmoid(z, out=None):
    """σ(z) = 1 / (1 + e⁻ᶻ), elementwise, without overflow warnings for large |z|."""
    return expit(z, out=out)


def sigmoid_gradient(z):
    """σ'(z) = σ(z) (1 − σ(z)) (the course's ``sigmoidGradient``)."""
    g = sigmoid(z)
    return g * (1.0 - g)


def log_sigmoid(z):
    """log σ(z) = −log(1 + e⁻ᶻ), finite for every finite z (log(sigmoid(z)) is −inf for z ≲ −745)."""
    return -np.logaddexp(0.0, -z)


@dataclass(frozen=True)
class Activation:
    """A hidden-layer activation g: ``apply(z, b)`` overwrites z with g(z + b); ``derivative`` maps
    a = g(z) to g'(z)."""

    apply: Callable[[np.ndarray, np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class OutputCost:
    """An output activation with its cost: ``output(z)`` = h, ``cost_and_delta(z, Y)`` = (Σ cost, ∂cost/∂z).

    ``cost_and_delta`` may overwrite z (it is the last use of z in backprop)."""

    output: Callable[[np.ndarray], np.ndarray]
    cost_and_delta: Callable[[np.ndarray, np.ndarray], tuple]


def _sigmoid_in_place(z, b=0.0):
    """z ← σ(z + b) = 1 / (1 + e^−(z+b)); the exponential may overflow to inf, which gives the right limit 0."""
    with np.errstate(over="ignore"):
        np.exp(np.subtract(-b, z, out=z), out=z)
    z += 1.0
    return np.reciprocal(z, out=z)


def _sum_log(q):
    """Σ log qᵢ for qᵢ in [1, 2]: the log of each product of ``block`` factors (≤ 2^block), summed.

    Blocks of 512 in float64 (2⁵¹² < 1.8e308) and of 64 in float32 (2⁶⁴ < 3.4e38)."""
    block = 512 if q.dtype == np.float64 else 64
    q = q.ravel()
    full = q.size - q.size % block
    products = np.prod(q[:full].reshape(block, -1), axis=0)  # row by row: vectorized, no serial chain
    return float(np.log(products).sum(dtype=np.float64) + np.log(np.prod(q[full:])))


def _sigmoid_cross_entropy(z, Y):
    """Σ [softplus(z) − y z] and δ = σ(z) − y, from e = exp(−|z|) (see the module docstring)."""
    e = np.abs(z)
    positive_part = 0.5 * (z.sum() + e.sum())  # Σ max(z, 0)
    np.exp(np.negative(e, out=e), out=e)
    q = e + 1.0  # in (1, 2]
    total = positive_part + _sum_log(q) - np.vdot(Y, z)
    h = np.maximum(e, z >= 0, out=e)  # σ(z)'s numerator: 1 for z ≥ 0, e for z < 0
    h /= q
    h -= Y
    return float(total), h


def _sigmoid_slope(a):
    """σ'(z) = a(1 − a), with one temporary."""
    slope = np.subtract(1.0, a)
    slope *= a
    return slope


def _sigmoid_quadratic(z, Y):
    """Σ ½(σ(z) − y)² and δ = (σ(z) − y) σ(z)(1 − σ(z))."""
    a = _sigmoid_in_place(z)
    error = a - Y
    total = 0.5 * np.vdot(error, error)
    a *= 1.0 - a
    error *= a
    return float(total), error


def softmax(z):
    """Row-wise softmax exp(zₖ) / Σⱼ exp(zⱼ), computed as exp(z − max z) so it never overflows."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    e /= e.sum(axis=1, keepdims=True)
    return e


def _softmax_log_likelihood(z, Y):
    """Σᵢ [logsumexp(zᵢ) − zᵢ·yᵢ] and δ = softmax(z) − y."""
    top = z.max(axis=1, keepdims=True)
    e = np.exp(z - top)
    sums = e.sum(axis=1, keepdims=True)
    total = top.sum() + np.log(sums).sum() - np.vdot(Y, z)
    e /= sums
    e -= Y
    return float(total), e


def _tanh_in_place(z, b):
    z += b
    return np.tanh(z, out=z)


def _relu_in_place(z, b):
    z += b
    return np.maximum(z, 0.0, out=z)


HIDDEN_ACTIVATIONS = {
    "sigmoid": Activation(_sigmoid_in_place, _sigmoid_slope),
    "tanh": Activation(_tanh_in_place, lambda a: 1.0 - a * a),
    "relu": Activation(_relu_in_place, lambda a: (a > 0.0).astype(a.dtype)),
}

# (output activation, cost) pairs that make sense together; the first output listed for a cost is the
# one chosen when only the cost is given.
OUTPUT_COSTS = {
    ("sigmoid", "cross-entropy"): OutputCost(expit, _sigmoid_cross_entropy),
    ("sigmoid", "quadratic"): OutputCost(expit, _sigmoid_quadratic),
    ("softmax", "log-likelihood"): OutputCost(softmax, _softmax_log_likelihood),
}


def get_activation(name):
    """The hidden ``Activation`` called ``name`` (BpnnError naming the choices if there is none)."""
    try:
        return HIDDEN_ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise BpnnError(f"unknown hidden activation {name!r}; choose one of {', '.join(HIDDEN_ACTIVATIONS)}") from None


COSTS = tuple(dict.fromkeys(cost for _, cost in OUTPUT_COSTS))
OUTPUTS = tuple(dict.fromkeys(output for output, _ in OUTPUT_COSTS))


def get_output_cost(cost="cross-entropy", output=None):
    """The ``OutputCost`` for this cost and output activation (``output=None``: the cost's usual output).

    Raises BpnnError for an unknown name or a pair that makes no sense (e.g. softmax + quadratic).
    """
    if cost not in COSTS:
        raise BpnnError(f"unknown cost {cost!r}; choose one of {', '.join(COSTS)}")
    if output is None:
        output = next(out for out, c in OUTPUT_COSTS if c == cost)
    if output not in OUTPUTS:
        raise BpnnError(f"unknown output activation {output!r}; choose one of {', '.join(OUTPUTS)}")
    if (output, cost) not in OUTPUT_COSTS:
        pairs = ", ".join(f"{o} + {c}" for o, c in OUTPUT_COSTS)
        raise BpnnError(f"{output} outputs do not go with the {cost} cost; the pairs are: {pairs}")
    return OUTPUT_COSTS[(output, cost)]
