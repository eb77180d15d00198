"""Forward pass, the regularized cost with its backprop gradient, and prediction, all as functions of θ.

For weight matrices Θ⁽ˡ⁾ = [b⁽ˡ⁾ | W⁽ˡ⁾] (bias in column 0) and a batch X of m rows:

  a⁽¹⁾ = X,   z⁽ˡ⁺¹⁾ = a⁽ˡ⁾ W⁽ˡ⁾ᵀ + b⁽ˡ⁾,   a⁽ˡ⁺¹⁾ = g(z⁽ˡ⁺¹⁾) ⊙ D⁽ˡ⁺¹⁾   (output layer: its own activation)

where D⁽ˡ⁾ is an optional inverted-dropout mask (entries 0 or 1/(1 − p)), else 1.

  J(θ) = (1/m) Σᵢ cost(z⁽ᴸ⁾ᵢ, yᵢ) + λ/(2m) Σₗ ‖W⁽ˡ⁾‖²            (bias columns not regularized)

Backprop, for the whole batch at once (rows are examples, no loop over them):

  δ⁽ᴸ⁾ = ∂cost/∂z⁽ᴸ⁾ / m,   δ⁽ˡ⁾ = (δ⁽ˡ⁺¹⁾ W⁽ˡ⁾) ⊙ g'(z⁽ˡ⁾) ⊙ D⁽ˡ⁾,
  ∂J/∂W⁽ˡ⁾ = δ⁽ˡ⁺¹⁾ᵀ a⁽ˡ⁾ + (λ/m) W⁽ˡ⁾,   ∂J/∂b⁽ˡ⁾ = Σᵢ δ⁽ˡ⁺¹⁾ᵢ.

The gradient is written into views of one flat array, so it comes out already packed like θ. Other
buffers are allocated per call: keeping them across calls was measured and gains nothing (NumPy's
allocator hands the freed blocks back; 0.04 page faults a call), while it would tie memory to the
last shapes seen. The choices of hidden activation g, output activation and cost are in
``bpnn.functions``; the defaults are the course's sigmoid units with the cross-entropy cost.
"""

import numpy as np
import scipy.sparse

from .errors import BpnnError, DivergedError
from .functions import get_activation, get_output_cost
from .limits import check_fits
from .params import as_generator, unpack
from .threads import map_blocks, row_blocks

__all__ = ["one_hot", "check_data", "check_lambda", "forward", "dropout_masks", "cost_and_grad", "cost",
           "predict_proba", "predict"]


def one_hot(y, n_classes, dtype=np.float64):
    """The m×K matrix Y with Y[i, y[i]] = 1 and zeros elsewhere, for labels y in 0..K−1."""
    y = check_labels(y, n_classes)
    check_fits(f"the one-hot targets of {y.shape[0]} examples × {n_classes} classes",
               y.shape[0] * int(n_classes) * np.dtype(dtype).itemsize)
    Y = np.zeros((y.shape[0], n_classes), dtype=dtype)
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


def check_lambda(lam):
    """λ as a float, or BpnnError unless it is a finite number ≥ 0 (a negative λ rewards large weights)."""
    try:
        value = float(lam)
    except (TypeError, ValueError):
        raise BpnnError(f"lambda (regularization) must be a number ≥ 0, got {lam!r}") from None
    if not np.isfinite(value) or value < 0:
        raise BpnnError(f"lambda (regularization) must be a finite number ≥ 0, got {lam!r}")
    return value


def as_matrix(X, name="X"):
    """``X`` as a 2-D numeric array with at least one row, or BpnnError naming what it is instead.

    Cheap (no pass over the values): the hot paths call it on every evaluation; ``check_data`` adds the
    NaN/inf scan once per data set."""
    if scipy.sparse.issparse(X):
        raise BpnnError(f"{name} is a scipy.sparse matrix; bpnn needs a dense array ({name}.toarray())")
    try:
        X = np.asarray(X)
    except (TypeError, ValueError) as error:
        raise BpnnError(f"{name} cannot be read as an array of numbers ({error})") from None
    if X.ndim != 2:
        raise BpnnError(f"{name} must be a 2-D array (one row per example), got shape {X.shape}")
    if X.dtype.kind not in "iubf":
        raise BpnnError(f"{name} must hold real numbers, got dtype {X.dtype}")
    if X.shape[0] == 0:
        raise BpnnError(f"{name} has no rows: at least one example is needed")
    return X


def check_data(X, y=None, n_features=None, n_classes=None):
    """Validate a data set once, before training: X m×n finite floats (m ≥ 1), y m labels in 0..K−1.

    Returns ``X`` as float64, or float32 if it is float32 (and ``y`` as int64 when given). Errors name the
    problem: shape, type, no rows, NaN/inf, a row count that does not match the labels, labels out of range.
    """
    X = as_matrix(X)
    X = np.asarray(X, dtype=compute_dtype(X))
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


def compute_dtype(X):
    """float32 for float32 data, else float64: the precision the passes over X run in."""
    return np.float32 if np.asarray(X).dtype == np.float32 else np.float64


def _in_compute_dtype(thetas, X, Y=None):
    """θ's matrices, X and Y in X's compute dtype (θ is cast only for float32: a copy of ~n numbers)."""
    X = as_matrix(X)
    dtype = compute_dtype(X)
    X = np.asarray(X, dtype=dtype)
    n_in, n_out = thetas[0].shape[1] - 1, thetas[-1].shape[0]
    if X.shape[1] != n_in:
        raise BpnnError(f"X has shape {X.shape}; the network needs m × {n_in}")
    if Y is not None:
        Y = _check_one_hot(as_matrix(Y, "Y"), X.shape[0], n_out).astype(dtype, copy=False)
    if dtype != np.float64:
        with np.errstate(over="ignore"):  # weights beyond float32: reported by the finite-cost check
            thetas = [T.astype(dtype) for T in thetas]
    return thetas, X, Y


def _check_one_hot(Y, m, n_out):
    """Y itself, or BpnnError unless it is m × K with one 1 per row and zeros elsewhere (a single output
    unit, K = 1, takes 0 or 1 per row: the binary case).

    Cheap reductions: every row sums to 1 and there are exactly m non-zero entries, so each row holds a
    single non-zero, which is its sum, 1."""
    if Y.shape != (m, n_out):
        raise BpnnError(f"Y has shape {Y.shape}; the network needs {m} × {n_out} (one-hot rows, see one_hot)")
    if n_out == 1:
        valid = np.count_nonzero(Y) == np.count_nonzero(Y == 1)
    else:
        valid = np.count_nonzero(Y) == m and np.all(Y @ np.ones(n_out, dtype=Y.dtype) == 1)
    if not valid:
        raise BpnnError("Y must be one-hot: one 1 per row and zeros elsewhere (see one_hot)")
    return Y


def _affine(a, Theta):
    """z = a Wᵀ + b for Θ = [b | W]."""
    z = a @ Theta[:, 1:].T
    z += Theta[:, 0]
    return z


def _forward(thetas, X, g, dropout=None, slopes=False):
    """Inputs of every layer [X, a⁽²⁾, …] (dropout applied), g'(z) ⊙ D per hidden layer if ``slopes``, z⁽ᴸ⁾."""
    inputs, derivatives = [X], []
    for layer, Theta in enumerate(thetas[:-1]):
        a = g.apply(inputs[-1] @ Theta[:, 1:].T, Theta[:, 0])
        if slopes:
            derivatives.append(g.derivative(a))
        if dropout is not None:
            a *= dropout[layer]
            if slopes:
                derivatives[-1] *= dropout[layer]
        inputs.append(a)
    return inputs, derivatives, _affine(inputs[-1], thetas[-1])


def forward(thetas, X, activation="sigmoid"):
    """Hidden activations ``[a⁽¹⁾ = X, a⁽²⁾, …, a⁽ᴸ⁻¹⁾]`` and the output pre-activation z⁽ᴸ⁾."""
    activations, _, z_out = _forward(thetas, X, get_activation(activation))
    return activations, z_out


def dropout_masks(layer_sizes, m, p, rng=None):
    """Inverted-dropout masks for the hidden layers of m examples: each entry 0 with probability p, else
    1/(1 − p), so activations keep their expected value and prediction needs no rescaling."""
    if not 0.0 <= p < 1.0:
        raise BpnnError(f"dropout probability must be in [0, 1), got {p}")
    rng = as_generator(rng)
    return [(rng.random((m, units)) >= p) / (1.0 - p) for units in layer_sizes[1:-1]]


def cost_and_grad(theta, layer_sizes, X, Y, lam=0.0, *, activation="sigmoid", output=None,
                  cost="cross-entropy", dropout=None):
    """Regularized cost J(θ) and its gradient ∇J(θ) (packed like θ) by one vectorized backprop pass.

    ``X`` is m × s₁, ``Y`` the m × s_L one-hot targets (``one_hot(y, K)``), ``lam`` is λ. ``activation`` is the
    hidden units' activation (sigmoid, tanh, relu); ``cost`` and ``output`` the cost and output activation
    (cross-entropy or quadratic with sigmoid outputs, log-likelihood with softmax outputs; ``output=None``
    takes the cost's usual one). ``dropout`` is a list of masks from ``dropout_masks``, one per hidden
    layer. The defaults are the course's network. Large batches are cut into row blocks evaluated on
    parallel threads (see ``bpnn.threads``); the sum is the same. With float32 X the passes run in
    float32 (half the memory traffic); θ, J and the gradient stay float64.
    """
    g, out, lam = get_activation(activation), get_output_cost(cost, output), check_lambda(lam)
    thetas64 = unpack(theta, layer_sizes)
    thetas, X, Y = _in_compute_dtype(thetas64, X, Y)
    if dropout is not None and [d.shape for d in dropout] != [(X.shape[0], t.shape[0]) for t in thetas[:-1]]:
        raise BpnnError("dropout needs one m × s_l mask per hidden layer (see dropout_masks)")
    m = X.shape[0]

    blocks = row_blocks(m, units=sum(layer_sizes[1:]), dtype=X.dtype)
    grads = [np.empty(len(theta), dtype=X.dtype) for _ in blocks]

    def block(rows, grad):
        masks = None if dropout is None else [d[rows] for d in dropout]
        return _backprop(thetas, X[rows], Y[rows], unpack(grad, layer_sizes), 1.0 / m, g, out, masks)

    J = float(sum(map_blocks(block, blocks, grads)))
    grad = grads[0].astype(np.float64, copy=False)
    for other in grads[1:]:
        grad += other

    if lam:
        penalty, penalty_grad = _l2(theta, layer_sizes, lam, m)
        J += penalty
        grad += penalty_grad
    _check_finite(J, theta, X, Y)
    return J, grad


def _l2(theta, layer_sizes, lam, m):
    """The L2 term λ/(2m) Σₗ ‖W⁽ˡ⁾‖² and its gradient (λ/m) W, packed like θ with zeros at the biases.

    Both come from one flat copy w of θ with the bias entries zeroed: λ/(2m) w·w and (λ/m) w. The dot
    product is einsum's, not BLAS's: OpenBLAS spreads a dot product of over 10,000 numbers over its
    threads, whose workers then keep spinning and slowed the next call's row blocks by half."""
    w = np.array(theta, dtype=np.float64)
    for Theta in unpack(w, layer_sizes):
        Theta[:, 0] = 0.0
    squares = float(np.einsum("i,i->", w, w))
    if squares == np.inf:  # w·w overflows though λ/(2m) w·w may not: scale by the largest |w| first
        top = float(np.max(np.abs(w)))
        with np.errstate(over="ignore"):
            return lam / (2.0 * m) * top * float(np.einsum("i,i->", w / top, w / top)) * top, (lam / m) * w
    return lam / (2.0 * m) * squares, (lam / m) * w


def cost(theta, layer_sizes, X, Y, lam=0.0, *, activation="sigmoid", output=None, cost="cross-entropy"):
    """J(θ) alone, by a forward pass (no backprop): what monitoring a training run needs."""
    out, lam = get_output_cost(cost, output), check_lambda(lam)
    thetas64 = unpack(theta, layer_sizes)
    thetas, X, Y = _in_compute_dtype(thetas64, X, Y)
    m = X.shape[0]
    with np.errstate(over="ignore", invalid="ignore"):
        _, z_out = forward(thetas, X, activation)
        total, _ = _output_cost(out, z_out, Y)
    J = total / m + (_l2(theta, layer_sizes, lam, m)[0] if lam else 0.0)
    _check_finite(J, theta, X, Y)
    return J


def _output_cost(out, z_out, Y):
    """``out.cost_and_delta(z_out, Y)``, with the cost NaN where z⁽ᴸ⁾ is not finite: an output past the
    dtype's range has no meaningful cost (some costs map ±inf to finite values), and the finite-cost
    check then says why."""
    representable = np.isfinite(z_out).all()
    total, delta = out.cost_and_delta(z_out, Y)
    return (total if representable else np.nan), delta


def _backprop(thetas, X, Y, grads, scale, g, out, dropout):
    """The data term for the rows X, Y: returns scale · Σ cost and writes scale · ∂(Σ cost)/∂Θ⁽ˡ⁾ into grads."""
    with np.errstate(over="ignore", invalid="ignore"):  # huge weights: the finite-cost check reports them
        inputs, slopes, z_out = _forward(thetas, X, g, dropout, slopes=True)
        total, delta = _output_cost(out, z_out, Y)
    delta *= scale
    ones = np.ones(X.shape[0], dtype=X.dtype)  # Σᵢ δᵢ as the product 1ᵀδ: BLAS is several times faster than sum(axis=0)
    for layer in range(len(thetas) - 1, -1, -1):
        G = grads[layer]
        np.matmul(delta.T, inputs[layer], out=G[:, 1:])
        np.matmul(ones, delta, out=G[:, 0])
        if layer:
            delta = delta @ thetas[layer][:, 1:]
            delta *= slopes[layer - 1]
    return total * scale


def _check_finite(J, theta, X, Y):
    """Nothing if J is finite. Else BpnnError when an input holds NaN or inf (the caller's data), and
    DivergedError when the inputs are finite: the weights then produce values past the dtype's range."""
    if np.isfinite(J):
        return
    for name, arr in (("theta", theta), ("X", X), ("Y", Y)):
        if not np.all(np.isfinite(arr)):
            raise BpnnError(f"cost is not finite: {name} contains NaN or inf")
    raise DivergedError(f"cost is not finite: the weights (largest |θ| = {np.max(np.abs(theta)):.3g}) are too "
                        f"large for {X.dtype}, whose largest number is {np.finfo(X.dtype).max:.3g}")


def predict_proba(theta, layer_sizes, X, *, activation="sigmoid", output=None, cost="cross-entropy"):
    """The network's output activations h_θ(X), one row per example."""
    thetas, X, _ = _in_compute_dtype(unpack(theta, layer_sizes), X)
    _, z_out = forward(thetas, X, activation)
    return get_output_cost(cost, output).output(z_out)


def predict(theta, layer_sizes, X, *, activation="sigmoid"):
    """Predicted labels 0..K−1: the index of the largest output (largest z⁽ᴸ⁾, as outputs are monotone)."""
    thetas, X, _ = _in_compute_dtype(unpack(theta, layer_sizes), X)
    _, z_out = forward(thetas, X, activation)
    return np.argmax(z_out, axis=1)
