"""``TrainResult``: what training produced, made whole when it is made, and ``Status``, why it stopped."""

from dataclasses import dataclass, field
from enum import Enum

import numpy as np

from ..model.network import Network

__all__ = ["Status", "TrainResult"]


class Status(Enum):
    """Why training stopped, as data (``TrainResult.stop_reason`` says it in words)."""

    CONVERGED = "converged"  # the SciPy method's own convergence test
    FAILED = "failed"  # the SciPy method ended without success (e.g. a line search that found no descent)
    MAX_ITER = "max_iter"  # the budget of iterations or epochs ran out
    MAX_FUN = "max_fun"  # the budget of evaluations ran out
    STALLED = "stalled"  # the cost-decrease rule (tol, n_iter_no_change)
    EARLY_STOPPED = "early stopping"  # no better held-out accuracy for patience steps
    CALLBACK = "callback"  # the progress callback returned True
    INTERRUPTED = "interrupted"  # Ctrl-C


@dataclass(frozen=True)
class TrainResult:
    """θ* and its network, its cost, the work spent, why it stopped and the per-step history.

    ``step_unit`` says what ``n_steps`` counts: "iterations" (SciPy: one per line search or truncated-Newton
    step) or "epochs" (mini-batch training). ``final_cost`` is NaN when Ctrl-C came before anything was
    trained (``trained`` is then False and ``theta`` is θ₀). ``status`` is why training stopped and
    ``stop_reason`` the same in words. ``history`` holds one list per key, one entry per step: step, cost,
    n_evaluations, seconds, and for mini-batch training the monitoring values."""

    network: Network  # None only from ``minimize`` given a plain function
    theta: np.ndarray
    final_cost: float
    method: str
    n_steps: int
    step_unit: str
    n_evaluations: int
    seconds: float
    status: Status
    stop_reason: str
    history: dict = field(default_factory=dict)

    @property
    def interrupted(self):
        """Whether Ctrl-C ended training."""
        return self.status is Status.INTERRUPTED

    @property
    def trained(self):
        return bool(np.isfinite(self.final_cost))

    @property
    def thetas(self):
        """Θ⁽¹⁾, Θ⁽²⁾, … as views into θ*."""
        return self.network.unpack(self.theta)
