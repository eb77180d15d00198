"""Training: every optimizer consumes the same objective (``bpnn.objective``), one network's cost on one
training set.

  options    the frozen option values both trainers share: ``Stopping``, ``CurvatureProducts``,
             ``MiniBatches``, ``Parallel``
  setup      what both trainers do first: the checks, one-hot targets, θ₀, held-out data, the objective
  result     ``TrainResult``, the one result type, and ``Status``, why training stopped
  stopping   the cost-decrease rule and early stopping's best score
  scipy      ``minimize`` (any SciPy method with a real ``max_iter``, best θ, Ctrl-C) and ``train``
  updates    mini-batch update rules on the flat θ (``SGD``, ``Momentum`` with Nesterov, ``Adam``) and η's
             ``Schedule``
  minibatch  ``train_sgd``: epochs of mini-batches, monitoring, early stopping

Both trainers take the ``Network`` first and keyword-only options, report progress through one callback
protocol (a dict per step; returning True stops training before the next step) and name their step unit
(iterations or epochs).
"""

from .options import CurvatureProducts, MiniBatches, Parallel, Stopping
from .result import Status, TrainResult

__all__ = ["CurvatureProducts", "MiniBatches", "Parallel", "Stopping", "Status", "TrainResult"]
