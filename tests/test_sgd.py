import warnings

import numpy as np
import pytest

from bpnn import BpnnError, MiniBatches, Network, Status, Stopping, cost_and_grad, one_hot
from bpnn.model.network import accuracy
from bpnn.model.params import init_weights
from bpnn.training.minibatch import train_sgd
from bpnn.training.updates import SGD, make_update


def epochs(n):
    """n epochs, the cost-decrease rule off (mini-batch training's default rule, n epochs long)."""
    return Stopping(max_iter=n, tol=0.0)


def net(X, y, *hidden, **names):
    """The network for X and y: X's features as inputs, the hidden sizes given, max(y) + 1 outputs."""
    return Network((X.shape[1], *hidden, int(np.max(y)) + 1), **names)


@pytest.fixture(scope="module")
def data(digits):
    X, y = digits
    return X[:600], y[:600], X[600:900], y[600:900]


def test_one_full_batch_epoch_is_one_gradient_step(data):
    X, y, _, _ = data
    X, y = X[:50], y[:50]
    network, rng = net(X, y, 7), np.random.default_rng(0)
    result = train_sgd(network, X, y, stopping=epochs(1), batches=MiniBatches(size=50), update=SGD(0.3), lam=2.0,
                       theta0=network.init(rng, "uniform"), seed=rng)
    theta0 = init_weights([400, 7, 10], np.random.default_rng(0), "uniform")  # sgd draws θ₀ first from its rng
    _, grad = cost_and_grad(Network([400, 7, 10]), theta0, X, one_hot(y, 10), 2.0)  # batch = n: λ' = λ
    np.testing.assert_allclose(result.theta, theta0 - 0.3 * grad, rtol=1e-12, atol=1e-15)


def test_weight_decay_matches_the_book(data):
    """With zero data gradient (no rows would do, so use zero inputs and a matching target), one step is
    w ← (1 − ηλ/n) w on weights, biases untouched apart from their data gradient."""
    X = np.zeros((20, 3))
    y = np.zeros(20, dtype=int)
    network, rng = Network((3, 2)), np.random.default_rng(1)
    result = train_sgd(network, X, y, stopping=epochs(1), batches=MiniBatches(size=5), update=SGD(0.5), lam=4.0,
                       theta0=network.init(rng, "normal"), seed=rng)
    theta0 = init_weights([3, 2], np.random.default_rng(1), "normal")
    W0, W1 = theta0.reshape(2, 4)[:, 1:], result.theta.reshape(2, 4)[:, 1:]
    np.testing.assert_allclose(W1, W0 * (1 - 0.5 * 4.0 / 20) ** 4, rtol=1e-12)  # 4 mini-batches of 5


def test_learns_and_records_the_four_lists(data):
    X, y, X_eval, y_eval = data
    result = train_sgd(net(X, y, 30), X, y, stopping=epochs(6), batches=MiniBatches(size=10), update=SGD(0.2),
                       lam=1.0, evaluation=(X_eval, y_eval), seed=0)
    history = result.history
    assert history["step"] == [1, 2, 3, 4, 5, 6] and result.n_steps == 6
    for key in ("training_cost", "training_accuracy", "evaluation_cost", "evaluation_accuracy"):
        assert len(history[key]) == 6
    assert history["training_cost"][-1] < history["training_cost"][0]
    assert history["evaluation_accuracy"][-1] > 0.8 and history["evaluation_accuracy"][0] < 0.8
    assert history["evaluation_accuracy"][-1] == pytest.approx(accuracy(result.network, result.theta, X_eval, y_eval))
    assert result.n_evaluations == 6 * 60


def test_relu_softmax_momentum_and_dropout_learn(data):
    X, y, X_eval, y_eval = data
    result = train_sgd(net(X, y, 40, activation="relu", cost="log-likelihood"), X, y, stopping=epochs(8),
                       batches=MiniBatches(size=10, dropout=0.2), update=make_update("sgd", 0.05, 0.5), lam=0.5, seed=0)
    assert accuracy(result.network, result.theta, X_eval, y_eval) > 0.85


def test_seeded_runs_repeat(data):
    X, y, _, _ = data
    options = dict(stopping=epochs(2), batches=MiniBatches(dropout=0.1))
    a = train_sgd(net(X, y, 10), X, y, seed=5, **options)
    b = train_sgd(net(X, y, 10), X, y, seed=5, **options)
    np.testing.assert_array_equal(a.theta, b.theta)
    assert not np.array_equal(a.theta, train_sgd(net(X, y, 10), X, y, seed=6, **options).theta)


def test_early_stopping_returns_the_best_epoch(data):
    X, y, X_eval, y_eval = data
    # η so large that training oscillates: the best epoch is not the last.
    result = train_sgd(net(X, y, 20), X, y, stopping=Stopping(max_iter=40, tol=0.0, patience=3),
                       batches=MiniBatches(size=10), update=SGD(8.0), lam=0.0, evaluation=(X_eval, y_eval), seed=0)
    accuracies = result.history["evaluation_accuracy"]
    best = int(np.argmax(accuracies))
    assert len(accuracies) == best + 1 + 3  # stopped three epochs after the best
    assert "early stop" in result.stop_reason and result.status is Status.EARLY_STOPPED
    assert accuracy(result.network, result.theta, X_eval, y_eval) == pytest.approx(accuracies[best])


def test_ctrl_c_keeps_the_last_whole_epoch(data):
    X, y, _, _ = data

    class InterruptedInEpoch3:
        """Plain SGD steps, then Ctrl-C at the 150th mini-batch (epoch 3 of 60 batches each)."""

        def __init__(self):
            self.rule, self.steps = SGD(0.2), 0

        def step(self, theta, grad):
            self.steps += 1
            if self.steps == 150:
                raise KeyboardInterrupt
            self.rule.step(theta, grad)

    result = train_sgd(net(X, y, 10), X, y, stopping=epochs(10), batches=MiniBatches(size=10), seed=0,
                       update=InterruptedInEpoch3())
    assert result.interrupted and result.n_steps == 2 and "epoch 3" in result.stop_reason
    assert result.status is Status.INTERRUPTED
    assert np.isfinite(result.final_cost)


def test_bad_settings(data):
    X, y, _, _ = data
    with pytest.raises(BpnnError, match="early stopping needs evaluation data"):
        train_sgd(net(X, y, 100), X, y, stopping=Stopping(max_iter=30, tol=0.0, patience=2))
    with pytest.raises(BpnnError, match="batch size must be an integer ≥ 1"):
        train_sgd(net(X, y, 100), X, y, batches=MiniBatches(size=0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # diverging is reported once, as an error, not as numpy warnings
        with pytest.raises(BpnnError, match="SGD diverged in epoch 1 .*try a smaller eta"):
            train_sgd(net(X, y, 10), X, y, stopping=epochs(3), update=SGD(1e308), lam=0.0)
