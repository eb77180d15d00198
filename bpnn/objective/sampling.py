"""Which training rows the curvature products of Newton-CG, trust-ncg and trust-krylov use: a sample.

These methods solve for each step  (G + λ/n·D) p = −∇J  by conjugate gradients, one curvature product G·v
(``bpnn.model.curvature``) per inner step, and SciPy does not cap the inner steps. With every row in every product
the inner solves cost far more than the gradients on MNIST-sized data. The curvature only shapes the step,
so it can come from a sample of the rows while J and ∇J stay exact (subsampled Hessian-free / Newton-CG,
as in Martens 2010 and Byrd, Chin, Neveitt & Nocedal 2011):

  G_S·v = (1/W_S) Σ_{i∈S} wᵢ Jᵢᵀ Hᵢ Jᵢ v + λ/n · D v,    W_S = Σ_{i∈S} wᵢ,

an unbiased estimate of the data term's G·v (the L2 term stays exact, stated for all n examples). S holds
``rows`` examples of positive weight drawn without replacement, anew whenever θ changes: one inner solve
asks for all its products at one θ and so sees one fixed, symmetric positive semi-definite matrix. With at
most ``rows`` such examples, S is all of them and the products are exact.

The default sample size is ``bpnn.speed.CURVATURE_ROWS``, measured on Fashion-MNIST: smaller samples are
noisy, larger ones make the inner solves cost more than they save.
"""

import numpy as np

from ..model.validate import check_integer

__all__ = ["CurvatureSample"]


class CurvatureSample:
    """``rows_at(θ)``: the sorted rows of this θ's curvature products, or None for every row.

    ``m`` rows with weights ``sample_weight`` (None: all 1); ``rows`` per sample (None: every row);
    ``rng`` a ``numpy.random.Generator``."""

    def __init__(self, m, rows, rng, sample_weight=None):
        check_integer("curvature rows", rows, 1, none=True)
        eligible = np.arange(m) if sample_weight is None else np.flatnonzero(np.asarray(sample_weight) > 0)
        self.eligible = eligible if rows is not None and len(eligible) > rows else None
        self.rows, self.rng = rows, rng
        self._theta = self._sample = None

    def rows_at(self, theta):
        if self.eligible is None:
            return None
        if self._theta is None or not np.array_equal(theta, self._theta):
            self._theta = np.array(theta, dtype=np.float64)
            self._sample = np.sort(self.rng.choice(self.eligible, self.rows, replace=False))
        return self._sample
