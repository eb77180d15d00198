"""λ from the evidence: MacKay's Bayesian regularization on bpnn's cost, with its exact curvature.

bpnn's cost times the training-set size n (m, or Σw with sample weights) is n·J(θ) = Σᵢ costᵢ + (λ/2)‖W‖²,
a negative log posterior with a Gaussian prior N(0, α⁻¹I) on the k regularized weights W:

  classification (sigmoid + cross-entropy, softmax + log-likelihood): Σᵢ costᵢ = −ln p(D | θ), so α = λ, β = 1;
  regression (identity outputs, costᵢ = ½‖yᵢ − f(xᵢ)‖²): E_D = Σᵢ costᵢ and p(D | θ, β) ∝ exp(−βE_D), so
  n·J ∝ βE_D + αE_W with λ = α/β, β the noise precision.

At θ*, the minimum for λ, with E_W = ½‖W‖², G the Gauss–Newton matrix of Σᵢ costᵢ over the weights and gⱼ
its eigenvalues (``bpnn.bayes.traces``), A = βG + αI and N = n·K targets (K outputs), the Laplace
approximation of the evidence and its stationary conditions in α and β (MacKay 1992) are

  ln p(D | α, β) = −βE_D − αE_W − ½ ln|A| + (k/2) ln α  [+ (N/2) ln β − (N/2) ln 2π, regression only]
  γ = Σⱼ βgⱼ / (βgⱼ + α),     α ← γ / (2E_W),     β ← (N − γ) / (2E_D),

γ the effective number of parameters. ``fit_evidence`` trains at λ₀, then in each round measures E_D, E_W
and G's spectrum at θ*, iterates the two updates at that spectrum to their fixed point (β stays 1 for
classification), and retrains from θ* at λ = α/β, until α and β change by less than ``tol`` (relative) from
one round to the next (or by less than twice the relative standard error of a stochastic γ, which is α's
noise), or ``max_rounds``. Each round records α, β, γ, ln p(D | α, β) and the λ θ* was
trained with. G's spectrum is exact (dense G, its eigenvalues) for up to ``EXACT_WEIGHTS`` weights, else
estimated by stochastic Lanczos quadrature with its standard error.

MacKay's updates ignore how θ* and so G move with α; where they move much (more weights than the data
determine well), the fixed point can lie far from the evidence's maximum. On scikit-learn's diabetes data
(331 rows, 10-20-1 tanh) the re-estimation drifted from λ = 1 to 0.5 while ln p(D | λ) fell each round, and
the maximum, near λ = 6.5, is where cross-validation puts alpha too. So regression searches instead by
default (``strategy="maximize"``): on the line α = λβ the best β has the closed form β = N / (2 (E_D + λE_W)),
and Brent's method on ln λ maximizes ln p(D | λ), one training per point, each from the nearest θ* found.
Classification keeps the fixed point, which on the digits lands on the cross-validated alpha in 7 rounds.

The biases are not in the prior (bpnn never regularizes them): they are held at their values at θ*, as
fitted hyperparameters are, so A, γ and the evidence are over the weights only, p(D | α, β, b*). (A flat
prior integrated out would add the biases' block of the data Hessian to A with no α in it, a few tens of
dimensions against the weights' thousands, and makes the evidence improper.) ``Evidence.posterior`` is the
matching Gaussian posterior over the weights (``bpnn.bayes.predictive``).
"""

import time
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.sparse.linalg import eigsh

from ..errors import BpnnError
from ..model.validate import as_generator, check_choice, check_integer, check_number
from ..training.options import Parallel
from ..training.result import Status
from ..training.setup import LAMBDA, make_objective, prepare
from .predictive import Posterior
from .traces import WeightCurvature, curvature_of_rows, eigendecomposition, exact_spectrum, stochastic_spectrum

__all__ = ["Evidence", "Measurement", "fit_evidence", "measure", "EXACT_WEIGHTS", "TOL", "MAX_ROUNDS", "STRATEGIES"]

EXACT_WEIGHTS = 2000  # G exactly (k products and an eigen-decomposition) up to this many weights
TOL = 0.01  # the relative change of α and β that ends the re-estimation
MAX_ROUNDS = 20  # the most trainings
STRATEGIES = ("fixed-point", "maximize")
POSTERIOR_RANK = 50  # eigenvectors of G kept for predictions on the stochastic path
_FIXED_POINT = (200, 1e-10)  # the most updates of α and β at one spectrum, and their relative tolerance


def _likelihood(network):
    """True for a regression network (identity + squared error), False for a classification one whose cost
    is a negative log likelihood; BpnnError for sigmoid + quadratic, which is not one."""
    if not network.output_cost.classifies:
        return True
    if network.cost == "quadratic":
        raise BpnnError("lam='auto' reads the cost as a negative log likelihood: use cross-entropy or log-likelihood "
                        "outputs for classification (sigmoid + quadratic is not a likelihood)")
    return False


@dataclass(frozen=True)
class Measurement:
    """What the evidence needs at one θ*: E_D, E_W, G's spectrum, N targets, k weights, regression or not."""

    data_error: float
    weight_error: float
    spectrum: object
    n_targets: float
    n_weights: int
    regression: bool

    def gamma(self, alpha, beta):
        """(γ, its standard error)."""
        return self.spectrum.gamma(alpha, beta)

    def log_evidence(self, alpha, beta):
        """(ln p(D | α, β), its standard error), the module docstring's formula."""
        logdet, se = self.spectrum.logdet(alpha, beta)
        value = -beta * self.data_error - alpha * self.weight_error - logdet / 2 + self.n_weights / 2 * np.log(alpha)
        if self.regression:
            value += self.n_targets / 2 * (np.log(beta) - np.log(2 * np.pi))
        return float(value), se / 2

    def reestimate(self, alpha, beta):
        """(α, β) at the fixed point of α ← γ/(2E_W), β ← (N − γ)/(2E_D) at this spectrum, from (α, β)."""
        steps, rtol = _FIXED_POINT
        for _ in range(steps):
            gamma = self.gamma(alpha, beta)[0]
            new_alpha = max(gamma / (2 * self.weight_error), np.finfo(np.float64).tiny)
            new_beta = (self.n_targets - gamma) / (2 * self.data_error) if self.regression else 1.0
            done = abs(new_alpha - alpha) <= rtol * alpha and abs(new_beta - beta) <= rtol * beta
            alpha, beta = new_alpha, new_beta
            if done:
                break
        return alpha, beta


def measure(objective, theta, *, alpha=1.0, beta=1.0, exact=None, rng=None):
    """E_D, E_W and G's spectrum at θ, from an objective at λ = 0 (``bpnn.objective.base.Objective``): exact up
    to ``EXACT_WEIGHTS`` weights (``exact=None``), else by Lanczos quadrature with probes drawn from ``rng``
    until γ at (α, β) has a standard error below 2 %."""
    network = objective.network
    regression = _likelihood(network)
    curvature = WeightCurvature(objective, theta)
    weights = theta[curvature.index]
    data_error, weight_error = objective.train_size * float(objective(theta)[0]), float(weights @ weights) / 2
    if weight_error == 0:
        raise BpnnError("every weight is 0, so the prior's precision α = γ/‖W‖² has no estimate; start from "
                        "random weights or a smaller λ")
    if regression and data_error == 0:
        raise BpnnError("the network fits the training targets exactly (E_D = 0), so the noise precision β has no "
                        "estimate; use fewer hidden units or more examples")
    exact = curvature.k <= EXACT_WEIGHTS if exact is None else exact
    spectrum = exact_spectrum(curvature) if exact else stochastic_spectrum(curvature, alpha, beta,
                                                                           as_generator(rng))
    return Measurement(data_error, weight_error, spectrum, objective.train_size * network.n_classes, curvature.k,
                       regression)


@dataclass(frozen=True)
class Evidence:
    """The outcome of the evidence re-estimation (``fit_evidence``, ``train(lam="auto")``).

    Parameters
    ----------
    alpha, beta : float
        The last estimates of the prior's precision α and the noise precision β (1 for classification).
    gamma : float
        γ, the effective number of parameters, at (α, β).
    log_evidence : float
        ln p(D | α, β) at θ*.
    lam : float
        The λ that θ* was trained with (α/β of the round before).
    converged : bool
        α and β changed by less than ``tol`` in the last round (else ``max_rounds`` or Ctrl-C ended it).
    exact : bool
        G's spectrum exact (dense), or estimated by Lanczos quadrature.
    history : list of dict
        One record per round: round, lam (trained with), alpha, beta, gamma, gamma_se, log_evidence,
        log_evidence_se, data_error (E_D), weight_error (E_W), n_probes (0 when exact), n_steps (training
        steps of the round), seconds.
    source : optional
        What ``posterior`` is made from (G's exact spectrum, or the training rows): set by ``fit_evidence``.

    Attributes
    ----------
    posterior : Posterior
        The Gaussian posterior over the weights at θ*, for error bars and moderated outputs, computed when first
        asked for, over the training rows in this process (every eigenvector of the dense G on the exact path,
        the ``POSTERIOR_RANK`` largest by ``eigsh`` on the stochastic one): a fit that needs no error bars does
        not pay for them.

    Raises
    ------
    AttributeError
        On assignment: the outcome is frozen.

    Examples
    --------
    >>> import numpy as np, bpnn
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(-2, 2, (60, 1))
    >>> y = np.sin(2 * X[:, 0]) + 0.1 * rng.normal(size=60)
    >>> network = bpnn.Network((1, 8, 1), activation="tanh", cost="quadratic", output="identity")
    >>> evidence = bpnn.train(network, X, y, lam="auto").evidence
    >>> evidence.exact, evidence.converged, bool(0.05 < evidence.beta ** -0.5 < 0.2)  # the noise's std, 0.1
    (True, True, True)
    >>> sorted(evidence.history[-1])[:5]
    ['alpha', 'beta', 'data_error', 'gamma', 'gamma_se']
    """

    alpha: float
    beta: float
    gamma: float
    log_evidence: float
    lam: float
    converged: bool
    exact: bool
    history: list
    source: object = field(default=None, repr=False, compare=False)  # what ``posterior`` is computed from

    @cached_property
    def posterior(self):
        return None if self.source is None else self.source.posterior()


def fit_evidence(network, X, y, *, lam=LAMBDA, strategy=None, tol=TOL, max_rounds=MAX_ROUNDS, exact=None,
                 report=None, sample_weight=None, theta0=None, seed=0, parallel=Parallel(), **options):
    """Train ``network`` with λ set from the evidence: train, re-estimate α (and β), retrain from θ*, until α
    settles (``bpnn.bayes.evidence`` has the equations).

    Parameters
    ----------
    network : Network
        Cross-entropy or log-likelihood outputs (classification), or identity + quadratic (regression).
    X, y
        As for :func:`train`.
    lam : float, default 1
        λ₀ > 0, the λ of the first training.
    strategy : {"fixed-point", "maximize"}, optional
        "fixed-point": MacKay's re-estimation; "maximize": Brent's search on ln λ for the largest
        ln p(D | λ) (β at its best on the line α = λβ). None: "fixed-point" for classification, "maximize"
        for regression (the module docstring says why).
    tol : float, default 0.01
        "fixed-point": stop once α and β changed by less than this fraction in a round (or, on the stochastic
        path, by less than twice γ's relative standard error, if larger); "maximize": λ's relative tolerance.
    max_rounds : int, default 20
        The most trainings.
    exact : bool, optional
        G's spectrum from the dense G (True) or by stochastic Lanczos quadrature (False); None: exact up to
        ``EXACT_WEIGHTS`` (2000) weights.
    report : callable, optional
        Called with each round's record (``Evidence.history``) as it is made.
    sample_weight, theta0, seed, parallel
        As for :func:`train`; G·v products run where the objective does (in process or on the Dask cluster).
    **options
        The other keywords of :func:`train` (method, stopping, curvature, evaluation, progress), for each
        training.

    Returns
    -------
    TrainResult
        The last training's θ*, with the rounds' steps, evaluations, seconds and histories chained, and
        ``evidence`` the ``Evidence``.

    Raises
    ------
    BpnnError
        A network whose cost is not a likelihood (sigmoid + quadratic), all weights 0, a regression fitted
        exactly, or anything :func:`train` refuses.

    Examples
    --------
    >>> import numpy as np, bpnn
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 2))
    >>> y = (X[:, 0] * X[:, 1] > 0).astype(int)
    >>> result = bpnn.fit_evidence(bpnn.Network((2, 4, 2), activation="tanh"), X, y, lam=1.0)
    >>> evidence = result.evidence
    >>> bool(0 < evidence.gamma < 16), evidence.lam == evidence.history[-1]["lam"], evidence.beta
    (True, True, 1.0)
    """
    from ..training.scipy import INIT, train

    check_number("lam", lam, 0, low_open=True)
    check_number("tol", tol, 0, low_open=True)
    check_integer("max_rounds", max_rounds, 1)
    rng = as_generator(seed)
    problem = prepare(network, X, y, lam=0.0, sample_weight=sample_weight, theta0=theta0, seed=rng, init=INIT,
                      evaluation=None, patience=None)
    regression = _likelihood(network)
    strategy = check_choice("strategy", strategy or ("maximize" if regression else "fixed-point"), STRATEGIES)
    objective = make_objective(problem, parallel)
    run = _Rounds(network, X, y, objective, exact, rng, report, train,
                  dict(sample_weight=sample_weight, seed=rng, parallel=parallel, **options))
    start = time.perf_counter()
    try:
        settled = (_fixed_point if strategy == "fixed-point" else _maximize)(run, float(lam), problem.theta0, tol,
                                                                            max_rounds)
    except KeyboardInterrupt:
        settled = False
        run.results[-1] = replace(run.results[-1], status=Status.INTERRUPTED,
                                  stop_reason="interrupted during the re-estimation of α")
    finally:
        objective.close()
    if run.best is None:
        return _chain(run.results, run.results[-1], None, time.perf_counter() - start)
    result, record, measurement = run.best
    source = _PosteriorSource(network, result.theta, record["alpha"], record["beta"], measurement.spectrum.exact,
                              (problem.X, problem.Y, problem.sample_weight))
    evidence = Evidence(alpha=record["alpha"], beta=record["beta"], gamma=record["gamma"],
                        log_evidence=record["log_evidence"], lam=record["lam"], converged=bool(settled),
                        exact=measurement.spectrum.exact, history=run.history, source=source)
    return _chain(run.results, result, evidence, time.perf_counter() - start)


class _Rounds:
    """The trainings of one ``fit_evidence`` and their records: ``train_at(λ, θ₀)`` trains and measures,
    ``add`` records a round and keeps the one chosen as ``best``: (its result, record, measurement)."""

    def __init__(self, network, X, y, objective, exact, rng, report, train, options):
        self.network, self.X, self.y, self.objective, self.exact, self.rng = network, X, y, objective, exact, rng
        self.report, self._train, self.options = report, train, options
        self.results, self.history, self.best = [], [], None

    def train_at(self, lam, theta0, alpha=None, beta=None):
        """(the result, its measurement) of training at λ from θ₀; None for the measurement when Ctrl-C
        ended the training. The probes are drawn for γ at (α, β) (default λ, 1)."""
        self._start = time.perf_counter()
        result = self._train(self.network, self.X, self.y, lam=lam, theta0=theta0, **self.options)
        self.results.append(result)
        if result.interrupted or not result.trained:
            return result, None
        return result, measure(self.objective, result.theta, alpha=alpha or lam, beta=beta or 1.0, exact=self.exact,
                               rng=self.rng)

    def add(self, lam, alpha, beta, measurement, result, chosen):
        """Record the round (trained at λ, α and β estimated); ``chosen``: its θ* is the one returned."""
        record = _record(len(self.history), lam, alpha, beta, measurement, result, time.perf_counter() - self._start)
        self.history.append(record)
        if chosen:
            self.best = (result, record, measurement)
        if self.report is not None:
            self.report(record)
        return record


def _fixed_point(run, lam, theta, tol, max_rounds):
    """MacKay's re-estimation: train at λ, α and β to their fixed point at θ*'s spectrum, retrain from θ* at
    α/β, until they change by less than ``tol``; True if they settled."""
    alpha, beta = lam, None
    for round_ in range(max_rounds):
        result, measurement = run.train_at(lam, theta, alpha, beta)
        if measurement is None:
            return False
        theta = result.theta
        if beta is None:  # the first round: β from the squared error alone, α = λ₀β
            beta = measurement.n_targets / (2 * measurement.data_error) if measurement.regression else 1.0
            alpha = lam * beta
        new_alpha, new_beta = measurement.reestimate(alpha, beta)
        gamma, gamma_se = measurement.gamma(new_alpha, new_beta)
        within = max(tol, 2 * gamma_se / gamma) if gamma else tol  # α ∝ γ: a stochastic γ's noise is α's
        settled = ((round_ > 0 or not measurement.regression) and abs(new_alpha - alpha) <= within * alpha
                   and abs(new_beta - beta) <= within * beta)
        alpha, beta = new_alpha, new_beta
        run.add(lam, alpha, beta, measurement, result, chosen=True)
        if settled:
            return True
        lam = alpha / beta
    return False


_SHIFT = 100.0  # Brent's tolerance is relative to |x|: on x = ln λ + 100 it is about absolute in ln λ


class _Ended(Exception):
    """Raised inside the search when a training was interrupted or ``max_rounds`` trainings are done."""


def _maximize(run, lam, theta, tol, max_rounds):
    """The λ of the largest ln p(D | λ) = max over β of ln p(D | α = λβ, β) at θ*(λ), by Brent's method on
    ln λ from the bracket (ln λ₀, ln λ₀ + 1), each training from the θ* of the nearest λ tried; True if the
    search reached ``tol`` (relative, in λ) within ``max_rounds`` trainings."""
    thetas = {}

    def minus_log_evidence(shifted):
        log_lam = shifted - _SHIFT
        if len(run.history) == max_rounds:
            raise _Ended
        nearest = min(thetas, key=lambda tried: abs(tried - log_lam), default=None)
        lam = float(np.exp(log_lam))
        result, measurement = run.train_at(lam, theta if nearest is None else thetas[nearest])
        if measurement is None:
            raise _Ended
        thetas[log_lam] = result.theta
        # on the line α = λβ, ∂/∂β ln p = 0 gives β = N / (2 (E_D + λ E_W)); classification: β = 1
        beta = (measurement.n_targets / (2 * (measurement.data_error + lam * measurement.weight_error))
                if measurement.regression else 1.0)
        log_evidence = measurement.log_evidence(lam * beta, beta)[0]
        best = run.best is None or log_evidence > run.best[1]["log_evidence"]
        return -run.add(lam, lam * beta, beta, measurement, result, chosen=best)["log_evidence"]

    try:
        start = np.log(lam) + _SHIFT
        minimize_scalar(minus_log_evidence, bracket=(start, start + 1.0), method="brent",
                        options={"xtol": tol / _SHIFT})
    except _Ended:
        return False
    return True


def _record(round_, lam, alpha, beta, measurement, result, seconds):
    gamma, gamma_se = measurement.gamma(alpha, beta)
    log_evidence, log_evidence_se = measurement.log_evidence(alpha, beta)
    return {"round": round_ + 1, "lam": lam, "alpha": alpha, "beta": beta, "gamma": gamma, "gamma_se": gamma_se,
            "log_evidence": log_evidence, "log_evidence_se": log_evidence_se,
            "data_error": measurement.data_error, "weight_error": measurement.weight_error,
            "n_probes": measurement.spectrum.n_probes, "n_steps": result.n_steps, "seconds": seconds}


@dataclass(frozen=True)
class _PosteriorSource:
    """What the posterior at θ* is made from: the training rows (X, Y, sample_weight), over which G's
    eigenvectors are found, every one on the exact path (the dense G) or the ``POSTERIOR_RANK`` largest
    (``eigsh``)."""

    network: object
    theta: np.ndarray
    alpha: float
    beta: float
    exact: bool
    rows: tuple

    def posterior(self):
        network, theta, alpha, beta = self.network, self.theta, self.alpha, self.beta
        with curvature_of_rows(network, theta, self.rows) as curvature:
            if self.exact:
                return Posterior(network, theta, alpha, beta, *eigendecomposition(curvature), complete=True)
            values, vectors = eigsh(curvature.operator(), k=min(POSTERIOR_RANK, curvature.k - 1), which="LA")
        return Posterior(network, theta, alpha, beta, np.maximum(values, 0.0), vectors, complete=False,
                         rows=self.rows)


def _chain(results, final, evidence, seconds):
    """One ``TrainResult`` for the rounds: the ``final`` round's θ*, status and cost; the steps, evaluations
    and histories of every round one after another."""
    history, steps, evaluations, elapsed = {}, 0, 0, 0.0
    for result in results:
        offsets = {"step": steps, "n_evaluations": evaluations, "seconds": elapsed}
        for key, values in result.history.items():
            offset = offsets.get(key)
            history.setdefault(key, []).extend(values if offset is None else [value + offset for value in values])
        steps, evaluations = steps + result.n_steps, evaluations + result.n_evaluations
        elapsed += result.seconds
    if results[-1].interrupted:
        final = replace(final, status=results[-1].status, stop_reason=results[-1].stop_reason)
    return replace(final, n_steps=steps, n_evaluations=evaluations, seconds=seconds, history=history,
                   evidence=evidence)
