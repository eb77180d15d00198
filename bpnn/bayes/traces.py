"""γ and ln|A| from the spectrum of G, the data term's Gauss–Newton matrix over the regularized weights.

With G the Gauss–Newton matrix of Σᵢ costᵢ restricted to the k regularized weights (biases excluded, see
``bpnn.bayes.evidence``), gⱼ its eigenvalues and A = βG + αI,

  γ = Σⱼ βgⱼ / (βgⱼ + α) = k − α tr A⁻¹,      ln|A| = Σⱼ ln(βgⱼ + α),

both spectral sums tr f(G). G·v is exact by the R-operator (``bpnn.model.curvature``): an objective at λ = 0
gives (1/n) G·v, so G·v = n · ``objective.hessp(θ, v)`` restricted to the weights, in process or sharded.

* exact (``exact_spectrum``): G dense, its eigen-decomposition by ``scipy.linalg.eigh``. With the rows in this
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

import numpy as np
from scipy.linalg import eigh, eigh_tridiagonal
from scipy.sparse.linalg import LinearOperator

from ..speed import limit_blas
from .predictive import JACOBIAN_BLOCK, output_jacobian

__all__ = ["WeightCurvature", "Spectrum", "exact_spectrum", "stochastic_spectrum", "LANCZOS_STEPS", "PROBES"]

LANCZOS_STEPS = 30  # Lanczos steps per probe (fewer when G has fewer dimensions)
PROBES = (8, 64)  # the probes drawn first, and the most drawn
RTOL = 0.05  # probes are added until the standard error of γ is below RTOL · γ


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
        rows = max(1, JACOBIAN_BLOCK // (self.k * network.n_classes))
        for start in range(0, objective.n_examples, rows):
            part = slice(start, start + rows)
            J, z = output_jacobian(network, self.theta, objective.X[part])
            scale = 1.0 if objective.w is None else objective.w[part, None]
            curvature = network.output_cost.curvature(z, objective.Y[part].astype(np.float64), scale, True)
            HJ = np.empty_like(J)
            for j in range(self.k):
                HJ[:, :, j] = curvature(J[:, :, j])
            G += np.tensordot(J, HJ, axes=([0, 1], [0, 1]))
        return (G + G.T) / 2


class Spectrum:
    """A quadrature of G's spectrum: for each probe, nodes and weights such that probe's estimate of tr f(G)
    is Σⱼ weightⱼ f(nodeⱼ). Exact: one 'probe', the eigenvalues with weight 1 (and the eigenvectors)."""

    def __init__(self, nodes, weights, eigenvectors=None):
        self.nodes, self.weights, self.eigenvectors = nodes, weights, eigenvectors

    @property
    def exact(self):
        return self.nodes.shape[0] == 1 and self.eigenvectors is not None

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
    """G's eigenvalues (clipped at 0 against rounding) and eigenvectors, from the dense G."""
    with limit_blas(1):  # threaded BLAS competes with the objective's spinning threads: many times slower
        eigenvalues, eigenvectors = eigh(curvature.dense(), driver="evr")
    return Spectrum(np.maximum(eigenvalues, 0.0)[None, :], np.ones((1, curvature.k)), eigenvectors)


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
    Q = np.zeros((steps, len(z)))
    diagonal, off = [], []
    q = z / np.linalg.norm(z)
    for j in range(steps):
        Q[j] = q
        w = matvec(q)
        diagonal.append(q @ w)
        for _ in range(2):  # full reorthogonalization, twice: the recurrence loses orthogonality in floats
            w -= Q[:j + 1].T @ (Q[:j + 1] @ w)
        norm = np.linalg.norm(w)
        if j == steps - 1 or norm <= 1e-12 * max(np.abs(diagonal).max(), 1e-300):
            break
        off.append(norm)
        q = w / norm
    theta, S = eigh_tridiagonal(np.array(diagonal), np.array(off))
    return theta, S[0] ** 2
