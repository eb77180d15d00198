"""Activation functions, their derivatives, and output-layer costs with their deltas.

Hidden activations are ``Activation`` pairs:
  ``apply(z)``       a = g(z), computed in place in ``z``;
  ``derivative(a)``  g'(z) written in terms of the activation a = g(z), which backprop already holds
                     (sigmoid: a(1 − a)).

An output layer and its cost are one ``OutputCost``: ``output(z)`` is the output activation, and
``cost_and_delta(z, Y)`` returns the cost summed over the batch together with the output delta
δ = ∂cost/∂z, from shared intermediate values. For sigmoid outputs with cross-entropy,

  cost(z, y) = −[y log σ(z) + (1 − y) log(1 − σ(z))] = softplus(z) − y z,     δ = σ(z) − y,

and both come from one exponential e = exp(−|z|) ∈ (0, 1]:

  softplus(z) = log(1 + eᶻ) = max(z, 0) + log(1 + e),     σ(|z|) = 1/(1 + e),
  σ(z) = ½ + sign(z) (σ(|z|) − ½)   (the symmetry σ(−x) = 1 − σ(x)).

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
    "Activation",
    "OutputCost",
    "HIDDEN_ACTIVATIONS",
    "OUTPUT_COSTS",
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
    """A hidden-layer activation g: ``apply`` overwrites z with g(z); ``derivative`` maps a = g(z) to g'(z)."""

    name: str
    apply: Callable[[np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class OutputCost:
    """An output activation with its cost: ``output(z)`` = h, ``cost_and_delta(z, Y)`` = (Σ cost, ∂cost/∂z)."""

    name: str
    output: Callable[[np.ndarray], np.ndarray]
    cost_and_delta: Callable[[np.ndarray, np.ndarray], tuple]


def _sigmoid_in_place(z):
    """z ← 1 / (1 + e⁻ᶻ); e⁻ᶻ may overflow to inf for z < −709, which gives the right limit 0."""
    with np.errstate(over="ignore"):
        np.exp(np.negative(z, out=z), out=z)
    z += 1.0
    return np.reciprocal(z, out=z)


def _sum_log(q, block=512):
    """Σ log qᵢ for qᵢ in [1, 2]: the log of each product of ``block`` factors (≤ 2^block), summed."""
    q = q.ravel()
    full = q.size - q.size % block
    products = np.prod(q[:full].reshape(-1, block), axis=1)
    return float(np.log(products).sum() + np.log(np.prod(q[full:])))


def _sigmoid_cross_entropy(z, Y):
    """Σ [softplus(z) − y z] and δ = σ(z) − y, from e = exp(−|z|) (see the module docstring)."""
    q = np.abs(z)
    np.exp(np.negative(q, out=q), out=q)
    q += 1.0  # 1 + e, in (1, 2]
    total = np.maximum(z, 0.0).sum() + _sum_log(q) - np.vdot(Y, z)
    h = np.reciprocal(q, out=q)  # σ(|z|), in [½, 1)
    h -= 0.5
    np.copysign(h, z, out=h)
    h += 0.5  # σ(z)
    h -= Y
    return float(total), h


HIDDEN_ACTIVATIONS = {
    "sigmoid": Activation("sigmoid", _sigmoid_in_place, lambda a: a * (1.0 - a)),
}

OUTPUT_COSTS = {
    "sigmoid+cross-entropy": OutputCost("sigmoid+cross-entropy", expit, _sigmoid_cross_entropy),
}


def _lookup(table, name, what):
    try:
        return table[name]
    except (KeyError, TypeError):
        raise BpnnError(f"unknown {what} {name!r}; choose one of {', '.join(sorted(table))}") from None


def get_activation(name):
    """The hidden ``Activation`` called ``name`` (BpnnError naming the choices if there is none)."""
    return _lookup(HIDDEN_ACTIVATIONS, name, "hidden activation")


def get_output_cost(name):
    """The ``OutputCost`` called ``name`` (BpnnError naming the choices if there is none)."""
    return _lookup(OUTPUT_COSTS, name, "output/cost")
