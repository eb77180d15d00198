"""``BPNNClassifier``: bpnn as a scikit-learn estimator (Pipeline, cross_val_score, GridSearchCV).

A thin wrapper: the constructor stores its parameters and nothing else; ``fit`` validates the data with
scikit-learn's own checks, maps any label values to 0..K−1 (``classes_``), and calls ``bpnn.train`` (a
SciPy method) or ``bpnn.train_sgd`` (``method="sgd"``) on the same cost_and_grad as everything else.
Learned attributes end in ``_``: ``coefs_`` (the Θ list), ``classes_``, ``n_features_in_``, ``n_iter_``,
``loss_``, ``layer_sizes_``.
"""

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from .network import predict, predict_proba
from .optimize import check_hidden, check_method, train
from .params import pack, unpack
from .sgd import train_sgd

__all__ = ["BPNNClassifier"]


def _generator(random_state):
    """A numpy Generator from None, an int, a Generator or a legacy RandomState."""
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(2**32 - 1))
    return np.random.default_rng(random_state)


class BPNNClassifier(ClassifierMixin, BaseEstimator):
    """A backpropagation network classifier trained by SciPy (TNC by default) or mini-batch SGD.

    Parameters: ``hidden_layer_sizes`` (one number per hidden layer), ``lambda_`` (L2 strength; bias
    weights are not regularized), ``method`` ("TNC", "L-BFGS-B", "CG", "BFGS" or "sgd"), ``maxiter``
    (iterations of a SciPy method), ``activation`` (sigmoid, tanh, relu), ``output`` and ``cost``
    (sigmoid + cross-entropy, sigmoid + quadratic, softmax + log-likelihood), ``init`` (uniform, normal,
    scaled-normal; None: uniform for SciPy methods, scaled-normal for SGD), SGD's ``epochs``,
    ``batch_size``, ``eta``, ``momentum`` and ``dropout``, and ``random_state`` (seed for θ₀ and SGD's
    shuffling; None: different every fit).

    ``predict_proba`` returns the output units normalized to sum to 1 over the classes (softmax outputs
    already do; K sigmoid outputs are divided by their sum), so its argmax is ``predict``.
    """

    def __init__(self, hidden_layer_sizes=(25,), lambda_=1.0, method="TNC", maxiter=400, activation="sigmoid",
                 output=None, cost="cross-entropy", init=None, epochs=30, batch_size=10, eta=0.2, momentum=0.0,
                 dropout=0.0, random_state=None):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.lambda_ = lambda_
        self.method = method
        self.maxiter = maxiter
        self.activation = activation
        self.output = output
        self.cost = cost
        self.init = init
        self.epochs = epochs
        self.batch_size = batch_size
        self.eta = eta
        self.momentum = momentum
        self.dropout = dropout
        self.random_state = random_state

    def __sklearn_is_fitted__(self):
        # The parameter ``lambda_`` ends in "_" like learned attributes, so say explicitly what fitted means.
        return hasattr(self, "coefs_")

    def _network(self):
        return {"activation": self.activation, "output": self.output, "cost": self.cost}

    def fit(self, X, y):
        """Train on X (n_samples × n_features) and labels y of any values; returns self."""
        X, y = validate_data(self, X, y, dtype=[np.float64, np.float32])
        check_classification_targets(y)
        self.classes_, encoded = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(f"BPNNClassifier needs samples of at least 2 classes; got 1 class: {self.classes_[0]!r}")
        hidden = check_hidden(self.hidden_layer_sizes)
        rng = _generator(self.random_state)
        if str(self.method).lower() == "sgd":
            result = train_sgd(X, encoded, hidden, self.epochs, self.batch_size, self.eta, self.lambda_, self.momentum,
                               dropout=self.dropout, init=self.init or "scaled-normal", n_classes=len(self.classes_),
                               rng=rng, **self._network())
        else:
            result = train(X, encoded, hidden, self.lambda_, check_method(self.method), self.maxiter,
                           n_classes=len(self.classes_), rng=rng, init=self.init or "uniform", **self._network())
        self.layer_sizes_ = result.layer_sizes
        self.coefs_ = [T.copy() for T in unpack(result.theta, result.layer_sizes)]
        self.n_iter_ = result.n_iterations
        self.loss_ = result.cost
        return self

    def _checked(self, X):
        check_is_fitted(self)
        return validate_data(self, X, reset=False, dtype=[np.float64, np.float32])

    def predict_proba(self, X):
        """Class probabilities, one row per sample, columns in the order of ``classes_``."""
        X = self._checked(X)
        h = predict_proba(pack(self.coefs_), self.layer_sizes_, X, **self._network())
        return h / h.sum(axis=1, keepdims=True)

    def predict(self, X):
        """The most likely class label of each sample."""
        X = self._checked(X)
        return self.classes_[predict(pack(self.coefs_), self.layer_sizes_, X, activation=self.activation)]
