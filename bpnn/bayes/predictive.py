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

an upper bound (the directions left out are at least as curved as 0). The Jacobian rows gₖ come from one
backward pass per output unit with δ⁽ᴸ⁾ = eₖ for every row, kept per row (∂zₖ/∂W⁽ˡ⁾ = δ⁽ˡ⁺¹⁾ a⁽ˡ⁾ᵀ).
"""

from dataclasses import dataclass

import numpy as np

from ..model.network import batch, forward, forward_pass

__all__ = ["Posterior", "output_jacobian", "jacobian_blocks", "probit_scale", "JACOBIAN_BLOCK"]

JACOBIAN_BLOCK = 2**22  # numbers in one block of Jacobian rows (m × K × k), to bound memory


def output_jacobian(network, theta, X):
    """∂zₖ/∂w of every row and output unit over the regularized weights, (m, K, k) in θ's order, and the
    output pre-activations z⁽ᴸ⁾ (m, K)."""
    data = batch(network, theta, X)
    passed = forward_pass(network, data.thetas, data.X.astype(np.float64), slopes=True)
    m, K = passed.z_out.shape
    out = np.empty((m, K, network.n_params))
    delta = np.broadcast_to(np.eye(K), (m, K, K))  # δ⁽ᴸ⁾ of unit k: eₖ, per row
    start = network.n_params
    for layer in range(len(data.thetas) - 1, -1, -1):
        Theta = data.thetas[layer]
        start -= Theta.size
        block = out[:, :, start:start + Theta.size].reshape(m, K, *Theta.shape)
        block[..., 0] = delta
        block[..., 1:] = delta[..., :, None] * passed.inputs[layer][:, None, None, :]
        if layer:
            delta = (delta @ Theta[:, 1:]) * passed.slopes[layer - 1][:, None, :]
    return out[:, :, network.weight_mask.astype(bool)], passed.z_out


def jacobian_blocks(network, theta, X):
    """(rows, ∂z/∂w, z⁽ᴸ⁾) of ``output_jacobian`` for X's rows in blocks of at most ``JACOBIAN_BLOCK`` numbers,
    ``rows`` the block's slice of X."""
    k = int(network.weight_mask.sum())
    size = max(1, JACOBIAN_BLOCK // (k * network.n_classes))
    for start in range(0, len(X), size):
        rows = slice(start, start + size)
        yield (rows, *output_jacobian(network, theta, X[rows]))


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

    Raises
    ------
    BpnnError
        From its methods, X that does not fit the network.

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

    def variance(self, X, centered=False):
        """s²ₖ(x) = gₖᵀ A⁻¹ gₖ, the variance of each output pre-activation at each row of X: (m, K). With
        ``centered``, of zₖ − mean_j z_j (gₖ − mean_j g_j), the part of z that softmax outputs depend on."""
        X = np.asarray(X)
        out = []
        for _, g, _ in jacobian_blocks(self.network, self.theta, X):
            if centered:
                g -= g.mean(axis=1, keepdims=True)
            projected = g @ self.eigenvectors
            squares = projected ** 2
            s2 = squares @ (1.0 / (self.beta * self.eigenvalues + self.alpha))
            if not self.complete:
                s2 += np.maximum(np.einsum("mkj,mkj->mk", g, g) - squares.sum(axis=2), 0.0) / self.alpha
            out.append(s2)
        return np.concatenate(out) if out else np.empty((0, self.network.n_classes))

    def predictive_std(self, X):
        """√(1/β + s²(x)) of each regression output at each row of X: (m, K)."""
        return np.sqrt(1.0 / self.beta + self.variance(X))

    def moderated(self, X):
        """κ(s²) ⊙ z: the output pre-activations moderated by their variance (m, K), the output activation of
        which gives the moderated probabilities. Softmax outputs are moderated by the variance of the centered
        zₖ − mean_j z_j: adding one number to every z (a direction the prior alone holds, with variance ~1/α)
        changes no softmax probability."""
        softmax = self.network.output == "softmax"
        return probit_scale(self.variance(X, centered=softmax)) * forward(self.network, self.theta, X)[1]
