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
    """When training stops: the budget, the cost-decrease rule and early stopping.

    Parameters
    ----------
    max_iter : int, default 400
        The budget in steps: iterations of a SciPy method (TNC: truncated-Newton steps; L-BFGS-B, CG, BFGS: line
        searches) or epochs of mini-batch training.
    max_fun : int, optional
        A bound on evaluations of J and ∇J (SciPy methods; None: none).
    tol : float, default 0.01
        The cost-decrease rule ends the run once the last ``n_iter_no_change`` steps together lowered the cost
        by less than a fraction ``tol`` of it (``bpnn.training.stopping.stalled``; 0: off).
    n_iter_no_change : int, default 10
        The window of that rule.
    patience : int, optional
        Early stopping: end the run once that many steps in a row brought no better accuracy on the evaluation
        data, and return the best-scoring θ (None: off).

    Raises
    ------
    BpnnError
        A value of the wrong type or out of range.

    Examples
    --------
    >>> import bpnn
    >>> bpnn.Stopping(max_iter=50, tol=0)
    Stopping(max_iter=50, max_fun=None, tol=0, n_iter_no_change=10, patience=None)
    >>> bpnn.Stopping(max_iter=-1)
    Traceback (most recent call last):
        ...
    bpnn.errors.BpnnError: max_iter must be an integer ≥ 0, got -1
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
    """The curvature products of Newton-CG, trust-ncg and trust-krylov.

    Each product is taken over a sample of ``rows`` training rows drawn anew at every θ
    (``bpnn.objective.sampling``), while J and ∇J use every row.

    Parameters
    ----------
    kind : {"gauss-newton", "exact"}, default "gauss-newton"
        G·v (positive semi-definite) or H·v.
    rows : int, optional
        The rows of each sample (default: 2000; None: every row).

    Raises
    ------
    BpnnError
        An unknown kind, rows not an integer ≥ 1.

    Examples
    --------
    >>> import bpnn
    >>> bpnn.CurvatureProducts("exact", rows=None)
    CurvatureProducts(kind='exact', rows=None)
    >>> bpnn.CurvatureProducts("newton")
    Traceback (most recent call last):
        ...
    bpnn.errors.BpnnError: unknown curvature 'newton'; choose one of gauss-newton, exact
    """

    kind: str = CURVATURE_KINDS[0]
    rows: int = CURVATURE_ROWS

    def __post_init__(self):
        check_choice("curvature", self.kind, CURVATURE_KINDS)
        check_integer("curvature rows", self.rows, 1, none=True)


@dataclass(frozen=True)
class MiniBatches:
    """How mini-batch training cuts and scores an epoch.

    Parameters
    ----------
    size : int, default 10
        Rows per batch.
    dropout : float, default 0
        The probability of dropping each hidden unit while training (inverted dropout).
    monitor_training : bool, default True
        After each epoch score the whole training set (True), or record the mean of the epoch's mini-batch
        costs and no training accuracy (False: scikit-learn's ``loss_curve_``, a pass over the data cheaper).

    Raises
    ------
    BpnnError
        size not an integer ≥ 1, dropout outside [0, 1).

    Examples
    --------
    >>> import bpnn
    >>> bpnn.MiniBatches(size=400, dropout=0.2)
    MiniBatches(size=400, dropout=0.2, monitor_training=True)
    >>> bpnn.MiniBatches(size=0)
    Traceback (most recent call last):
        ...
    bpnn.errors.BpnnError: batch size must be an integer ≥ 1, got 0
    """

    size: int = 10
    dropout: float = 0.0
    monitor_training: bool = True

    def __post_init__(self):
        check_integer("batch size", self.size, 1)
        check_number("dropout", self.dropout, 0.0, 1.0)


@dataclass(frozen=True)
class Parallel:
    """Where evaluations run: this process, or the workers of a Dask cluster.

    Parameters
    ----------
    client : dask.distributed.Client or str, optional
        A client (or a scheduler's address) whose workers hold the training rows cut into shards
        (``bpnn.objective.sharded``); None: this process.
    n_shards : int, optional
        The number of shards (default: one per worker); needs a client.
    blas_threads : "auto", int or None, default "auto"
        BLAS threads for a SciPy method's own work between evaluations: "auto" (its entry in
        ``bpnn.speed.BLAS_THREADS``), None (BLAS as it is) or a number.

    Raises
    ------
    BpnnError
        n_shards without a client, or a count that is not an integer ≥ 1.

    Examples
    --------
    >>> import bpnn
    >>> bpnn.Parallel(blas_threads=1)
    Parallel(client=None, n_shards=None, blas_threads=1)
    >>> bpnn.Parallel(n_shards=2)
    Traceback (most recent call last):
        ...
    bpnn.errors.BpnnError: n_shards=2 needs a Dask client (Parallel(client=…)) to hold the shards
    """

    client: object = None
    n_shards: int = None
    blas_threads: object = "auto"

    def __post_init__(self):
        check_integer("n_shards", self.n_shards, 1, none=True)
        if self.n_shards is not None and self.client is None:
            raise BpnnError(f"n_shards={self.n_shards!r} needs a Dask client (Parallel(client=…)) to hold the shards")
        if self.blas_threads not in ("auto", None):
            check_integer("BLAS threads", self.blas_threads, 1)
