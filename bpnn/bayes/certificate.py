"""A certificate of convergence: is θ a local minimum of J, a saddle, or on flat ground, and is it converged?

At θ the quadratic model of the regularized cost is J(θ + s) ≈ J + gᵀs + ½ sᵀHs, with g = ∇J and H the exact
Hessian (H·v by the R-operator, ``bpnn.model.curvature``). θ is a local minimum where g = 0 and every
eigenvalue of H is positive, a saddle where one is negative (along its eigenvector J falls), on flat ground
where the smallest is 0. From one gradient and products H·v, in one or two Lanczos runs of at most
``max_products`` each, the certificate finds

  Lanczos    from a unit q₁:  β_k q_{k+1} = H q_k − α_k q_k − β_{k−1} q_{k−1},  α_k = q_kᵀ H q_k,
             each new q orthogonalized again against all before it (the k vectors of n numbers are kept), so
             that T_k = tridiag(β, α, β) = Q_kᵀ H Q_k. Its eigenvalues θ₁ ≤ … ≤ θ_k (the Ritz values) are the
             extremes of the Rayleigh quotient sᵀHs / sᵀs over the Krylov space of q₁: θ₁ ≥ λ_min and
             θ_k ≤ λ_max always, converging to them first. The residual of a Ritz pair (θᵢ, yᵢ = Q_k sᵢ),
             rᵢ = ‖H yᵢ − θᵢ yᵢ‖ = |β_k sᵢ[k]|, is the distance within which H has an eigenvalue.
  extremes   a first run from a random q₁ (seeded) finds λ_min and λ_max; τ = tol·‖H‖, ‖H‖ = max(|λ_min|, |λ_max|):
             a curvature below τ counts as zero.
  the fall   what the quadratic model still lets J fall, every curvature below τ counted as τ. One number bounds
             it, Δ₀ = ‖g‖² / (2 max(λ_min, τ)): loose where g lies along stiff directions, and no bound at all
             where λ_min ≤ τ although g has no share along the flat directions (a converged θ with a dead unit or
             a constant feature). Where Δ₀ > ftol·|J|, a second run starts at q₁ = g/‖g‖. In its Krylov space
             g = ‖g‖ Q_k e₁, so yᵢᵀg = ‖g‖ sᵢ[0]; the Newton step within it, s = Σ_{θᵢ>τ} yᵢ yᵢᵀg / θᵢ (conjugate
             gradients' iterate, the flat Ritz directions left out), leaves g − Hs = Σ_{θᵢ≤τ} yᵢ yᵢᵀg − ρ q_{k+1}
             with ρ = ‖g‖ Σ_{θᵢ>τ} β_k sᵢ[k] sᵢ[0] / θᵢ, and
               Δ_k = ½ ‖g‖² Σᵢ sᵢ[0]² / max(θᵢ, τ),     Δ = Δ_k + ρ² / (2 max(λ_min, τ)).
             For a positive definite H, CG's identity gᵀH⁻¹g = gᵀs + rᵀH⁻¹r (r = g − Hs, orthogonal to the space)
             gives Δ_k ≤ ½ gᵀH⁻¹g ≤ Δ, both equal to it once the space is invariant. g's share along the flat
             Ritz directions counts ‖g_flat‖² / (2τ): all of g along them gives Δ₀ again, none costs nothing. The
             run stops when Δ ≤ ftol·|J| or Δ_k > ftol·|J| decides, when its space is invariant, or after
             ``max_products`` more products; its Ritz values count for the extremes too.
  verdict    with Δ the smaller of Δ₀ and the second run's:
               "not converged"  Δ > ftol·|J|: more training could still lower J by more than the fraction ftol
               "saddle"         λ_min < −τ: a direction of descent (its Rayleigh quotient is negative: certain,
                                whatever the accuracy reached) at a θ the gradient no longer moves
               "minimum"        λ_min − r_min > τ: the smallest curvature found is positive, clear of its residual
               "flat"           otherwise: the smallest curvature is zero within τ or within the accuracy reached
             and "interrupted" when Ctrl-C stopped the certificate (the values are those reached so far; a
             λ_min < −τ among them still proves that θ is no minimum: ``Certificate.negative_curvature``).

"not converged" comes before "saddle": a saddle is a point where the gradient vanishes, and where the gradient
still lets J fall by more than ftol·|J| (along a direction of negative curvature counted as τ, so any share of g
there does) θ is on a slope that training goes on down, whatever the curvature; "saddle" then tells what a
negative λ_min alone does not, that training stopped where only the negative direction leads on. The digits
network's default stop below has λ_min < 0 and a large gradient: "not converged".

The first run stops when both extreme residuals are ≤ τ, when the Krylov space is invariant (β_k ≈ 0: the Ritz
values are eigenvalues of H, as on a network of fewer weights than ``max_products``), or after
``max_products`` products. One run gives both ends: scipy's ``eigsh`` needs one run per end, and for the small
end, where a trained network's eigenvalues crowd near zero, thousands of products (docs/howto/certify.md has
the numbers). A Ritz value proves what it shows at the negative end (a saddle); a positive λ_min is Lanczos's
estimate from a random start, whose chance of missing a lower eigenvalue shrinks with every product. The second
run's start is no substitute: a direction that g has no share in (a symmetric saddle, a dead unit) is outside
its Krylov space.

The tolerances. ``tol`` = 1e-6 with float64 data: the products are exact to rounding (a Hessian built from them
is symmetric to 1e-16 of its largest entry), and the reorthogonalized Lanczos keeps the Ritz values to about
that; a curvature a millionth of the largest is far above rounding, and along it a step that the stiffest
direction allows lowers J a millionth as much: flat. Float32 data round the products to about 1e-7, so there
``tol`` is 1e-4. ``ftol`` = 1e-5: a fall of a hundred-thousandth of J changes no prediction, and the digits
network trained by TNC to its own convergence test meets it (Δ₀ = 4.3e-6 J on 500 rows, 4.8e-6 J on 1,437,
trained on from the default stop; no second run), while its default stop (``Stopping``'s tol = 0.01) does not
(Δ = 13 J and 5 J, decided by the second run's first product; λ_min < 0 there too).

Measured where Δ₀ failed at a converged θ (tests/test_certificate.py, against ½ gᵀH⁺g of a dense Hessian by
central differences): a (4, 5, 3) tanh network with a saturated unit at TNC's θ, ‖g‖ = 1.1e-5: Δ₀ = 5.9e-5 >
ftol·J = 3.8e-6, Δ = 3.6e-6 (dense 1.2e-9) after 42 products in all; linear regression with a zero feature run
to L-BFGS-B's end, ‖g‖ = 1.8e-6: Δ₀ = 1.2e-6 > ftol·J = 4.2e-8, Δ = 2.5e-9 after 2 more products; a (3, 4, 3)
network at TNC's θ with a saturated sigmoid unit, g's share along its flat bias 4e-12: Δ₀ = 6.7e-5 > 7.8e-6,
Δ = 4.8e-6 (dense 1.1e-8) after 6 more products. The second run stops as soon as Δ decides, so Δ is a bound
close to ftol·|J| there, not the decrement itself. Over 72 small networks trained to their methods' ends (3-3-3
and 3-5-3, sigmoid and tanh, λ = 0, 0.01, 0.3, TNC and L-BFGS-B, three seeds), "not converged" agreed with the
dense rule ½ Σ (vᵢᵀg)² / max(λᵢ, τ) > ftol·|J| in all 72 (Δ₀ alone: in 53), in at most 54 products.
"""

import time
from dataclasses import asdict, dataclass

import numpy as np

from ..errors import BpnnError
from ..model.network import Network
from ..model.validate import as_generator, check_integer, check_number, check_vector
from ..speed import limit_blas
from ..training.options import Parallel
from ..training.scipy import INIT
from ..training.setup import LAMBDA, make_objective, prepare
from .traces import Lanczos

__all__ = ["Certificate", "certify", "certify_objective", "VERDICTS", "TOL", "FTOL", "MAX_PRODUCTS"]

VERDICTS = ("minimum", "saddle", "flat", "not converged", "interrupted")
TOL = {"float64": 1e-6, "float32": 1e-4}  # a curvature below tol·‖H‖ counts as zero, by the products' dtype
FTOL = 1e-5  # "not converged" when the quadratic model lets J fall by more than ftol·|J|
MAX_PRODUCTS = 250  # H·v products per Lanczos run: the digits network's λ_min needs about 210 (docs/howto/certify.md)


@dataclass(frozen=True)
class Certificate:
    """What the Hessian's extreme eigenvalues and the gradient say about θ: a local minimum, a saddle, flat
    directions, or not converged (``bpnn.bayes.certificate`` gives the rules and tolerances).

    Made by :func:`certify`, not by hand.

    Parameters
    ----------
    verdict : {"minimum", "saddle", "flat", "not converged", "interrupted"}
    lambda_min, lambda_max : float
        The smallest and largest eigenvalues of the Hessian of J found (Lanczos's extreme Ritz values).
    residual_min, residual_max : float
        Their residuals ‖H y − λ y‖: H has an eigenvalue within each of them.
    gradient_norm : float
        ‖∇J(θ)‖.
    gradient_ratio : float or None
        ‖∇J(θ)‖ / ‖∇J(θ₀)‖ when θ₀ was given.
    cost : float
        J(θ).
    decrease_bound : float
        Δ, the most the quadratic model still lets J fall (curvatures below ``tol·‖H‖``,
        ``‖H‖ = max(|λ_min|, |λ_max|)``, counted as ``tol·‖H‖``): ``‖∇J‖² / (2 max(λ_min, tol·‖H‖))``, or where
        that exceeds ``ftol·|J|`` the smaller bound of the Lanczos run from ∇J; NaN when interrupted.
    n_products : int
        Hessian-vector products used, in both Lanczos runs (and one gradient).
    converged : bool
        Both extreme residuals fell to ``tol·‖H‖``, or the first Krylov space became invariant (exact
        eigenvalues).
    tol, ftol : float
        The tolerances the verdict used.
    seconds : float
        Wall time.

    Attributes
    ----------
    interrupted : bool
        Ctrl-C stopped the certificate: its values are those reached (NaN before the first product).
    negative_curvature : bool
        λ_min < −tol·‖H‖: θ is no minimum, certain also when interrupted.

    Raises
    ------
    AttributeError
        On assignment: a certificate is frozen.

    Examples
    --------
    >>> import bpnn
    >>> network = bpnn.Network((3, 5, 3))
    >>> _, X, Y = bpnn.debug_problem()
    >>> certificate = bpnn.certify(network, network.init(seed=0), X, Y.argmax(axis=1), lam=1.0)
    >>> certificate.verdict, certificate.interrupted
    ('not converged', False)
    """

    verdict: str
    lambda_min: float
    lambda_max: float
    residual_min: float
    residual_max: float
    gradient_norm: float
    gradient_ratio: float
    cost: float
    decrease_bound: float
    n_products: int
    converged: bool
    tol: float
    ftol: float
    seconds: float

    @property
    def interrupted(self):
        """Whether Ctrl-C stopped the certificate."""
        return self.verdict == "interrupted"

    def as_dict(self):
        """The fields as a dict of plain Python values (for JSON: NaN as None)."""
        return {key: None if isinstance(value, float) and not np.isfinite(value) else value
                for key, value in asdict(self).items()}

    @property
    def negative_curvature(self):
        """Whether λ_min < −tol·‖H‖: a direction along which J curves down, so θ is no minimum (certain: a Ritz
        value is a Rayleigh quotient), also in an interrupted certificate."""
        return bool(self.lambda_min < -_zero(self.tol, self.lambda_min, self.lambda_max))

    def __str__(self):
        found = ", but negative curvature was found: no minimum" if self.interrupted and self.negative_curvature else ""
        hessian = "no H·v product reached" if self.n_products == 0 else (
            f"λ_min {self.lambda_min:.4g} ± {self.residual_min:.2g}, λ_max {self.lambda_max:.4g} ± "
            f"{self.residual_max:.2g}, from {self.n_products} H·v products in {self.seconds:.1f} s"
            + ("" if self.converged else ", not resolved to tol"))
        ratio = "" if self.gradient_ratio is None else f" ({self.gradient_ratio:.3g} of θ₀'s)"
        gradient = "not reached" if np.isnan(self.gradient_norm) else (
            f"‖∇J‖ {self.gradient_norm:.3g}{ratio} at J {self.cost:.6g}{self._fall()}")
        return (f"Certificate: {self.verdict}{found} (tol {self.tol:g}, ftol {self.ftol:g})\n"
                f"  Hessian: {hessian}\n  gradient: {gradient}")

    def _fall(self):
        """What the quadratic model says of J's remaining fall, against ftol·|J| (nothing when interrupted)."""
        threshold = f"ftol·J {self.ftol * abs(self.cost):.2g}"
        if np.isnan(self.decrease_bound):
            return ""
        if np.isinf(self.decrease_bound):
            return f"; no positive curvature bounds the quadratic model's fall ({threshold})"
        flat = self.lambda_min <= _zero(self.tol, self.lambda_min, self.lambda_max)
        return (f"; the quadratic model lets J fall by at most {self.decrease_bound:.2g} ({threshold}"
                + ("; curvatures below tol·‖H‖ counted as tol·‖H‖)" if flat else ")"))


def _zero(tol, lowest, highest):
    """τ = tol·‖H‖, ‖H‖ = max(|λ_min|, |λ_max|): the curvature that counts as zero."""
    return tol * max(abs(lowest), abs(highest))


def _run_fall(run, norm, zero, lowest):
    """(Δ_k, Δ) of the module docstring for a Lanczos ``run`` started at g/‖g‖, ``norm`` = ‖g‖: the quadratic
    model's fall within the Krylov space, and that plus the most the residual outside it allows."""
    curvature = np.maximum(run.values, zero)
    within = float(np.sum(_fall(norm**2 * run.first**2, curvature)))
    stiff = run.values > zero
    outside = norm * abs(float(np.sum(run.last[stiff] * run.first[stiff] / run.values[stiff])))
    return within, within + float(_fall(outside**2, max(lowest, zero)))


def _fall(square, curvature):
    """square / (2 curvature): the most J falls along a direction of this curvature where ∇J's squared length along
    it is ``square``; 0 where that is 0, inf where the curvature is not positive."""
    square, curvature = np.broadcast_arrays(np.asarray(square, dtype=float), np.asarray(curvature, dtype=float))
    positive = curvature > 0
    return np.where(square == 0, 0.0, np.where(positive, square / (2 * np.where(positive, curvature, 1.0)), np.inf))


def _extremes(runs):
    """(λ_min, λ_max, residual_min, residual_max): the first run's extreme Ritz values, each replaced by the second
    run's where that lies beyond it by more than the first's residual (every Ritz value is a Rayleigh quotient:
    the first run had missed an eigenvalue there); an invariant first run's are H's eigenvalues."""
    (low, high), later = runs[0].ends, [run.ends for run in runs[1:] if run.k and not runs[0].exact]
    for other_low, other_high in later:
        low = other_low if other_low[0] < low[0] - low[1] else low
        high = other_high if other_high[0] > high[0] + high[1] else high
    return low[0], high[0], low[1], high[1]


def _verdict(lambda_min, lambda_max, residual_min, decrease, cost, tol, ftol):
    """The verdict by the module docstring's rules."""
    zero = _zero(tol, lambda_min, lambda_max)
    if decrease > ftol * abs(cost):
        return "not converged"
    if lambda_min < -zero:
        return "saddle"
    return "minimum" if lambda_min - residual_min > zero else "flat"


def certify_objective(objective, theta, *, theta0=None, tol=TOL["float64"], ftol=FTOL, max_products=MAX_PRODUCTS,
                      seed=0):
    """The :class:`Certificate` of θ on an objective (``bpnn.objective.base.Objective``: in this process or
    sharded on Dask): one gradient, then Lanczos on its exact products H·v from a random start, and from ∇J when
    the first bound on J's fall does not decide. Ctrl-C ends it with the verdict "interrupted" and the values
    reached. :func:`certify` documents the parameters."""
    start = time.perf_counter()
    n = objective.network.n_params
    theta = check_vector(theta, n, "theta")
    theta0 = None if theta0 is None else check_vector(theta0, n, "theta0")
    tol, ftol = check_number("tol", tol, 0.0), check_number("ftol", ftol, 0.0)
    check_integer("max_products", max_products, 1)

    def times(v):
        return objective.hessp(theta, v, gauss_newton=False)

    runs = [Lanczos(times, as_generator(seed).standard_normal(n), max_products, tol)]
    cost, gradient_norm, gradient_ratio, decrease = np.nan, np.nan, None, np.nan
    try:
        cost, gradient = objective(theta)
        gradient_norm = float(np.linalg.norm(gradient))
        if theta0 is not None:
            norm0 = float(np.linalg.norm(objective(theta0)[1]))
            gradient_ratio = gradient_norm / norm0 if norm0 else np.inf
        while runs[0].k < max_products and not runs[0].done:
            runs[0].step()
        lowest, highest = _extremes(runs)[:2]
        limit = ftol * abs(cost)
        bound = float(_fall(gradient_norm**2, max(lowest, _zero(tol, lowest, highest))))
        if bound > limit:  # undecided by one number: the run from ∇J (≠ 0 here) bounds the fall along it
            runs[0].Q = None  # the first run's vectors are done with: its n × k numbers go before the second's come
            runs.append(Lanczos(times, gradient, max_products, tol))
            while runs[1].k < max_products and not runs[1].exact:
                runs[1].step()
                lowest, highest = _extremes(runs)[:2]
                within, rest = _run_fall(runs[1], gradient_norm, _zero(tol, lowest, highest), lowest)
                if rest <= limit or within > limit:
                    break
            bound = min(bound, rest)
        decrease = bound
        verdict = _verdict(*_extremes(runs)[:3], decrease, cost, tol, ftol)
    except KeyboardInterrupt:
        verdict, decrease = "interrupted", np.nan
    lambda_min, lambda_max, residual_min, residual_max = _extremes(runs)
    zero = _zero(tol, lambda_min, lambda_max)
    return Certificate(verdict=verdict, lambda_min=lambda_min, lambda_max=lambda_max, residual_min=residual_min,
                       residual_max=residual_max, gradient_norm=gradient_norm, gradient_ratio=gradient_ratio,
                       cost=float(cost), decrease_bound=float(decrease), n_products=sum(run.k for run in runs),
                       converged=bool(runs[0].exact or max(residual_min, residual_max) <= zero), tol=tol, ftol=ftol,
                       seconds=time.perf_counter() - start)


def certify(network, theta, X, y, *, lam=LAMBDA, sample_weight=None, theta0=None, tol=None, ftol=FTOL,
            max_products=MAX_PRODUCTS, seed=0, parallel=Parallel()):
    """Certify θ: the Hessian's extreme eigenvalues, the gradient norm and a verdict, "minimum", "saddle",
    "flat" or "not converged".

    The regularized cost J is ``train``'s on the same (X, y, λ, weights); its exact Hessian enters only through
    products H·v (the R-operator), by Lanczos from a random start and, where one number does not bound J's
    remaining fall, from ∇J (``bpnn.bayes.certificate`` gives the rules). Ctrl-C ends it with the verdict "interrupted".

    Parameters
    ----------
    network : Network
    theta : ndarray of shape (n_params,)
        The θ to certify, e.g. ``train``'s ``result.theta``.
    X : ndarray of shape (m, s₁)
        The training examples.
    y : array_like of shape (m,) or (m, s_L)
        Labels 0..K−1, a multilabel network's m × K indicator matrix of 0 and 1, or a regression network's real
        targets.
    lam : float, default 1
        λ, as in :func:`train`.
    sample_weight : array_like of shape (m,), optional
        The examples' weights, as in :func:`train`.
    theta0 : ndarray of shape (n_params,), optional
        The start of training: the certificate then reports ‖∇J(θ)‖ / ‖∇J(θ₀)‖ too.
    tol : float, optional
        A curvature below ``tol·‖H‖``, ``‖H‖ = max(|λ_min|, |λ_max|)``, counts as zero; default 1e-6, or 1e-4 with
        float32 data.
    ftol : float, default 1e-5
        "not converged" when the quadratic model lets J fall by more than ``ftol·|J|``.
    max_products : int, default 250
        The most Hessian-vector products of each Lanczos run: the one for the extremes, and the one from ∇J
        where the first bound on J's fall does not decide.
    seed : int, default 0
        Seeds Lanczos's start vector.
    parallel : Parallel, default Parallel()
        Where the products run: this process, or a Dask cluster's workers holding the rows; its ``blas_threads``
        hold BLAS for the Lanczos runs' own work ("auto": BLAS as it is), the products in this process use every
        thread BLAS had, as training's evaluations do.

    Returns
    -------
    Certificate

    Raises
    ------
    BpnnError
        A θ that is not ``network.n_params`` finite numbers, data that do not fit the network, tolerances out of
        range.

    Examples
    --------
    A tanh network at θ = 0 but for the output biases, set to the classes' log-odds: ∇J = 0, yet a saddle.

    >>> import numpy as np, bpnn
    >>> network = bpnn.Network((3, 5, 3), activation="tanh")
    >>> _, X, Y = bpnn.debug_problem()
    >>> y, share = Y.argmax(axis=1), Y.mean(axis=0)
    >>> theta = np.zeros(network.n_params)
    >>> network.unpack(theta)[-1][:, 0] = np.log(share / (1 - share))
    >>> certificate = bpnn.certify(network, theta, X, y, lam=0.0)
    >>> certificate.verdict, bool(certificate.lambda_min < 0), bool(certificate.gradient_norm < 1e-12)
    ('saddle', True, True)
    >>> bpnn.certify(network, theta[:-1], X, y)
    Traceback (most recent call last):
        ...
    bpnn.errors.BpnnError: theta has shape (37,); it must be a vector of 38 numbers, shaped like θ
    """
    if not (isinstance(network, Network) and isinstance(parallel, Parallel)):
        raise BpnnError(f"certify takes a bpnn.Network and a bpnn.Parallel value, got {type(network).__name__} and "
                        f"{type(parallel).__name__}")
    theta = check_vector(theta, network.n_params, "theta")
    problem = prepare(network, X, y, lam=lam, sample_weight=sample_weight, theta0=theta, seed=seed, init=INIT,
                      evaluation=None, patience=None)
    objective = make_objective(problem, parallel)  # its row blocks take their threads now, as in training
    try:
        with limit_blas(None if parallel.blas_threads == "auto" else parallel.blas_threads):
            return certify_objective(objective, theta, theta0=theta0,
                                     tol=TOL[problem.X.dtype.name] if tol is None else tol, ftol=ftol,
                                     max_products=max_products, seed=seed)
    finally:
        objective.close()
