"""Options that belong together, as small frozen values shared by both trainers, the estimator and the CLI.
Each checks itself when made (``BpnnError`` naming the option), and each default is stated here, once.

  Stopping           when training stops: its budget (iterations or epochs, evaluations) and its rules
  CurvatureProducts  the curvature the Newton-type SciPy methods get: Gauss–Newton or exact, from a sample
  MiniBatches        how mini-batch training cuts and scores an epoch: batch size, dropout, monitoring
  Parallel           where evaluations run: in this process or on a Dask cluster; BLAS threads for a method
"""

from dataclasses import dataclass

from ..errors import BpnnError
from ..model.validate import check_choice, check_integer, check_number
from ..speed import CURVATURE_ROWS

__all__ = ["Stopping", "CurvatureProducts", "MiniBatches", "Parallel", "CURVATURE_KINDS"]

CURVATURE_KINDS = ("gauss-newton", "exact")  # the first is the default


@dataclass(frozen=True)
class Stopping:
    """When training stops.

    ``max_iter``: the budget in steps, iterations of a SciPy method (TNC: truncated-Newton steps; L-BFGS-B,
    CG, BFGS: line searches) or epochs of mini-batch training; ``max_fun``: a bound on evaluations of J
    and ∇J (SciPy methods; None: none). ``tol`` and ``n_iter_no_change``: the cost-decrease rule, which
    ends the run once the last ``n_iter_no_change`` steps together lowered the cost by less than a
    fraction ``tol`` of it (``bpnn.training.stopping.stalled``; ``tol=0``: off). ``patience``: early
    stopping, which ends the run once that many steps in a row brought no better accuracy on the
    evaluation data and returns the best-scoring θ (None: off).
    """

    max_iter: int = 400
    max_fun: int = None
    tol: float = 1e-2
    n_iter_no_change: int = 10
    patience: int = None

    def __post_init__(self):
        check_integer("max_iter", self.max_iter, 0)
        check_integer("max_fun", self.max_fun, 1, none=True)
        check_number("tol", self.tol, 0.0)
        check_integer("n_iter_no_change", self.n_iter_no_change, 1)
        check_integer("patience (early stopping)", self.patience, 1, none=True)


@dataclass(frozen=True)
class CurvatureProducts:
    """The curvature products of Newton-CG, trust-ncg and trust-krylov: ``kind`` "gauss-newton" (G·v,
    positive semi-definite) or "exact" (H·v), each over a sample of ``rows`` training rows drawn anew at
    every θ (None: every row; ``bpnn.objective.sampling``), while J and ∇J use every row."""

    kind: str = CURVATURE_KINDS[0]
    rows: int = CURVATURE_ROWS

    def __post_init__(self):
        check_choice("curvature", self.kind, CURVATURE_KINDS)
        check_integer("curvature rows", self.rows, 1, none=True)


@dataclass(frozen=True)
class MiniBatches:
    """How mini-batch training cuts and scores an epoch: ``size`` rows a batch, inverted ``dropout`` of
    hidden units with this probability while training, and ``monitor_training``: after each epoch score the
    whole training set (True), or record the mean of the epoch's mini-batch costs and no training accuracy
    (False, scikit-learn's ``loss_curve_``, a pass over the data cheaper)."""

    size: int = 10
    dropout: float = 0.0
    monitor_training: bool = True

    def __post_init__(self):
        check_integer("batch size", self.size, 1)
        check_number("dropout", self.dropout, 0.0, 1.0)


@dataclass(frozen=True)
class Parallel:
    """Where evaluations run. ``client``: a ``dask.distributed.Client`` whose workers hold the training rows
    cut into ``n_shards`` shards (default: one per worker; ``bpnn.objective.sharded``), None: this process.
    ``blas_threads``: BLAS threads for a SciPy method's own work between evaluations, "auto" (its entry in
    ``bpnn.speed.BLAS_THREADS``), None (BLAS as it is) or a number."""

    client: object = None
    n_shards: int = None
    blas_threads: object = "auto"

    def __post_init__(self):
        check_integer("n_shards", self.n_shards, 1, none=True)
        if self.n_shards is not None and self.client is None:
            raise BpnnError(f"n_shards={self.n_shards!r} needs a Dask client (Parallel(client=…)) to hold the shards")
        if self.blas_threads not in ("auto", None):
            check_integer("BLAS threads", self.blas_threads, 1)
