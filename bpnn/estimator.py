"""``BPNNClassifier``: bpnn as a scikit-learn estimator (Pipeline, cross_val_score, GridSearchCV), and a
drop-in for ``MLPClassifier`` wherever the two share a concept (docs/scikit-learn.md has the table).

A thin face over the training functions: the constructor stores its parameters and nothing else; ``fit``
validates them with scikit-learn's own constraints (``InvalidParameterError``, as ``MLPClassifier`` raises)
and the data with its own checks, maps any label values to 0..K−1 (``classes_``), and calls ``bpnn.train``
(a SciPy solver) or ``bpnn.train_sgd`` (``solver="sgd"``, "nesterov" or "adam") on the same
``cost_and_grad`` as everything else. ``alpha`` is exactly λ with the same λ/(2m) scale, and sample weights
enter the cost as scikit-learn's do; ``alpha="auto"`` sets it from the evidence (``bpnn.bayes``), which also
gives ``predict(X, return_std=True)`` (regressor) and ``predict_proba(X, moderated=True)`` (classifier). A
parameter left at None takes the training function's own default, so each default is stated once, there. Early
stopping holds back a stratified ``validation_fraction`` of the training data, for every solver, and keeps the θ
that scored best on it.

``partial_fit`` (mini-batch solvers) runs one epoch on the data it is given and keeps the update rule
(velocities, Adam's moments) and the learning-rate schedule between calls, so a stream of calls trains as
one run does.
"""

import warnings
from dataclasses import replace
from numbers import Integral, Real

import numpy as np
from scipy.sparse import issparse
from scipy.special import log_softmax
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils._param_validation import Interval, StrOptions  # MLPClassifier's own constraint types
from sklearn.utils.metaestimators import available_if
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from .bayes.certificate import certify
from .errors import DivergedError
from .model.network import Network, forward
from .model.params import INITIALIZERS
from .model.units import COSTS, HIDDEN_ACTIVATIONS, OUTPUTS, log_sigmoid
from .model.validate import as_generator, check_hidden, check_sample_weight
from .training.minibatch import EPOCHS, train_sgd
from .training.minibatch import HIDDEN as minibatch_hidden
from .training.options import MiniBatches, Stopping
from .training.result import Status
from .training.scipy import HIDDEN as scipy_hidden
from .training.scipy import METHODS, check_method, train
from .training.setup import LAMBDA
from .training.updates import ETA, LEARNING_RATES, MOMENTUM, NESTEROV_MOMENTUM, UPDATES, Adam, Schedule, make_update

__all__ = ["BPNNClassifier", "BPNNRegressor"]

_SOLVER_ALIASES = {"lbfgs": "L-BFGS-B"}  # scikit-learn's name for the same method
_MINIBATCH_ONLY = ("batch_size", "learning_rate", "learning_rate_init", "power_t", "momentum", "nesterovs_momentum",
                   "beta_1", "beta_2", "epsilon", "dropout")
_SCIPY_ONLY = ("max_fun",)
_AUTO_BATCH = 200  # batch_size="auto": min(200, n_samples), scikit-learn's
_INIT = "uniform"  # θ₀'s draw when init is None, for every solver (scikit-learn's)
_ADAM_ETA = 0.001  # Adam's step size when learning_rate_init is None (Kingma & Ba's, scikit-learn's)


def _positive(kind):
    return Interval(kind, 0, None, closed="neither")


def _nonnegative(kind):
    return Interval(kind, 0, None, closed="left")


def _fraction(closed):
    return Interval(Real, 0, 1, closed=closed)


def _is_minibatch(estimator):
    return str(estimator.solver).lower() in UPDATES


class _BPNN(BaseEstimator):
    """What ``BPNNClassifier`` and ``BPNNRegressor`` share: the parameters, ``fit`` and ``partial_fit``
    through bpnn's training functions, and the learned attributes. A subclass says what its targets are
    (``_fit_targets``), how many output units they need (``_output_units``), its output layer
    (``_output_names``) and the factor between its loss and bpnn's cost (``_loss_scale``)."""

    _parameter_constraints = {
        "hidden_layer_sizes": ["array-like", _positive(Integral), None],
        "activation": [StrOptions({"logistic", *HIDDEN_ACTIVATIONS}), None],
        "solver": [StrOptions({*METHODS, *(name.lower() for name in METHODS), *_SOLVER_ALIASES, *UPDATES}), None],
        "alpha": [_nonnegative(Real), StrOptions({"auto"}), None],
        "batch_size": [StrOptions({"auto"}), _positive(Integral), None],
        "learning_rate": [StrOptions(set(LEARNING_RATES)), None],
        "learning_rate_init": [_positive(Real), None],
        "power_t": [_nonnegative(Real), None],
        "max_iter": [_nonnegative(Integral), None],
        "max_fun": [_positive(Integral), None],
        "tol": [_nonnegative(Real), None],
        "n_iter_no_change": [_positive(Integral), None],
        "momentum": [_fraction("left"), None],
        "nesterovs_momentum": ["boolean", None],
        "beta_1": [_fraction("left"), None],
        "beta_2": [_fraction("left"), None],
        "epsilon": [_positive(Real), None],
        "early_stopping": ["boolean"],
        "validation_fraction": [_fraction("neither")],
        "dropout": [_fraction("left"), None],
        "init": [StrOptions(set(INITIALIZERS)), None],
        "warm_start": ["boolean"],
        "verbose": ["verbose"],
        "random_state": ["random_state"],
        "certify": ["boolean"],
    }
    _stratified = False  # the early-stopping validation part keeps the classes' proportions

    def __init__(self, hidden_layer_sizes, activation, solver, alpha, batch_size, learning_rate, learning_rate_init,
                 power_t, max_iter, max_fun, tol, n_iter_no_change, momentum, nesterovs_momentum, beta_1, beta_2,
                 epsilon, early_stopping, validation_fraction, dropout, init, warm_start, verbose, random_state):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.max_fun = max_fun
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.dropout = dropout
        self.init = init
        self.warm_start = warm_start
        self.verbose = verbose
        self.random_state = random_state

    def _validate_params(self):
        """scikit-learn's check of each parameter, then ValueError unless every parameter set applies to the
        solver (no learning rate for TNC, no max_fun for mini-batches): checked before any fit."""
        super()._validate_params()
        misplaced = [name for name in (_SCIPY_ONLY if _is_minibatch(self) else _MINIBATCH_ONLY)
                     if getattr(self, name) is not None]
        if misplaced:
            raise ValueError(f"{', '.join(misplaced)} do not apply to solver={self.solver!r} "
                             f"({', '.join(_MINIBATCH_ONLY)}: {', '.join(UPDATES)}; {', '.join(_SCIPY_ONLY)}: "
                             "the SciPy solvers)")
        if self.alpha == "auto" and (_is_minibatch(self) or self.early_stopping):
            raise ValueError("alpha='auto' (alpha from the evidence) trains to the minimum for each alpha: use a SciPy "
                             "solver (TNC, L-BFGS-B, …) without early_stopping")

    def _fit(self, X, y, sample_weight, incremental, classes=None):
        self._validate_params()
        if incremental and self.early_stopping:  # one epoch on the data given holds back no validation part
            raise ValueError("partial_fit does not support early_stopping=True")
        first = not (incremental and hasattr(self, "network_"))
        X, targets, sample_weight = self._fit_targets(X, y, sample_weight, incremental, classes, first)
        minibatch = _is_minibatch(self)
        if not first and not self._same_network_fitted(X.shape[1]):
            raise ValueError(f"partial_fit goes on from the fitted network {list(self.network_.sizes)}, which "
                             f"hidden_layer_sizes={self.hidden_layer_sizes!r} no longer describes; call fit to train "
                             "a new network")
        continuing = not first or (self.warm_start and self._same_network_fitted(X.shape[1]))
        if first:  # a new run (fit, or the first partial_fit): its generator and update rule (with its schedule)
            self._rng = as_generator(self.random_state)
            self._rule = self._update_rule() if minibatch else None
        network = self._network(X.shape[1], minibatch)
        options = self._options(minibatch, X.shape[0], incremental)
        if self.early_stopping:
            X, X_val, targets, targets_val, sample_weight = self._hold_back(X, targets, sample_weight)
            options["evaluation"] = (X_val, targets_val)
        if self.verbose:
            options["progress"] = _step_printer(self._loss_scale())
        theta0 = self.theta_ if continuing else network.init(self._rng, self.init or _INIT)
        trainer = train_sgd if minibatch else train
        result = trainer(network, X, targets, theta0=theta0, seed=self._rng, sample_weight=sample_weight, **options)
        self._learned(result, X.shape[0], incremental and not first)
        lam = options["lam"] if result.evidence is None else result.evidence.lam  # alpha="auto": the λ found
        self._certify(result, X, targets, sample_weight, lam, incremental)
        budget_ended = result.status is Status.MAX_ITER and (not minibatch or options["stopping"].tol)
        if budget_ended and not incremental:  # a stopping rule was in force and did not end the run
            warnings.warn(f"{result.method}: max_iter ({result.n_steps} {result.step_unit}) reached before the "
                          "method converged or the stopping rule ended it; raise max_iter or tol", ConvergenceWarning)
        return self

    def _certify(self, result, X, targets, sample_weight, lam, incremental):
        """``certificate_``: with ``certify``, θ's :func:`bpnn.certify` on the rows, targets, weights and λ the
        fit trained on; None without it, after Ctrl-C, and in ``partial_fit`` (one epoch is no convergence to
        certify). Ctrl-C while certifying sets ``interrupted_``."""
        certified = self.certify and not incremental and not result.interrupted
        self.certificate_ = certify(result.network, self.theta_, X, targets, lam=lam,
                                    sample_weight=sample_weight) if certified else None
        if certified and self.certificate_.interrupted:
            self.interrupted_ = True

    def _same_network_fitted(self, n_features):
        hidden = self.hidden_layer_sizes
        return (hasattr(self, "network_") and self.network_.sizes[0] == n_features
                and self.network_.n_classes == self._output_units()
                and (hidden is None or self.network_.sizes[1:-1] == tuple(np.atleast_1d(hidden).tolist())))

    def _hold_back(self, X, y, sample_weight):
        """Split off the validation part (for a classifier stratified when every class can have a row in it,
        else at random): X, X_val, y, y_val and the training part's weights."""
        if X.shape[0] < 2:
            raise ValueError(f"early_stopping needs at least 2 samples, one to train on and one to score; got "
                             f"{X.shape[0]} sample")
        arrays = (X, y) if sample_weight is None else (X, y, sample_weight)
        seed = int(self._rng.integers(2**31 - 1))
        try:
            parts = train_test_split(*arrays, test_size=self.validation_fraction,
                                     stratify=y if self._stratified and y.ndim == 1 else None, random_state=seed)
        except ValueError:  # a class too rare, or a validation part smaller than the number of classes
            parts = train_test_split(*arrays, test_size=self.validation_fraction, random_state=seed)
        X, X_val, y, y_val = parts[:4]
        weights = parts[4] if sample_weight is not None else None
        if weights is not None and not weights.any():
            raise ValueError(f"early_stopping: every sample with a positive sample_weight fell into the validation "
                             f"part (validation_fraction={self.validation_fraction}), so the training part has no "
                             "weight left; give more samples a positive weight, lower validation_fraction or set "
                             "early_stopping=False")
        return X, X_val, y, y_val, weights

    def _update_rule(self):
        """The mini-batch update rule object (kept between ``partial_fit`` calls). The plain and momentum
        rules step by η/s on bpnn's gradient, s times the loss's (``_loss_scale``): η on the loss's."""
        solver = self.solver.lower()
        if solver == "adam":
            given = {"beta1": self.beta_1, "beta2": self.beta_2, "epsilon": self.epsilon}
            return Adam(_ADAM_ETA if self.learning_rate_init is None else self.learning_rate_init,
                        schedule=self._schedule(), **{key: value for key, value in given.items() if value is not None})
        if solver == "sgd" and self.nesterovs_momentum and self.momentum:
            solver = "nesterov"
        eta = (ETA if self.learning_rate_init is None else self.learning_rate_init) / self._loss_scale()
        momentum = self.momentum if self.momentum is not None else (
            NESTEROV_MOMENTUM if solver == "nesterov" else MOMENTUM)
        return make_update(solver, eta, momentum, schedule=self._schedule())

    def _schedule(self):
        return Schedule(self.learning_rate or LEARNING_RATES[0], 0.5 if self.power_t is None else self.power_t)

    def _network(self, n_features, minibatch):
        """The network the parameters name, for n_features inputs and the outputs the targets need."""
        hidden = (minibatch_hidden if minibatch else scipy_hidden) if self.hidden_layer_sizes is None else (
            check_hidden(self.hidden_layer_sizes))
        names = {"activation": "sigmoid" if self.activation == "logistic" else self.activation, **self._output_names()}
        return Network((n_features, *hidden, self._output_units()),
                       **{key: value for key, value in names.items() if value is not None})

    def _options(self, minibatch, n_samples, incremental):
        """The training function's keywords, for the parameters that are set (the others keep its defaults)."""
        stopping = {"max_iter": 1 if minibatch and incremental else self.max_iter, "max_fun": self.max_fun,
                    "tol": self.tol, "n_iter_no_change": self.n_iter_no_change}
        stopping = {key: value for key, value in stopping.items() if value is not None}
        if self.early_stopping and not incremental:
            stopping["patience"] = self.n_iter_no_change or Stopping.n_iter_no_change
        options = {"stopping": replace(EPOCHS if minibatch else Stopping(), **stopping),
                   "lam": "auto" if self.alpha == "auto" else (LAMBDA if self.alpha is None else self.alpha)
                   * self._loss_scale()}
        if minibatch:
            batch_size = min(_AUTO_BATCH, n_samples) if self.batch_size == "auto" else self.batch_size
            batches = {"size": batch_size, "dropout": self.dropout}
            options.update(update=self._rule,
                           batches=MiniBatches(**{key: value for key, value in batches.items() if value is not None}))
        elif self.solver is not None:
            options["method"] = check_method(_SOLVER_ALIASES.get(self.solver, self.solver))
        return options

    def _learned(self, result, n_samples, appended):
        """The learned attributes, bpnn's and scikit-learn's MLP's (whose shapes those follow), the losses
        on the loss's scale; ``appended``: a ``partial_fit`` call adds to the curves and counts of the calls
        before it."""
        scale = self._loss_scale()
        self.network_, self.theta_ = result.network, result.theta.copy()
        self.interrupted_ = result.interrupted
        self.thetas_ = [T.copy() for T in result.network.unpack(self.theta_)]  # the course's Θ⁽ˡ⁾ = [b | W]
        self.coefs_ = [T[:, 1:].T.copy() for T in self.thetas_]  # fan_in × fan_out
        self.intercepts_ = [T[:, 0].copy() for T in self.thetas_]
        curve = [cost / scale for cost in result.history.get("training_cost", result.history.get("cost", []))]
        steps = n_samples * (result.n_steps if result.step_unit == "epochs" else result.n_evaluations)
        if appended:
            curve, steps = self.loss_curve_ + curve, self.t_ + steps
            self.n_iter_ += result.n_steps
        else:
            self.n_iter_ = result.n_steps
        self.loss_, self.loss_curve_, self.t_ = result.final_cost / scale, curve, steps
        scores = result.history.get("evaluation_accuracy")
        early = self.early_stopping and not appended and scores is not None
        self.validation_scores_ = list(scores) if early else None
        self.best_validation_score_ = max(scores) if early else None
        self.best_loss_ = None if early else (min(curve) if curve else self.loss_)
        self.n_layers_ = len(self.network_.sizes)
        self.n_outputs_ = self.network_.n_classes
        self.out_activation_ = {"sigmoid": "logistic", "softmax": "softmax", "identity": "identity"}[
            self.network_.output]
        self._learned_evidence(result.evidence)

    _EVIDENCE_ATTRIBUTES = ("alpha_", "gamma_", "log_evidence_", "evidence_history_", "_evidence")

    def _learned_evidence(self, evidence):
        """alpha='auto': the evidence's alpha_ (λ on the loss's scale), gamma_, log_evidence_, the rounds'
        records and the evidence itself (``posterior_``); otherwise none of them (not even a former fit's)."""
        for name in self._EVIDENCE_ATTRIBUTES:
            self.__dict__.pop(name, None)
        if evidence is None:
            return
        self.alpha_, self.gamma_ = evidence.lam / self._loss_scale(), evidence.gamma
        self.log_evidence_, self.evidence_history_ = evidence.log_evidence, evidence.history
        self._evidence = evidence
        if "beta_" in self._EVIDENCE_ATTRIBUTES:
            self.beta_ = evidence.beta

    @property
    def posterior_(self):
        """The posterior over the weights of a fit with alpha='auto' (``bpnn.bayes.predictive.Posterior``),
        computed when first asked for (``Evidence.posterior``)."""
        if "_evidence" not in self.__dict__:
            raise AttributeError(f"{type(self).__name__} has no posterior_: it was not fitted with alpha='auto'")
        return self._evidence.posterior

    def _posterior(self, what):
        """The fitted posterior, or ValueError saying that ``what`` needs a fit with alpha='auto'."""
        check_is_fitted(self)
        if getattr(self, "posterior_", None) is None:
            raise ValueError(f"{what} needs the posterior of a fit with alpha='auto' (alpha and the noise set from the "
                             "evidence); set alpha='auto' and fit again")
        return self.posterior_

    def _loss_scale(self):
        """s in bpnn's cost = s × the loss reported (``loss_``): 1 unless a subclass says otherwise."""
        return 1

    def _checked(self, X):
        check_is_fitted(self)
        return validate_data(self, X, reset=False, dtype=[np.float64, np.float32])

    def _output_sums(self, X):
        """z of the output units for X, or ValueError where X is so large that z overflows (no silent NaN)."""
        X = self._checked(X)
        try:
            return forward(self.network_, self.theta_, X)[1]
        except DivergedError:
            raise ValueError(f"X is too large for the network: the output units' input sums overflow "
                             f"{X.dtype}; scale X (e.g. with StandardScaler)") from None


class BPNNClassifier(ClassifierMixin, _BPNN):
    """A backpropagation network classifier trained by a SciPy method (TNC by default) or by mini-batches.

    A drop-in for scikit-learn's ``MLPClassifier`` wherever the two share a concept (:doc:`/scikit-learn` maps
    every parameter and attribute). A parameter left at None takes the bpnn training function's default, so
    defaults differ where bpnn follows the course or the book. ``fit(X, y, sample_weight=None)`` weights each
    example's cost; ``partial_fit`` trains one epoch on the data given (mini-batch solvers; ``classes`` on the
    first call). ``predict_proba`` returns the output units normalized to sum to 1 over the classes (softmax
    outputs already do; K sigmoid outputs are divided by their sum), so its argmax is ``predict``. A 0/1
    indicator matrix y (n_samples × K) fits a multilabel network as ``MLPClassifier`` does: K independent
    sigmoid outputs; ``predict`` gives the indicator matrix (every probability above 1/2), ``predict_proba``
    each label's own probability, ``score`` the subset accuracy.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, optional
        One number per hidden layer.
    activation : {"sigmoid", "logistic", "tanh", "relu"}, optional
        The hidden activation ("logistic" is scikit-learn's name for sigmoid).
    cost, output : str, optional
        The output pair: sigmoid + cross-entropy, sigmoid + quadratic, softmax + log-likelihood.
    solver : str, optional
        "TNC" (None), "L-BFGS-B" (also "lbfgs"), "CG", "BFGS", "Newton-CG", "trust-ncg", "trust-krylov", or the
        mini-batch rules "sgd" (with ``momentum``, Nesterov's when ``nesterovs_momentum``), "nesterov" and
        "adam" (``beta_1``, ``beta_2``, ``epsilon``).
    alpha : float or "auto", optional
        λ; bias weights are not regularized. "auto": λ set from the evidence (MacKay's Bayesian
        regularization, ``bpnn.bayes.evidence``), with a SciPy solver and no early stopping.
    batch_size : int or "auto", optional
        Mini-batch size ("auto": min(200, n_samples)).
    learning_rate : {"constant", "invscaling", "adaptive"}, optional
        η's schedule, with ``power_t``.
    learning_rate_init, power_t, momentum, nesterovs_momentum, beta_1, beta_2, epsilon : optional
        η and the update rule's constants.
    max_iter : int, optional
        Iterations of a SciPy solver, epochs of a mini-batch one.
    max_fun : int, optional
        A SciPy solver's evaluations.
    tol, n_iter_no_change : optional
        Stop once the cost fell by less than a fraction tol over the last n_iter_no_change steps.
    early_stopping : bool, default False
        Every solver: hold back ``validation_fraction`` of the rows, stop after n_iter_no_change steps
        without a better held-out accuracy, keep the best θ.
    validation_fraction : float, default 0.1
    dropout : float, optional
        Inverted dropout of hidden units (mini-batch solvers).
    init : {"uniform", "normal", "scaled-normal"}, optional
        θ₀'s draw; default uniform in ±√6/√(fan-in + fan-out) for every solver, as scikit-learn's MLP draws it.
    class_weight : None, "balanced" or dict, optional
        scikit-learn's meaning: the fit with ``sample_weight = compute_sample_weight(class_weight, y)``,
        multiplied with the ``sample_weight`` given ("balanced": n_samples / (n_classes · the class's count));
        a dict only in ``partial_fit``, as "balanced" would weigh each call's classes by that call's counts.
    warm_start : bool, default False
        ``fit`` goes on from the last θ.
    verbose : bool, default False
        One line per step.
    random_state : int, RandomState or None
        Seeds θ₀, the batches and the validation split.
    certify : bool, default False
        After ``fit``, certify θ on the data it trained on (:func:`bpnn.certify`: the Hessian's extreme
        eigenvalues, the gradient norm, a verdict) as ``certificate_``.

    Attributes
    ----------
    network_ : Network
    theta_ : ndarray
        θ*, and ``thetas_``, the course-layout Θ list.
    coefs_, intercepts_ : list of ndarray
        scikit-learn's layout (fan_in × fan_out).
    classes_, n_features_in_, feature_names_in_
        As in scikit-learn.
    n_iter_, loss_, loss_curve_, best_loss_, validation_scores_, best_validation_score_, t_
        As in ``MLPClassifier`` (``best_loss_`` is None with early stopping, the validation scores without).
    n_layers_, n_outputs_, out_activation_
        As in ``MLPClassifier``.
    interrupted_ : bool
        Ctrl-C ended the last fit early (or its certificate); its best weights are kept.
    certificate_ : Certificate or None
        With ``certify``, the last ``fit``'s :class:`bpnn.Certificate` (of bpnn's cost, whose λ is ``alpha``).
    alpha_, gamma_, log_evidence_, evidence_history_, posterior_
        After a fit with alpha="auto": the alpha found (λ), the effective number of parameters γ, the log
        evidence, one record per re-estimation round (``bpnn.bayes.evidence.Evidence.history``) and the
        posterior over the weights (``predict_proba(X, moderated=True)``).

    Raises
    ------
    sklearn.utils._param_validation.InvalidParameterError
        From ``fit``, a parameter out of its range, in scikit-learn's words.
    BpnnError
        From ``fit``, data that bpnn cannot use.

    Warns
    -----
    ConvergenceWarning
        ``max_iter`` ended the run.

    Examples
    --------
    >>> import bpnn
    >>> from bpnn.data.loading import split
    >>> X, y, X_test, y_test = split(bpnn.load_dataset())
    >>> model = bpnn.BPNNClassifier(hidden_layer_sizes=(10,), random_state=0).fit(X[:500], y[:500])
    >>> model.network_.sizes, bool(model.score(X_test, y_test) > 0.9)
    ((400, 10, 10), True)
    """

    _parameter_constraints = {
        **_BPNN._parameter_constraints,
        "cost": [StrOptions(set(COSTS)), None],
        "output": [StrOptions(set(OUTPUTS)), None],
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }
    _stratified = True

    def __init__(self, hidden_layer_sizes=None, activation=None, cost=None, output=None, solver=None, alpha=None,
                 batch_size=None, learning_rate=None, learning_rate_init=None, power_t=None, max_iter=None,
                 max_fun=None, tol=None, n_iter_no_change=None, momentum=None, nesterovs_momentum=None,
                 beta_1=None, beta_2=None, epsilon=None, early_stopping=False, validation_fraction=0.1,
                 dropout=None, init=None, class_weight=None, warm_start=False, verbose=False, random_state=None,
                 certify=False):
        super().__init__(hidden_layer_sizes, activation, solver, alpha, batch_size, learning_rate, learning_rate_init,
                         power_t, max_iter, max_fun, tol, n_iter_no_change, momentum, nesterovs_momentum, beta_1,
                         beta_2, epsilon, early_stopping, validation_fraction, dropout, init, warm_start, verbose,
                         random_state)
        self.cost, self.output, self.class_weight = cost, output, class_weight
        self.certify = certify

    def fit(self, X, y, sample_weight=None):
        """Train on X (n_samples × n_features), labels y of any values and optional per-example weights;
        returns self. With ``warm_start`` and a fitted network of the same shape, training goes on from it."""
        return self._fit(X, y, sample_weight, incremental=False)

    @available_if(_is_minibatch)
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """One epoch of the mini-batch solver on (X, y), going on from the last call; ``classes`` (every
        label that will ever be seen) is required on the first call, and the same when given again."""
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    def _fit_targets(self, X, y, sample_weight, incremental, classes, first):
        """X checked, the labels encoded 0..K−1 (``classes_``), or a multilabel indicator matrix as it is, and
        the examples' weights."""
        X, y = validate_data(self, X, y, dtype=[np.float64, np.float32], reset=first, multi_output=True)
        if issparse(y):  # a sparse indicator matrix, as MLPClassifier takes it
            y = y.toarray()
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        kind = type_of_target(y)
        if kind == "multiclass-multioutput":
            raise ValueError("y has several columns of labels; BPNNClassifier takes one label per sample or, for "
                             "multilabel classification, a 0/1 indicator matrix (one column per label)")
        task = "multilabel" if kind == "multilabel-indicator" else "classification"
        if (not first or self.warm_start) and hasattr(self, "network_") and task != self.network_.task:
            raise ValueError(f"y is {task} but the fitted network learned {self.network_.task}; "
                             f"{'call fit' if not first else 'set warm_start=False'} to train a new network")
        self._task = task
        if task == "multilabel":
            return self._fit_labels(X, y, sample_weight, incremental, classes)
        if incremental:
            self._set_partial_fit_classes(classes)
            unseen = np.setdiff1d(y, self.classes_)
            if unseen.size:
                raise ValueError(f"y holds labels not in classes: {unseen.tolist()[:5]}")
        else:
            self._set_fit_classes(np.unique(y))
        if len(self.classes_) < 2:
            raise ValueError(f"BPNNClassifier needs samples of at least 2 classes; got 1 class: {self.classes_[0]!r}")
        encoded = np.searchsorted(self.classes_, y)
        return X, encoded, self._weights(y, check_sample_weight(sample_weight, X.shape[0]), incremental)

    def _fit_labels(self, X, Y, sample_weight, incremental, classes):
        """A multilabel fit: ``classes_`` the label columns 0..K−1 (as ``MLPClassifier`` sets them), Y as it is,
        and the examples' weights."""
        if self._softmax():
            raise ValueError("multilabel y needs independent sigmoid outputs; softmax outputs (cost='log-likelihood') "
                             "share one probability among the labels: leave cost and output at None")
        if self.class_weight is not None:
            raise ValueError("class_weight weighs the classes of one label per sample; a multilabel y's labels are "
                             "independent outputs (give sample_weight instead)")
        wrong = (Y != 0) & (Y != 1)
        if wrong.any():
            row, column = np.argwhere(wrong)[0]
            raise ValueError(f"a multilabel y holds 0 and 1 only (1: the sample has that label); sample {row}, "
                             f"label {column} is {Y[row, column]:g}")
        labels = np.arange(Y.shape[1])
        if classes is not None and not np.array_equal(np.unique(classes), labels):
            raise ValueError(f"for a multilabel y of {Y.shape[1]} columns, classes are its columns "
                             f"0..{Y.shape[1] - 1}; got {classes!r}")
        self._set_fit_classes(labels)
        return X, Y.astype(np.float64), self._weights(Y, check_sample_weight(sample_weight, X.shape[0]), incremental)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = not self._softmax()  # y a 0/1 indicator matrix: a sigmoid output per label
        return tags

    def _softmax(self):
        return self.output == "softmax" or self.cost == "log-likelihood"

    def _output_units(self):
        return len(self.classes_)

    def _output_names(self):
        return {"cost": self.cost, "output": self.output, "task": self._task}

    def _weights(self, y, sample_weight, incremental):
        """The examples' weights: ``sample_weight`` (or None) times ``compute_sample_weight(class_weight, y)``."""
        if self.class_weight is None:
            return sample_weight
        if incremental and self.class_weight == "balanced":
            raise ValueError("class_weight='balanced' is not offered with partial_fit (each call's counts would "
                             "weigh the classes differently); pass a dict {label: weight}, e.g. from "
                             "sklearn.utils.class_weight.compute_class_weight on all the labels")
        weights = compute_sample_weight(self.class_weight, y)
        if not np.all(np.isfinite(weights) & (weights >= 0)):
            raise ValueError(f"class_weight must give each class a finite weight >= 0, got {self.class_weight!r}")
        return weights if sample_weight is None else sample_weight * weights

    def _set_partial_fit_classes(self, classes):
        """``classes_`` from ``partial_fit``'s ``classes``, refused as MLPClassifier refuses them: missing on the
        first call, or different from ``classes_`` (of an earlier fit or partial_fit)."""
        if classes is None:
            if not hasattr(self, "classes_"):
                raise ValueError("classes must be passed on the first call to partial_fit")
            return
        if hasattr(self, "classes_") and not np.array_equal(self.classes_, np.unique(classes)):
            raise ValueError(f"`classes={classes!r}` is not the same as on the last call to fit or partial_fit, "
                             f"was: {self.classes_!r}")
        self.classes_ = np.unique(classes)

    def _set_fit_classes(self, classes):
        """``classes_`` from fit's labels; with ``warm_start`` after a fit, ValueError unless they are the
        classes of that fit (MLPClassifier's rule: going on from weights learned for other classes would
        silently give their output units new meanings)."""
        if self.warm_start and hasattr(self, "network_") and not np.array_equal(classes, self.classes_):
            raise ValueError("warm_start can only be used where `y` has the same classes as in the previous call "
                             f"to fit. Previously got {self.classes_}, `y` has {classes}")
        self.classes_ = classes

    def _log_outputs(self, X, moderated=False):
        """log h of the output units up to a constant per row, which normalizing removes: z for softmax outputs,
        log σ(z) for sigmoid ones; finite where h underflows to 0, so normalizing never divides 0 by 0. With
        ``moderated``, z is MacKay's moderated κ(s²) z (``bpnn.bayes.predictive``)."""
        if moderated:
            z = self._posterior("predict_proba(moderated=True)").moderated(self._checked(X))
        else:
            z = self._output_sums(X)
        return z if self.network_.output == "softmax" else log_sigmoid(z)

    def predict_proba(self, X, moderated=False):
        """Class probabilities, one row per sample, columns in the order of ``classes_``: the output units
        normalized to sum to 1, h / Σ h, computed as softmax(log h) (exact when every unit saturates); for
        multilabel, each label's own probability σ(z). ``moderated`` (after a fit with alpha='auto'): each
        output's pre-activation z scaled by κ(s²) = (1 + π s²/8)^(−1/2), s² its posterior variance, MacKay's
        moderated outputs, less confident away from the data (not always better calibrated on data like the
        training data: see the tutorial "λ from the evidence, and error bars")."""
        return np.exp(self._log_probabilities(X, moderated))

    def predict_log_proba(self, X):
        """The logarithm of ``predict_proba``, log h − log Σ h (finite where a probability underflows);
        for multilabel, log σ(z)."""
        return self._log_probabilities(X)

    def _log_probabilities(self, X, moderated=False):
        log_h = self._log_outputs(X, moderated)
        return log_h if self.network_.task == "multilabel" else log_softmax(log_h, axis=1)

    def predict(self, X):
        """The most likely class label of each sample; for multilabel, the 0/1 indicator matrix of the labels
        whose probability is above 1/2."""
        z = self._output_sums(X)
        if self.network_.task == "multilabel":
            return (z > 0).astype(np.int64)
        return self.classes_[np.argmax(z, axis=1)]


class BPNNRegressor(RegressorMixin, _BPNN):
    """A backpropagation network regressor, ``MLPRegressor``'s counterpart, trained by a SciPy method (L-BFGS-B,
    ``MLPRegressor``'s "lbfgs", by default) or by mini-batches.

    The network ends in identity output units with the squared error, one unit per target (y of shape
    (n_samples,) or (n_samples, n_outputs)). The loss is ``MLPRegressor``'s, ½ mean over samples and outputs of
    (y − ŷ)² + alpha/(2 n_samples) Σ‖W‖²: bpnn's cost (the squared error summed over the outputs) divided by
    n_outputs, with λ = alpha · n_outputs, so the same minimizer, and ``loss_`` and ``loss_curve_`` on
    scikit-learn's scale. The targets are used as given: scaling them (``TransformedTargetRegressor``) changes
    what alpha weighs the squared error against. ``score`` is R².

    Parameters
    ----------
    hidden_layer_sizes, activation, solver, alpha, batch_size, learning_rate, learning_rate_init, power_t, \
max_iter, max_fun, tol, n_iter_no_change, momentum, nesterovs_momentum, beta_1, beta_2, epsilon, early_stopping, \
validation_fraction, dropout, init, warm_start, verbose, random_state, certify
        As for ``BPNNClassifier`` (whose output layer and ``class_weight`` a regressor has not), but the
        default solver is "L-BFGS-B"; early stopping scores the held-back part (drawn at random) by R².

    Attributes
    ----------
    network_, theta_, thetas_, coefs_, intercepts_, n_features_in_, n_iter_, loss_, loss_curve_, best_loss_, \
validation_scores_, best_validation_score_, t_, n_layers_, interrupted_, certificate_
        As for ``BPNNClassifier``; the validation scores are R², the certificate's J is n_outputs × the loss.
    n_outputs_ : int
        The targets, one output unit each.
    out_activation_ : str
        "identity".
    alpha_, gamma_, log_evidence_, evidence_history_, posterior_, beta_
        After a fit with alpha="auto": as for ``BPNNClassifier`` (``alpha_`` on this loss's scale, λ / n_outputs),
        and β, the noise precision (1/β the noise variance of each target); ``predict(X, return_std=True)``.

    Raises
    ------
    sklearn.utils._param_validation.InvalidParameterError
        From ``fit``, a parameter out of its range, in scikit-learn's words.
    ValueError
        From ``fit``, targets that are not numbers, or NaN or inf in X or y.

    Examples
    --------
    >>> import numpy as np, bpnn
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(-1, 1, (200, 2))
    >>> y = np.sin(3 * X[:, 0]) + X[:, 1] ** 2
    >>> model = bpnn.BPNNRegressor(hidden_layer_sizes=(10,), activation="tanh", alpha=1e-3, random_state=0)
    >>> model = model.fit(X, y)
    >>> model.predict(X[:3]).shape, model.out_activation_, bool(model.score(X, y) > 0.95)
    ((3,), 'identity', True)
    """

    def __init__(self, hidden_layer_sizes=None, activation=None, solver=None, alpha=None, batch_size=None,
                 learning_rate=None, learning_rate_init=None, power_t=None, max_iter=None, max_fun=None, tol=None,
                 n_iter_no_change=None, momentum=None, nesterovs_momentum=None, beta_1=None, beta_2=None,
                 epsilon=None, early_stopping=False, validation_fraction=0.1, dropout=None, init=None,
                 warm_start=False, verbose=False, random_state=None, certify=False):
        super().__init__(hidden_layer_sizes, activation, solver, alpha, batch_size, learning_rate, learning_rate_init,
                         power_t, max_iter, max_fun, tol, n_iter_no_change, momentum, nesterovs_momentum, beta_1,
                         beta_2, epsilon, early_stopping, validation_fraction, dropout, init, warm_start, verbose,
                         random_state)
        self.certify = certify

    def fit(self, X, y, sample_weight=None):
        """Train on X (n_samples × n_features), real targets y (n_samples,) or (n_samples, n_outputs) and
        optional per-example weights; returns self. With ``warm_start`` and a fitted network of the same
        shape, training goes on from it."""
        return self._fit(X, y, sample_weight, incremental=False)

    @available_if(_is_minibatch)
    def partial_fit(self, X, y, sample_weight=None):
        """One epoch of the mini-batch solver on (X, y), going on from the last call."""
        return self._fit(X, y, sample_weight, incremental=True)

    def _fit_targets(self, X, y, sample_weight, incremental, classes, first):
        """X checked, the targets as floats, and the examples' weights."""
        X, y = validate_data(self, X, y, dtype=[np.float64, np.float32], multi_output=True, y_numeric=True,
                             reset=first)
        outputs = 1 if y.ndim == 1 else y.shape[1]
        if not first and outputs != self.n_outputs_:
            raise ValueError(f"y has {outputs} targets per sample; the fitted network has {self.n_outputs_} outputs")
        self._targets = outputs
        return X, y.astype(np.float64), check_sample_weight(sample_weight, X.shape[0])

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True  # y of shape (n_samples, n_outputs), one output unit per target
        return tags

    def _output_units(self):
        return self._targets

    def _output_names(self):
        return {"cost": "quadratic", "output": "identity"}

    def _loss_scale(self):
        return self._targets

    _EVIDENCE_ATTRIBUTES = (*_BPNN._EVIDENCE_ATTRIBUTES, "beta_")

    def predict(self, X, return_std=False):
        """The network's outputs: (n_samples,) for one target, else (n_samples, n_outputs). ``return_std``
        (after a fit with alpha='auto'): also the predictive standard deviation √(1/β + gᵀA⁻¹g) of each, the
        linearized Laplace posterior's (``bpnn.bayes.predictive``), the same shape: exact up to 2,000 weights,
        above an upper bound (``posterior_.predictive_std(X, exact=True)`` solves for a few points)."""
        values = self._output_sums(X)
        if not return_std:
            return values[:, 0] if values.shape[1] == 1 else values
        std = self._posterior("predict(return_std=True)").predictive_std(self._checked(X))
        return (values[:, 0], std[:, 0]) if values.shape[1] == 1 else (values, std)


def _step_printer(scale):
    """``verbose``: one line per iteration or epoch, as scikit-learn prints them, the loss bpnn's cost / scale."""

    def show(record):
        step = "Iteration" if record["unit"] == "iterations" else "Epoch"
        line = f"{step} {record['step']}, loss = {record['cost'] / scale:.8f}"
        if record.get("evaluation_accuracy") is not None:
            line += f", validation score = {record['evaluation_accuracy']:.6f}"
        print(line, flush=True)

    return show
