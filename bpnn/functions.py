"""Activation functions, their derivatives, and output-layer costs with their deltas.

Hidden activations are ``Activation`` pairs:
  ``apply(z)``       a = g(z), computed in place in ``z``;
  ``derivative(a)``  g'(z) written in terms of the activation a = g(z), which backprop already holds
                     (sigmoid: a(1 − a)).

An output layer and its cost are one ``OutputCost``: the output activation, the cost summed over the
batch as a function of the pre-activation z (so it can be computed stably), and the output delta
δ = ∂cost/∂z. For sigmoid outputs with cross-entropy,

  cost(z, y) = −[y log σ(z) + (1 − y) log(1 − σ(z))] = log(1 + eᶻ) − y z,     δ = σ(z) − y,

where log(1 + eᶻ) = ``logaddexp(0, z)`` never overflows, so the cost stays finite when units saturate.
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
    """An output activation with its cost: ``total(z, Y)`` = Σ over the batch, ``delta(a, Y)`` = ∂cost/∂z."""

    name: str
    output: Callable[[np.ndarray], np.ndarray]
    total: Callable[[np.ndarray, np.ndarray], float]
    delta: Callable[[np.ndarray, np.ndarray], np.ndarray]


def _sigmoid_in_place(z):
    return expit(z, out=z)


def _sigmoid_cross_entropy_total(z, Y):
    return float(np.logaddexp(0.0, z).sum() - np.vdot(Y, z))


def _output_minus_target(a, Y):
    return a - Y


HIDDEN_ACTIVATIONS = {
    "sigmoid": Activation("sigmoid", _sigmoid_in_place, lambda a: a * (1.0 - a)),
}

OUTPUT_COSTS = {
    "sigmoid+cross-entropy": OutputCost(
        "sigmoid+cross-entropy", _sigmoid_in_place, _sigmoid_cross_entropy_total, _output_minus_target
    ),
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
