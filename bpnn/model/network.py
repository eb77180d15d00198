"""The network as one value, and the math that is a function of (network, θ): forward pass, cost, backprop.

A ``Network`` is its layer sizes [s₁, …, s_L], its hidden activation g and its output activation with its
cost (entries of the units table, ``bpnn.model.units``); it is validated when made and never changes. Its
parameters are one flat vector θ holding every Θ⁽ˡ⁾ = [b⁽ˡ⁾ | W⁽ˡ⁾] (bias in column 0, the course layout;
see ``bpnn.model.params``). For a batch X of m rows:

  a⁽¹⁾ = X,   z⁽ˡ⁺¹⁾ = a⁽ˡ⁾ W⁽ˡ⁾ᵀ + b⁽ˡ⁾,   a⁽ˡ⁺¹⁾ = g(z⁽ˡ⁺¹⁾) ⊙ D⁽ˡ⁺¹⁾   (output layer: its own activation)

where D⁽ˡ⁾ is an optional inverted-dropout mask (entries 0 or 1/(1 − p)), else 1, and

  J(θ) = (1/m) Σᵢ cost(z⁽ᴸ⁾ᵢ, yᵢ) + λ/(2n) Σₗ ‖W⁽ˡ⁾‖²            (bias columns not regularized)

with n the size of the whole training set (n = m unless ``train_size`` says otherwise: a mini-batch or a
monitored part is scored with the training set's penalty, so λ means the same everywhere). With
per-example weights wᵢ ≥ 0 (``sample_weight``) the batch's size is its total weight, as in scikit-learn:
J(θ) = (1/Σw) Σᵢ wᵢ cost(z⁽ᴸ⁾ᵢ, yᵢ) + λ/(2n) Σₗ ‖W⁽ˡ⁾‖² with n = Σw unless ``train_size`` says otherwise,
and every weight 1 is the unweighted cost. Backprop, for the whole batch at once (rows are examples, no
loop over them):

  δ⁽ᴸ⁾ = w ⊙ ∂cost/∂z⁽ᴸ⁾ / Σw,   δ⁽ˡ⁾ = (δ⁽ˡ⁺¹⁾ W⁽ˡ⁾) ⊙ g'(z⁽ˡ⁾) ⊙ D⁽ˡ⁾,
  ∂J/∂W⁽ˡ⁾ = δ⁽ˡ⁺¹⁾ᵀ a⁽ˡ⁾ + (λ/n) W⁽ˡ⁾,   ∂J/∂b⁽ˡ⁾ = Σᵢ δ⁽ˡ⁺¹⁾ᵢ.

The gradient is written into views of one flat array, so it comes out packed like θ. The data term is a
sum over examples, so ``blocks`` (optional, e.g. ``bpnn.speed.RowBlocks``) may cut the rows into blocks
evaluated side by side and add their parts: the sums are the same. With float32 X the passes run in
float32; θ, J and the gradient stay float64. The course's names: ``cost_and_grad`` is ``nnCostFunction``,
``predict`` is ``predict.m``, ``Network.init`` is ``randInitializeWeights``.
"""

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..errors import BpnnError, DivergedError
from .params import init_weights, layer_shapes, pack, sizes_of, slices, views
from .units import HIDDEN_ACTIVATIONS, OUTPUT_COSTS, check_names, task_of
from .validate import (as_generator, as_matrix, check_indicator, check_labels, check_lambda, check_layer_sizes,
                       check_one_hot, check_sample_weight, check_values, compute_dtype)

__all__ = ["Network", "Batch", "ONE_BLOCK", "batch", "examples", "layer_weights", "forward_pass", "forward",
           "dropout_masks", "cost_and_grad", "batch_cost_and_grad", "cost", "cost_and_score", "cost_and_score_parts",
           "score_parts", "score", "accuracy", "predict_proba", "predict", "layer_product", "add_l2"]


@dataclass(frozen=True)
class Network:
    """Layer sizes (input, hidden…, output), hidden activation, output activation and cost; immutable.

    ``g`` and ``output_cost`` are the network's entries of the units table (``bpnn.model.units``).

    Parameters
    ----------
    sizes : sequence of int
        s₁, …, s_L: the inputs, the units of each hidden layer, the outputs (at least two layers).
    activation : {"sigmoid", "tanh", "relu"}, default "sigmoid"
        The hidden units' activation g.
    cost : {"cross-entropy", "quadratic", "log-likelihood"}, default "cross-entropy"
        The cost of the outputs.
    output : {"sigmoid", "softmax", "identity"}, optional
        The output activation; None takes the cost's own (sigmoid for cross-entropy and quadratic, softmax
        for log-likelihood). Other pairs are refused; identity outputs go with the quadratic cost.
    task : {"classification", "multilabel", "regression"}, optional
        What the outputs learn; None takes the outputs' own (regression for identity outputs, else
        classification). "multilabel": independent sigmoid outputs, each example any set of labels (targets
        0/1 per output, a prediction every output above 1/2).

    Attributes
    ----------
    n_params : int
        The length of θ.
    shapes : list of tuple
        The shape (s_{l+1}, s_l + 1) of each Θ⁽ˡ⁾, bias in column 0.

    Raises
    ------
    BpnnError
        Invalid sizes or names, when the network is made, before any work.

    Examples
    --------
    >>> import bpnn
    >>> network = bpnn.Network((400, 25, 10))
    >>> network.n_params, network.shapes
    (10285, [(25, 401), (10, 26)])
    >>> bpnn.Network((4, 3), cost="log-likelihood").output
    'softmax'
    >>> bpnn.Network((4, 3), cost="log-likelihood", output="sigmoid")
    Traceback (most recent call last):
        ...
    bpnn.errors.BpnnError: sigmoid outputs do not go with the log-likelihood cost; ...
    """

    sizes: tuple
    activation: str = "sigmoid"
    cost: str = "cross-entropy"
    output: str = None
    task: str = None

    def __post_init__(self):
        object.__setattr__(self, "sizes", check_layer_sizes(self.sizes))
        object.__setattr__(self, "output", check_names(self.activation, self.cost, self.output)["output"])
        object.__setattr__(self, "task", task_of(self.output, self.task))

    @classmethod
    def of(cls, thetas, **names):
        """The network whose weight matrices are ``thetas`` (their shapes give the sizes)."""
        pack(thetas)  # checks that they chain
        return cls(tuple(sizes_of(thetas)), **names)

    @property
    def g(self):
        """The hidden activation's ``Activation`` (g, g′, g″)."""
        return HIDDEN_ACTIVATIONS[self.activation]

    @property
    def output_cost(self):
        """The output layer's ``OutputCost`` (activation, cost and δ, output curvature)."""
        return OUTPUT_COSTS[(self.output, self.cost)]

    @cached_property
    def _slices(self):
        return slices(self.sizes)

    @cached_property
    def weight_mask(self):
        """1 at the weights of θ and 0 at the biases: the L2 term's mask."""
        mask = np.ones(self.n_params)
        for Theta in self.unpack(mask):
            Theta[:, 0] = 0.0
        return mask

    @property
    def n_params(self):
        """Length of θ: Σₗ s_{l+1} (s_l + 1)."""
        return self._slices[-1][1]

    @property
    def shapes(self):
        """Shapes (s_{l+1}, s_l + 1) of Θ⁽¹⁾, Θ⁽²⁾, …"""
        return layer_shapes(self.sizes)

    @property
    def n_classes(self):
        return self.sizes[-1]

    @property
    def units(self):
        """Activations per example in the hidden and output layers, Σ_{l>1} s_l: the work of a row."""
        return sum(self.sizes[1:])

    @property
    def names(self):
        """The activation, output, cost and task names, as keywords (for files, reports,
        ``Network(sizes, **names)``)."""
        return {"activation": self.activation, "output": self.output, "cost": self.cost, "task": self.task}

    def unpack(self, theta):
        """Θ⁽¹⁾, Θ⁽²⁾, … as views into θ (BpnnError unless θ has exactly ``n_params`` numbers)."""
        return views(theta, self._slices, self.sizes)

    def init(self, seed=None, method="uniform"):
        """Random θ (the course's ``randInitializeWeights``; methods in ``bpnn.model.params.init_weights``)."""
        return init_weights(self.sizes, seed, method)


class _OneBlock:
    """Every row in one block, evaluated on the calling thread: the default ``blocks``."""

    def split(self, m, units, dtype):
        return [slice(0, m)]

    def map(self, fn, items):
        return [fn(item) for item in items]


ONE_BLOCK = _OneBlock()


@dataclass(frozen=True)
class Batch:
    """Rows ready for the math, checked once: Θ's matrices, X and one-hot Y (or None) in the compute dtype,
    the weights w (or None) and the batch's size, m or Σw."""

    thetas: list
    X: np.ndarray
    Y: np.ndarray
    w: np.ndarray
    size: float

    def rows(self, rows):
        """The same batch restricted to ``rows`` (its size stays the whole batch's)."""
        pick = (lambda a: None if a is None else a[rows])
        return Batch(self.thetas, self.X[rows], pick(self.Y), pick(self.w), self.size)


def batch(network, theta, X, Y=None, sample_weight=None):
    """The checked ``Batch`` for θ, X (m × s₁), one-hot Y (m × s_L, optional) and m weights ≥ 0 (optional)."""
    X, Y, w, size = examples(network, X, Y, sample_weight)
    return Batch(layer_weights(network, theta, X.dtype), X, Y, w, size)


def examples(network, X, Y=None, sample_weight=None):
    """X, Y and the weights checked for ``network`` and in the compute dtype (float32 for float32 X, else
    float64), with the batch's size m or Σw: (X, Y or None, w or None, size)."""
    X = as_matrix(X)
    dtype = compute_dtype(X)
    X = np.asarray(X, dtype=dtype)
    if X.shape[1] != network.sizes[0]:
        raise BpnnError(f"X has shape {X.shape}; the network needs m × {network.sizes[0]}")
    if Y is not None:
        check_targets = {"classification": check_one_hot, "multilabel": check_indicator,
                         "regression": check_values}[network.task]
        Y = check_targets(as_matrix(Y, "Y"), X.shape[0], network.n_classes).astype(dtype, copy=False)
    w = check_sample_weight(sample_weight, X.shape[0])
    size = X.shape[0] if w is None else float(w.sum())
    return X, Y, None if w is None else w.astype(dtype, copy=False), size


def layer_weights(network, theta, dtype, out=None):
    """Θ⁽¹⁾, Θ⁽²⁾, … in the compute dtype: views into θ for float64; for float32 a cast of θ (into ``out``,
    a float32 vector like θ, when given)."""
    if dtype == np.float64:
        return network.unpack(theta)
    with np.errstate(over="ignore"):  # weights beyond float32: reported by the finite-cost check
        if out is None:
            return [T.astype(dtype) for T in network.unpack(theta)]
        np.copyto(out, theta, casting="same_kind")
    return network.unpack(out)


def layer_product(A, B):
    """A B for m × n activations (or deltas) A and a layer's n × h weights B. In float64 it is computed as
    (Bᵀ Aᵀ)ᵀ, a column-major result, the orientation OpenBLAS's double-precision kernels run faster when
    h ≪ m; float32 keeps A B. Every such product taken the same way keeps activations and deltas in one
    memory order, so the elementwise work between them stays contiguous."""
    return (B.T @ A.T).T if A.dtype == np.float64 else A @ B


@dataclass
class Forward:
    """One forward pass: the inputs of every layer [X, a⁽²⁾, …] (dropout applied), g'(z) ⊙ D per hidden
    layer (when asked for) and the output pre-activation z⁽ᴸ⁾."""

    inputs: list
    slopes: list
    z_out: np.ndarray


def forward_pass(network, thetas, X, masks=None, slopes=False):
    """a⁽ˡ⁺¹⁾ = g(a⁽ˡ⁾ W⁽ˡ⁾ᵀ + b⁽ˡ⁾) ⊙ D⁽ˡ⁺¹⁾ layer by layer, then z⁽ᴸ⁾ (a ``Forward``)."""
    g = network.g
    inputs, derivatives = [X], []
    for layer, Theta in enumerate(thetas[:-1]):
        a = g.apply(layer_product(inputs[-1], Theta[:, 1:].T), Theta[:, 0])
        if slopes:
            derivatives.append(g.derivative(a))
        if masks is not None:
            a *= masks[layer]
            if slopes:
                derivatives[-1] *= masks[layer]
        inputs.append(a)
    z_out = inputs[-1] @ thetas[-1][:, 1:].T
    z_out += thetas[-1][:, 0]
    return Forward(inputs, derivatives, z_out)


def forward(network, theta, X):
    """Hidden activations ``[a⁽¹⁾ = X, a⁽²⁾, …, a⁽ᴸ⁻¹⁾]`` and the output pre-activation z⁽ᴸ⁾.

    BpnnError when θ or X holds NaN or inf, DivergedError when z⁽ᴸ⁾ is not finite for finite θ and X:
    such outputs mean nothing (and their argmax would call every row class 0)."""
    data = batch(network, theta, X)
    with np.errstate(over="ignore", invalid="ignore"):
        passed = forward_pass(network, data.thetas, data.X)
    if not (np.all(np.isfinite(passed.z_out)) and np.all(np.isfinite(theta)) and np.all(np.isfinite(data.X))):
        _check_finite(np.nan, "the output", theta, data.X)
    return passed.inputs, passed.z_out


def dropout_masks(network, m, p, seed=None):
    """Inverted-dropout masks for the hidden layers of m examples: each entry 0 with probability p, else
    1/(1 − p), so activations keep their expected value and prediction needs no rescaling."""
    if not 0.0 <= p < 1.0:
        raise BpnnError(f"dropout probability must be in [0, 1), got {p}")
    rng = as_generator(seed)
    return [(rng.random((m, units)) >= p) / (1.0 - p) for units in network.sizes[1:-1]]


def _check_masks(network, masks, m):
    if masks is not None and [np.shape(d) for d in masks] != [(m, units) for units in network.sizes[1:-1]]:
        raise BpnnError("dropout needs one m × s_l mask per hidden layer (see dropout_masks)")


def cost_and_grad(network, theta, X, Y, lam=0.0, *, masks=None, train_size=None, sample_weight=None,
                  blocks=ONE_BLOCK):
    """Regularized cost J(θ) and its gradient ∇J(θ) by one vectorized backprop pass: the course's ``nnCostFunction``.

    J(θ) = (1/m) Σᵢ cost(z⁽ᴸ⁾ᵢ, yᵢ) + λ/(2n) Σₗ ‖W⁽ˡ⁾‖², bias columns not regularized (see
    :doc:`/explanations/math`).

    Parameters
    ----------
    network : Network
        The network θ belongs to.
    theta : ndarray of shape (n_params,)
        θ: every Θ⁽ˡ⁾ flattened in C order, one after the other.
    X : ndarray of shape (m, s₁)
        The examples, one per row (float64, or float32 to run the passes in float32).
    Y : ndarray of shape (m, s_L)
        The one-hot targets (``one_hot(y, K)``).
    lam : float, default 0
        λ ≥ 0, stated per ``train_size`` examples.
    masks : list of ndarray, optional
        Inverted-dropout masks from ``bpnn.model.network.dropout_masks``, one per hidden layer.
    train_size : float, optional
        n in λ/(2n): the size of the whole training set when X is a mini-batch (default: m, or Σw).
    sample_weight : array_like of shape (m,), optional
        Weights ≥ 0 of the examples' costs (J divides by Σw, as scikit-learn does).
    blocks : optional
        Cuts the rows into blocks and maps over them (``bpnn.speed.RowBlocks`` runs them on parallel
        threads, to the same sums); the default evaluates every row at once.

    Returns
    -------
    J : float
        The cost.
    grad : ndarray of shape (n_params,)
        ∇J, packed like θ (float64).

    Raises
    ------
    BpnnError
        Shapes that do not fit the network, NaN or inf in θ, X or Y, targets that are not one-hot, a bad λ or
        sample weights.
    DivergedError
        The cost is not finite at these weights.

    Examples
    --------
    >>> import bpnn
    >>> network = bpnn.Network((3, 5, 3))
    >>> theta, X, Y = bpnn.debug_problem()
    >>> J, grad = bpnn.cost_and_grad(network, theta, X, Y, lam=3.0)
    >>> print(f"{J:.6f}", grad.shape)
    2.146360 (38,)
    """
    lam = check_lambda(lam)
    data = batch(network, theta, X, Y, sample_weight)
    _check_masks(network, masks, data.X.shape[0])
    return batch_cost_and_grad(network, theta, data, lam, train_size or data.size, masks=masks, blocks=blocks)


def batch_cost_and_grad(network, theta, data, lam, n, *, masks=None, blocks=ONE_BLOCK):
    """``cost_and_grad`` after its checks: J and ∇J of a checked ``Batch`` with λ stated per n examples (and
    checked dropout ``masks``), what an objective calls on rows it checked once."""
    m = data.X.shape[0]

    def data_term(rows):
        grad = np.empty(network.n_params, dtype=data.X.dtype)
        part = None if masks is None else [d[rows] for d in masks]
        return _backprop(network, data.rows(rows), network.unpack(grad), part), grad

    parts = blocks.map(data_term, blocks.split(m, network.units, data.X.dtype))
    grad = parts[0][1].astype(np.float64, copy=False)
    for _, other in parts[1:]:
        grad += other
    J, grad = add_l2(float(sum(J for J, _ in parts)), grad, network, theta, lam, n)
    _check_finite(J, "cost", theta, data.X, data.Y)
    return J, grad


def cost(network, theta, X, Y, lam=0.0, *, masks=None, train_size=None, sample_weight=None):
    """J(θ) alone, by a forward pass (no backprop): what monitoring and the gradient check need.

    Parameters
    ----------
    network : Network
        The network θ belongs to.
    theta : ndarray of shape (n_params,)
        θ: every Θ⁽ˡ⁾ flattened in C order, one after the other.
    X : ndarray of shape (m, s₁)
        The examples, one per row (float64, or float32 to run the passes in float32).
    Y : ndarray of shape (m, s_L)
        The one-hot targets.
    lam, masks, train_size, sample_weight
        As in :func:`cost_and_grad`.

    Returns
    -------
    float
        J(θ), the same number ``cost_and_grad`` returns.

    Raises
    ------
    BpnnError
        As :func:`cost_and_grad`; ``DivergedError`` where the cost is not finite.

    Examples
    --------
    >>> import bpnn
    >>> network = bpnn.Network((3, 5, 3))
    >>> theta, X, Y = bpnn.debug_problem()
    >>> print(f"{bpnn.cost(network, theta, X, Y):.6f} {bpnn.cost(network, theta, X, Y, lam=3.0):.6f}")
    2.100951 2.146360
    """
    return _cost_and_outputs(network, theta, X, Y, lam, masks, train_size, sample_weight)[0]


def cost_and_score(network, theta, X, Y, lam=0.0, *, train_size=None, sample_weight=None):
    """(J(θ), the network's score on the rows) from one forward pass: what an epoch's monitoring needs, for
    half the work of ``cost`` and ``predict`` apart. The score is unweighted, as ``predict``'s: the
    accuracy for classes, R² for real values (``score``)."""
    J, parts = cost_and_score_parts(network, theta, X, Y, lam, train_size=train_size, sample_weight=sample_weight)
    return J, score(network, [parts])


def cost_and_score_parts(network, theta, X, Y, lam=0.0, *, train_size=None, sample_weight=None):
    """(J(θ), ``score_parts``) from one forward pass: a block's share of ``cost_and_score``."""
    J, z_out, Y = _cost_and_outputs(network, theta, X, Y, lam, None, train_size, sample_weight)
    return J, score_parts(network, z_out, Y)


def score_parts(network, z_out, Y):
    """What the score of outputs z⁽ᴸ⁾ against targets Y is made of, for rows that may be one block of many:
    for classes, (rows whose largest output is the target's, rows); for labels, (rows whose every output is
    on the target's side of 1/2, i.e. z > 0 exactly where y = 1, rows); for real values, per output unit
    (rows, mean of y, Σ (y − ȳ)², Σ (y − z)²)."""
    if network.task == "classification":
        return int(np.count_nonzero(np.argmax(z_out, axis=1) == np.argmax(Y, axis=1))), len(Y)
    if network.task == "multilabel":
        return int(np.count_nonzero(np.all((z_out > 0) == (Y > 0.5), axis=1))), len(Y)
    Y = np.asarray(Y, dtype=np.float64)
    mean = Y.mean(axis=0)
    return len(Y), mean, ((Y - mean) ** 2).sum(axis=0), ((Y - z_out) ** 2).sum(axis=0)


def score(network, parts):
    """The score of the rows whose ``score_parts`` are given (one entry per block): the fraction predicted
    right for classes (the one accuracy of bpnn), for labels the fraction whose every label is predicted right
    (scikit-learn's subset accuracy), for real values the coefficient of determination
    R² = 1 − Σ (y − z)² / Σ (y − ȳ)² averaged over the output units, as scikit-learn's ``r2_score`` (an output
    whose targets are all equal scores 1 if predicted exactly, else 0). Blocks combine exactly as one
    (Chan et al.'s pairwise update of the mean and the sum of squares)."""
    if network.task != "regression":
        right, rows = (sum(part) for part in zip(*parts))
        return right / rows
    n, mean, spread, residual = parts[0]
    for n_b, mean_b, spread_b, residual_b in parts[1:]:
        step = mean_b - mean
        n, mean, spread, residual = (n + n_b, mean + step * (n_b / (n + n_b)),
                                     spread + spread_b + step * step * (n * n_b / (n + n_b)), residual + residual_b)
    constant = spread == 0
    per_output = np.where(constant, (residual == 0).astype(float), 1.0 - residual / np.where(constant, 1.0, spread))
    return float(per_output.mean())


def accuracy(network, theta, X, y):
    """The fraction of examples predicted right, for a classification network (multilabel: whose every label
    is predicted right).

    Parameters
    ----------
    network : Network
        The network θ belongs to.
    theta : ndarray of shape (n_params,)
        θ: every Θ⁽ˡ⁾ flattened in C order, one after the other.
    X : ndarray of shape (m, s₁)
        The examples, one per row (float64, or float32 to run the passes in float32).
    y : array_like of shape (m,) or (m, K)
        Labels 0..K−1; for a multilabel network, the m × K 0/1 indicator matrix.

    Returns
    -------
    float
        The fraction of rows whose :func:`predict` equals y.

    Raises
    ------
    BpnnError
        Shapes that do not fit the network, labels outside 0..K−1, a regression network (see ``score``).

    Examples
    --------
    >>> import bpnn
    >>> network = bpnn.Network((3, 5, 3))
    >>> theta, X, Y = bpnn.debug_problem()
    >>> bpnn.accuracy(network, theta, X, Y.argmax(axis=1))
    0.2
    """
    if network.task == "regression":
        raise BpnnError("accuracy is for classification networks; this one's outputs are real values (see score)")
    predicted = predict(network, theta, X)
    if network.task == "classification":
        y = check_labels(y, network.n_classes)
        if len(y) != len(predicted):
            raise BpnnError(f"X has {len(predicted)} rows but y has {len(y)} labels")
        return float(np.mean(predicted == y))
    Y = check_indicator(as_matrix(y, "y"), len(predicted), network.n_classes)
    return float(np.mean(np.all(predicted == Y, axis=1)))


def _cost_and_outputs(network, theta, X, Y, lam, masks, train_size, sample_weight):
    """(J, z⁽ᴸ⁾, checked Y) by one forward pass."""
    lam = check_lambda(lam)
    data = batch(network, theta, X, Y, sample_weight)
    _check_masks(network, masks, data.X.shape[0])
    with np.errstate(over="ignore", invalid="ignore"):
        z_out = forward_pass(network, data.thetas, data.X, masks).z_out
        total, _ = _output_cost(network.output_cost, z_out, data.Y, data.w)
    J, _ = add_l2(total / data.size, None, network, theta, lam, train_size or data.size)
    _check_finite(J, "cost", theta, data.X, data.Y)
    return J, z_out, data.Y


def add_l2(J, grad, network, theta, lam, n):
    """J + λ/(2n) Σₗ ‖W⁽ˡ⁾‖² and grad + (λ/n) W (zeros at the biases), from w = θ with the bias entries
    zeroed (θ times the network's weight mask)."""
    if not lam:
        return J, grad
    w = theta * network.weight_mask
    squares = float(np.einsum("i,i->", w, w))
    if squares == np.inf:  # w·w overflows though λ/(2n) w·w may not: scale by the largest |w| first
        top = float(np.max(np.abs(w)))
        with np.errstate(over="ignore"):
            penalty = lam / (2.0 * n) * top * float(np.einsum("i,i->", w / top, w / top)) * top
    else:
        penalty = lam / (2.0 * n) * squares
    _check_l2(penalty, lam, n, squares)
    if grad is not None:
        grad += np.multiply(w, lam / n, out=w)
    return J + penalty, grad


def _check_l2(penalty, lam, n, squares):
    """BpnnError when the L2 term λ/(2n) Σ‖W‖² overflows float64 because of λ: the larger of its two
    factors is λ/(2n), not the weights' Σ‖W‖² (those would be reported by the finite-cost check)."""
    if not np.isfinite(penalty) and np.isfinite(squares) and lam / (2.0 * n) > squares:
        raise BpnnError(f"lambda = {lam:.3g} is too large: the L2 term λ/(2n) Σ‖W‖² = {lam:.3g} / (2 · {n:g}) · "
                        f"{squares:.3g} is past float64's largest number, {np.finfo(np.float64).max:.3g}")


def _output_cost(out, z_out, Y, w=None):
    """``out.cost_and_delta(z_out, Y, w)``, with the cost NaN where z⁽ᴸ⁾ is not finite: an output past the
    dtype's range has no meaningful cost (some costs map ±inf to finite values), and the finite-cost
    check then says why."""
    representable = np.isfinite(z_out).all()
    total, delta = out.cost_and_delta(z_out, Y, w)
    return (total if representable else np.nan), delta


def _backprop(network, data, grads, masks):
    """The data term for the rows of ``data``: returns (1/size) Σ wᵢ costᵢ and writes
    (1/size) ∂(Σ wᵢ costᵢ)/∂Θ⁽ˡ⁾ into grads (the backprop equations of the module docstring)."""
    thetas = data.thetas
    with np.errstate(over="ignore", invalid="ignore"):  # huge weights: the finite-cost check reports them
        passed = forward_pass(network, thetas, data.X, masks, slopes=True)
        total, delta = _output_cost(network.output_cost, passed.z_out, data.Y, data.w)
    delta *= 1.0 / data.size
    if data.w is not None:
        delta *= data.w[:, None]
    ones = np.ones(data.X.shape[0], dtype=data.X.dtype)  # Σᵢ δᵢ = 1ᵀδ
    for layer in range(len(thetas) - 1, -1, -1):
        G = grads[layer]
        np.matmul(delta.T, passed.inputs[layer], out=G[:, 1:])
        np.matmul(ones, delta, out=G[:, 0])
        if layer:
            delta = layer_product(delta, thetas[layer][:, 1:])
            delta *= passed.slopes[layer - 1]
    return total * (1.0 / data.size)


def _check_finite(value, what, theta, X, Y=None):
    """Nothing if ``value`` (``what``: the cost, the output) is finite. Else BpnnError when an input holds
    NaN or inf (the caller's data), and DivergedError when the inputs are finite: the weights then produce
    values past the dtype's range."""
    if np.isfinite(value):
        return
    for name, arr in (("theta", theta), ("X", X), ("Y", Y)):
        if arr is not None and not np.all(np.isfinite(arr)):
            raise BpnnError(f"{what} is not finite: {name} contains NaN or inf")
    raise DivergedError(f"{what} is not finite: the weights (largest |θ| = {np.max(np.abs(theta)):.3g}) are too "
                        f"large for {X.dtype}, whose largest number is {np.finfo(X.dtype).max:.3g}")


def predict_proba(network, theta, X):
    """The network's output activations h_θ(X), one row per example.

    Parameters
    ----------
    network : Network
        The network θ belongs to.
    theta : ndarray of shape (n_params,)
        θ: every Θ⁽ˡ⁾ flattened in C order, one after the other.
    X : ndarray of shape (m, s₁)
        The examples, one per row (float64, or float32 to run the passes in float32).

    Returns
    -------
    ndarray of shape (m, s_L)
        a⁽ᴸ⁾: K sigmoid outputs in (0, 1) each, or softmax outputs summing to 1.

    Raises
    ------
    BpnnError
        Shapes that do not fit the network, NaN or inf in θ or X.

    Examples
    --------
    >>> import bpnn
    >>> network = bpnn.Network((3, 5, 3), cost="log-likelihood")
    >>> theta, X, _ = bpnn.debug_problem()
    >>> bpnn.predict_proba(network, theta, X).sum(axis=1).round(12)
    array([1., 1., 1., 1., 1.])
    """
    _, z_out = forward(network, theta, X)
    return network.output_cost.output(z_out)


def predict(network, theta, X):
    """Predicted labels 0..K−1 (the course's ``predict``).

    The label is the index of the largest output, which is the largest z⁽ᴸ⁾ as every output activation is
    increasing. A multilabel network predicts every label whose output is above 1/2 (z⁽ᴸ⁾ > 0), an m × K
    matrix of 0 and 1; a regression network's prediction is its outputs, the m × K values z⁽ᴸ⁾.

    Parameters
    ----------
    network : Network
        The network θ belongs to.
    theta : ndarray of shape (n_params,)
        θ: every Θ⁽ˡ⁾ flattened in C order, one after the other.
    X : ndarray of shape (m, s₁)
        The examples, one per row (float64, or float32 to run the passes in float32).

    Returns
    -------
    ndarray of shape (m,)
        Integer labels 0..K−1 (in the course's terms, label k is class k + 1); for a multilabel network the
        0/1 indicator matrix, for a regression network the values, shape (m, K).

    Raises
    ------
    BpnnError
        Shapes that do not fit the network, NaN or inf in θ or X.

    Examples
    --------
    >>> import bpnn
    >>> network = bpnn.Network((3, 5, 3))
    >>> theta, X, _ = bpnn.debug_problem()
    >>> bpnn.predict(network, theta, X)
    array([0, 0, 0, 0, 0])
    """
    _, z_out = forward(network, theta, X)
    if network.task == "classification":
        return np.argmax(z_out, axis=1)
    return (z_out > 0).astype(np.int64) if network.task == "multilabel" else z_out
