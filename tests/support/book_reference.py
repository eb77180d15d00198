"""The book's network2.py training step, per example, written again independently of bpnn: backprop for one
(x, y) at a time with column vectors, summed over the mini-batch, then the L2-decayed update."""

import numpy as np


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def backprop(weights, biases, x, y, quadratic):
    activation, activations, zs = x, [x], []
    for b, w in zip(biases, weights):
        z = w @ activation + b
        zs.append(z)
        activation = _sigmoid(z)
        activations.append(activation)
    delta = activations[-1] - y
    if quadratic:
        delta = delta * _sigmoid(zs[-1]) * (1 - _sigmoid(zs[-1]))
    nabla_b, nabla_w = [None] * len(weights), [None] * len(weights)
    nabla_b[-1], nabla_w[-1] = delta, delta @ activations[-2].T
    for layer in range(2, len(weights) + 1):
        sp = _sigmoid(zs[-layer]) * (1 - _sigmoid(zs[-layer]))
        delta = (weights[-layer + 1].T @ delta) * sp
        nabla_b[-layer], nabla_w[-layer] = delta, delta @ activations[-layer - 1].T
    return nabla_b, nabla_w


def update_mini_batch(weights, biases, mini_batch, eta, lmbda, n, quadratic=False):
    """The book's update_mini_batch: returns the new (weights, biases)."""
    nabla_b = [np.zeros(b.shape) for b in biases]
    nabla_w = [np.zeros(w.shape) for w in weights]
    for x, y in mini_batch:
        delta_b, delta_w = backprop(weights, biases, x, y, quadratic)
        nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_b)]
        nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_w)]
    m = len(mini_batch)
    weights = [(1 - eta * (lmbda / n)) * w - (eta / m) * nw for w, nw in zip(weights, nabla_w)]
    biases = [b - (eta / m) * nb for b, nb in zip(biases, nabla_b)]
    return weights, biases
