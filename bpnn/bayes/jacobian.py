"""The output Jacobian at θ: ∂zₖ/∂w of each row and output unit over the regularized weights, for G (``traces``)
and the predictive variance (``predictive``).

One backward pass per output unit with δ⁽ᴸ⁾ = eₖ for every row, kept per row: ∂zₖ/∂W⁽ˡ⁾ = δ⁽ˡ⁺¹⁾ a⁽ˡ⁾ᵀ.
"""

import numpy as np

from ..model.network import batch, forward_pass

__all__ = ["output_jacobian", "jacobian_blocks", "JACOBIAN_BLOCK"]

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
