"""Forward pass, the regularized cost with its backprop gradient, and prediction, all as functions of θ.

For weight matrices Θ⁽ˡ⁾ = [b⁽ˡ⁾ | W⁽ˡ⁾] (bias in column 0) and a batch X of m rows:

  a⁽¹⁾ = X,   z⁽ˡ⁺¹⁾ = a⁽ˡ⁾ W⁽ˡ⁾ᵀ + b⁽ˡ⁾,   a⁽ˡ⁺¹⁾ = g(z⁽ˡ⁺¹⁾)   (output layer: its own activation)

  J(θ) = (1/m) Σᵢ cost(z⁽ᴸ⁾ᵢ, yᵢ) + λ/(2m) Σₗ ‖W⁽ˡ⁾‖²            (bias columns not regularized)

Backprop, for the whole batch at once (rows are examples, no loop over them):

  δ⁽ᴸ⁾ = ∂cost/∂z⁽ᴸ⁾ / m,   δ⁽ˡ⁾ = (δ⁽ˡ⁺¹⁾ W⁽ˡ⁾) ⊙ g'(z⁽ˡ⁾),
  ∂J/∂W⁽ˡ⁾ = δ⁽ˡ⁺¹⁾ᵀ a⁽ˡ⁾ + (λ/m) W⁽ˡ⁾,   ∂J/∂b⁽ˡ⁾ = Σᵢ δ⁽ˡ⁺¹⁾ᵢ.

The gradient is written into views of one flat array, so it comes out already packed like θ.
"""

import numpy as np

from .errors import BpnnError
from .functions import get_activation, get_output_cost
from .params import unpack
from .threads import map_blocks, row_blocks

__all__ = ["one_hot", "check_data", "forward", "cost_and_grad", "predict_proba", "predict"]

DEFAULT_HIDDEN = "sigmoid"
DEFAULT_OUTPUT_COST = "sigmoid+cross-entropy"


def one_hot(y, n_classes):
    """The m×K matrix Y with Y[i, y[i]] = 1 and zeros elsewhere, for labels y in 0..K−1."""
    y = check_labels(y, n_classes)
    Y = np.zeros((y.shape[0], n_classes))
    Y[np.arange(y.shape[0]), y] = 1.0
    return Y


def check_labels(y, n_classes):
    """Return y as a 1-D int array, or raise BpnnError unless every label is an integer in 0..K−1."""
    y = np.asarray(y)
    if y.ndim == 2 and 1 in y.shape:
        y = y.ravel()
    if y.ndim != 1:
        raise BpnnError(f"labels must be a 1-D vector, got an array of shape {y.shape}")
    if y.dtype.kind not in "iub":
        if y.dtype.kind != "f" or not np.all(np.isfinite(y)) or np.any(y != np.round(y)):
            raise BpnnError("labels must be integers 0..K-1; found non-integer values")
    y = y.astype(np.int64)
    if y.size and (y.min() < 0 or y.max() >= n_classes):
        bad = y[(y < 0) | (y >= n_classes)]
        raise BpnnError(
            f"labels out of range: expected 0..{n_classes - 1}, found {np.unique(bad)[:5].tolist()}"
        )
    return y


def check_data(X, y=None, n_features=None, n_classes=None):
    """Validate a data set once, before training: X m×n finite floats, y m labels in 0..K−1.

    Returns ``X`` as float64 (and ``y`` as int64 when given). Errors name the problem: shape, NaN/inf,
    a row count that does not match the labels, labels out of range.
    """
    X = np.asarray(X)
    if X.ndim != 2:
        raise BpnnError(f"X must be a 2-D array (one row per example), got shape {X.shape}")
    if X.dtype.kind not in "iubf":
        raise BpnnError(f"X must hold numbers, got dtype {X.dtype}")
    X = np.asarray(X, dtype=np.float64)
    if n_features is not None and X.shape[1] != n_features:
        raise BpnnError(f"X has {X.shape[1]} columns but the network's input layer has {n_features} units")
    if not np.all(np.isfinite(X)):
        rows = np.unique(np.nonzero(~np.isfinite(X))[0])
        raise BpnnError(f"X contains NaN or inf (in {rows.size} rows, first row {rows[0]})")
    if y is None:
        return X
    y = check_labels(y, n_classes if n_classes is not None else np.iinfo(np.int64).max)
    if y.shape[0] != X.shape[0]:
        raise BpnnError(f"X has {X.shape[0]} rows but y has {y.shape[0]} labels")
    return X, y


def _check_shapes(thetas, X, Y=None):
    X = np.asarray(X)
    n_in, n_out = thetas[0].shape[1] - 1, thetas[-1].shape[0]
    if X.ndim != 2 or X.shape[1] != n_in:
        raise BpnnError(f"X has shape {X.shape}; the network needs m × {n_in}")
    if Y is not None:
        Y = np.asarray(Y)
        if Y.shape != (X.shape[0], n_out):
            raise BpnnError(
                f"Y has shape {Y.shape}; the network needs {X.shape[0]} × {n_out} (one-hot rows, see one_hot)"
            )


def forward(thetas, X, hidden=DEFAULT_HIDDEN):
    """Hidden activations ``[a⁽¹⁾ = X, a⁽²⁾, …, a⁽ᴸ⁻¹⁾]`` and the output pre-activation z⁽ᴸ⁾."""
    g = get_activation(hidden)
    activations = [X]
    for Theta in thetas[:-1]:
        z = activations[-1] @ Theta[:, 1:].T
        z += Theta[:, 0]
        activations.append(g.apply(z))
    z_out = activations[-1] @ thetas[-1][:, 1:].T
    z_out += thetas[-1][:, 0]
    return activations, z_out


def cost_and_grad(theta, layer_sizes, X, Y, lam=0.0, *, hidden=DEFAULT_HIDDEN, output=DEFAULT_OUTPUT_COST):
    """Regularized cost J(θ) and its gradient ∇J(θ) (packed like θ) by one vectorized backprop pass.

    ``X`` is m × s₁, ``Y`` the m × s_L one-hot targets (``one_hot(y, K)``), ``lam`` is λ. The defaults are
    the course's network: sigmoid hidden units, sigmoid outputs, cross-entropy cost. Large batches are
    cut into row blocks evaluated on parallel threads (see ``bpnn.threads``); the sum is the same.
    """
    thetas = unpack(theta, layer_sizes)
    X, Y = np.asarray(X, dtype=np.float64), np.asarray(Y, dtype=np.float64)
    _check_shapes(thetas, X, Y)
    m = X.shape[0]
    g, out = get_activation(hidden), get_output_cost(output)

    blocks = row_blocks(m)
    grads = [np.empty(len(theta)) for _ in blocks]
    costs = map_blocks(
        lambda rows, grad: _backprop(thetas, X[rows], Y[rows], unpack(grad, layer_sizes), 1.0 / m, g, out),
        blocks, grads,
    )
    J, grad = sum(costs), grads[0]
    for other in grads[1:]:
        grad += other

    if lam:
        for Theta, G in zip(thetas, unpack(grad, layer_sizes)):
            W = Theta[:, 1:]
            G[:, 1:] += (lam / m) * W
            J += lam / (2.0 * m) * np.einsum("ij,ij->", W, W)
    if not np.isfinite(J):
        raise BpnnError(_why_not_finite(theta, X, Y))
    return J, grad


def _backprop(thetas, X, Y, grads, scale, g, out):
    """The data term for the rows X, Y: returns scale · Σ cost and writes scale · ∂(Σ cost)/∂Θ⁽ˡ⁾ into grads."""
    activations, z_out = forward(thetas, X, g.name)
    total, delta = out.cost_and_delta(z_out, Y)
    delta *= scale
    ones = np.ones(X.shape[0])  # Σᵢ δᵢ as the product 1ᵀδ: BLAS is several times faster than sum(axis=0)
    for layer in range(len(thetas) - 1, -1, -1):
        G, a_prev = grads[layer], activations[layer]
        np.matmul(delta.T, a_prev, out=G[:, 1:])
        np.matmul(ones, delta, out=G[:, 0])
        if layer:
            delta = delta @ thetas[layer][:, 1:]
            delta *= g.derivative(a_prev)
    return total * scale


def _why_not_finite(theta, X, Y):
    for name, arr in (("theta", theta), ("X", X), ("Y", Y)):
        if not np.all(np.isfinite(arr)):
            return f"cost is not finite: {name} contains NaN or inf"
    return "cost is not finite: the weights are too large for float64"


def predict_proba(theta, layer_sizes, X, *, hidden=DEFAULT_HIDDEN, output=DEFAULT_OUTPUT_COST):
    """The network's output activations h_θ(X), one row per example."""
    thetas = unpack(theta, layer_sizes)
    _check_shapes(thetas, X)
    _, z_out = forward(thetas, np.asarray(X, dtype=np.float64), hidden)
    return get_output_cost(output).output(z_out)


def predict(theta, layer_sizes, X, *, hidden=DEFAULT_HIDDEN):
    """Predicted labels 0..K−1: the index of the largest output (largest z⁽ᴸ⁾, as the output is monotone)."""
    thetas = unpack(theta, layer_sizes)
    _check_shapes(thetas, X)
    _, z_out = forward(thetas, np.asarray(X, dtype=np.float64), hidden)
    return np.argmax(z_out, axis=1)
