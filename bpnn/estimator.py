"""``BPNNClassifier``: bpnn as a scikit-learn estimator (Pipeline, cross_val_score, GridSearchCV).

A thin face over the training functions: the constructor stores its parameters and nothing else; ``fit``
validates the data with scikit-learn's own checks, maps any label values to 0..K−1 (``classes_``), and
calls ``bpnn.train`` (a SciPy solver) or ``bpnn.train_sgd`` (``solver="sgd"``, "nesterov" or "adam") on the
same ``cost_and_grad`` as everything else. Parameters follow scikit-learn's ``MLPClassifier`` where it has
the concept (``alpha`` is exactly λ, with the same λ/(2m) scale; ``max_iter``; ``learning_rate_init``;
``random_state``); a parameter left at None takes the training function's own default, so each default
is stated once, there.
"""

import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from .network import predict, predict_proba
from .training.minibatch import train_sgd
from .training.scipy import check_method, train
from .training.updates import UPDATES

__all__ = ["BPNNClassifier"]

_MINIBATCH_ONLY = ("batch_size", "learning_rate_init", "momentum", "dropout")
_SCIPY_ONLY = ("tol", "n_iter_no_change")


def _generator(random_state):
    """A numpy Generator from None, an int, a Generator or a legacy RandomState."""
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(2**32 - 1))
    return np.random.default_rng(random_state)


class BPNNClassifier(ClassifierMixin, BaseEstimator):
    """A backpropagation network classifier trained by a SciPy method (TNC by default) or by mini-batches.

    Parameters (None: the training function's default): ``hidden_layer_sizes`` (one number per hidden
    layer), ``activation`` (sigmoid, tanh, relu), ``cost`` and ``output`` (sigmoid + cross-entropy,
    sigmoid + quadratic, softmax + log-likelihood), ``solver`` ("TNC", "L-BFGS-B", "CG", "BFGS", or the
    mini-batch rules "sgd", "nesterov", "adam"; None: TNC), ``alpha`` (λ; bias weights are not regularized),
    ``max_iter`` (iterations of a SciPy solver, epochs of a mini-batch one), ``tol`` and
    ``n_iter_no_change`` (a SciPy solver's stopping rule, see ``bpnn.training.scipy.minimize``), ``batch_size``,
    ``learning_rate_init`` (η), ``momentum``, ``dropout``, ``init`` (uniform, normal, scaled-normal) and
    ``random_state`` (seed for θ₀ and the shuffling; None: different every fit).

    Learned attributes: ``network_`` (the ``bpnn.Network``), ``theta_``, ``thetas_`` (the course-layout Θ
    list), and scikit-learn's: ``coefs_`` (fan_in × fan_out) and ``intercepts_``, ``classes_``,
    ``n_features_in_`` (and ``feature_names_in_`` for a DataFrame), ``n_iter_``, ``loss_``, ``loss_curve_``,
    ``best_loss_``, ``t_``, ``n_layers_``, ``n_outputs_``, ``out_activation_``. A ``ConvergenceWarning`` says
    when ``max_iter`` ended a SciPy solver's run. ``activation="logistic"`` is scikit-learn's name for sigmoid. ``predict_proba`` returns the output units
    normalized to sum to 1 over the classes (softmax outputs already do; K sigmoid outputs are divided by
    their sum), so its argmax is ``predict``.
    """

    def __init__(self, hidden_layer_sizes=None, activation=None, cost=None, output=None, solver=None, alpha=None,
                 max_iter=None, tol=None, n_iter_no_change=None, batch_size=None, learning_rate_init=None,
                 momentum=None, dropout=None, init=None, random_state=None):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.cost = cost
        self.output = output
        self.solver = solver
        self.alpha = alpha
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.momentum = momentum
        self.dropout = dropout
        self.init = init
        self.random_state = random_state

    def _options(self, minibatch):
        """The keywords of the training function, for the parameters that are set."""
        given = {"hidden": self.hidden_layer_sizes, "lam": self.alpha, "init": self.init,
                 "activation": "sigmoid" if self.activation == "logistic" else self.activation, "cost": self.cost,
                 "output": self.output}
        if minibatch:
            given.update(epochs=self.max_iter, batch_size=self.batch_size, eta=self.learning_rate_init,
                         momentum=self.momentum, dropout=self.dropout, update=str(self.solver).lower())
        else:
            given.update(method=None if self.solver is None else check_method(self.solver), max_iter=self.max_iter,
                         tol=self.tol, n_iter_no_change=self.n_iter_no_change)
        misplaced = [name for name in (_SCIPY_ONLY if minibatch else _MINIBATCH_ONLY) if getattr(self, name) is not None]
        if misplaced:
            raise ValueError(f"{', '.join(misplaced)} do not apply to solver={self.solver!r} "
                             f"({', '.join(_MINIBATCH_ONLY)}: {', '.join(UPDATES)}; {', '.join(_SCIPY_ONLY)}: the SciPy solvers)")
        if given["hidden"] is not None:
            given["hidden"] = tuple(np.atleast_1d(given["hidden"]).tolist())
        return {key: value for key, value in given.items() if value is not None}

    def fit(self, X, y):
        """Train on X (n_samples × n_features) and labels y of any values; returns self."""
        X, y = validate_data(self, X, y, dtype=[np.float64, np.float32])
        check_classification_targets(y)
        self.classes_, encoded = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(f"BPNNClassifier needs samples of at least 2 classes; got 1 class: {self.classes_[0]!r}")
        minibatch = str(self.solver).lower() in UPDATES
        trainer = train_sgd if minibatch else train
        result = trainer(X, encoded, n_classes=len(self.classes_), seed=_generator(self.random_state),
                         **self._options(minibatch))
        self._learned(result, X.shape[0])
        if result.stop_reason.startswith("max_iter reached"):
            warnings.warn(f"{result.method}: max_iter ({result.n_steps} {result.step_unit}) reached before the "
                          "method converged or the stopping rule ended it; raise max_iter or tol", ConvergenceWarning)
        return self

    def _learned(self, result, n_samples):
        """The learned attributes, bpnn's and scikit-learn's MLPClassifier's (whose shapes those follow)."""
        self.network_, self.theta_ = result.network, result.theta.copy()
        self.thetas_ = [T.copy() for T in result.network.unpack(self.theta_)]  # the course's Θ⁽ˡ⁾ = [b | W]
        self.coefs_ = [T[:, 1:].T.copy() for T in self.thetas_]  # fan_in × fan_out
        self.intercepts_ = [T[:, 0].copy() for T in self.thetas_]
        self.n_iter_ = result.n_steps
        self.loss_ = result.final_cost
        curve = result.history.get("training_cost", result.history.get("cost", []))
        self.loss_curve_ = list(curve)
        self.best_loss_ = min(curve) if curve else self.loss_
        self.t_ = n_samples * (result.n_steps if result.step_unit == "epochs" else result.n_evaluations)
        self.n_layers_ = len(self.network_.sizes)
        self.n_outputs_ = self.network_.n_classes
        self.out_activation_ = {"sigmoid": "logistic", "softmax": "softmax"}[self.network_.output]

    def _checked(self, X):
        check_is_fitted(self)
        return validate_data(self, X, reset=False, dtype=[np.float64, np.float32])

    def predict_proba(self, X):
        """Class probabilities, one row per sample, columns in the order of ``classes_``."""
        X = self._checked(X)
        h = predict_proba(self.network_, self.theta_, X)
        return h / h.sum(axis=1, keepdims=True)

    def predict_log_proba(self, X):
        """The logarithm of ``predict_proba``."""
        return np.log(self.predict_proba(X))

    def predict(self, X):
        """The most likely class label of each sample."""
        X = self._checked(X)
        return self.classes_[predict(self.network_, self.theta_, X)]
