"""Independent implementations of the course objective, to measure bpnn against and to test it with.

* ``LoopBackprop``: the textbook per-example backprop (the course's ``for t = 1:m`` loop), written
  separately from bpnn so it can serve as an independent reference.
* ``SklearnObjective``: scikit-learn's ``MLPClassifier`` loss-gradient routine (the one its L-BFGS solver
  calls) set up for the same network: logistic hidden and output units, binary cross-entropy summed over
  outputs, L2 ``alpha`` = λ on weights only, averaged over m. Its loss equals bpnn's J; its gradient is
  packed in scikit-learn's order (all weight matrices transposed, then all intercepts), so
  ``to_sklearn`` maps a bpnn θ into that order and ``from_sklearn`` maps back.

This module uses scikit-learn internals (``_loss_grad_lbfgs``, ``_coef_indptr``); it belongs to the
benchmarks and tests, never to the bpnn package.
"""

import warnings

import numpy as np
from scipy.special import expit
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier


def _split(theta, shapes):
    """The matrices of these shapes, one after the other in θ (C order), written out independently of bpnn."""
    thetas, start = [], 0
    for shape in shapes:
        thetas.append(theta[start:start + shape[0] * shape[1]].reshape(shape))
        start += shape[0] * shape[1]
    return thetas


class LoopBackprop:
    """J and ∇J with one Python iteration per example, in the course's Θ layout (bias in column 0)."""

    def __init__(self, layer_sizes):
        self.sizes = list(layer_sizes)
        self.shapes = [(b, a + 1) for a, b in zip(self.sizes[:-1], self.sizes[1:])]

    def __call__(self, theta, X, Y, lam):
        thetas = _split(theta, self.shapes)
        grads = [np.zeros(shape) for shape in self.shapes]
        m, J = X.shape[0], 0.0
        for t in range(m):
            a = [np.concatenate(([1.0], X[t]))]
            for Theta in thetas:
                a.append(np.concatenate(([1.0], expit(Theta @ a[-1]))))
            h, y = a[-1][1:], Y[t]
            J -= np.sum(y * np.log(h) + (1 - y) * np.log(1 - h))
            delta = h - y
            for layer in range(len(thetas) - 1, -1, -1):
                grads[layer] += np.outer(delta, a[layer])
                if layer:
                    g = a[layer][1:]
                    delta = (thetas[layer][:, 1:].T @ delta) * g * (1 - g)
        for Theta, G in zip(thetas, grads):
            J += lam / 2 * np.sum(Theta[:, 1:] ** 2)
            G[:, 1:] += lam * Theta[:, 1:]
        return J / m, np.concatenate([G.ravel() for G in grads]) / m


class SklearnObjective:
    """scikit-learn's MLP loss and gradient for the course network on fixed (X, Y, λ)."""

    def __init__(self, layer_sizes, X, Y, lam, sample_weight=None):
        self.sizes, self.X, self.Y, self.sample_weight = list(layer_sizes), X, Y, sample_weight
        self.shapes = [(b, a + 1) for a, b in zip(self.sizes[:-1], self.sizes[1:])]
        clf = MLPClassifier(hidden_layer_sizes=tuple(self.sizes[1:-1]), activation="logistic", alpha=lam,
                            solver="lbfgs", max_iter=1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(X[: min(len(X), 50)], Y[: min(len(X), 50)])  # a one-hot Y makes the outputs logistic
        assert clf.out_activation_ == "logistic"
        self.clf = clf
        self.activations = [X] + [None] * (len(self.sizes) - 1)
        self.deltas = [None] * (len(self.sizes) - 1)
        self.coef_grads = [np.empty((a, b)) for a, b in zip(self.sizes[:-1], self.sizes[1:])]
        self.intercept_grads = [np.empty(b) for b in self.sizes[1:]]

    def to_sklearn(self, theta):
        """bpnn θ (Θ⁽ˡ⁾ row-major, bias column 0) → scikit-learn's packing (Wᵀ's, then intercepts)."""
        thetas = _split(theta, self.shapes)
        return np.concatenate([T[:, 1:].T.ravel() for T in thetas] + [T[:, 0] for T in thetas])

    def from_sklearn(self, packed):
        """scikit-learn's packing → bpnn θ."""
        weights, start = [], 0
        for a, b in zip(self.sizes[:-1], self.sizes[1:]):
            weights.append(packed[start:start + a * b].reshape(a, b))
            start += a * b
        thetas = []
        for W in weights:
            b = packed[start:start + W.shape[1]]
            start += W.shape[1]
            thetas.append(np.column_stack([b, W.T]))
        return np.concatenate([T.ravel() for T in thetas])

    def __call__(self, packed):
        """(J, ∇J) in scikit-learn's packing, by its own ``_loss_grad_lbfgs``."""
        return self.clf._loss_grad_lbfgs(packed, self.X, self.Y, self.sample_weight, self.activations, self.deltas,
                                         self.coef_grads, self.intercept_grads)
