"""Exact Hessian-vector products H·v and Gauss–Newton products G·v of J(θ), by Pearlmutter's R-operator.

R{f} = ∂f(θ + r v)/∂r at r = 0 is the directional derivative along v; applied to every line of the forward
and backward pass (``bpnn.network``) it turns the gradient into H·v at about twice the cost of one
``cost_and_grad``, with no finite differences. For V⁽ˡ⁾ = [V_b | V_W], the part of v for layer l:

  forward    R{a⁽¹⁾} = 0,   R{z⁽ˡ⁺¹⁾} = R{a⁽ˡ⁾} W⁽ˡ⁾ᵀ + a⁽ˡ⁾ V_W⁽ˡ⁾ᵀ + V_b⁽ˡ⁾,   R{a⁽ˡ⁺¹⁾} = g'(z) ⊙ R{z⁽ˡ⁺¹⁾}
  output     R{δ⁽ᴸ⁾} = w ⊙ H_C R{z⁽ᴸ⁾} / Σw   (w = 1, Σw = m without sample weights) with the output cost's Hessian in z:
             sigmoid + cross-entropy  σ'(z) ⊙ r;   softmax + log-likelihood  p ⊙ r − p (p·r);
             sigmoid + quadratic      [σ'(z)² + (σ(z) − y) σ''(z)] ⊙ r
  backward   R{δ⁽ˡ⁾} = [R{δ⁽ˡ⁺¹⁾} W⁽ˡ⁾ + δ⁽ˡ⁺¹⁾ V_W⁽ˡ⁾] ⊙ g'(z⁽ˡ⁾) + (δ⁽ˡ⁺¹⁾ W⁽ˡ⁾) ⊙ g''(z⁽ˡ⁾) ⊙ R{z⁽ˡ⁾}
             R{∂J/∂W⁽ˡ⁾} = R{δ⁽ˡ⁺¹⁾}ᵀ a⁽ˡ⁾ + δ⁽ˡ⁺¹⁾ᵀ R{a⁽ˡ⁾},   R{∂J/∂b⁽ˡ⁾} = Σᵢ R{δ⁽ˡ⁺¹⁾ᵢ}
  L2         + (λ/n) V_W

with g' and g'' written through a = g(z): sigmoid a(1 − a), a(1 − a)(1 − 2a); tanh 1 − a², −2a(1 − a²);
relu [a > 0], 0. The Gauss–Newton product G·v = J_zᵀ H_C J_z v keeps the forward R-pass and the output
Hessian but back-propagates R{δ⁽ᴸ⁾} through the linear backward pass only (no δ V_W and g'' terms), and
for the quadratic cost drops the (σ − y) σ'' term: G is positive semi-definite, the product truncated-Newton
and Hessian-free methods want. ``Curvature`` runs the forward pass at θ once and then gives any number of
products (``times``), as a conjugate-gradient solve asks for; ``hessp`` is one product. ``check_hessian``
compares H·v with central differences of the gradient.
"""

import numpy as np

from .checks import check_lambda, check_step, check_vector
from .errors import BpnnError
from .functions import get_activation, get_output_cost, sigmoid
from .gradcheck import relative_difference
from .network import _forward, _operands, _weights_and_size, cost_and_grad, layer_product
from .threads import map_blocks, row_blocks

__all__ = ["Curvature", "CurvatureCache", "hessp", "l2_curvature", "check_hessian", "MIN_ACTIVATIONS_PER_PRODUCT_BLOCK"]

MIN_ACTIVATIONS_PER_PRODUCT_BLOCK = 80_000  # 1,000 rows of 784-100-10 stay one block, 2,000 become two

_SECOND = {  # g''(z) in terms of a = g(z)
    "sigmoid": lambda a: a * (1.0 - a) * (1.0 - 2.0 * a),
    "tanh": lambda a: -2.0 * a * (1.0 - a * a),
    "relu": lambda a: np.zeros_like(a),
}


class Curvature:
    """The curvature of J at θ over the rows X, Y: the forward pass, δ⁽ᴸ⁾ and the output cost's Hessian
    computed once, then ``times(v)`` for each product, H·v (or, with ``gauss_newton``, G·v), packed like θ.

    A conjugate-gradient solve asks for many products at one θ; each then costs the R-forward and
    R-backward passes only (on 2,000 Fashion-MNIST rows, 784-100-10, float64, the forward pass is a third
    of a product). Per-example weights scale each example's δ⁽ᴸ⁾ and R{δ⁽ᴸ⁾} as they scale its cost.

    The rows are cut into row blocks on parallel threads with BLAS at one thread, as ``cost_and_grad``'s
    (``bpnn.threads``), from ``MIN_ACTIVATIONS_PER_PRODUCT_BLOCK`` activations a block in either dtype.
    Blocks are no faster per product than one block on multithreaded BLAS, but OpenBLAS's workers spin on
    after such products and slow the next full-batch evaluation (60,000 Fashion-MNIST rows after products
    on 2,000: float64 272 → 322 ms, float32 164 → 196 ms)."""

    def __init__(self, network, theta, X, Y, lam=0.0, *, train_size=None, sample_weight=None, gauss_newton=False):
        self.network, self.lam = network, check_lambda(lam)
        thetas, X, Y = _operands(network, np.array(theta, dtype=np.float64), X, Y)  # a copy: θ may change
        w, size = _weights_and_size(sample_weight, X.shape[0], X.dtype)
        self.n, self._dtype = train_size or size, X.dtype
        blocks = row_blocks(X.shape[0], sum(network.sizes[1:]), least=MIN_ACTIVATIONS_PER_PRODUCT_BLOCK)
        self._blocks = map_blocks(
            lambda rows: _BlockCurvature(network, thetas, X[rows], Y[rows], None if w is None else w[rows], size,
                                         gauss_newton), blocks)

    def times(self, v):
        """H·v (G·v with ``gauss_newton``): one R-forward and one R-backward pass (the module docstring)."""
        network = self.network
        v = check_vector(v, network.n_params, "v")
        V = [Vl.astype(self._dtype, copy=False) for Vl in network.unpack(v)]
        parts = map_blocks(lambda block: block.times(V), self._blocks)
        out = parts[0]
        for part in parts[1:]:
            out += part
        out += l2_curvature(network, v, self.lam, self.n)
        if not np.all(np.isfinite(out)):
            raise BpnnError("H·v is not finite: θ, X or Y hold NaN or inf, or the weights or λ are too large")
        return out


class _BlockCurvature:
    """The data term's curvature over one block of rows (weights w, or None; ``size`` is the whole batch's
    m or Σw): its forward state at θ, and ``times(V)`` packed in float64."""

    def __init__(self, network, thetas, X, Y, w, size, gauss_newton):
        self.network, self.thetas, self.gauss_newton = network, thetas, gauss_newton
        with np.errstate(over="ignore", invalid="ignore"):
            self.inputs, self.slopes, z = _forward(thetas, X, get_activation(network.activation), slopes=True)
            _, delta = get_output_cost(network.cost, network.output).cost_and_delta(z.copy(), Y)
        self.scale = 1.0 / size if w is None else w[:, None] / size
        self.delta = delta * self.scale
        self.output_curvature = self._output_curvature(z, Y)

    def _output_curvature(self, z, Y):
        """Softmax outputs: p (H_C r = p ⊙ r − p (p·r), scaled in ``times``); sigmoid outputs: the diagonal
        H_C, scaled."""
        if self.network.output == "softmax":
            p = np.exp(z - z.max(axis=1, keepdims=True))
            p /= p.sum(axis=1, keepdims=True)
            return p
        s = sigmoid(z)
        slope = s * (1.0 - s)
        if self.network.cost == "cross-entropy":
            return slope * self.scale
        curvature = slope * slope if self.gauss_newton else slope * slope + (s - Y) * slope * (1.0 - 2.0 * s)
        return curvature * self.scale

    def times(self, V):
        """This block's part of H·v (or G·v) without the L2 term, for v unpacked into V⁽ˡ⁾ in the compute
        dtype."""
        network, thetas, inputs, slopes = self.network, self.thetas, self.inputs, self.slopes
        second = _SECOND[network.activation]

        r_inputs, r_zs = [None], []  # R{X} = 0: the input layer has no R-term
        with np.errstate(over="ignore", invalid="ignore"):
            for layer, (Theta, Vl) in enumerate(zip(thetas[:-1], V[:-1])):
                r_z = layer_product(inputs[layer], Vl[:, 1:].T)
                r_z += Vl[:, 0]
                if r_inputs[-1] is not None:
                    r_z += layer_product(r_inputs[-1], Theta[:, 1:].T)
                r_zs.append(r_z)
                r_inputs.append(slopes[layer] * r_z)
            r_z_out = inputs[-1] @ V[-1][:, 1:].T + V[-1][:, 0]
            if r_inputs[-1] is not None:
                r_z_out += r_inputs[-1] @ thetas[-1][:, 1:].T
        if network.output == "softmax":
            p = self.output_curvature
            r_delta = (p * r_z_out - p * np.sum(p * r_z_out, axis=1, keepdims=True)) * self.scale
        else:
            r_delta = self.output_curvature * r_z_out

        delta = self.delta
        out = np.empty(network.n_params, dtype=np.float64)
        for layer in range(len(thetas) - 1, -1, -1):
            G = network.unpack(out)[layer]
            G[:, 1:] = r_delta.T @ inputs[layer]
            if not self.gauss_newton and layer:
                G[:, 1:] += delta.T @ r_inputs[layer]
            G[:, 0] = r_delta.sum(axis=0)
            if layer:
                W, VW = thetas[layer][:, 1:], V[layer][:, 1:]
                back, delta_W = layer_product(r_delta, W), layer_product(delta, W)
                if not self.gauss_newton:
                    back += layer_product(delta, VW)
                    back *= slopes[layer - 1]
                    back += delta_W * second(inputs[layer]) * r_zs[layer - 1]
                else:
                    back *= slopes[layer - 1]
                r_delta = back
                delta = delta_W * slopes[layer - 1]
        return out


class CurvatureCache:
    """The ``Curvature`` of the last (network, θ, rows, kind) asked for, so that the products of one
    conjugate-gradient solve share one forward pass; a new one is built when any of them changes (θ
    changed in place too: the key holds a copy)."""

    def __init__(self):
        self._key = self._curvature = None

    def times(self, network, theta, v, rows, gauss_newton, build):
        """The product with v of the curvature at θ over ``rows`` (None: every row), ``build()`` giving a new
        ``Curvature`` when the last one does not fit."""
        key = self._key
        if key is None or not (key[0] == network and key[3] == gauss_newton and np.array_equal(key[1], theta)
                               and (rows is None if key[2] is None else np.array_equal(key[2], rows))):
            self._curvature = build()
            self._key = (network, np.array(theta, dtype=np.float64), None if rows is None else np.array(rows),
                         gauss_newton)
        return self._curvature.times(v)


def hessp(network, theta, v, X, Y, lam=0.0, *, train_size=None, sample_weight=None, gauss_newton=False):
    """H·v (or, with ``gauss_newton``, G·v) of J(θ) = ``cost(network, θ, X, Y, lam, ...)``, packed like θ:
    ``Curvature(...).times(v)``, for one product at θ."""
    return Curvature(network, theta, X, Y, lam, train_size=train_size, sample_weight=sample_weight,
                     gauss_newton=gauss_newton).times(v)


def l2_curvature(network, v, lam, n):
    """The L2 term's part of H·v: (λ/n) V_W (zeros at the biases)."""
    return (lam / n) * np.asarray(v, dtype=np.float64) * network.weight_mask if lam else 0.0


def check_hessian(network, theta, X, Y, lam=0.0, *, v=None, seed=0, eps=1e-5, sample_weight=None):
    """(relative difference, H·v, numerical): ``hessp`` against the central difference
    (∇J(θ + ε v) − ∇J(θ − ε v)) / 2ε of ``cost_and_grad``'s gradient, along v (default: random, seeded).

    BpnnError for a v that is not n real finite numbers, or is zero (along v = 0 both sides are 0 and
    nothing is checked), and for an ε that is not a finite number > 0 or too small to move θ."""
    theta = check_vector(theta, network.n_params, "theta")
    eps = check_step(eps)
    v = np.random.default_rng(seed).standard_normal(theta.size) if v is None else check_vector(v, theta.size, "v")
    if not np.any(v):
        raise BpnnError("v is zero: H·v = 0 along it, so it cannot check the Hessian; give a non-zero direction")
    if np.array_equal(theta + eps * v, theta):
        raise BpnnError(f"eps = {eps:g} is too small for this v: θ + ε v rounds back to θ in float64")
    exact = hessp(network, theta, v, X, Y, lam, sample_weight=sample_weight)
    plus = cost_and_grad(network, theta + eps * v, X, Y, lam, sample_weight=sample_weight)[1]
    minus = cost_and_grad(network, theta - eps * v, X, Y, lam, sample_weight=sample_weight)[1]
    numerical = (plus - minus) / (2.0 * eps)
    return relative_difference(exact, numerical), exact, numerical
