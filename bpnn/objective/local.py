"""``LocalObjective``: the objective on data in this process (``bpnn.objective.base.Objective``).

Each evaluation is the math of ``bpnn.model`` on the training rows, cut into row blocks on parallel threads
(``bpnn.speed.RowBlocks``, its thread count fixed when the objective is made, so that an optimizer holding
BLAS at one thread for its own work still evaluates on every core). The rows are checked once, when the
objective is made: an evaluation, of every row or of a gathered mini-batch, goes straight to the math
(``batch_cost_and_grad``), with float32 weights cast into one buffer kept for the purpose. Successive curvature
products at one θ, rows and kind share one forward pass (``CurvatureCache``).
"""

import numpy as np

from ..model.curvature import Curvature
from ..model.network import Batch, batch_cost_and_grad, cost_and_score, examples, layer_weights
from ..model.validate import check_lambda
from ..speed import MIN_ACTIVATIONS_PER_PRODUCT_BLOCK, RowBlocks, default_threads

__all__ = ["LocalObjective", "CurvatureCache"]


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


class LocalObjective:
    """``network``'s objective on X (m × n), one-hot Y and the optional weights, λ = ``lam``, in this process."""

    def __init__(self, network, X, Y, lam=0.0, *, sample_weight=None):
        self.network, self.lam = network, check_lambda(lam)
        self.X, self.Y, self._w, self.train_size = examples(network, X, Y, sample_weight)
        self.w = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        self.n_examples = self.X.shape[0]
        self._cast = None if self.X.dtype == np.float64 else np.empty(network.n_params, dtype=self.X.dtype)
        threads = default_threads()
        self._blocks = RowBlocks(threads)
        self._product_blocks = RowBlocks(threads, least=MIN_ACTIVATIONS_PER_PRODUCT_BLOCK)
        self._curvatures = CurvatureCache()

    def __call__(self, theta):
        return self._cost_and_grad(theta, self.X, self.Y, self._w, self.train_size)

    def hessp(self, theta, v, gauss_newton=True, rows=None):
        def build():
            X, Y, w = (self.X, self.Y, self.w) if rows is None else self._rows(rows)
            return Curvature(self.network, theta, X, Y, self.lam, train_size=self.train_size, sample_weight=w,
                             gauss_newton=gauss_newton, blocks=self._product_blocks)

        return self._curvatures.times(self.network, theta, v, rows, gauss_newton, build)

    def batch(self, theta, rows, masks=None):
        w, size = (None, len(rows)) if self.w is None else (self._w[rows], float(self.w[rows].sum()))
        return self._cost_and_grad(theta, self.X[rows], self.Y[rows], w, size, masks)

    def _cost_and_grad(self, theta, X, Y, w, size, masks=None):
        """(J, ∇J) of rows checked when the objective was made (w in the compute dtype, size m or Σw), with λ
        stated for the whole training set."""
        data = Batch(layer_weights(self.network, theta, X.dtype, out=self._cast), X, Y, w, size)
        return batch_cost_and_grad(self.network, theta, data, self.lam, self.train_size, masks=masks,
                                   blocks=self._blocks)

    def cost_and_score(self, theta):
        return cost_and_score(self.network, theta, self.X, self.Y, self.lam, sample_weight=self.w)

    def close(self):
        """End the row blocks' threads."""
        self._blocks.close()
        self._product_blocks.close()

    def _rows(self, rows):
        return self.X[rows], self.Y[rows], None if self.w is None else self.w[rows]
