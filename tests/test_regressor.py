"""Regression: the identity output with the squared error, ``score``'s R² against scikit-learn's ``r2_score``,
and ``BPNNRegressor`` against ``MLPRegressor``'s loss written out by hand and its fits."""

import json
import subprocess
import sys
import warnings

import numpy as np
import pytest
from sklearn.datasets import make_friedman1
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import r2_score
from sklearn.neural_network import MLPRegressor
from sklearn.preprocessing import StandardScaler

from bpnn import BpnnError, Network, Parallel, Stopping, check_gradients, cost, load_weights, train, train_sgd
from bpnn.estimator import BPNNRegressor
from bpnn.model.network import predict, score, score_parts
from bpnn.report import evaluate_regression


def fitted(X, y, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return BPNNRegressor(random_state=0, **params).fit(X, y)


@pytest.fixture(scope="module")
def friedman():
    X, y = make_friedman1(600, noise=0.5, random_state=0)
    X = StandardScaler().fit_transform(X)
    return X[:400], y[:400], X[400:], y[400:]


def mlp_loss(model, X, Y, alpha):
    """MLPRegressor's loss written out: ½ mean over samples and outputs of (y − ŷ)² + alpha/(2m) Σ‖W‖²."""
    hidden = np.tanh(X @ model.coefs_[0] + model.intercepts_[0])
    predicted = hidden @ model.coefs_[1] + model.intercepts_[1]
    squares = sum(float(np.sum(W ** 2)) for W in model.coefs_)
    return ((Y.reshape(predicted.shape) - predicted) ** 2).mean() / 2 + alpha / (2 * len(X)) * squares


@pytest.mark.parametrize("outputs", [1, 3])
def test_the_loss_is_mlpregressors_for_one_output_and_several(friedman, outputs):
    X, y, _, _ = friedman
    Y = y if outputs == 1 else np.column_stack([y * (k + 1) for k in range(outputs)])
    model = fitted(X, Y, hidden_layer_sizes=(8,), activation="tanh", alpha=0.3, max_iter=15)
    assert model.loss_ == pytest.approx(mlp_loss(model, X, Y, 0.3), rel=1e-12)
    assert model.loss_curve_[-1] == pytest.approx(model.loss_, rel=1e-12) and model.n_outputs_ == outputs
    assert model.predict(X[:4]).shape == ((4,) if outputs == 1 else (4, outputs))


def test_a_fit_reaches_mlpregressors_loss_and_held_out_r2_at_the_same_network_and_alpha(friedman):
    X, y, X_test, y_test = friedman
    ours = fitted(X, y, hidden_layer_sizes=(10,), activation="tanh", alpha=1.0, max_iter=400, tol=0.0,
                  solver="L-BFGS-B")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        theirs = MLPRegressor(hidden_layer_sizes=(10,), activation="tanh", solver="lbfgs", alpha=1.0, max_iter=400,
                              random_state=0).fit(X, y)
    assert ours.loss_ <= theirs.loss_ * 1.05
    assert ours.score(X_test, y_test) >= theirs.score(X_test, y_test) - 0.02
    assert ours.score(X_test, y_test) == pytest.approx(r2_score(y_test, ours.predict(X_test)), rel=1e-12)


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_mini_batch_solvers_learn_and_partial_fit_goes_on(friedman, solver):
    X, y, X_test, y_test = friedman
    model = fitted(X, y, hidden_layer_sizes=(10,), activation="tanh", solver=solver, learning_rate_init=0.01,
                   max_iter=40, batch_size=32)
    assert model.score(X_test, y_test) > 0.6
    before = model.loss_curve_[:]
    model.partial_fit(X, y)
    assert model.loss_curve_[:-1] == before and len(model.loss_curve_) == len(before) + 1


def test_early_stopping_scores_the_validation_part_by_r2(friedman):
    X, y, _, _ = friedman
    model = fitted(X, y, hidden_layer_sizes=(10,), activation="tanh", solver="adam", learning_rate_init=0.01,
                   max_iter=60, early_stopping=True, n_iter_no_change=5)
    assert model.best_validation_score_ == max(model.validation_scores_)
    assert 0.5 < model.best_validation_score_ <= 1.0


@pytest.mark.parametrize("blocks", [1, 2, 5])
def test_score_is_r2_score_whatever_the_blocks(blocks):
    rng = np.random.default_rng(0)
    network = Network((3, 4, 3), "tanh", "quadratic", "identity")
    Y = np.column_stack([rng.normal(1e3, 2.0, 90), rng.normal(0, 1, 90), np.full(90, 7.0)])  # a constant output
    Z = Y + rng.normal(0, 0.5, Y.shape)
    Z[:, 2] = 7.0  # predicted exactly: 1, as r2_score's
    parts = [score_parts(network, z, y) for z, y in zip(np.array_split(Z, blocks), np.array_split(Y, blocks))]
    assert score(network, parts) == pytest.approx(r2_score(Y, Z), rel=1e-12)
    Z[0, 2] = 7.5  # a constant output predicted wrong: 0
    parts = [score_parts(network, z, y) for z, y in zip(np.array_split(Z, blocks), np.array_split(Y, blocks))]
    assert score(network, parts) == pytest.approx(r2_score(Y, Z), rel=1e-12)


def test_train_and_train_sgd_take_real_targets_and_check_them():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((80, 3))
    y = X @ [1.0, -2.0, 0.5] + 0.1 * rng.standard_normal(80)
    network = Network((3, 5, 1), "tanh", "quadratic", "identity")
    result = train(network, X, y, lam=0.01, stopping=Stopping(max_iter=200, tol=0.0))
    assert r2_score(y, predict(network, result.theta, X)[:, 0]) > 0.99
    assert result.final_cost == pytest.approx(cost(network, result.theta, X, y[:, None], 0.01), rel=1e-12)
    sgd = train_sgd(network, X, y[:, None], lam=0.01, evaluation=(X, y), stopping=Stopping(max_iter=5, tol=0.0))
    assert sgd.history["evaluation_accuracy"][-1] == pytest.approx(
        r2_score(y, predict(network, sgd.theta, X)[:, 0]), rel=1e-12)
    for bad, message in ((np.where(np.arange(80) == 3, np.nan, y), "NaN or inf"), (y[:70], "shape"),
                         (np.array(["a"] * 80), "numbers")):
        with pytest.raises(BpnnError, match=message):
            train(network, X, bad)


def test_the_gradient_of_the_squared_error_is_backprops():
    network = Network((4, 5, 3, 2), "sigmoid", "quadratic", "identity")
    rng = np.random.default_rng(2)
    X, Y = rng.standard_normal((12, 4)), rng.normal(3.0, 2.0, (12, 2))
    assert check_gradients(network, network.init(rng, "normal"), X, Y, lam=0.7).relative_difference < 1e-9


def test_the_train_command_fits_a_tables_real_target_and_reports_r2(tmp_path):
    rng = np.random.default_rng(3)
    X = rng.uniform(-1, 1, (300, 3))
    y = 10 + 5 * X[:, 0] - 3 * X[:, 1] ** 2 + 0.1 * rng.standard_normal(300)
    rows = [",".join(["a", "b", "c", "price"])] + [",".join(f"{v:.10g}" for v in (*x, t)) for x, t in zip(X, y)]
    (tmp_path / "houses.csv").write_text("\n".join(rows) + "\n")

    def run(*args):
        return subprocess.run([sys.executable, "-m", "bpnn", "train", "--data", "houses.csv", "--target", "price", *args],
                              cwd=tmp_path, capture_output=True, text=True, timeout=120)

    done = run("--task", "regression", "--hidden", "8", "--lambda", "0.01", "--max-iter", "300", "--quiet",
               "--out", "run")
    assert done.returncode == 0, done.stderr
    assert "Held-out set: R²" in done.stdout and "RMSE" in done.stdout
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    saved = load_weights(tmp_path / "run" / "weights.mat")
    assert (saved.network.output, saved.network.cost, metrics["output"]) == ("identity", "quadratic", "identity")
    assert r2_score(y, predict(saved.network, saved.theta, X)[:, 0]) > 0.95 and metrics["test_r2"] > 0.95
    assert {"regression.png", "learning_curves.png"} <= {path.name for path in (tmp_path / "run").iterdir()}
    done = run("--task", "regression", "--weights", "run/weights.mat", "--out", "evaluated")
    assert done.returncode == 0, done.stderr
    evaluated = json.loads((tmp_path / "evaluated" / "metrics.json").read_text())
    assert evaluated["task"] == "regression"
    assert evaluated["r2"] == pytest.approx(r2_score(y, predict(saved.network, saved.theta, X)[:, 0]), rel=1e-6)
    assert evaluated["cost_lambda0"] == pytest.approx(cost(saved.network, saved.theta, X, y[:, None]), rel=1e-6)  # the file holds 10 digits
    done = run("--weights", "run/weights.mat", "--out", "bad")
    assert done.returncode == 2 and "holds a regression network" in done.stderr
    done = subprocess.run([sys.executable, "-m", "bpnn", "sgd", "--data", "houses.csv", "--target", "price", "--task",
                           "regression", "--hidden", "8", "--epochs", "3", "--eta", "0.01", "--lambda", "0.01",
                           "--out", "sgd"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "validation R²" in done.stdout, done.stderr
    assert json.loads((tmp_path / "sgd" / "metrics.json").read_text())["test_r2"] is not None
    for args, message in ((("--task", "regression", "--cost", "cross-entropy"), "leave out --cost"),
                          (("--task", "regression", "--class-weight", "balanced"), "has none")):
        done = run(*args, "--out", "bad")
        assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "bad").exists()


def test_a_regression_trains_on_a_dask_cluster_as_in_process():
    distributed = pytest.importorskip("distributed")
    rng = np.random.default_rng(4)
    X = rng.standard_normal((120, 3))
    Y = np.column_stack([X @ [1.0, -1.0, 0.5], np.tanh(X[:, 0])]) + 0.05 * rng.standard_normal((120, 2))
    network = Network((3, 6, 2), "tanh", "quadratic", "identity")
    options = dict(lam=0.1, stopping=Stopping(max_iter=15, tol=0.0), seed=0, method="L-BFGS-B")  # an exact path
    local = train(network, X, Y, **options)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        sharded = train(network, X, Y, parallel=Parallel(client=client, n_shards=3), **options)
        scored = train_sgd(network, X, Y, lam=0.1, evaluation=(X, Y), stopping=Stopping(max_iter=2, tol=0.0), seed=0,
                           parallel=Parallel(client=client, n_shards=3))
    np.testing.assert_allclose(sharded.theta, local.theta, rtol=1e-8, atol=1e-10)
    assert scored.history["training_accuracy"][-1] == pytest.approx(
        r2_score(Y, predict(network, scored.theta, X)), rel=1e-10)  # the shards' R² parts combined


def test_a_single_held_out_example_is_reported_without_r2_which_it_cannot_define():
    network = Network((2, 3, 2), "tanh", "quadratic", "identity")
    rng = np.random.default_rng(5)
    theta, X, Y = network.init(rng), rng.standard_normal((1, 2)), rng.standard_normal((1, 2))
    scores = evaluate_regression(network, theta, X, Y)
    error = np.abs(Y - predict(network, theta, X))[0]
    assert scores["r2"] is None and "n/a" in scores["report"]
    assert np.allclose(scores["rmse"], error) and np.allclose(scores["mae"], error)
