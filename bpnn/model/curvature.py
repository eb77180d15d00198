"""Exact Hessian-vector products H·v and Gauss–Newton products G·v of J(θ), by Pearlmutter's R-operator.

R{f} = ∂f(θ + r v)/∂r at r = 0 is the directional derivative along v; applied to every line of the forward
and backward pass (``bpnn.model.network``) it turns the gradient into H·v at about twice the cost of one
``cost_and_grad``, with no finite differences. For V⁽ˡ⁾ = [V_b | V_W], the part of v for layer l:

  forward    R{a⁽¹⁾} = 0,   R{z⁽ˡ⁺¹⁾} = R{a⁽ˡ⁾} W⁽ˡ⁾ᵀ + a⁽ˡ⁾ V_W⁽ˡ⁾ᵀ + V_b⁽ˡ⁾,   R{a⁽ˡ⁺¹⁾} = g'(z) ⊙ R{z⁽ˡ⁺¹⁾}
  output     R{δ⁽ᴸ⁾} = w ⊙ H_C R{z⁽ᴸ⁾} / Σw   (w = 1, Σw = m without sample weights), H_C the output cost's
             Hessian in z (the units table's ``curvature``, ``bpnn.model.units``)
  backward   R{δ⁽ˡ⁾} = [R{δ⁽ˡ⁺¹⁾} W⁽ˡ⁾ + δ⁽ˡ⁺¹⁾ V_W⁽ˡ⁾] ⊙ g'(z⁽ˡ⁾) + (δ⁽ˡ⁺¹⁾ W⁽ˡ⁾) ⊙ g''(z⁽ˡ⁾) ⊙ R{z⁽ˡ⁾}
             R{∂J/∂W⁽ˡ⁾} = R{δ⁽ˡ⁺¹⁾}ᵀ a⁽ˡ⁾ + δ⁽ˡ⁺¹⁾ᵀ R{a⁽ˡ⁾},   R{∂J/∂b⁽ˡ⁾} = Σᵢ R{δ⁽ˡ⁺¹⁾ᵢ}
  L2         + (λ/n) V_W

with g' and g'' from the units table, written through a = g(z). The Gauss–Newton product G·v = J_zᵀ H_C J_z v
keeps the forward R-pass and the output Hessian's Gauss–Newton part but back-propagates R{δ⁽ᴸ⁾} through the
linear backward pass only (no δ V_W and g'' terms): G is positive semi-definite, the product truncated-Newton
and Hessian-free methods want. ``Curvature`` runs the forward pass at θ once and then gives any number of
products (``times``), as a conjugate-gradient solve asks for; ``hessp`` is one product. The check of H·v
against central differences of the gradient is ``bpnn.model.checking.check_hessian``.
"""

import numpy as np

from ..errors import BpnnError
from .network import ONE_BLOCK, batch, forward_pass, layer_product
from .validate import check_lambda, check_vector

__all__ = ["Curvature", "hessp", "l2_curvature"]


class Curvature:
    """The curvature of J at θ over the rows X, Y: the forward pass, δ⁽ᴸ⁾ and the output cost's Hessian
    computed once, then ``times(v)`` for each product, H·v (or, with ``gauss_newton``, G·v), packed like θ.

    A conjugate-gradient solve asks for many products at one θ; each then costs the R-forward and
    R-backward passes only. Per-example weights scale each example's δ⁽ᴸ⁾ and R{δ⁽ᴸ⁾} as they scale its
    cost. ``blocks`` cuts the rows into blocks and maps over them (``bpnn.speed.RowBlocks``); the default
    takes every row at once."""

    def __init__(self, network, theta, X, Y, lam=0.0, *, train_size=None, sample_weight=None, gauss_newton=False,
                 blocks=ONE_BLOCK):
        self.network, self.lam, self.blocks = network, check_lambda(lam), blocks
        data = batch(network, np.array(theta, dtype=np.float64), X, Y, sample_weight)  # a copy: θ may change
        self.n, self._dtype = train_size or data.size, data.X.dtype
        self._parts = blocks.map(lambda rows: _BlockCurvature(network, data.rows(rows), gauss_newton),
                                 blocks.split(data.X.shape[0], network.units, data.X.dtype))

    def times(self, v):
        """H·v (G·v with ``gauss_newton``): one R-forward and one R-backward pass (the module docstring)."""
        network = self.network
        v = check_vector(v, network.n_params, "v")
        V = [Vl.astype(self._dtype, copy=False) for Vl in network.unpack(v)]
        parts = self.blocks.map(lambda part: part.times(V), self._parts)
        out = parts[0]
        for part in parts[1:]:
            out += part
        out += l2_curvature(network, v, self.lam, self.n)
        if not np.all(np.isfinite(out)):
            raise BpnnError("H·v is not finite: θ, X or Y hold NaN or inf, or the weights or λ are too large")
        return out


class _BlockCurvature:
    """The data term's curvature over one block of rows (a ``Batch`` whose size is the whole batch's m or
    Σw): its forward state at θ, and ``times(V)`` packed in float64."""

    def __init__(self, network, data, gauss_newton):
        self.network, self.thetas, self.gauss_newton = network, data.thetas, gauss_newton
        with np.errstate(over="ignore", invalid="ignore"):
            passed = forward_pass(network, data.thetas, data.X, slopes=True)
            _, delta = network.output_cost.cost_and_delta(passed.z_out.copy(), data.Y)
        self.inputs, self.slopes = passed.inputs, passed.slopes
        scale = 1.0 / data.size if data.w is None else data.w[:, None] / data.size
        self.delta = delta * scale
        self.output_curvature = network.output_cost.curvature(passed.z_out, data.Y, scale, gauss_newton)

    def times(self, V):
        """This block's part of H·v (or G·v) without the L2 term, for v unpacked into V⁽ˡ⁾ in the compute
        dtype."""
        network, thetas, inputs, slopes = self.network, self.thetas, self.inputs, self.slopes

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
        r_delta = self.output_curvature(r_z_out)

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
                    back += delta_W * network.g.second(inputs[layer]) * r_zs[layer - 1]
                else:
                    back *= slopes[layer - 1]
                r_delta = back
                delta = delta_W * slopes[layer - 1]
        return out


def hessp(network, theta, v, X, Y, lam=0.0, *, train_size=None, sample_weight=None, gauss_newton=False):
    """H·v (or, with ``gauss_newton``, G·v) of J(θ), by the R-operator on one forward and backward pass.

    J is ``cost(network, θ, X, Y, lam, ...)``; the product costs about two gradients' work. For many products at
    one θ, ``bpnn.model.curvature.Curvature(...).times(v)`` keeps the forward pass.

    Parameters
    ----------
    network : Network
    theta : ndarray of shape (n_params,)
    v : ndarray of shape (n_params,)
        The direction, packed like θ.
    X : ndarray of shape (m, s₁)
    Y : ndarray of shape (m, s_L)
        One-hot targets.
    lam : float, default 0
        λ, as in :func:`cost_and_grad`.
    train_size, sample_weight
        As in :func:`cost_and_grad`.
    gauss_newton : bool, default False
        The Gauss–Newton product G·v (positive semi-definite) instead of the exact H·v.

    Returns
    -------
    ndarray of shape (n_params,)
        The product, packed like θ.

    Raises
    ------
    BpnnError
        Shapes or values that do not fit, or a product that is not finite.

    Examples
    --------
    >>> import numpy as np, bpnn
    >>> network = bpnn.Network((3, 5, 3))
    >>> theta, X, Y = bpnn.debug_problem()
    >>> v = np.ones_like(theta)
    >>> Hv = bpnn.hessp(network, theta, v, X, Y, lam=3.0)
    >>> Gv = bpnn.hessp(network, theta, v, X, Y, lam=3.0, gauss_newton=True)
    >>> Hv.shape, bool(v @ Gv >= 0)
    ((38,), True)
    """
    return Curvature(network, theta, X, Y, lam, train_size=train_size, sample_weight=sample_weight,
                     gauss_newton=gauss_newton).times(v)


def l2_curvature(network, v, lam, n):
    """The L2 term's part of H·v: (λ/n) V_W (zeros at the biases)."""
    return (lam / n) * np.asarray(v, dtype=np.float64) * network.weight_mask if lam else 0.0
