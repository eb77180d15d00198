"""Mini-batch training (the book's ``SGD``) over the same ``cost_and_grad``.

Every epoch reshuffles the training rows (seeded) and walks through them in mini-batches of b rows. Each
batch's gradient is ``cost_and_grad`` on that slice with λ stated for the whole training set of n rows
(``train_size=n``), so its L2 term is the book's weight decay:

  ∇J_batch = (1/b) Σ_batch ∇cost + (λ/n) W,    then the update rule's step (``bpnn.training.updates``);

plain SGD is w ← (1 − ηλ/n) w − (η/b) Σ ∇C_x. After each epoch the cost and accuracy on the training data
and, when given, the evaluation data are recorded: the four lists the book's SGD returns. Both costs carry
the training set's L2 term λ/(2n) Σ‖W‖² (the book divides by each data set's own size, which inflates the
term for a small evaluation set), so the curves compare. The result is θ after the last epoch, as in the
book; with ``early_stop=N`` training ends after N epochs without a better evaluation accuracy and the θ of
the best epoch is returned instead. Ctrl-C ends training cleanly after the last whole epoch (or, with
early stopping, with the best epoch).
"""

import time

import numpy as np

from ..checks import check_data, one_hot
from ..errors import BpnnError, ClusterLostError, DivergedError
from ..network import Network, cost_and_accuracy, dropout_masks
from ..params import is_integer
from .result import TrainResult
from .setup import LAMBDA, LocalObjective, check_patience, make_objective, prepare
from .stopping import N_ITER_NO_CHANGE, BestScore, stalled
from .updates import LEARNING_RATES, UPDATES, Schedule, make_update

__all__ = ["train_sgd", "ETA", "MOMENTUM"]

ETA, MOMENTUM = 0.2, 0.0  # the book's learning rate; plain SGD
_MONITORED = ("training_cost", "training_accuracy", "evaluation_cost", "evaluation_accuracy")


def train_sgd(X, y, *, hidden=(100,), activation=Network.activation, cost=Network.cost, output=None, lam=LAMBDA,
              epochs=30, batch_size=10, eta=ETA, momentum=MOMENTUM, update=UPDATES[0], learning_rate=LEARNING_RATES[0],
              power_t=0.5, tol=0.0, n_iter_no_change=N_ITER_NO_CHANGE, evaluation=None, early_stop=None,
              dropout=0.0, sample_weight=None, theta0=None, init="scaled-normal", seed=0, n_classes=None,
              monitor_training=True, client=None, n_shards=None, progress=None):
    """Train a network [n, *hidden, K] on (X, y) by mini-batches; returns a ``TrainResult`` (steps: epochs).

    ``update`` is the rule (``make_update``: "sgd" with ``momentum``, "nesterov", "adam", or an object with
    ``step(θ, g)``) and ``eta`` its learning rate, which ``learning_rate`` schedules (a name in
    ``LEARNING_RATES`` with ``power_t``, or a ``Schedule``; pass the same rule and schedule objects again to
    continue a run where it was). ``tol`` > 0 stops training once the last ``n_iter_no_change`` epochs
    together lowered the training cost by less than a fraction ``tol`` of it (the SciPy methods' rule; an
    adaptive schedule lowers η instead). ``evaluation`` is an optional (X_eval, y_eval) pair monitored each
    epoch and used by ``early_stop``. ``dropout`` is the probability of dropping a hidden unit (inverted
    dropout, training only). ``sample_weight``: m weights ≥ 0 in the cost (see ``bpnn.network``); ``theta0``
    continues from a θ. ``monitor_training=False`` skips the pass over the training data after each epoch:
    the epoch's cost is then the mean of its mini-batch costs (as scikit-learn's ``loss_curve_``) and its
    training accuracy None. ``client``, a ``dask.distributed.Client``, trains on the data cut into ``n_shards``
    shards held by its workers (``bpnn.sharded``): each mini-batch's gradient is summed there, from the same
    rows as in-process. ``progress``, if given, is called after each epoch with that epoch's record (step,
    unit "epochs", cost, n_evaluations, seconds, theta, and the monitored costs and accuracies); returning
    True stops training.
    """
    rule = make_update(update, eta, momentum)
    schedule = learning_rate if isinstance(learning_rate, Schedule) else Schedule(learning_rate, power_t)
    if not 0.0 <= dropout < 1.0:
        raise BpnnError(f"dropout must be a probability in [0, 1), got {dropout!r}")
    if not (is_integer(epochs) and epochs >= 0 and is_integer(batch_size) and batch_size >= 1
            and is_integer(n_iter_no_change) and n_iter_no_change >= 1):
        raise BpnnError(f"need integers epochs ≥ 0, batch size ≥ 1 and n_iter_no_change ≥ 1; got epochs={epochs!r}, "
                        f"batch size={batch_size!r}, n_iter_no_change={n_iter_no_change!r}")
    if not (np.isfinite(tol) and tol >= 0):
        raise BpnnError(f"tol must be a finite number ≥ 0, got {tol!r}")
    best = BestScore(check_patience(early_stop))
    problem = prepare(X, y, hidden=hidden, activation=activation, cost=cost, output=output, lam=lam, init=init,
                      seed=seed, n_classes=n_classes, sample_weight=sample_weight, theta0=theta0)
    network, X, lam, rng, w = problem.network, problem.X, problem.lam, problem.rng, problem.sample_weight
    if evaluation is not None:
        X_eval, y_eval = check_data(*evaluation, n_features=X.shape[1], n_classes=network.n_classes)
        evaluation = X_eval, one_hot(y_eval, network.n_classes, X_eval.dtype)
    elif early_stop:
        raise BpnnError("early stopping needs evaluation data")
    n = X.shape[0]
    if client is not None and dropout:
        raise BpnnError("dropout is not offered with sharded data (client=)")
    with make_objective(problem, client, n_shards) as data:
        theta = problem.theta0.copy()
        history = {key: [] for key in ("step", "cost", "n_evaluations", "seconds", *_MONITORED)}
        window_start = 0  # the stopping rule looks at the costs since the last change of η (adaptive)
        start, n_evaluations, epoch, stop_reason = time.perf_counter(), 0, 0, f"{epochs} epochs done"
        interruption = None  # what cut training short: Ctrl-C, or why the cluster was lost

        try:
            for epoch in range(1, epochs + 1):
                try:
                    order, batch_costs = rng.permutation(n), []
                    for first in range(0, n, batch_size):
                        rows = order[first:first + batch_size]
                        weights = None if w is None else w[rows]
                        if weights is not None and not weights.any():
                            continue  # every example of this batch has weight 0: no gradient
                        masks = dropout_masks(network, len(rows), dropout, rng) if dropout else None
                        J, grad = data.batch(theta, rows, masks)
                        n_evaluations += 1
                        batch_costs.append((J, len(rows) if weights is None else weights.sum()))
                        rule.step(theta, grad)
                    training = data.cost_and_accuracy(theta) if monitor_training else (_mean_cost(batch_costs), None)
                    record = _monitor(network, theta, training, lam, problem.train_size, evaluation)
                except DivergedError as error:  # the data and options were checked above: the weights diverged
                    advice = _divergence_advice(getattr(rule, "eta", eta), lam, problem.train_size)
                    raise DivergedError(f"SGD diverged in epoch {epoch} ({error}); {advice}") from None
                schedule.after_epoch(rule, n)
                record.update(step=epoch, cost=record["training_cost"], n_evaluations=n_evaluations,
                              seconds=time.perf_counter() - start)
                for key in history:
                    history[key].append(record[key])
                if early_stop:
                    best.add(theta, record["evaluation_accuracy"])
                if progress is not None and progress({**record, "unit": "epochs",
                                                      "theta": best.best_theta if early_stop else theta}):
                    stop_reason = f"stopped by the progress callback after {epoch} epochs"
                    break
                if best.exhausted:
                    stop_reason = f"early stop: no better evaluation accuracy for {early_stop} epochs"
                    break
                if tol and stalled(history["cost"][window_start:], tol, n_iter_no_change):
                    if not schedule.on_stall(rule):
                        stop_reason = (f"tol: the training cost fell by less than tol = {tol:g} of itself over the "
                                       f"last {n_iter_no_change} epochs")
                        break
                    window_start = len(history["cost"]) - 1
        except KeyboardInterrupt:
            interruption = "Ctrl-C"
        except ClusterLostError as lost:  # stop as on Ctrl-C; the final cost from the data held here
            interruption, data = str(lost), LocalObjective(problem)

        if interruption:
            stop_reason = f"interrupted ({interruption}) in epoch {epoch}"
        if not history["step"] and interruption:  # not one whole epoch: nothing was trained
            final, final_cost = problem.theta0, float("nan")
            stop_reason = f"interrupted ({interruption}) before the first whole epoch"
        else:
            final = best.best_theta if early_stop and best.best_theta is not None else theta
            final_cost = float(data.cost_and_accuracy(final)[0])
        return TrainResult(network=network, theta=final, final_cost=final_cost, method="sgd",
                           n_steps=len(history["step"]), step_unit="epochs", n_evaluations=n_evaluations,
                           seconds=time.perf_counter() - start, stop_reason=stop_reason,
                           interrupted=interruption is not None,
                           history=history)


def _mean_cost(batch_costs):
    """The weighted mean of an epoch's [(J_batch, batch size), …]: scikit-learn's ``loss_`` for the epoch."""
    costs, sizes = np.array(batch_costs, dtype=np.float64).T
    return np.dot(costs, sizes) / sizes.sum()


def _divergence_advice(eta, lam, n):
    """What to change when SGD diverged: η, and λ too when the L2 term's step alone, θ ← (1 − η λ/n) θ,
    flips the weights' sign and grows them (η λ/n > 2)."""
    decay = eta * lam / n
    if decay > 2:
        return (f"try a smaller lambda or eta (eta · lambda / n = {decay:.3g} > 2: the L2 term's step alone "
                "makes the weights grow)")
    return "try a smaller eta"


def _monitor(network, theta, training, lam, train_size, evaluation):
    """One epoch's record: the training (cost, accuracy) given, and, when given, the cost (with the training
    set's L2 term, its size n = ``train_size``) and accuracy on the evaluation pair (X, one-hot Y) from one
    forward pass."""
    training_cost, training_accuracy = training
    record = {"training_cost": float(training_cost), "training_accuracy": training_accuracy,
              "evaluation_cost": None, "evaluation_accuracy": None}
    if evaluation is not None:
        X_eval, Y_eval = evaluation
        evaluation_cost, record["evaluation_accuracy"] = cost_and_accuracy(network, theta, X_eval, Y_eval, lam,
                                                                           train_size=train_size)
        record["evaluation_cost"] = float(evaluation_cost)
    return record

