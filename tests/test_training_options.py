"""What both trainers share beyond the objective: early stopping on held-back data, continuing from a θ,
per-example weights, and the mini-batch learning-rate schedules and stopping rule."""

import numpy as np
import pytest

from bpnn import (BpnnError, MiniBatches, Network, Status, Stopping, cost, cost_and_grad, evaluate, one_hot, predict,
                  train, train_sgd)
from bpnn.data.loading import holdout
from bpnn.model.network import cost_and_score
from bpnn.training.setup import prepare
from bpnn.training.updates import SGD, Schedule


@pytest.fixture(scope="module")
def split(digits):
    X, y = digits
    rows = np.random.default_rng(0).permutation(len(y))[:1500]
    return holdout(X[rows], y[rows], 0.3)


def net(X, y, *hidden, **names):
    """The network for X and y: X's features as inputs, the hidden sizes given, max(y) + 1 outputs."""
    return Network((X.shape[1], *hidden, int(np.max(y)) + 1), **names)


def accuracy(result, X, y):
    return evaluate(result.network, result.theta, X, y)["accuracy"]


@pytest.mark.parametrize("method", ["TNC", "L-BFGS-B"])
def test_scipy_early_stopping_keeps_the_best_scoring_theta(split, method):
    X, y, X_val, y_val = split
    result = train(net(X, y, 15), X, y, lam=0.1, method=method, stopping=Stopping(tol=0.0, patience=4),
                   evaluation=(X_val, y_val))
    scores = result.history["evaluation_accuracy"]
    assert len(scores) == result.n_steps == len(result.history["cost"])
    assert result.stop_reason.startswith("early stop") and result.n_steps < 400
    assert result.status is Status.EARLY_STOPPED
    assert scores.index(max(scores)) == len(scores) - 5  # then four iterations in a row brought nothing better
    assert accuracy(result, X_val, y_val) == max(scores)  # the θ returned is the one that scored best
    assert result.final_cost == pytest.approx(cost(result.network, result.theta, X, one_hot(y, 10), 0.1), rel=1e-12)


def test_evaluation_without_patience_only_records(split):
    X, y, X_val, y_val = split
    monitored = train(net(X, y, 15), X, y, stopping=Stopping(max_iter=15), evaluation=(X_val, y_val))
    plain = train(net(X, y, 15), X, y, stopping=Stopping(max_iter=15))
    np.testing.assert_array_equal(monitored.theta, plain.theta)
    assert len(monitored.history["evaluation_accuracy"]) == 15 and "evaluation_accuracy" not in plain.history
    with pytest.raises(BpnnError, match="needs evaluation data"):
        train(net(X, y, 15), X, y, stopping=Stopping(patience=3))


def test_training_continues_from_theta0(split):
    X, y, _, _ = split
    first = train(net(X, y, 15), X, y, stopping=Stopping(max_iter=10, tol=0.0))
    resumed = train(net(X, y, 15), X, y, stopping=Stopping(max_iter=10, tol=0.0), theta0=first.theta)
    assert resumed.history["cost"][0] < first.history["cost"][0] and resumed.final_cost <= first.final_cost
    with pytest.raises(BpnnError, match="initial θ must be"):
        train(net(X, y, 16), X, y, theta0=first.theta)


def test_integer_sample_weights_train_like_repeated_examples(split):
    X, y, _, _ = split
    X, y = X[:300], y[:300]
    counts = np.arange(300) % 3
    network, stopping = Network((X.shape[1], 8, 10)), Stopping(max_iter=30, tol=0.0)
    weighted = train(network, X, y, method="L-BFGS-B", stopping=stopping, sample_weight=counts)
    repeated = train(network, np.repeat(X, counts, axis=0), np.repeat(y, counts), method="L-BFGS-B",
                     stopping=stopping)
    assert weighted.final_cost == pytest.approx(repeated.final_cost, rel=1e-6)
    np.testing.assert_allclose(weighted.theta, repeated.theta, rtol=1e-4, atol=1e-6)
    # one full-batch epoch of SGD is one gradient step: the same step for weights and repeated rows
    sgd = [train_sgd(network, *data, stopping=Stopping(max_iter=3, tol=0.0), batches=MiniBatches(size=len(data[1])),
                     update=SGD(0.5), **extra)
           for data, extra in (((X, y), {"sample_weight": counts}), ((np.repeat(X, counts, axis=0),
                                                                    np.repeat(y, counts)), {}))]
    np.testing.assert_allclose(sgd[0].theta, sgd[1].theta, rtol=1e-10, atol=1e-13)


def test_invscaling_sets_eta_from_the_examples_seen(split):
    X, y, _, _ = split
    rule = SGD(0.5, schedule=Schedule("invscaling", 0.25))
    etas = []
    train_sgd(Network((X.shape[1], 5, 10)), X[:100], y[:100], stopping=Stopping(max_iter=3, tol=0.0),
              batches=MiniBatches(size=20), update=rule, progress=lambda record: etas.append(rule.eta))
    assert etas == pytest.approx([0.5 / (100 * k + 1) ** 0.25 for k in (1, 2, 3)], rel=1e-15)


def test_adaptive_schedule_divides_eta_by_five_until_it_is_tiny():
    rule, schedule = SGD(1e-4), Schedule("adaptive")
    assert schedule.on_stall(rule) and rule.eta == pytest.approx(2e-5)
    assert schedule.on_stall(rule) and rule.eta == pytest.approx(4e-6)
    assert not schedule.on_stall(rule) and rule.eta == pytest.approx(4e-6)  # 8e-7 < 1e-6: stop instead
    assert not Schedule("constant").on_stall(rule)
    with pytest.raises(BpnnError, match="unknown learning-rate schedule"):
        Schedule("cosine")


def test_sgd_tol_stops_or_lowers_eta(split):
    X, y, _, _ = split
    stopping = Stopping(max_iter=200, tol=0.05, n_iter_no_change=2)
    stopped = train_sgd(net(X, y, 10), X, y, stopping=stopping, update=SGD(0.5), seed=1)
    assert stopped.stop_reason.startswith("tol:") and stopped.n_steps < 200 and stopped.status is Status.STALLED
    costs = stopped.history["cost"]
    assert costs[-3] - costs[-1] < 0.05 * costs[-1]
    rule = SGD(0.5, schedule="adaptive")
    adaptive = train_sgd(net(X, y, 10), X, y, stopping=stopping, update=rule, seed=1)
    assert adaptive.n_steps > stopped.n_steps and rule.eta < 0.5 / 5  # η was lowered at least twice


def test_cost_and_score_is_cost_and_predict_in_one_pass(split):
    X, y, _, _ = split
    network = Network((X.shape[1], 7, 10), "tanh", "log-likelihood")
    theta, w = network.init(2, "normal"), np.random.default_rng(1).uniform(0, 1, len(y))
    J, accuracy = cost_and_score(network, theta, X, one_hot(y, 10), 0.3, sample_weight=w)
    assert J == cost(network, theta, X, one_hot(y, 10), 0.3, sample_weight=w)
    assert accuracy == np.mean(predict(network, theta, X) == y)


def test_without_training_monitor_the_epoch_cost_is_the_mean_of_its_batch_costs(split):
    """Two batches (of 600 and the rest) and plain SGD, written out by hand: each batch cost is taken at the
    θ the batch starts from, weighted by the batch's size."""
    X, y, X_val, y_val = split
    network = net(X, y, 5)
    options = dict(lam=0.5, stopping=Stopping(max_iter=1, tol=0.0), seed=3)
    result = train_sgd(network, X, y, batches=MiniBatches(size=600, monitor_training=False), update=SGD(0.5),
                       evaluation=(X_val, y_val), **options)
    monitored = train_sgd(network, X, y, batches=MiniBatches(size=600), update=SGD(0.5), evaluation=(X_val, y_val),
                          **options)
    np.testing.assert_array_equal(result.theta, monitored.theta)  # monitoring changes nothing but the record
    assert result.history["training_accuracy"] == [None]
    assert result.history["evaluation_accuracy"] == monitored.history["evaluation_accuracy"]

    problem = prepare(network, X, y, lam=0.5, sample_weight=None, theta0=None, seed=3, init="scaled-normal",
                      evaluation=None, patience=None)
    theta, costs = problem.theta0.copy(), []
    order = problem.rng.permutation(len(y))
    for rows in (order[:600], order[600:]):
        J, grad = cost_and_grad(problem.network, theta, X[rows], problem.Y[rows], 0.5, train_size=len(y))
        costs.append(J * len(rows))
        theta -= 0.5 * grad
    np.testing.assert_allclose(result.theta, theta, rtol=1e-12)
    assert result.history["training_cost"][0] == pytest.approx(sum(costs) / len(y), rel=1e-12)


def test_momentum_is_refused_for_adam_and_a_bad_curvature_kind_is_named():
    from bpnn import CurvatureProducts
    from bpnn.training.updates import make_update

    with pytest.raises(BpnnError, match="momentum=0.5 applies to sgd and nesterov, not adam"):
        make_update("adam", 0.01, 0.5)
    assert make_update("nesterov", 0.05).momentum == 0.9 and make_update("sgd", 0.05).__class__.__name__ == "SGD"
    with pytest.raises(BpnnError, match="unknown curvature 'newton'; choose one of gauss-newton, exact"):
        CurvatureProducts(kind="newton")
