"""``TrainResult``: what training produced, made whole when it is made, and ``Status``, why it stopped."""

from dataclasses import dataclass, field
from enum import Enum

import numpy as np

from ..model.network import Network

__all__ = ["Status", "TrainResult"]


class Status(Enum):
    """Why training stopped, as data (``TrainResult.stop_reason`` says it in words).

    Parameters
    ----------
    value : str
        ``Status(value)`` is the member with this value ("converged", "max_iter", …).

    Attributes
    ----------
    CONVERGED
        The SciPy method's own convergence test.
    FAILED
        The SciPy method ended without success (e.g. a line search that found no descent).
    MAX_ITER, MAX_FUN
        The budget of iterations or epochs, or of evaluations, ran out.
    STALLED
        The cost-decrease rule (``Stopping.tol``, ``Stopping.n_iter_no_change``).
    EARLY_STOPPED
        No better held-out accuracy for ``Stopping.patience`` steps.
    CALLBACK
        The ``progress`` callback returned True.
    INTERRUPTED
        Ctrl-C.

    Raises
    ------
    ValueError
        ``Status(value)`` for a value that is none of these.

    Examples
    --------
    >>> import bpnn
    >>> bpnn.Status("stalled"), bpnn.Status.MAX_ITER.value
    (<Status.STALLED: 'stalled'>, 'max_iter')
    """

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

    Made by the trainers, not by hand.

    Parameters
    ----------
    network : Network
        The network trained (None only from ``minimize`` given a plain function).
    theta : ndarray of shape (n_params,)
        θ*, the best θ the run evaluated (or the best-scoring one with early stopping).
    final_cost : float
        J(θ*); NaN when Ctrl-C came before anything was trained (``trained`` is then False and ``theta`` is θ₀).
    method : str
        The SciPy method, or the update rule.
    n_steps : int
        Steps done, counted in ``step_unit``.
    step_unit : {"iterations", "epochs"}
        "iterations" (SciPy: one per line search or truncated-Newton step) or "epochs" (mini-batch training).
    n_evaluations : int
        Evaluations of J and ∇J.
    seconds : float
        Wall time of the run.
    status : Status
        Why training stopped.
    stop_reason : str
        The same in words.
    history : dict of list
        One list per key, one entry per step: step, cost, n_evaluations, seconds, and for mini-batch training
        the monitored values.
    evidence : Evidence, optional
        A ``lam="auto"`` run's re-estimation of λ from the evidence (``bpnn.bayes.evidence``); else None.

    Attributes
    ----------
    thetas : list of ndarray
        Θ⁽¹⁾, Θ⁽²⁾, … as views into θ*.
    interrupted, trained : bool
        Whether Ctrl-C ended training; whether anything was trained.

    Raises
    ------
    AttributeError
        On assignment: a result is frozen.

    Examples
    --------
    >>> import bpnn
    >>> network = bpnn.Network((3, 5, 3))
    >>> _, X, Y = bpnn.debug_problem()
    >>> result = bpnn.train(network, X, Y.argmax(axis=1), lam=0.0, stopping=bpnn.Stopping(max_iter=2))
    >>> [T.shape for T in result.thetas], len(result.history["cost"]), result.trained
    ([(5, 4), (3, 6)], 2, True)
    """

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
    evidence: object = None  # bpnn.bayes.evidence.Evidence of a lam="auto" run

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
