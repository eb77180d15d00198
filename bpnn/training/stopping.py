"""When training stops, the mechanics behind ``bpnn.training.options.Stopping``: the cost-decrease rule and early
stopping on evaluation data, shared by the SciPy methods (per iteration) and mini-batch training (per epoch).

* ``stalled(costs, tol, w)``: the last w steps together lowered the cost by less than a fraction tol of it,
  J_{k−w} − J_k < tol · |J_k|. A window rather than one step: truncated-Newton steps are few and uneven,
  and one small step is no sign of convergence.
* ``BestScore``: a score (held-out accuracy, higher is better) after each step; keeps the θ that scored
  best, and with a patience of N says to stop once N steps in a row brought no better score.
"""

import numpy as np

from ..errors import BpnnError

__all__ = ["stalled", "check_early_stopping", "BestScore"]


def stalled(costs, tol, window):
    """True when the costs after the last ``window`` steps fell by less than a fraction ``tol`` of the last."""
    return len(costs) > window and costs[-1 - window] - costs[-1] < tol * abs(costs[-1])


def check_early_stopping(patience, evaluation):
    """BpnnError when early stopping (a ``patience``) is asked for without held-out data to score."""
    if patience is not None and evaluation is None:
        raise BpnnError("early stopping needs evaluation data (patience was given without them)")


class BestScore:
    """The best score seen and its θ (a copy), the scores in order, and whether patience has run out."""

    def __init__(self, patience=None):
        self.patience, self.scores = patience, []
        self.best_score, self.best_theta, self.since_best = -np.inf, None, 0

    def add(self, theta, score):
        """Record the score of θ after one more step."""
        self.scores.append(score)
        if score > self.best_score:
            self.best_score, self.best_theta, self.since_best = score, np.array(theta, dtype=np.float64), 0
        else:
            self.since_best += 1

    @property
    def exhausted(self):
        return self.patience is not None and self.since_best >= self.patience
