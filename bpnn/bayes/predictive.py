"""The linearized Laplace posterior at θ*: predictive variance and moderated outputs.

Around θ*, the output pre-activations are linear in the weights, z(x; θ) ≈ z(x; θ*) + Jₓ (w − w*), and the
posterior over the k regularized weights is Gaussian with precision A = βG + αI (``bpnn.bayes.evidence``; the
biases are held at θ*). So each output's pre-activation has variance s²ₖ(x) = gₖᵀ A⁻¹ gₖ, gₖ = ∂zₖ/∂w at x:

  regression       y | x ~ N(z(x; θ*), 1/β + s²(x)),          ``Posterior.predictive_std``;
  classification   MacKay's moderated outputs, the probit approximation of ∫ σ(z) N(z; μ, s²) dz:
                   σ(κ(s²) μ), κ(s²) = (1 + π s²/8)^(−1/2) (``Posterior.moderated``; softmax outputs take
                   softmax(κ ⊙ μ), unit by unit, with s² the variance of zₖ − mean_j z_j, which softmax
                   depends on).

With G = V diag(g) Vᵀ, A⁻¹ = V diag(1/(βg + α)) Vᵀ: exact from every eigenvector (the exact path), or, from the
r largest (``scipy.sparse.linalg.eigsh``), with the rest of the space at G's eigenvalue 0,

  gᵀA⁻¹g ≈ Σⱼ (vⱼᵀg)² / (βgⱼ + α) + (‖g‖² − Σⱼ (vⱼᵀg)²) / α,

an upper bound (the directions left out are at least as curved as 0). For a few points the stochastic path
can solve A x = g exactly instead (``exact=True``): conjugate gradients on G·v products over the training rows,
preconditioned by that low-rank A⁻¹, which is exact on the r eigenvectors and puts the preconditioned matrix's
other eigenvalues in [1, (βg_{r+1} + α)/α]. The Jacobian rows gₖ come from ``bpnn.bayes.jacobian``.
"""

from dataclasses import dataclass
from functools import partial

import numpy as np
from scipy.sparse.linalg import LinearOperator, cg

from ..errors import BpnnError
from ..model.network import forward
from .jacobian import jacobian_blocks
from .traces import curvature_of_rows

__all__ = ["Posterior", "probit_scale", "CG_RTOL"]

CG_RTOL = 1e-10  # the exact solves' relative residual


def probit_scale(variance):
    """κ(s²) = (1 + π s²/8)^(−1/2), MacKay's moderation of a pre-activation with variance s²."""
    return 1.0 / np.sqrt(1.0 + np.pi * variance / 8.0)


@dataclass(frozen=True)
class Posterior:
    """The Gaussian posterior over the regularized weights at θ*: precision A = βG + αI given by G's
    eigenvalues and eigenvectors (every one, or the largest, ``complete`` saying which).

    Made by ``bpnn.bayes.evidence.fit_evidence`` (``Evidence.posterior``) and kept by the estimators as
    ``posterior_``.

    Parameters
    ----------
    network : Network
    theta : ndarray of shape (n_params,)
        θ*, the posterior mode.
    alpha, beta : float
        The prior's precision α and the noise precision β (1 for classification).
    eigenvalues : ndarray of shape (r,)
        G's eigenvalues (G the data term's Gauss–Newton matrix over the k weights).
    eigenvectors : ndarray of shape (k, r)
        Their eigenvectors.
    complete : bool
        r = k (every eigenvector); else the rest of the space is taken at eigenvalue 0.
    rows : tuple (X, Y, sample_weight), optional
        The training rows as trained on (Y the one-hot or real targets; sample_weight or None), for the exact
        solves (``exact=True``) when not ``complete``.

    Raises
    ------
    BpnnError
        From its methods, X that does not fit the network, or ``exact=True`` without ``rows``.

    Examples
    --------
    >>> import numpy as np, bpnn
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(-2, 2, (40, 1))
    >>> y = np.sin(2 * X[:, 0]) + 0.1 * rng.normal(size=40)
    >>> network = bpnn.Network((1, 6, 1), activation="tanh", cost="quadratic", output="identity")
    >>> result = bpnn.train(network, X, y, lam="auto")
    >>> std = result.evidence.posterior.predictive_std(np.array([[0.0], [6.0]]))
    >>> std.shape, bool(std[1, 0] > std[0, 0])
    ((2, 1), True)
    """

    network: object
    theta: np.ndarray
    alpha: float
    beta: float
    eigenvalues: np.ndarray
    eigenvectors: np.ndarray
    complete: bool
    rows: tuple = None

    def variance(self, X, centered=False, exact=False):
        """s²ₖ(x) = gₖᵀ A⁻¹ gₖ, the variance of each output pre-activation at each row of X: (m, K). With
        ``centered``, of zₖ − mean_j z_j (gₖ − mean_j g_j), the part of z that softmax outputs depend on. With
        ``exact`` on the stochastic path (not ``complete``), by conjugate gradients over the training rows instead
        of the upper bound: one solve per row and output, each some tens of passes over the rows, so for a few
        points."""
        if self.complete or not exact:
            return self._per_block(X, centered, self._bounded)
        if self.rows is None:
            raise BpnnError("exact=True needs the training rows (Posterior's rows): this posterior has only G's "
                            "largest eigenvectors")
        with curvature_of_rows(self.network, self.theta, self.rows) as curvature:
            return self._per_block(X, centered, partial(self._solved, curvature))

    def predictive_std(self, X, exact=False):
        """√(1/β + s²(x)) of each regression output at each row of X: (m, K)."""
        return np.sqrt(1.0 / self.beta + self.variance(X, exact=exact))

    def moderated(self, X, exact=False):
        """κ(s²) ⊙ z: the output pre-activations moderated by their variance (m, K), the output activation of
        which gives the moderated probabilities. Softmax outputs are moderated by the variance of the centered
        zₖ − mean_j z_j: adding one number to every z (a direction the prior alone holds, with variance ~1/α)
        changes no softmax probability."""
        softmax = self.network.output == "softmax"
        return probit_scale(self.variance(X, centered=softmax, exact=exact)) * forward(self.network, self.theta, X)[1]

    def _per_block(self, X, centered, variances):
        """``variances(g)`` (m, K) of each block of X's Jacobian rows gₖ (``jacobian_blocks``, centered over the
        outputs on request), stacked."""
        out = []
        for _, g, _ in jacobian_blocks(self.network, self.theta, np.asarray(X)):
            out.append(variances(g - g.mean(axis=1, keepdims=True) if centered else g))
        return np.concatenate(out) if out else np.empty((0, self.network.n_classes))

    def _bounded(self, g):
        """gᵀA⁻¹g from the eigenvectors at hand: exact when ``complete``, else the upper bound."""
        squares = (g @ self.eigenvectors) ** 2
        s2 = squares @ (1.0 / (self.beta * self.eigenvalues + self.alpha))
        if not self.complete:
            s2 += np.maximum(np.einsum("mkj,mkj->mk", g, g) - squares.sum(axis=2), 0.0) / self.alpha
        return s2

    def _low_rank_inverse(self, x):
        """The upper bound's A⁻¹x: V diag(1/(βg + α)) Vᵀx + (x − VVᵀx)/α."""
        projected = self.eigenvectors.T @ x
        return (self.eigenvectors @ (projected / (self.beta * self.eigenvalues + self.alpha))
                + (x - self.eigenvectors @ projected) / self.alpha)

    def _solved(self, curvature, g):
        """gᵀA⁻¹g by conjugate gradients on A·v = βG·v + αv (G·v from ``curvature``), preconditioned by the
        low-rank A⁻¹: one solve per row and output."""
        shape = (curvature.k, curvature.k)
        A = LinearOperator(shape, matvec=lambda v: self.beta * curvature(v) + self.alpha * v, dtype=np.float64)
        M = LinearOperator(shape, matvec=self._low_rank_inverse, dtype=np.float64)
        s2 = np.empty(g.shape[:2])
        for row, unit in np.ndindex(*s2.shape):
            solved, info = cg(A, g[row, unit], rtol=CG_RTOL, M=M)
            if info:
                raise BpnnError("conjugate gradients " + (f"did not reach a relative residual of {CG_RTOL:g} in "
                                                           f"{info} steps" if info > 0 else "broke down"))
            s2[row, unit] = g[row, unit] @ solved
        return s2
