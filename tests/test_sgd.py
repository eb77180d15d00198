import warnings

import numpy as np
import pytest

from bpnn import BpnnError, accuracy, cost_and_grad, init_weights, one_hot
from bpnn.sgd import train_sgd


@pytest.fixture(scope="module")
def data(digits):
    X, y = digits
    return X[:600], y[:600], X[600:900], y[600:900]


def test_one_full_batch_epoch_is_one_gradient_step(data):
    X, y, _, _ = data
    X, y = X[:50], y[:50]
    result = train_sgd(X, y, (7,), epochs=1, batch_size=50, eta=0.3, lam=2.0, init="uniform", rng=0)
    theta0 = init_weights([400, 7, 10], np.random.default_rng(0), "uniform")  # sgd draws θ₀ first from its rng
    _, grad = cost_and_grad(theta0, [400, 7, 10], X, one_hot(y, 10), 2.0)  # batch = n: λ' = λ
    np.testing.assert_allclose(result.theta, theta0 - 0.3 * grad, rtol=1e-12, atol=1e-15)


def test_weight_decay_matches_the_book(data):
    """With zero data gradient (no rows would do, so use zero inputs and a matching target), one step is
    w ← (1 − ηλ/n) w on weights, biases untouched apart from their data gradient."""
    X = np.zeros((20, 3))
    y = np.zeros(20, dtype=int)
    result = train_sgd(X, y, (), epochs=1, batch_size=5, eta=0.5, lam=4.0, init="normal", rng=1, n_classes=2)
    theta0 = init_weights([3, 2], np.random.default_rng(1), "normal")
    W0, W1 = theta0.reshape(2, 4)[:, 1:], result.theta.reshape(2, 4)[:, 1:]
    np.testing.assert_allclose(W1, W0 * (1 - 0.5 * 4.0 / 20) ** 4, rtol=1e-12)  # 4 mini-batches of 5


def test_learns_and_records_the_four_lists(data):
    X, y, X_eval, y_eval = data
    result = train_sgd(X, y, (30,), epochs=6, batch_size=10, eta=0.2, lam=1.0, evaluation=(X_eval, y_eval), rng=0)
    history = result.history
    assert history["epoch"] == [1, 2, 3, 4, 5, 6] and result.n_iterations == 6
    for key in ("training_cost", "training_accuracy", "evaluation_cost", "evaluation_accuracy"):
        assert len(history[key]) == 6
    assert history["training_cost"][-1] < history["training_cost"][0]
    assert history["evaluation_accuracy"][-1] > 0.8 and history["evaluation_accuracy"][0] < 0.8
    assert history["evaluation_accuracy"][-1] == pytest.approx(accuracy(result.theta, result.layer_sizes, X_eval, y_eval))
    assert result.n_evaluations == 6 * 60


def test_relu_softmax_momentum_and_dropout_learn(data):
    X, y, X_eval, y_eval = data
    result = train_sgd(X, y, (40,), epochs=8, batch_size=10, eta=0.05, lam=0.5, momentum=0.5, dropout=0.2, rng=0,
                 activation="relu", cost="log-likelihood")
    assert accuracy(result.theta, result.layer_sizes, X_eval, y_eval, "relu") > 0.85


def test_seeded_runs_repeat(data):
    X, y, _, _ = data
    a = train_sgd(X, y, (10,), epochs=2, rng=5, dropout=0.1)
    b = train_sgd(X, y, (10,), epochs=2, rng=5, dropout=0.1)
    np.testing.assert_array_equal(a.theta, b.theta)
    assert not np.array_equal(a.theta, train_sgd(X, y, (10,), epochs=2, rng=6, dropout=0.1).theta)


def test_early_stopping_returns_the_best_epoch(data, monkeypatch):
    X, y, X_eval, y_eval = data
    # η so large that training oscillates: the best epoch is not the last.
    result = train_sgd(X, y, (20,), epochs=40, batch_size=10, eta=8.0, lam=0.0, evaluation=(X_eval, y_eval),
                 early_stop=3, rng=0)
    accuracies = result.history["evaluation_accuracy"]
    best = int(np.argmax(accuracies))
    assert len(accuracies) == best + 1 + 3  # stopped three epochs after the best
    assert "early stop" in result.stop_reason
    assert accuracy(result.theta, result.layer_sizes, X_eval, y_eval) == pytest.approx(accuracies[best])


def test_ctrl_c_keeps_the_last_whole_epoch(data, monkeypatch):
    X, y, _, _ = data
    import bpnn.sgd as module

    calls = {"n": 0}
    real = module.cost_and_grad

    def interrupted(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 150:  # inside epoch 3 of 60 batches each
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(module, "cost_and_grad", interrupted)
    result = train_sgd(X, y, (10,), epochs=10, batch_size=10, rng=0)
    assert result.interrupted and result.n_iterations == 2 and "epoch 3" in result.stop_reason
    assert np.isfinite(result.cost)


def test_bad_settings(data):
    X, y, _, _ = data
    with pytest.raises(BpnnError, match="early stopping needs evaluation data"):
        train_sgd(X, y, early_stop=2)
    with pytest.raises(BpnnError, match="batch size ≥ 1"):
        train_sgd(X, y, batch_size=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # diverging is reported once, as an error, not as numpy warnings
        with pytest.raises(BpnnError, match="SGD diverged in epoch 1 .*try a smaller eta"):
            train_sgd(X, y, (10,), epochs=3, eta=1e308, lam=0.0)
