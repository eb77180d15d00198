"""Training with ``scipy.optimize.minimize`` over the flat θ, with budgets, best θ, history and Ctrl-C.

Every SciPy method here consumes the same objective (``bpnn.objective.base.Objective``). ``minimize``
wraps it so that

* ``Stopping.max_iter`` really bounds the work for every method. SciPy's TNC ignores ``maxiter`` (it only
  knows ``maxfun``, a bound on evaluations). Here an *iteration* is one call of the method's per-iteration
  callback (TNC: one truncated-Newton step; L-BFGS-B, BFGS, CG: one line search), and the first
  evaluation asked for after ``max_iter`` iterations stops the run; ``max_fun``, when given, bounds
  evaluations the same way;
* the result is the **best θ evaluated**, not the last one (TNC can end on a worse point); with early
  stopping (``evaluation`` and ``Stopping.patience``), the θ that scored best on the held-out data;
* a history records, per iteration, the lowest cost so far, the evaluations and the seconds spent, and
  the progress callback sees the same record (returning True stops the run);
* Ctrl-C (KeyboardInterrupt) ends training cleanly with the best θ so far;
* why it stopped is a ``Status`` beside the message;
* under the stopping rule (``tol`` > 0), TNC's truncated-Newton inner solve is capped at
  ``bpnn.speed.TNC_INNER_STEPS`` conjugate-gradient steps (SciPy's ``maxCGit``); with float32 data the
  methods get ``bpnn.speed.FLOAT32_OPTIONS`` (TNC's finite-difference step at float32's scale). With
  ``tol=0`` TNC runs as SciPy sets it, to its own convergence test;
* the method's own linear algebra runs with the BLAS threads that suit it (``Parallel.blas_threads``,
  by default ``bpnn.speed.BLAS_THREADS``), while the objective keeps the threads the process had.
"""

import time

import numpy as np

from ..errors import BpnnError, ClusterLostError
from ..objective.sampling import CurvatureSample
from ..speed import BLAS_THREADS, FLOAT32_OPTIONS, TNC_INNER_STEPS, limit_blas
from .options import CurvatureProducts, Parallel, Stopping
from .result import Status, TrainResult
from .setup import LAMBDA, make_objective, prepare
from .stopping import BestScore, check_early_stopping, stalled

__all__ = ["METHODS", "HESSP_METHODS", "HIDDEN", "INIT", "check_method", "default_method", "minimize", "train"]

METHODS = ("TNC", "L-BFGS-B", "CG", "BFGS", "Newton-CG", "trust-ncg", "trust-krylov")  # the first is the default
HESSP_METHODS = ("Newton-CG", "trust-ncg", "trust-krylov")  # given exact curvature products (bpnn.model.curvature)
HIDDEN = (25,)  # hidden layers of the course's network, for callers that build one from options (CLI, estimator)
INIT = "uniform"  # θ₀'s draw when none is given: the course's randInitializeWeights
_UNBOUNDED = 2**31 - 1  # for SciPy's own evaluation caps, so that only max_iter/max_fun bound the run


class _Stop(Exception):
    """Raised from an evaluation to end the SciPy method: why (a ``Status``) and the message."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


class _Tracker:
    """Counts evaluations and iterations, keeps the best θ, enforces the budget and the stopping rules,
    scores the held-out data, reports progress."""

    def __init__(self, objective, theta0, stopping, progress, evaluation=None):
        self.objective, self.stopping, self.progress, self.evaluation = objective, stopping, progress, evaluation
        self.best_theta, self.best_cost = np.array(theta0, dtype=np.float64), np.inf
        self.n_evaluations = self.n_iterations = 0
        self.stop = None
        self.history = {"step": [], "cost": [], "n_evaluations": [], "seconds": []}
        self.scores = BestScore(stopping.patience)
        if evaluation is not None:
            self.history["evaluation_accuracy"] = self.scores.scores
        self.start = time.perf_counter()

    def evaluate(self, theta):
        stopping = self.stopping
        if self.stop:
            raise self.stop
        if self.n_iterations >= stopping.max_iter:
            raise _Stop(Status.MAX_ITER, f"max_iter reached ({stopping.max_iter} iterations)")
        if stopping.max_fun is not None and self.n_evaluations >= stopping.max_fun:
            raise _Stop(Status.MAX_FUN, f"max_fun reached ({stopping.max_fun} evaluations)")
        J, grad = self.objective(theta)
        self.n_evaluations += 1
        if J < self.best_cost:
            self.best_cost = J
            self.best_theta[:] = theta
        return J, grad

    def end_iteration(self, xk):
        self.n_iterations += 1
        stopping = self.stopping
        record = {"step": self.n_iterations, "cost": float(self.best_cost), "n_evaluations": self.n_evaluations,
                  "seconds": time.perf_counter() - self.start}
        for key, value in record.items():
            self.history[key].append(value)
        if self.evaluation is not None:
            self.scores.add(self.best_theta, self.evaluation.score(self.best_theta))
            record["evaluation_accuracy"] = self.scores.scores[-1]
        if self.progress is not None and self.progress({**record, "unit": "iterations", "theta": self.best_theta}):
            self.stop = _Stop(Status.CALLBACK, f"stopped by the progress callback after {self.n_iterations} iterations")
        elif self.scores.exhausted:
            self.stop = _Stop(Status.EARLY_STOPPED, f"early stop: no better held-out accuracy for "
                                                    f"{stopping.patience} iterations")
        elif stopping.tol and stalled(self.history["cost"], stopping.tol, stopping.n_iter_no_change):
            self.stop = _Stop(Status.STALLED, f"tol: the cost fell by less than tol = {stopping.tol:g} of itself "
                                              f"over the last {stopping.n_iter_no_change} iterations")

    def result(self):
        """(θ*, its cost): the best-scoring θ under early stopping, with the cost it had when scored (the lowest
        then), else the lowest-cost θ evaluated. No evaluation: the objective may be gone (a lost cluster)."""
        if self.scores.patience is None or self.scores.best_theta is None:
            return self.best_theta, self.best_cost
        return self.scores.best_theta, self.history["cost"][self.scores.scores.index(self.scores.best_score)]


def default_method(task):
    """The method ``train`` uses when none is given: TNC (the course's), but L-BFGS-B for a regression, where
    on the squared error it reaches MLPRegressor's held-out R² in a fraction of TNC's time
    (``benchmarks/bench_regression.py``)."""
    return "L-BFGS-B" if task == "regression" else METHODS[0]


def check_method(method):
    """The canonical spelling of a supported SciPy method (case-insensitive), or BpnnError."""
    for name in METHODS:
        if str(method).upper() == name.upper():
            return name
    raise BpnnError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")


def minimize(objective, theta0, *, method=METHODS[0], stopping=Stopping(), hessp=None, evaluation=None,
             progress=None, blas_threads="auto", options=None):
    """Minimize ``objective`` (an ``Objective``, or any function θ ↦ (J, ∇J)) from θ₀ with a SciPy method;
    return a ``TrainResult`` (its ``network`` is the objective's, None for a plain function).

    ``stopping`` is the budget and the rules (``Stopping``); ``evaluation``, if given (an object with
    ``accuracy(θ)``), scores the lowest-cost θ after each iteration on held-out data (the history's
    "evaluation_accuracy"), and with ``stopping.patience`` the best-scoring θ is the result (early
    stopping). ``progress``, if given, is called after each iteration with a dict: step, unit
    ("iterations"), cost (lowest so far), n_evaluations, seconds, evaluation_accuracy (with
    ``evaluation``) and theta (the best θ so far, a live array: copy it to keep it); if it returns True,
    training stops before the next evaluation. ``blas_threads``: BLAS threads for the method's own work,
    "auto" (its entry in ``bpnn.speed.BLAS_THREADS``), None (leave BLAS alone) or a number; evaluations
    keep the threads the objective was made with. ``options``: further SciPy options for the method (e.g.
    TNC's ``accuracy``; the budgets are ``stopping``'s). ``hessp(θ, v)``: curvature products for the
    methods in ``HESSP_METHODS`` (required there, refused elsewhere).
    """
    import scipy.optimize  # here, not at import: it takes most of a second, and the commands read --help first

    method = check_method(method)
    if not isinstance(stopping, Stopping):
        raise BpnnError(f"stopping must be a bpnn.training.Stopping, got {stopping!r}")
    blas_threads = Parallel(blas_threads=blas_threads).blas_threads
    if (hessp is None) == (method in HESSP_METHODS):
        raise BpnnError(f"{method} {'needs' if hessp is None else 'takes no'} Hessian-vector products (hessp=); "
                        f"the methods that use them are {', '.join(HESSP_METHODS)}")
    options = dict(options or {})
    if {"maxiter", "maxfun"} & options.keys():
        raise BpnnError("give the budgets as stopping=Stopping(max_iter=…, max_fun=…), not in options")
    check_early_stopping(stopping.patience, evaluation)
    tracker = _Tracker(objective, theta0, stopping, progress, evaluation)
    if method in ("TNC", "L-BFGS-B"):
        options["maxfun"] = _UNBOUNDED
    if method != "TNC":
        options["maxiter"] = _UNBOUNDED
    try:
        with limit_blas(BLAS_THREADS.get(method) if blas_threads == "auto" else blas_threads):
            result = scipy.optimize.minimize(tracker.evaluate, np.array(theta0, dtype=np.float64), jac=True,
                                             hessp=hessp, method=method, callback=tracker.end_iteration,
                                             options=options)
        status, stop_reason = (Status.CONVERGED if result.success else Status.FAILED), str(result.message)
    except _Stop as stop:
        status, stop_reason = stop.status, str(stop)
    except KeyboardInterrupt:
        status, stop_reason = Status.INTERRUPTED, "interrupted (Ctrl-C)"
    except ClusterLostError as lost:  # the cluster evaluating a ShardedObjective is gone: stop as on Ctrl-C
        status, stop_reason = Status.INTERRUPTED, f"interrupted ({lost})"
    theta, final_cost = tracker.result()
    if tracker.n_evaluations == 0:  # stopped before the first evaluation: θ₀ is all there is
        if status is Status.INTERRUPTED:
            stop_reason, final_cost = f"{stop_reason} before any evaluation", float("nan")
        else:
            final_cost = float(objective(theta)[0])
    return TrainResult(network=getattr(objective, "network", None), theta=theta, final_cost=float(final_cost),
                       method=method, n_steps=tracker.n_iterations, step_unit="iterations",
                       n_evaluations=tracker.n_evaluations, seconds=time.perf_counter() - tracker.start,
                       status=status, stop_reason=stop_reason, history=tracker.history)


def train(network, X, y, *, method=None, lam=LAMBDA, stopping=Stopping(), curvature=CurvatureProducts(),
          evaluation=None, sample_weight=None, theta0=None, seed=0, parallel=Parallel(), progress=None):
    """Train ``network`` on (X, y) with a SciPy method and regularization λ = ``lam``.

    X and y are checked once; every iteration then evaluates J and ∇J with :func:`cost_and_grad` (and H·v or
    G·v with :func:`hessp` for the methods in ``HESSP_METHODS``). The result holds the best θ evaluated. Ctrl-C
    stops training with that θ (``Status.INTERRUPTED``).

    Parameters
    ----------
    network : Network
    X : ndarray of shape (m, s₁)
        The training examples.
    y : array_like of shape (m,)
        Labels 0..K−1, K the network's outputs.
    method : {"TNC", "L-BFGS-B", "CG", "BFGS", "Newton-CG", "trust-ncg", "trust-krylov"}, optional
        The SciPy method (case-insensitive); None: TNC, or L-BFGS-B for a regression network
        (``default_method``).
    lam : float or "auto", default 1
        λ ≥ 0, regularization stated per training-set size (bias weights are not regularized); "auto": set from
        the evidence (:func:`bpnn.bayes.evidence.fit_evidence` with its defaults, λ₀ = 1), the result's
        ``evidence`` holding α, β, γ and the rounds.
    stopping : Stopping, default Stopping()
        The budget (``max_iter`` bounds every method, TNC included) and the stopping rules.
    curvature : CurvatureProducts, default CurvatureProducts()
        The curvature products of Newton-CG, trust-ncg and trust-krylov.
    evaluation : tuple (X_val, y_val), optional
        Held-out data whose accuracy is recorded after each step (the history's "evaluation_accuracy"); with
        ``stopping.patience`` N, training stops after N steps without a better one and returns the
        best-scoring θ.
    sample_weight : array_like of shape (m,), optional
        Weights ≥ 0 of the examples' costs (see :func:`cost_and_grad`).
    theta0 : ndarray of shape (n_params,), optional
        θ₀, to continue a run; else ``network.init(seed, INIT)``.
    seed : int, default 0
        Seeds θ₀'s draw and every random choice of the run.
    parallel : Parallel, default Parallel()
        Where evaluations run: this process, or a Dask cluster's workers holding the rows in shards, to the
        same sums.
    progress : callable, optional
        Called after each iteration with a dict (step, unit, cost, n_evaluations, seconds, theta, and
        evaluation_accuracy with ``evaluation``); returning True stops training (``Status.CALLBACK``).
        ``bpnn.training.scipy.minimize`` documents the rest.

    Returns
    -------
    TrainResult
        θ*, its cost, the work spent, the status and the per-iteration history.

    Raises
    ------
    BpnnError
        An unknown method, options of the wrong type, data that do not fit the network.

    See Also
    --------
    train_sgd : mini-batch training.

    Examples
    --------
    >>> import bpnn
    >>> network = bpnn.Network((3, 5, 3))
    >>> _, X, Y = bpnn.debug_problem()
    >>> result = bpnn.train(network, X, Y.argmax(axis=1), lam=0.0, stopping=bpnn.Stopping(max_iter=3))
    >>> result.status, result.n_steps, result.step_unit
    (<Status.MAX_ITER: 'max_iter'>, 3, 'iterations')
    >>> bpnn.train(network, X, Y.argmax(axis=1), method="SGD")
    Traceback (most recent call last):
        ...
    bpnn.errors.BpnnError: unknown method 'SGD'; choose one of TNC, L-BFGS-B, CG, BFGS, Newton-CG, trust-ncg, trust-krylov
    """
    if isinstance(lam, str) and lam == "auto":
        from ..bayes.evidence import fit_evidence
        return fit_evidence(network, X, y, method=method, stopping=stopping, curvature=curvature,
                            evaluation=evaluation, sample_weight=sample_weight, theta0=theta0, seed=seed,
                            parallel=parallel, progress=progress)
    method = check_method(default_method(getattr(network, "task", None)) if method is None else method)
    if not (isinstance(stopping, Stopping) and isinstance(curvature, CurvatureProducts)
            and isinstance(parallel, Parallel)):
        raise BpnnError("stopping, curvature and parallel must be bpnn.Stopping, CurvatureProducts and Parallel "
                        "values")
    problem = prepare(network, X, y, lam=lam, sample_weight=sample_weight, theta0=theta0, seed=seed,
                      init=INIT, evaluation=evaluation, patience=stopping.patience)
    options = dict(FLOAT32_OPTIONS.get(method, {})) if problem.X.dtype == np.float32 else {}
    if method == "TNC" and stopping.tol:
        options["maxCGit"] = TNC_INNER_STEPS[problem.X.dtype.name]
    objective = make_objective(problem, parallel)
    sample = CurvatureSample(len(problem.X), curvature.rows, problem.rng, problem.sample_weight)
    gauss_newton = curvature.kind == "gauss-newton"

    def curvature_products(theta, v):
        return objective.hessp(theta, v, gauss_newton=gauss_newton, rows=sample.rows_at(theta))

    try:
        return minimize(objective, problem.theta0, method=method, stopping=stopping,
                        hessp=curvature_products if method in HESSP_METHODS else None,
                        evaluation=problem.evaluation, progress=progress, blas_threads=parallel.blas_threads,
                        options=options)
    finally:
        objective.close()
