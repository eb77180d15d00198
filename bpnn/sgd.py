"""Mini-batch stochastic gradient descent (the book's ``SGD``) over the same ``cost_and_grad``.

Every epoch reshuffles the training rows (seeded) and walks through them in mini-batches of b rows.
Each batch's gradient is ``cost_and_grad`` on that slice with λ' = λ b / n, so that its L2 term is the
book's weight decay for a training set of n rows:

  v ← μ v − η ∇J_batch(θ),   θ ← θ + v,     ∇J_batch = (1/b) Σ_batch ∇cost + (λ/n) W

(μ = 0 gives plain SGD: w ← (1 − ηλ/n) w − (η/b) Σ ∇C_x). After each epoch the cost and accuracy on the
training data and, when given, the evaluation data are recorded: the four lists the book's SGD returns.
Both costs carry the same L2 term λ/(2n) Σ‖W‖² with n the number of training rows (the book divides by
each data set's own size, which inflates the term for a small evaluation set), so the curves compare.
The result is θ after the last epoch, as in the book; with ``early_stop=N`` training ends after N epochs
without a better evaluation accuracy and the θ of the best epoch is returned instead. Ctrl-C ends
training cleanly after the last whole epoch's update (or, with early stopping, with the best epoch).
"""

import time

import numpy as np

from .errors import BpnnError, DivergedError
from .functions import get_activation, get_output_cost
from .network import check_data, check_lambda, cost, cost_and_grad, dropout_masks, one_hot
from .optimize import TrainResult, check_activations_fit, check_hidden
from .params import INITIALIZERS, as_generator, init_weights, is_integer
from .report import accuracy

__all__ = ["train_sgd"]


def train_sgd(X, y, hidden_layer_sizes=(100,), epochs=30, batch_size=10, eta=0.2, lam=1.0, momentum=0.0,
              evaluation=None, early_stop=None, dropout=0.0, init="scaled-normal", n_classes=None, rng=0,
              progress=None, **network):
    """Train a network [n, *hidden_layer_sizes, K] on (X, y) by mini-batch SGD; returns a ``TrainResult``.

    ``evaluation`` is an optional (X_eval, y_eval) pair monitored each epoch and used by ``early_stop``.
    ``dropout`` is the probability of dropping a hidden unit (inverted dropout, training only). ``network``
    holds the options of ``cost_and_grad`` (activation, output, cost). ``progress``, if given, is called
    after each epoch with that epoch's record (epoch, costs, accuracies, seconds).
    """
    hidden, lam = check_hidden(hidden_layer_sizes), check_lambda(lam)
    get_activation(network.get("activation", "sigmoid"))
    get_output_cost(network.get("cost", "cross-entropy"), network.get("output"))
    if init not in INITIALIZERS:
        raise BpnnError(f"unknown initializer {init!r}; choose one of {', '.join(INITIALIZERS)}")
    if not 0.0 <= dropout < 1.0:
        raise BpnnError(f"dropout must be a probability in [0, 1), got {dropout!r}")
    if not (is_integer(epochs) and epochs >= 0 and is_integer(batch_size) and batch_size >= 1 and np.isfinite(eta)
            and eta > 0 and 0 <= momentum < 1 and (early_stop is None or (is_integer(early_stop) and early_stop >= 1))):
        raise BpnnError(f"need integers epochs ≥ 0, batch size ≥ 1 and early stop ≥ 1, a finite eta > 0 and "
                        f"0 ≤ momentum < 1; got epochs={epochs!r}, batch size={batch_size!r}, eta={eta!r}, "
                        f"momentum={momentum!r}, early stop={early_stop!r}")
    X, y = check_data(X, y, n_classes=n_classes)
    n_classes = int(n_classes) if n_classes is not None else int(y.max()) + 1
    if evaluation is not None:
        X_eval, y_eval = check_data(*evaluation, n_features=X.shape[1], n_classes=n_classes)
        evaluation = X_eval, y_eval, one_hot(y_eval, n_classes, X_eval.dtype)
    elif early_stop:
        raise BpnnError("early stopping needs evaluation data")
    sizes = [X.shape[1], *hidden, n_classes]
    check_activations_fit(X, sizes)
    rng = as_generator(rng)
    Y = one_hot(y, n_classes, X.dtype)
    n = X.shape[0]
    theta = init_weights(sizes, rng, init)
    velocity = np.zeros_like(theta)
    history = {key: [] for key in ("epoch", "training_cost", "training_accuracy", "evaluation_cost",
                                   "evaluation_accuracy", "seconds")}
    best_theta, best_accuracy, since_best = theta.copy(), -np.inf, 0
    start, n_evaluations, epoch, stop_reason, interrupted = time.perf_counter(), 0, 0, f"{epochs} epochs done", False

    try:
        for epoch in range(1, epochs + 1):
            try:
                order = rng.permutation(n)
                for first in range(0, n, batch_size):
                    rows = order[first:first + batch_size]
                    masks = dropout_masks(sizes, len(rows), dropout, rng) if dropout else None
                    _, grad = cost_and_grad(theta, sizes, X[rows], Y[rows], lam * len(rows) / n, dropout=masks,
                                            **network)
                    n_evaluations += 1
                    velocity *= momentum
                    velocity -= eta * grad
                    theta += velocity
                record = _monitor(theta, sizes, X, y, Y, lam, evaluation, network)
            except DivergedError as error:  # the data and options were checked above: the weights diverged
                raise DivergedError(f"SGD diverged in epoch {epoch} ({error}); try a smaller eta") from None
            record.update(epoch=epoch, seconds=time.perf_counter() - start)
            for key in history:
                history[key].append(record[key])
            if progress is not None:
                progress(record)
            if early_stop:
                if record["evaluation_accuracy"] > best_accuracy:
                    best_theta[:], best_accuracy, since_best = theta, record["evaluation_accuracy"], 0
                else:
                    since_best += 1
                if since_best >= early_stop:
                    stop_reason = f"early stop: no better evaluation accuracy for {early_stop} epochs"
                    break
            else:
                best_theta[:] = theta
    except KeyboardInterrupt:
        stop_reason, interrupted = f"interrupted (Ctrl-C) in epoch {epoch}", True

    if not history["epoch"] and interrupted:  # not one whole epoch: nothing was trained
        final, final_cost = theta, float("nan")
        stop_reason = "interrupted (Ctrl-C) before the first whole epoch"
    else:
        final = best_theta if history["epoch"] else theta
        final_cost = float(cost(final, sizes, X, Y, lam, **network))
    return TrainResult(theta=final, cost=final_cost, method="sgd",
                       n_iterations=len(history["epoch"]), n_evaluations=n_evaluations,
                       seconds=time.perf_counter() - start, stop_reason=stop_reason, interrupted=interrupted,
                       history=history, layer_sizes=sizes)


def _monitor(theta, sizes, X, y, Y, lam, evaluation, network):
    """One epoch's record: cost (with the L2 term) and accuracy on the training data and, when given, the
    evaluation triple (X, y, one-hot Y)."""
    activation = network.get("activation", "sigmoid")
    record = {"training_cost": float(cost(theta, sizes, X, Y, lam, **network)),
              "training_accuracy": accuracy(theta, sizes, X, y, activation),
              "evaluation_cost": None, "evaluation_accuracy": None}
    if evaluation is not None:
        X_eval, y_eval, Y_eval = evaluation
        lam_eval = lam * len(y_eval) / len(y)  # the training set's penalty λ/(2n) Σ‖W‖², see the module docstring
        record["evaluation_cost"] = float(cost(theta, sizes, X_eval, Y_eval, lam_eval, **network))
        record["evaluation_accuracy"] = accuracy(theta, sizes, X_eval, y_eval, activation)
    return record
