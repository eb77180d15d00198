"""γ and ln|A| from the spectrum of G, the data term's Gauss–Newton matrix over the regularized weights.

With G the Gauss–Newton matrix of Σᵢ costᵢ restricted to the k regularized weights (biases excluded, see
``bpnn.bayes.evidence``), gⱼ its eigenvalues and A = βG + αI,

  γ = Σⱼ βgⱼ / (βgⱼ + α) = k − α tr A⁻¹,      ln|A| = Σⱼ ln(βgⱼ + α),

both spectral sums tr f(G). G·v is exact by the R-operator (``bpnn.model.curvature``): an objective at λ = 0
gives (1/n) G·v, so G·v = n · ``objective.hessp(θ, v)`` restricted to the weights, in process or sharded.

* exact (``exact_spectrum``): G dense, its eigenvalues by ``scipy.linalg.eigh``. With the rows in this
  process, G = Σᵢ wᵢ Jᵢᵀ H_C,ᵢ Jᵢ from each row's output Jacobian Jᵢ = ∂z⁽ᴸ⁾/∂w (``output_jacobian``) and the
  output cost's Hessian H_C (the units table's ``curvature``), one matrix product per block of rows; on a
  cluster, from k products G·eⱼ;
* stochastic (``stochastic_spectrum``), stochastic Lanczos quadrature (Ubaru, Chen & Saad 2017): for p
  Rademacher probes z (‖z‖² = k), s Lanczos steps on G from z/‖z‖ give the tridiagonal T = S diag(θ) Sᵀ, and

    zᵀ f(G) z ≈ k Σⱼ τⱼ² f(θⱼ),   τⱼ = S₀ⱼ (the first components),      tr f(G) ≈ (1/p) Σ_probes zᵀ f(G) z,

  with standard error the probes' standard deviation / √p. Probes are added until the standard error of γ is
  below ``rtol`` · γ. The nodes θ and weights τ² do not depend on α and β, so one set of probes gives γ and
  ln|A| at every (α, β) of the re-estimation. (``scipy.sparse.linalg.eigsh`` gives Ritz pairs but not the
  quadrature weights of a given starting vector, so the Lanczos recurrence is written out here, with full
  reorthogonalization.)
"""

from contextlib import contextmanager

import numpy as np
from scipy.linalg import eigh, eigh_tridiagonal
from scipy.sparse.linalg import LinearOperator

from ..objective.local import LocalObjective
from ..speed import limit_blas
from .jacobian import jacobian_blocks

__all__ = ["WeightCurvature", "Spectrum", "Lanczos", "exact_spectrum", "eigendecomposition", "curvature_of_rows",
           "stochastic_spectrum", "lanczos", "LANCZOS_STEPS", "PROBES"]

LANCZOS_STEPS = 30  # Lanczos steps per probe (fewer when G has fewer dimensions)
PROBES = (8, 64)  # the probes drawn first, and the most drawn
RTOL = 0.05  # probes are added until the standard error of γ is below RTOL · γ
INVARIANT = 1e-12  # β_k ≤ this·‖H‖: the Krylov space is invariant, the Ritz values are eigenvalues


class WeightCurvature:
    """G·v over the regularized weights, from an objective at λ = 0 (``bpnn.objective.base.Objective``) at θ:
    G·x = n · [objective.hessp(θ, v)]_W with v zero at the biases and x at the weights."""

    def __init__(self, objective, theta):
        self.objective, self.theta = objective, theta
        self.index = np.flatnonzero(objective.network.weight_mask)
        self.k, self.n = len(self.index), objective.train_size

    def __call__(self, x):
        v = np.zeros(self.objective.network.n_params)
        v[self.index] = x
        return self.n * self.objective.hessp(self.theta, v, gauss_newton=True)[self.index]

    def operator(self):
        """G as a ``scipy.sparse.linalg.LinearOperator`` (k × k)."""
        return LinearOperator((self.k, self.k), matvec=self, dtype=np.float64)

    def dense(self):
        """G as a k × k matrix (symmetrized against rounding): from the rows' output Jacobians when the
        objective holds its rows in this process, else from k products."""
        objective = self.objective
        if not hasattr(objective, "X"):
            G = np.column_stack([self(e) for e in np.eye(self.k)])
            return (G + G.T) / 2
        network, G = objective.network, np.zeros((self.k, self.k))
        for part, J, z in jacobian_blocks(network, self.theta, objective.X):
            scale = 1.0 if objective.w is None else objective.w[part, None]
            curvature = network.output_cost.curvature(z, objective.Y[part].astype(np.float64), scale, True)
            HJ = np.empty_like(J)
            for j in range(self.k):
                HJ[:, :, j] = curvature(J[:, :, j])
            G += np.tensordot(J, HJ, axes=([0, 1], [0, 1]))
        return (G + G.T) / 2


class Spectrum:
    """A quadrature of G's spectrum: for each probe, nodes and weights such that probe's estimate of tr f(G)
    is Σⱼ weightⱼ f(nodeⱼ). Exact: one 'probe', the eigenvalues with weight 1."""

    def __init__(self, nodes, weights, exact=False):
        self.nodes, self.weights, self.exact = nodes, weights, exact

    @property
    def n_probes(self):
        return 0 if self.exact else self.nodes.shape[0]

    def trace(self, f):
        """(tr f(G), its standard error): the probes' mean and standard deviation / √p (0 when exact)."""
        per_probe = np.sum(self.weights * f(self.nodes), axis=1)
        p = len(per_probe)
        return float(per_probe.mean()), float(per_probe.std(ddof=1) / np.sqrt(p)) if p > 1 else 0.0

    def gamma(self, alpha, beta):
        """(γ, its standard error) = tr βG (βG + αI)⁻¹."""
        return self.trace(lambda g: beta * g / (beta * g + alpha))

    def logdet(self, alpha, beta):
        """(ln|βG + αI|, its standard error)."""
        return self.trace(lambda g: np.log(beta * g + alpha))


def exact_spectrum(curvature):
    """G's eigenvalues (clipped at 0 against rounding), from the dense G."""
    return Spectrum(eigendecomposition(curvature, vectors=False)[0][None, :], np.ones((1, curvature.k)), exact=True)


def eigendecomposition(curvature, vectors=True):
    """(G's eigenvalues clipped at 0, its eigenvectors or None), from the dense G. The evidence's rounds take
    the values only, a third of the time; the posterior asks for the vectors once."""
    with limit_blas(1):  # threaded BLAS competes with the objective's spinning threads: many times slower
        found = eigh(curvature.dense(), eigvals_only=not vectors, driver="evr")
    values, eigenvectors = found if vectors else (found, None)
    return np.maximum(values, 0.0), eigenvectors


@contextmanager
def curvature_of_rows(network, theta, rows):
    """The ``WeightCurvature`` at θ of the rows (X, Y, sample_weight) held in this process, its objective (at
    λ = 0) closed on leaving."""
    X, Y, sample_weight = rows
    objective = LocalObjective(network, X, Y, 0.0, sample_weight=sample_weight)
    try:
        yield WeightCurvature(objective, theta)
    finally:
        objective.close()


def stochastic_spectrum(curvature, alpha, beta, rng, *, steps=LANCZOS_STEPS, probes=PROBES, rtol=RTOL):
    """Lanczos quadrature of G from Rademacher probes (the module docstring): ``probes[0]`` first, then as many
    again until the standard error of γ at (α, β) is below ``rtol`` · γ or ``probes[1]`` are drawn."""
    steps = min(steps, curvature.k)
    nodes, weights = [], []
    while True:
        for _ in range(probes[0] if not nodes else len(nodes)):
            if len(nodes) == probes[1]:
                break
            z = rng.choice((-1.0, 1.0), size=curvature.k)
            theta, tau2 = lanczos(curvature, z, steps)
            nodes.append(np.pad(theta, (0, steps - len(theta))))  # short runs (an invariant subspace): weight 0
            weights.append(curvature.k * np.pad(tau2, (0, steps - len(tau2))))
        spectrum = Spectrum(np.maximum(np.array(nodes), 0.0), np.array(weights))
        gamma, se = spectrum.gamma(alpha, beta)
        if se <= rtol * gamma or len(nodes) == probes[1]:
            return spectrum


def lanczos(matvec, z, steps):
    """The Ritz values θ of ``steps`` Lanczos steps on a symmetric operator from z, and the squared first
    components τ² of the tridiagonal matrix's eigenvectors (Σ τ² = 1); stops early on an invariant subspace."""
    run = Lanczos(matvec, z, steps)
    while run.k < steps and not run.done:
        run.step()
    return run.values, run.first ** 2


class Lanczos:
    """The Lanczos run on ``times`` (v ↦ H·v) from ``start``, at most ``steps`` products, with full
    reorthogonalization: ``step()`` takes one and updates the Ritz values, their eigenvectors' first components
    sᵢ[0] (the quadrature weights sᵢ[0]² of ``start``) and their signed residuals β_k sᵢ[k]; ``done`` once both
    extreme residuals are ≤ tol·‖H‖ or the Krylov space is invariant (``exact``). The certificate
    (``bpnn.bayes.certificate``) and the quadrature here share it."""

    def __init__(self, times, start, steps, tol=0.0):
        self.times, self.tol = times, tol
        self.Q = np.empty((min(steps, start.size), start.size))  # q₁ … q_k, one per row
        self.q = start / np.linalg.norm(start)
        self.alpha, self.beta = [], []
        self.values = self.first = self.last = np.full(1, np.nan)  # NaN before the first product
        self.done = self.exact = False

    @property
    def k(self):
        """The products taken."""
        return len(self.alpha)

    @property
    def ends(self):
        """((θ₁, r₁), (θ_k, r_k)): the extreme Ritz values and their residuals."""
        return tuple((float(self.values[end]), float(abs(self.last[end]))) for end in (0, -1))

    def step(self):
        k = self.k
        self.Q[k] = self.q
        w = self.times(self.q)
        self.alpha.append(float(self.q @ w))
        Q = self.Q[:k + 1]
        for _ in range(2):  # twice is enough (Kahan–Parlett): w ⟂ q₁ … q_k to rounding
            w -= Q.T @ (Q @ w)
        beta = float(np.linalg.norm(w))
        self.values, vectors = eigh_tridiagonal(np.array(self.alpha), np.array(self.beta))
        self.first, self.last = vectors[0], beta * vectors[-1]
        scale = max(abs(self.values[0]), abs(self.values[-1]))  # ‖H‖ as far as found
        self.exact = beta <= INVARIANT * scale or k + 1 == w.size
        self.done = self.exact or max(abs(self.last[0]), abs(self.last[-1])) <= self.tol * scale
        if not self.exact:
            self.beta.append(beta)
            self.q = w / beta
