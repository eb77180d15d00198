"""``TrainResult``: what training produced, made whole when it is made."""

from dataclasses import dataclass, field

import numpy as np

__all__ = ["TrainResult"]


@dataclass(frozen=True)
class TrainResult:
    """θ* and its network, its cost, the work spent and the per-step history.

    ``step_unit`` says what ``n_steps`` counts: "iterations" (SciPy: one per line search or truncated-Newton
    step) or "epochs" (mini-batch training). ``final_cost`` is NaN when Ctrl-C came before anything was
    trained (``trained`` is then False and ``theta`` is θ₀). ``history`` holds one list per key, one entry
    per step: step, cost, n_evaluations, seconds, and for mini-batch training the monitoring values."""

    network: object
    theta: np.ndarray
    final_cost: float
    method: str
    n_steps: int
    step_unit: str
    n_evaluations: int
    seconds: float
    stop_reason: str
    interrupted: bool = False
    history: dict = field(default_factory=dict)

    @property
    def trained(self):
        return bool(np.isfinite(self.final_cost))

    @property
    def thetas(self):
        """Θ⁽¹⁾, Θ⁽²⁾, … as views into θ*."""
        return self.network.unpack(self.theta)
