"""Mini-batch training (the book's ``SGD``) over the same ``cost_and_grad``.

Every epoch reshuffles the training rows (seeded) and walks through them in mini-batches of b rows. Each
batch's gradient is ``cost_and_grad`` on that slice with λ stated for the whole training set of n rows
(``train_size=n``), so its L2 term is the book's weight decay:

  ∇J_batch = (1/b) Σ_batch ∇cost + (λ/n) W,    then the update rule's step (``bpnn.training.updates``);

plain SGD is w ← (1 − ηλ/n) w − (η/b) Σ ∇C_x. After each epoch the cost and accuracy on the training data
and, when given, the evaluation data are recorded: the four lists the book's SGD returns. Both costs carry
the training set's L2 term λ/(2n) Σ‖W‖² (the book divides by each data set's own size, which inflates the
term for a small evaluation set), so the curves compare. The result is θ after the last epoch, as in the
book; with early stopping (``Stopping.patience`` N) training ends after N epochs without a better evaluation
accuracy and the θ of the best epoch is returned instead. Ctrl-C ends training cleanly after the last whole
epoch (or, with early stopping, with the best epoch).
"""

import time

import numpy as np

from ..errors import BpnnError, ClusterLostError, DivergedError
from ..model.network import dropout_masks
from ..objective.local import LocalObjective
from .options import MiniBatches, Parallel, Stopping
from .result import Status, TrainResult
from .setup import LAMBDA, make_objective, prepare
from .stopping import BestScore, stalled
from .updates import ETA, SGD, Schedule, decay_grows_weights

__all__ = ["train_sgd", "EPOCHS", "HIDDEN", "INIT"]

EPOCHS = Stopping(max_iter=30, tol=0.0)  # mini-batch training's default: the book's 30 epochs, no cost rule
HIDDEN = (100,)  # hidden layers when none are given, for callers that build the network from options
INIT = "scaled-normal"  # θ₀'s draw when none is given: the book's default_weight_initializer
_MONITORED = ("training_cost", "training_accuracy", "evaluation_cost", "evaluation_accuracy")


def train_sgd(network, X, y, *, update=None, lam=LAMBDA, batches=MiniBatches(), stopping=EPOCHS, evaluation=None,
              sample_weight=None, theta0=None, seed=0, parallel=Parallel(), progress=None):
    """Train ``network`` on (X, y) by shuffled mini-batches, epoch after epoch.

    Each mini-batch is one :func:`cost_and_grad` on its rows, λ stated per training-set size (the book's weight
    decay), followed by the update rule's step. Ctrl-C stops training with the best θ so far.

    Parameters
    ----------
    network : Network
    X : ndarray of shape (m, s₁)
    y : array_like of shape (m,)
        Labels 0..K−1.
    update : SGD, Momentum or Adam, optional
        The update rule, with its η and learning-rate ``Schedule`` (default ``SGD(ETA)``). Pass the same rule
        object again to continue a run where it was.
    lam : float, default 1
        λ ≥ 0, regularization stated per training-set size (bias weights are not regularized).
    batches : MiniBatches, default MiniBatches()
        Batch size, dropout, and what each epoch scores.
    stopping : Stopping, default Stopping(max_iter=30, tol=0)
        ``max_iter`` epochs; ``tol`` > 0 stops once the last ``n_iter_no_change`` epochs together lowered the
        training cost by less than a fraction ``tol`` of it (an adaptive schedule lowers η instead);
        ``patience`` is early stopping on ``evaluation``.
    evaluation, sample_weight, theta0, seed, parallel
        As in :func:`train` (θ₀'s default draw here is the book's scaled-normal, ``INIT``), each step an epoch.
    progress : callable, optional
        Called after each epoch with that epoch's record (step, unit "epochs", cost, n_evaluations, seconds,
        theta, and the monitored costs and accuracies); returning True stops training.

    Returns
    -------
    TrainResult
        Its steps are epochs; the history holds the monitored costs and accuracies of each epoch.

    Raises
    ------
    BpnnError
        An update that is not a rule, options of the wrong type, data that do not fit the network.
    DivergedError
        The cost stopped being finite (η too large); the message says what to lower.

    Examples
    --------
    >>> import bpnn
    >>> network = bpnn.Network((3, 5, 3))
    >>> _, X, Y = bpnn.debug_problem()
    >>> result = bpnn.train_sgd(network, X, Y.argmax(axis=1), update=bpnn.Momentum(0.5, nesterov=True),
    ...                         batches=bpnn.MiniBatches(size=5), stopping=bpnn.Stopping(max_iter=3, tol=0))
    >>> result.n_steps, result.step_unit, len(result.history["training_cost"])
    (3, 'epochs', 3)
    """
    rule = SGD(ETA) if update is None else update
    if not hasattr(rule, "step"):
        raise BpnnError(f"update must be an update rule (SGD, Momentum, Adam, or an object with a step(theta, grad) "
                        f"method), got {rule!r}")
    schedule = getattr(rule, "schedule", None) or Schedule()
    if not isinstance(stopping, Stopping) or not isinstance(batches, MiniBatches) or not isinstance(parallel,
                                                                                                     Parallel):
        raise BpnnError("stopping, batches and parallel must be bpnn.Stopping, MiniBatches and Parallel values")
    if stopping.max_fun is not None:
        raise BpnnError("max_fun bounds the evaluations of the SciPy methods; mini-batch training counts epochs "
                        "(max_iter)")
    if parallel.client is not None and batches.dropout:
        raise BpnnError("dropout is not offered with sharded data (parallel=Parallel(client=…))")
    problem = prepare(network, X, y, lam=lam, sample_weight=sample_weight, theta0=theta0, seed=seed,
                      init=INIT, evaluation=evaluation, patience=stopping.patience)
    return _Epochs(problem, rule, schedule, batches, stopping, progress).run(make_objective(problem, parallel))


class _Epochs:
    """The epoch loop of one ``train_sgd`` call: shuffled mini-batches, the rule's steps, monitoring, the
    stopping rules, Ctrl-C."""

    def __init__(self, problem, rule, schedule, batches, stopping, progress):
        self.problem, self.rule, self.schedule, self.batches = problem, rule, schedule, batches
        self.stopping, self.progress = stopping, progress
        self.best = BestScore(stopping.patience)
        self.history = {key: [] for key in ("step", "cost", "n_evaluations", "seconds", *_MONITORED)}
        self.n_evaluations = 0

    def run(self, objective):
        try:
            return self._run(objective)
        finally:
            objective.close()

    def _run(self, objective):
        problem, rule, stopping, history = self.problem, self.rule, self.stopping, self.history
        theta, epochs, early_stopping = problem.theta0.copy(), stopping.max_iter, stopping.patience is not None
        window_start = 0  # the stopping rule looks at the costs since the last change of η (adaptive)
        start, epoch = time.perf_counter(), 0
        status, stop_reason = Status.MAX_ITER, f"{epochs} epochs done"
        try:
            for epoch in range(1, epochs + 1):
                try:
                    record = self._epoch(objective, theta)
                except BpnnError as error:  # the data and options were checked: the weights diverged
                    if not isinstance(error, DivergedError) and np.all(np.isfinite(theta)):
                        raise
                    advice = _divergence_advice(getattr(rule, "eta", None), problem.lam, objective.train_size)
                    raise DivergedError(f"SGD diverged in epoch {epoch} ({error}); {advice}") from None
                self.schedule.after_epoch(rule, len(problem.X))
                record.update(step=epoch, cost=record["training_cost"], n_evaluations=self.n_evaluations,
                              seconds=time.perf_counter() - start)
                for key in history:
                    history[key].append(record[key])
                if early_stopping:
                    self.best.add(theta, record["evaluation_accuracy"])
                if self.progress is not None and self.progress(
                        {**record, "unit": "epochs", "theta": self.best.best_theta if early_stopping else theta}):
                    status, stop_reason = Status.CALLBACK, f"stopped by the progress callback after {epoch} epochs"
                    break
                if self.best.exhausted:
                    status = Status.EARLY_STOPPED
                    stop_reason = f"early stop: no better evaluation accuracy for {stopping.patience} epochs"
                    break
                if stopping.tol and stalled(history["cost"][window_start:], stopping.tol, stopping.n_iter_no_change):
                    if not self.schedule.on_stall(rule):
                        status = Status.STALLED
                        stop_reason = (f"tol: the training cost fell by less than tol = {stopping.tol:g} of itself "
                                       f"over the last {stopping.n_iter_no_change} epochs")
                        break
                    window_start = len(history["cost"]) - 1
        except KeyboardInterrupt:
            interruption = "Ctrl-C"
        except ClusterLostError as lost:  # stop as on Ctrl-C; the final cost from the data held here
            interruption = str(lost)
            objective = LocalObjective(problem.network, problem.X, problem.Y, problem.lam,
                                       sample_weight=problem.sample_weight)
        else:
            interruption = None
        if interruption is not None:
            status, stop_reason = Status.INTERRUPTED, f"interrupted ({interruption}) in epoch {epoch}"
        if not history["step"] and interruption is not None:  # not one whole epoch: nothing was trained
            final, final_cost = problem.theta0, float("nan")
            stop_reason = f"interrupted ({interruption}) before the first whole epoch"
        else:
            final = self.best.best_theta if early_stopping and self.best.best_theta is not None else theta
            final_cost = float(objective.cost_and_score(final)[0])
        return TrainResult(network=problem.network, theta=final, final_cost=final_cost, method="sgd",
                           n_steps=len(history["step"]), step_unit="epochs", n_evaluations=self.n_evaluations,
                           seconds=time.perf_counter() - start, status=status, stop_reason=stop_reason,
                           history=history)

    def _epoch(self, objective, theta):
        """One pass over the shuffled training rows in mini-batches, each moving θ in place; then the
        epoch's record (``_monitor``)."""
        problem, batches, w = self.problem, self.batches, self.problem.sample_weight
        n = len(problem.X)
        order, batch_costs = problem.rng.permutation(n), []
        for first in range(0, n, batches.size):
            rows = order[first:first + batches.size]
            weights = None if w is None else w[rows]
            if weights is not None and not weights.any():
                continue  # every example of this batch has weight 0: no gradient
            masks = dropout_masks(problem.network, len(rows), batches.dropout, problem.rng) if batches.dropout else None
            J, grad = objective.batch(theta, rows, masks)
            self.n_evaluations += 1
            batch_costs.append((J, len(rows) if weights is None else weights.sum()))
            self.rule.step(theta, grad)
        if not np.all(np.isfinite(theta)):
            raise DivergedError("the weights overflowed to inf or NaN")
        training = objective.cost_and_score(theta) if batches.monitor_training else (_mean_cost(batch_costs), None)
        return _monitor(problem, theta, training, objective.train_size)


def _mean_cost(batch_costs):
    """The weighted mean of an epoch's [(J_batch, batch size), …]: scikit-learn's ``loss_`` for the epoch."""
    costs, sizes = np.array(batch_costs, dtype=np.float64).T
    return np.dot(costs, sizes) / sizes.sum()


def _divergence_advice(eta, lam, n):
    """What to change when SGD diverged: η, and λ too when the L2 term's step alone, θ ← (1 − η λ/n) θ,
    flips the weights' sign and grows them (η λ/n > 2)."""
    if eta is not None and decay_grows_weights(eta, lam, n):
        return (f"try a smaller lambda or eta (eta · lambda / n = {eta * lam / n:.3g} > 2: the L2 term's step "
                "alone makes the weights grow)")
    return "try a smaller eta"


def _monitor(problem, theta, training, train_size):
    """One epoch's record: the training (cost, accuracy) given, and, when there are held-out data, their
    cost (with the training set's L2 term, its size n = ``train_size``) and accuracy from one forward pass."""
    training_cost, training_accuracy = training
    record = {"training_cost": float(training_cost), "training_accuracy": training_accuracy,
              "evaluation_cost": None, "evaluation_accuracy": None}
    if problem.evaluation is not None:
        record["evaluation_cost"], record["evaluation_accuracy"] = problem.evaluation.cost_and_score(
            theta, problem.lam, train_size)
    return record
