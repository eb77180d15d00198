"""Training with ``scipy.optimize.minimize`` over the flat θ, with budgets, best θ, history and Ctrl-C.

Every SciPy method here consumes the same ``objective(θ) -> (J, ∇J)``. ``minimize`` wraps it so that

* ``max_iter`` really bounds the work for every method. SciPy's TNC ignores ``maxiter`` (it only knows
  ``maxfun``, a bound on evaluations). Here an *iteration* is one call of the method's per-iteration
  callback (TNC: one truncated-Newton step; L-BFGS-B, BFGS, CG: one line search), and the first evaluation
  asked for after ``max_iter`` iterations stops the run; ``maxfun``, when given, bounds evaluations the
  same way;
* the result is the **best θ evaluated**, not the last one (TNC can end on a worse point); with early
  stopping (``validate`` and ``patience``), the θ that scored best on the held-back data;
* a history records, per iteration, the lowest cost so far, the evaluations and the seconds spent, and
  the progress callback sees the same record (returning True stops the run);
* Ctrl-C (KeyboardInterrupt) ends training cleanly with the best θ so far;
* under the stopping rule (``tol`` > 0), TNC's truncated-Newton inner solve is capped at
  ``TNC_INNER_STEPS`` conjugate-gradient steps (SciPy's ``maxCGit``; its default allows up to 50), each of
  which costs one gradient. The rule ends the run long before the inner solves' extra precision pays:
  on the embedded digits the default fit needs 390 evaluations instead of 628 (0.73 s instead of 1.16 s) at
  the same held-out accuracy. With float32 data the cap is 5: the inner steps' curvature products are
  differences of float32 gradients, too noisy for long solves to pay (Fashion-MNIST, 784-100-10, to 0.88
  held-out: 55–58 s at 5 against 63–64 s at 10, while float64 needs the 10: 92 s against 108 s at 5).
  With ``tol=0`` TNC runs as SciPy sets it, to its own convergence test;
* with float32 data, TNC's finite differences of the gradient (its Hessian-vector products) use a
  relative step suited to float32 (``FLOAT32_OPTIONS``): SciPy's default suits float64 gradients only,
  and TNC then fails to converge on float32 data;
* the method's own linear algebra runs with the number of BLAS threads that suits it (``BLAS_THREADS``),
  while ``cost_and_grad`` keeps the thread budget the process had before. L-BFGS-B, CG and the methods
  using curvature products do vector operations of their own between evaluations and products, which
  OpenBLAS spreads over threads whose workers then keep spinning and take a core from the next
  evaluation's row blocks, so they are held at one thread; TNC does no linear algebra of its own, and
  BFGS's n × n updates gain from threads (the README has the measurements).
"""

import time

import numpy as np

from ..checks import check_data
from ..errors import BpnnError, ClusterLostError
from ..network import Network, predict
from ..params import is_integer
from ..threads import get_num_threads, limit_blas, using_threads
from .curvature import CURVATURE_ROWS, CurvatureSample
from .result import TrainResult
from .setup import LAMBDA, check_patience, make_objective, prepare
from .stopping import N_ITER_NO_CHANGE, BestScore, stalled

__all__ = ["METHODS", "HESSP_METHODS", "MAX_ITER", "BLAS_THREADS", "FLOAT32_OPTIONS", "TNC_INNER_STEPS", "check_method",
           "minimize", "train"]

METHODS = ("TNC", "L-BFGS-B", "CG", "BFGS", "Newton-CG", "trust-ncg", "trust-krylov")  # the first is the default
HESSP_METHODS = ("Newton-CG", "trust-ncg", "trust-krylov")  # given exact curvature products (bpnn.hessian)
MAX_ITER = 400
TOL = 1e-2  # the default stopping rule (see minimize): 1 % over N_ITER_NO_CHANGE = 10 iterations
BLAS_THREADS = {"L-BFGS-B": 1, "CG": 1, "Newton-CG": 1, "trust-ncg": 1, "trust-krylov": 1}  # not listed: as it is
FLOAT32_OPTIONS = {"TNC": {"accuracy": 1e-5}}  # SciPy options per method when the data are float32
TNC_INNER_STEPS = {"float64": 10, "float32": 5}  # TNC's maxCGit under the stopping rule (tol > 0), per dtype
_UNBOUNDED = 2**31 - 1  # for SciPy's own evaluation caps, so that only max_iter/maxfun bound the run


class _BudgetReached(Exception):
    pass


class _Tracker:
    """Counts evaluations and iterations, keeps the best θ, enforces the budget and the stopping rules,
    scores the held-back data, reports progress."""

    def __init__(self, objective, theta0, max_iter, maxfun, progress, tol, n_iter_no_change, validate=None,
                 patience=None):
        self.objective, self.max_iter, self.maxfun, self.progress = objective, max_iter, maxfun, progress
        self.tol, self.n_iter_no_change = tol, n_iter_no_change
        self.best_theta, self.best_cost = np.array(theta0, dtype=np.float64), np.inf
        self.n_evaluations = self.n_iterations = 0
        self.stop_requested = None
        self.history = {"step": [], "cost": [], "n_evaluations": [], "seconds": []}
        self.validate, self.scores = validate, BestScore(patience)
        if validate is not None:
            self.history["evaluation_accuracy"] = self.scores.scores
        self.start = time.perf_counter()

    def evaluate(self, theta):
        if self.stop_requested:
            raise _BudgetReached(self.stop_requested)
        if self.n_iterations >= self.max_iter:
            raise _BudgetReached(f"max_iter reached ({self.max_iter} iterations)")
        if self.maxfun is not None and self.n_evaluations >= self.maxfun:
            raise _BudgetReached(f"maxfun reached ({self.maxfun} evaluations)")
        J, grad = self.objective(theta)
        self.n_evaluations += 1
        if J < self.best_cost:
            self.best_cost = J
            self.best_theta[:] = theta
        return J, grad

    def end_iteration(self, xk):
        self.n_iterations += 1
        record = {"step": self.n_iterations, "cost": float(self.best_cost), "n_evaluations": self.n_evaluations,
                  "seconds": time.perf_counter() - self.start}
        for key, value in record.items():
            self.history[key].append(value)
        if self.validate is not None:
            self.scores.add(self.best_theta, self.validate(self.best_theta))
            record["evaluation_accuracy"] = self.scores.scores[-1]
        if self.progress is not None and self.progress({**record, "unit": "iterations", "theta": self.best_theta}):
            self.stop_requested = f"stopped by the progress callback after {self.n_iterations} iterations"
        elif self.scores.exhausted:
            self.stop_requested = (f"early stop: no better held-out accuracy for {self.scores.patience} "
                                   "iterations")
        elif self.tol and stalled(self.history["cost"], self.tol, self.n_iter_no_change):
            self.stop_requested = (f"tol: the cost fell by less than tol = {self.tol:g} of itself over the last "
                                   f"{self.n_iter_no_change} iterations")

    def result(self):
        """(θ*, its cost): the best-scoring θ under early stopping, with the cost it had when scored (the lowest
        then), else the lowest-cost θ evaluated. No evaluation: the objective may be gone (a lost cluster)."""
        if self.scores.patience is None or self.scores.best_theta is None:
            return self.best_theta, self.best_cost
        return self.scores.best_theta, self.history["cost"][self.scores.scores.index(self.scores.best_score)]


def check_method(method):
    """The canonical spelling of a supported SciPy method (case-insensitive), or BpnnError."""
    for name in METHODS:
        if str(method).upper() == name.upper():
            return name
    raise BpnnError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")


def minimize(objective, theta0, *, method=METHODS[0], max_iter=MAX_ITER, maxfun=None, tol=TOL,
             n_iter_no_change=N_ITER_NO_CHANGE, hessp=None, validate=None, patience=None, progress=None,
             blas_threads="auto", options=None, network=None):
    """Minimize ``objective(θ) -> (J, ∇J)`` from θ₀ with a SciPy method; return a ``TrainResult`` (whose
    ``network`` is the one given, if any).

    ``max_iter`` bounds iterations and ``maxfun`` (optional) evaluations, for every method. ``tol`` and
    ``n_iter_no_change`` are the stopping rule (``_Tracker._stalled``: the run ends once the last
    ``n_iter_no_change`` iterations together lowered the cost by less than a fraction ``tol`` of it;
    ``tol=0`` leaves only the method's own convergence test and the budgets). ``validate(θ)``, if given,
    scores the lowest-cost θ after each iteration on held-back data (higher is better; the history's
    "evaluation_accuracy"); with ``patience`` N as well, training stops once N iterations in a row brought
    no better score, and the best-scoring θ is the result (early stopping). ``progress``,
    if given, is called after each iteration with a dict: step, unit ("iterations"), cost (lowest so far),
    n_evaluations, seconds, evaluation_accuracy (with ``validate``) and theta (the best θ so far, a live
    array: copy it to keep it); if it returns True, training stops before the next evaluation. ``blas_threads``: BLAS threads for the method's own
    work, "auto" (its entry in ``BLAS_THREADS``), None (leave BLAS alone) or a number; evaluations keep the
    thread budget BLAS had before (see ``bpnn.threads``). ``options``: further SciPy options for the method
    (e.g. TNC's ``accuracy``); the budgets are ``max_iter`` and ``maxfun``. ``hessp(θ, v)``: curvature
    products for the methods in ``HESSP_METHODS`` (required there, refused elsewhere).
    """
    import scipy.optimize  # here, not at import: it takes most of a second, and the commands read --help first

    method = check_method(method)
    if not is_integer(max_iter) or max_iter < 0 or (maxfun is not None and (not is_integer(maxfun) or maxfun < 1)):
        raise BpnnError(f"max_iter must be an integer ≥ 0 and maxfun ≥ 1, got max_iter={max_iter!r}, maxfun={maxfun!r}")
    if blas_threads not in ("auto", None) and (not is_integer(blas_threads) or blas_threads < 1):
        raise BpnnError(f"BLAS threads must be a positive integer, got {blas_threads!r}")
    if (hessp is None) == (method in HESSP_METHODS):
        raise BpnnError(f"{method} {'needs' if hessp is None else 'takes no'} Hessian-vector products (hessp=); "
                        f"the methods that use them are {', '.join(HESSP_METHODS)}")
    options = dict(options or {})
    if {"maxiter", "maxfun"} & options.keys():
        raise BpnnError("give the budgets as minimize's max_iter= and maxfun=, not in options")
    if not (np.isfinite(tol) and tol >= 0) or not is_integer(n_iter_no_change) or n_iter_no_change < 1:
        raise BpnnError(f"tol must be a finite number ≥ 0 and n_iter_no_change an integer ≥ 1, got tol={tol!r}, "
                        f"n_iter_no_change={n_iter_no_change!r}")
    if patience is not None and validate is None:
        raise BpnnError("early stopping (patience) needs held-back data to score (validate)")
    tracker = _Tracker(objective, theta0, int(max_iter), maxfun, progress, float(tol), n_iter_no_change, validate,
                       check_patience(patience))
    if method in ("TNC", "L-BFGS-B"):
        options["maxfun"] = _UNBOUNDED
    if method != "TNC":
        options["maxiter"] = _UNBOUNDED
    interrupted = False
    if blas_threads == "auto":
        blas_threads = BLAS_THREADS.get(method)
    try:
        with using_threads(get_num_threads()), limit_blas(blas_threads):
            result = scipy.optimize.minimize(tracker.evaluate, np.array(theta0, dtype=np.float64), jac=True,
                                             hessp=hessp, method=method, callback=tracker.end_iteration,
                                             options=options)
        stop_reason = str(result.message)
    except _BudgetReached as reached:
        stop_reason = str(reached)
    except KeyboardInterrupt:
        stop_reason, interrupted = "interrupted (Ctrl-C)", True
    except ClusterLostError as lost:  # the cluster evaluating a ShardedObjective is gone: stop as on Ctrl-C
        stop_reason, interrupted = f"interrupted ({lost})", True
    theta, final_cost = tracker.result()
    if tracker.n_evaluations == 0:  # stopped before the first evaluation: θ₀ is all there is
        if interrupted:
            stop_reason, final_cost = f"{stop_reason} before any evaluation", float("nan")
        else:
            final_cost = float(objective(theta)[0])
    return TrainResult(network=network, theta=theta, final_cost=float(final_cost),
                       method=method, n_steps=tracker.n_iterations, step_unit="iterations",
                       n_evaluations=tracker.n_evaluations, seconds=time.perf_counter() - tracker.start,
                       stop_reason=stop_reason, interrupted=interrupted, history=tracker.history)


def train(X, y, *, hidden=(25,), activation=Network.activation, cost=Network.cost, output=None, lam=LAMBDA,
          method=METHODS[0], max_iter=MAX_ITER, maxfun=None, tol=TOL, n_iter_no_change=N_ITER_NO_CHANGE,
          curvature="gauss-newton", curvature_rows=CURVATURE_ROWS, evaluation=None, early_stop=None,
          sample_weight=None, theta0=None, init="uniform", seed=0, n_classes=None, client=None, n_shards=None,
          progress=None, blas_threads="auto"):
    """Train a network [n, *hidden, K] on (X, y) with a SciPy method and regularization λ = ``lam``.

    X (m × n) and y (labels 0..K−1) are validated once; K is ``n_classes`` or max(y) + 1. θ₀ is ``theta0``
    (to continue a run) or comes from ``Network.init(seed, init)``. ``sample_weight``: m weights ≥ 0 in the
    cost (see ``bpnn.network``). ``evaluation``: held-back (X_val, y_val) whose accuracy is recorded after
    each iteration; with ``early_stop`` N, training stops after N iterations without a better one and
    returns the best-scoring θ. With float32 X the method gets its ``FLOAT32_OPTIONS``, and TNC under the
    stopping rule (``tol`` > 0) at most ``TNC_INNER_STEPS[dtype]`` inner steps per iteration. The methods in
    ``HESSP_METHODS`` get exact curvature products from ``bpnn.hessian.hessp``: the Gauss–Newton product
    (``curvature="gauss-newton"``, positive semi-definite) or the Hessian's (``"exact"``), each over a sample
    of ``curvature_rows`` training rows drawn anew at every θ (None: every row; ``bpnn.training.curvature``),
    while J and ∇J use every row. The other options are those of ``minimize`` and ``Network``. ``client``, a
    ``dask.distributed.Client``, evaluates J, ∇J and the curvature products on the data cut into ``n_shards``
    shards held by its workers (``bpnn.sharded``), to the same sums. Returns a ``TrainResult``.
    """
    method = check_method(method)
    problem = prepare(X, y, hidden=hidden, activation=activation, cost=cost, output=output, lam=lam, init=init,
                      seed=seed, n_classes=n_classes, sample_weight=sample_weight, theta0=theta0)
    network, X, w = problem.network, problem.X, problem.sample_weight
    options = dict(FLOAT32_OPTIONS.get(method, {})) if X.dtype == np.float32 else {}
    if method == "TNC" and tol:
        options["maxCGit"] = TNC_INNER_STEPS[X.dtype.name]
    if curvature not in ("gauss-newton", "exact"):
        raise BpnnError(f"curvature must be 'gauss-newton' or 'exact', got {curvature!r}")
    if evaluation is not None:
        X_val, y_val = check_data(*evaluation, n_features=X.shape[1], n_classes=network.n_classes)

        def validate(theta):
            return float(np.mean(predict(network, theta, X_val) == y_val))
    elif early_stop is not None:
        raise BpnnError("early stopping needs evaluation data")
    else:
        validate = None

    gauss_newton = curvature == "gauss-newton"
    sample = CurvatureSample(len(X), curvature_rows, problem.rng, w)
    with make_objective(problem, client, n_shards) as objective:
        def curvature_products(theta, v):
            return objective.hessp(theta, v, gauss_newton=gauss_newton, rows=sample.rows_at(theta))

        return minimize(objective, problem.theta0,
                        method=method, max_iter=max_iter, maxfun=maxfun, tol=tol, n_iter_no_change=n_iter_no_change,
                        hessp=curvature_products if method in HESSP_METHODS else None, validate=validate,
                        patience=early_stop, progress=progress, blas_threads=blas_threads, options=options,
                        network=network)
