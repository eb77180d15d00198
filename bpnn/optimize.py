"""Training: ``scipy.optimize.minimize`` over the flat θ, with budgets, best-θ, history and Ctrl-C.

Every SciPy method here consumes the same ``objective(θ) -> (J, ∇J)``. ``minimize`` wraps it so that

* ``maxiter`` really bounds the work for every method. SciPy's TNC ignores ``maxiter`` (it only knows
  ``maxfun``, a bound on evaluations, and merely warns about unknown options). Here an *iteration* is one
  call of the method's per-iteration callback (TNC: one truncated-Newton step; L-BFGS-B, BFGS, CG: one
  line search), and the first evaluation asked for after ``maxiter`` iterations stops the run;
  ``maxfun``, when given, bounds evaluations the same way;
* the result is the **best θ evaluated**, not the last one (TNC can end on a worse point);
* a history records, per iteration, the lowest cost so far, the evaluations and the seconds spent;
* Ctrl-C (KeyboardInterrupt) ends training cleanly with the best θ so far, so the caller still writes
  its outputs;
* with float32 data, TNC's finite differences of the gradient (its Hessian-vector products) use a
  relative step for float32 (``FLOAT32_OPTIONS``): its default, √(float64 ε) ≈ 1.5e-8, is far below the
  float32 gradient's rounding, and on the embedded digits TNC then used up 3000 evaluations without
  converging (J = 0.425), while with ``accuracy=1e-5`` it converges in about 1050 (J = 0.3974, float64:
  0.3977 after 2077), at the same held-out accuracy;
* the method's own linear algebra runs with the number of BLAS threads that suits it (``BLAS_THREADS``),
  while ``cost_and_grad`` keeps the thread budget the process had before (row blocks for big batches,
  else BLAS at that many threads for its products). Measured on this project's 2-core machine,
  400-25-10, ms per evaluation (best of 3): L-BFGS-B and CG do small vector operations between
  evaluations, which OpenBLAS spreads over threads whose workers then keep spinning and take a core
  from the next evaluation; held at one thread, L-BFGS-B goes from 9.4 to 6.4–6.8 ms (m = 4000) and CG
  from 10.6–11.3 to 6.1–6.3 ms. TNC does no linear algebra of its own and is left alone (at one thread
  it was 6.1 against 5.2–5.8 ms), and BFGS's n × n updates gain from threads (460 ms against 845 ms an
  evaluation with 2065 weights).
"""

import time
from dataclasses import dataclass, field

import numpy as np
import scipy.optimize

from .errors import BpnnError
from .functions import get_activation, get_output_cost
from .limits import check_fits
from .network import check_data, check_lambda, cost_and_grad, one_hot
from .params import init_weights, is_integer
from .threads import get_num_threads, limit_blas, using_threads

__all__ = ["METHODS", "BLAS_THREADS", "FLOAT32_OPTIONS", "TrainResult", "check_activations_fit", "check_hidden",
           "minimize", "train"]

METHODS = ("TNC", "L-BFGS-B", "CG", "BFGS")
BLAS_THREADS = {"L-BFGS-B": 1, "CG": 1}  # per method; a method not listed keeps BLAS as it is
FLOAT32_OPTIONS = {"TNC": {"accuracy": 1e-5}}  # SciPy options per method when the data are float32
_UNBOUNDED = 2**31 - 1  # for SciPy's own evaluation caps, so that only maxiter/maxfun bound the run


@dataclass
class TrainResult:
    """What training produced: θ*, its cost, the work spent and the per-iteration history."""

    theta: np.ndarray
    cost: float
    method: str
    n_iterations: int
    n_evaluations: int
    seconds: float
    stop_reason: str
    interrupted: bool = False
    history: dict = field(default_factory=dict)  # lists per iteration (SciPy) or per epoch (SGD)
    layer_sizes: list = None


class _BudgetReached(Exception):
    pass


class _Tracker:
    """Counts evaluations and iterations, keeps the best θ, enforces the budget, reports progress."""

    def __init__(self, objective, theta0, maxiter, maxfun, progress):
        self.objective, self.maxiter, self.maxfun, self.progress = objective, maxiter, maxfun, progress
        self.best_theta, self.best_cost = np.array(theta0, dtype=np.float64), np.inf
        self.n_evaluations = self.n_iterations = 0
        self.stop_requested = False
        self.history = {"iteration": [], "cost": [], "n_evaluations": [], "seconds": []}
        self.start = time.perf_counter()

    def evaluate(self, theta):
        if self.stop_requested:
            raise _BudgetReached(f"stopped by the progress callback after {self.n_iterations} iterations")
        if self.n_iterations >= self.maxiter:
            raise _BudgetReached(f"maxiter reached ({self.maxiter} iterations)")
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
        record = {
            "iteration": self.n_iterations,
            "cost": float(self.best_cost),
            "n_evaluations": self.n_evaluations,
            "seconds": time.perf_counter() - self.start,
        }
        for key, value in record.items():
            self.history[key].append(value)
        if self.progress is not None and self.progress({**record, "theta": self.best_theta}):
            self.stop_requested = True


def check_hidden(hidden_layer_sizes):
    """The hidden layer sizes as a tuple of positive ints (BpnnError for 2.5, 0, −3, "ten", …)."""
    sizes = tuple(np.atleast_1d(np.asarray(hidden_layer_sizes, dtype=object)).tolist())
    if not all((is_integer(h) or (isinstance(h, float) and h.is_integer())) and h >= 1 for h in sizes):
        raise BpnnError(f"hidden layer sizes must be positive integers, got {list(sizes)!r}")
    return tuple(int(h) for h in sizes)


def check_method(method):
    """The canonical spelling of a supported SciPy method (case-insensitive), or BpnnError."""
    for name in METHODS:
        if str(method).upper() == name:
            return name
    raise BpnnError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")


def minimize(objective, theta0, method="TNC", maxiter=400, maxfun=None, progress=None, blas_threads="auto",
             options=None):
    """Minimize ``objective(θ) -> (J, ∇J)`` from θ₀ with a SciPy method; return a ``TrainResult``.

    ``maxiter`` bounds iterations and ``maxfun`` (optional) evaluations, for every method. ``progress``,
    if given, is called after each iteration with a dict: iteration, cost (lowest so far),
    n_evaluations, seconds, and theta (the best θ so far, a live array: copy it to keep it); if it returns
    True, training stops before the next evaluation (early stopping on any criterion). ``blas_threads``:
    BLAS threads for the method's own work, "auto" (its entry in ``BLAS_THREADS``), None (leave BLAS
    alone) or a number; evaluations keep the thread budget BLAS had before (see ``bpnn.threads``).
    ``options``: further SciPy options for the method (e.g. TNC's ``accuracy``); the budgets are
    ``maxiter`` and ``maxfun`` above.
    """
    method = check_method(method)
    if not is_integer(maxiter) or maxiter < 0 or (maxfun is not None and (not is_integer(maxfun) or maxfun < 1)):
        raise BpnnError(f"maxiter must be an integer ≥ 0 and maxfun ≥ 1, got maxiter={maxiter!r}, maxfun={maxfun!r}")
    if blas_threads not in ("auto", None) and (not is_integer(blas_threads) or blas_threads < 1):
        raise BpnnError(f"BLAS threads must be a positive integer, got {blas_threads!r}")
    options = dict(options or {})
    if {"maxiter", "maxfun"} & options.keys():
        raise BpnnError("give the budgets as minimize's maxiter= and maxfun=, not in options")
    tracker = _Tracker(objective, theta0, int(maxiter), maxfun, progress)
    if method in ("TNC", "L-BFGS-B"):
        options["maxfun"] = _UNBOUNDED
    if method != "TNC":
        options["maxiter"] = _UNBOUNDED
    interrupted = False
    if blas_threads == "auto":
        blas_threads = BLAS_THREADS.get(method)
    try:
        with using_threads(get_num_threads()), limit_blas(blas_threads):
            result = scipy.optimize.minimize(
                tracker.evaluate,
                np.array(theta0, dtype=np.float64),
                jac=True,
                method=method,
                callback=tracker.end_iteration,
                options=options,
            )
        stop_reason = str(result.message)
    except _BudgetReached as reached:
        stop_reason = str(reached)
    except KeyboardInterrupt:
        stop_reason, interrupted = "interrupted (Ctrl-C)", True
    if tracker.n_evaluations == 0:  # stopped before the first evaluation: θ₀ is all there is
        if interrupted:
            stop_reason, tracker.best_cost = "interrupted (Ctrl-C) before any evaluation", float("nan")
        else:
            tracker.best_cost = float(objective(tracker.best_theta)[0])
    return TrainResult(
        theta=tracker.best_theta,
        cost=float(tracker.best_cost),
        method=method,
        n_iterations=tracker.n_iterations,
        n_evaluations=tracker.n_evaluations,
        seconds=time.perf_counter() - tracker.start,
        stop_reason=stop_reason,
        interrupted=interrupted,
        history=tracker.history,
    )


def check_activations_fit(X, sizes):
    """BpnnError unless θ and one evaluation's activations and deltas (about two numbers per unit and row)
    fit in memory: said before anything is allocated."""
    check_fits(f"training the network {list(sizes)} on {X.shape[0]} examples",
               8 * (sum(s * (r + 1) for r, s in zip(sizes[:-1], sizes[1:])) * 3)
               + 2 * X.itemsize * X.shape[0] * sum(sizes[1:]))


def train(X, y, hidden_layer_sizes=(25,), lam=1.0, method="TNC", maxiter=400, maxfun=None,
          n_classes=None, rng=0, progress=None, init="uniform", blas_threads="auto", **network):
    """Train a network [n, *hidden_layer_sizes, K] on (X, y) with regularization λ = ``lam``.

    X (m × n) and y (labels 0..K−1) are validated once here; K is ``n_classes`` or max(y) + 1. θ₀ comes
    from ``init_weights(sizes, rng, init)``; ``network`` holds ``cost_and_grad``'s options (activation,
    output, cost). With float32 X the method gets its ``FLOAT32_OPTIONS``. Returns the ``TrainResult``
    with ``layer_sizes`` set.
    """
    method, hidden, lam = check_method(method), check_hidden(hidden_layer_sizes), check_lambda(lam)
    get_activation(network.get("activation", "sigmoid"))
    get_output_cost(network.get("cost", "cross-entropy"), network.get("output"))
    X, y = check_data(X, y, n_classes=n_classes)
    n_classes = int(n_classes) if n_classes is not None else int(y.max()) + 1
    sizes = [X.shape[1], *hidden, n_classes]
    check_activations_fit(X, sizes)
    Y = one_hot(y, n_classes, X.dtype)
    theta0 = init_weights(sizes, rng, init)
    options = FLOAT32_OPTIONS.get(method) if X.dtype == np.float32 else None
    result = minimize(lambda theta: cost_and_grad(theta, sizes, X, Y, lam, **network), theta0, method, maxiter,
                      maxfun, progress, blas_threads, options)
    result.layer_sizes = sizes
    return result
