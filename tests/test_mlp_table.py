"""The table "From MLPClassifier to BPNNClassifier" (docs/scikit-learn.md), walked row by row: every row
marked "same" names a check here that exercises it in code, most of them against ``MLPClassifier`` itself or against
the update rules written out by hand; a "same" row without a check, or a check without its row, fails."""

import re
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score
from sklearn.neural_network import MLPClassifier

from bpnn import Network, cost_and_grad, one_hot
from bpnn.estimator import BPNNClassifier
from tests.conftest import ROOT


def same_rows(section="## From `MLPClassifier` to `BPNNClassifier`"):
    """The names in the first column of each "same" row of the table under ``section`` (``fit(X, y,
    sample_weight)`` → fit, ``loss="squared_error"`` → loss)."""
    text = (ROOT / "docs" / "scikit-learn.md").read_text(encoding="utf-8")
    table = text[text.index(section):].split("\n\n")[2]
    names = []
    for row in table.splitlines()[2:]:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        if cells[2] == "same":
            names += [re.sub(r"[(=].*", "", name) for name in re.findall(r"`([^`]+)`", cells[0])]
    return names


@pytest.fixture(scope="module")
def data(digits):
    X, y = digits
    rows = np.random.default_rng(1).permutation(len(y))[:300]
    return X[rows] / X.max(), y[rows]


def fitted(*args, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return BPNNClassifier(**params).fit(*args)


def mlp_with(model, X, y, activation):
    """An MLPClassifier holding the BPNNClassifier's learned weights (softmax outputs, as bpnn's log-likelihood)."""
    mlp = MLPClassifier(hidden_layer_sizes=model.network_.sizes[1:-1], activation=activation, solver="lbfgs",
                        max_iter=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp.fit(X, y)
    mlp.coefs_, mlp.intercepts_ = model.coefs_, model.intercepts_
    return mlp


def one_full_batch_step(data, **params):
    """θ₀ (max_iter=0) and θ after epochs of full-batch steps (warm_start), with the network's gradient."""
    X, y = data
    epochs = params.pop("epochs", 1)
    model = fitted(X, y, solver=params.pop("solver", "sgd"), hidden_layer_sizes=(6,), max_iter=0, random_state=0,
                   warm_start=True, batch_size=len(y), **params)
    theta0 = model.theta_.copy()
    model.set_params(max_iter=epochs).fit(X, y)
    network = model.network_

    def grad(theta):
        return cost_and_grad(network, theta, X, one_hot(y, 10), model.alpha or 1.0)[1]

    return theta0, model.theta_, grad


# ---- the checks, one per name in a "same" row ----

def check_hidden_layer_sizes(data):
    X, y = data
    model, mlp = fitted(X, y, hidden_layer_sizes=(7, 5), max_iter=3), MLPClassifier((7, 5), max_iter=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp.fit(X, y)
    assert [c.shape for c in model.coefs_] == [c.shape for c in mlp.coefs_]
    assert [b.shape for b in model.intercepts_] == [b.shape for b in mlp.intercepts_]


def check_activation(data):
    """Each activation name means the same function: MLPClassifier holding bpnn's weights predicts bpnn's
    probabilities (softmax outputs on both sides)."""
    X, y = data
    for name in ("logistic", "tanh", "relu"):
        model = fitted(X, y, activation=name, cost="log-likelihood", hidden_layer_sizes=(8,), max_iter=15, random_state=0)
        np.testing.assert_allclose(mlp_with(model, X, y, name).predict_proba(X), model.predict_proba(X), rtol=1e-10)


def check_solver(data):
    X, y = data
    for solver, extra in (("lbfgs", {}), ("sgd", {"learning_rate_init": 0.5}), ("adam", {"learning_rate_init": 0.01})):
        assert fitted(X, y, solver=solver, hidden_layer_sizes=(15,), max_iter=30, random_state=0, **extra).score(X, y) > 0.8


def check_alpha(data):
    """loss_ is MLPClassifier's own regularized loss at the same weights, for the same alpha."""
    X, y = data
    model = fitted(X, y, alpha=2.5, cost="log-likelihood", hidden_layer_sizes=(8,), max_iter=10, random_state=0)
    mlp = mlp_with(model, X, y, "logistic")
    mlp.set_params(alpha=2.5)
    Y = np.eye(10)[y]
    sizes = model.network_.sizes
    packed = np.concatenate([c.ravel() for c in model.coefs_] + list(model.intercepts_))
    loss, _ = mlp._loss_grad_lbfgs(packed, X, Y, None, [X] + [None] * (len(sizes) - 1), [None] * (len(sizes) - 1),
                                   [np.empty_like(c) for c in model.coefs_], [np.empty_like(b) for b in model.intercepts_])
    assert model.loss_ == pytest.approx(loss, rel=1e-10)


def check_batch_size(data):
    """batch_size = n and "auto" (min(200, n) with n < 200) are one full-batch gradient step per epoch."""
    X, y = data
    X, y = X[:150], y[:150]
    theta0, theta1, grad = one_full_batch_step((X, y), learning_rate_init=0.3)
    np.testing.assert_allclose(theta1, theta0 - 0.3 * grad(theta0), rtol=1e-12, atol=1e-15)
    auto = fitted(X, y, solver="sgd", hidden_layer_sizes=(6,), max_iter=1, random_state=0, batch_size="auto",
                  learning_rate_init=0.3)
    np.testing.assert_allclose(auto.theta_, theta1, rtol=1e-12, atol=1e-15)


def check_learning_rate_init(data):
    theta0, theta1, grad = one_full_batch_step(data, learning_rate_init=0.07)
    np.testing.assert_allclose(theta1, theta0 - 0.07 * grad(theta0), rtol=1e-12, atol=1e-15)


def check_learning_rate(data):
    """invscaling: η = η₀ / (t + 1)^power_t after each epoch, t the samples seen (scikit-learn's rule)."""
    X, y = data
    theta0, theta2, grad = one_full_batch_step(data, learning_rate_init=0.4, learning_rate="invscaling",
                                               power_t=0.3, epochs=2)
    theta1 = theta0 - 0.4 * grad(theta0)
    np.testing.assert_allclose(theta2, theta1 - 0.4 / (len(y) + 1) ** 0.3 * grad(theta1), rtol=1e-12, atol=1e-15)


check_power_t = check_learning_rate


def check_momentum(data):
    theta0, theta2, grad = one_full_batch_step(data, learning_rate_init=0.2, momentum=0.6, epochs=2)
    v1 = -0.2 * grad(theta0)
    theta1 = theta0 + v1
    np.testing.assert_allclose(theta2, theta1 + 0.6 * v1 - 0.2 * grad(theta1), rtol=1e-12, atol=1e-15)


def check_nesterovs_momentum(data):
    theta0, theta2, grad = one_full_batch_step(data, learning_rate_init=0.2, momentum=0.6, nesterovs_momentum=True,
                                               epochs=2)
    g0 = grad(theta0)
    v1 = -0.2 * g0
    theta1 = theta0 + 0.6 * v1 - 0.2 * g0
    g1 = grad(theta1)
    v2 = 0.6 * v1 - 0.2 * g1
    np.testing.assert_allclose(theta2, theta1 + 0.6 * v2 - 0.2 * g1, rtol=1e-12, atol=1e-15)


def check_beta_1(data):
    """One Adam step by hand: m = (1−β₁)g, s = (1−β₂)g², θ₁ = θ₀ − η √(1−β₂)/(1−β₁) · m/(√s + ε)."""
    b1, b2, eps, eta = 0.7, 0.9, 1e-3, 0.05
    theta0, theta1, grad = one_full_batch_step(data, solver="adam", learning_rate_init=eta, beta_1=b1, beta_2=b2,
                                               epsilon=eps)
    g = grad(theta0)
    m, s = (1 - b1) * g, (1 - b2) * g * g
    np.testing.assert_allclose(theta1, theta0 - eta * np.sqrt(1 - b2) / (1 - b1) * m / (np.sqrt(s) + eps),
                               rtol=1e-12, atol=1e-15)


check_beta_2 = check_epsilon = check_beta_1


def check_max_iter(data):
    X, y = data
    for solver in ("TNC", "sgd"):
        with pytest.warns(ConvergenceWarning) if solver == "TNC" else warnings.catch_warnings():
            model = BPNNClassifier(solver=solver, max_iter=4, tol=0.0 if solver == "TNC" else None,
                                   hidden_layer_sizes=(5,)).fit(X, y)
        assert model.n_iter_ == len(model.loss_curve_) == 4


def check_max_fun(data):
    X, y = data
    model = fitted(X, y, solver="lbfgs", max_fun=7, tol=0.0, hidden_layer_sizes=(5,))
    assert model.t_ == 7 * len(y)  # t_: samples seen, one pass per evaluation


def check_early_stopping(data):
    X, y = data
    for solver in ("TNC", "adam"):
        model = fitted(X, y, solver=solver, early_stopping=True, n_iter_no_change=3, hidden_layer_sizes=(10,),
                       random_state=0, **({"learning_rate_init": 0.01, "max_iter": 100} if solver == "adam" else {}))
        scores = model.validation_scores_
        assert len(scores) == model.n_iter_ and model.best_validation_score_ == max(scores)
        assert model.best_loss_ is None and scores.index(max(scores)) == len(scores) - 4  # then 3 without better


check_n_iter_no_change = check_early_stopping


def check_validation_fraction(data):
    """The held-back part is not trained on: t_ counts the samples of the training part only."""
    X, y = data
    model = fitted(X, y, solver="sgd", early_stopping=True, validation_fraction=0.2, max_iter=3, hidden_layer_sizes=(5,))
    assert model.t_ == 3 * (len(y) - int(np.ceil(0.2 * len(y))))


def check_warm_start(data):
    X, y = data
    model = fitted(X, y, warm_start=True, max_iter=5, tol=0.0, hidden_layer_sizes=(6,), random_state=0)
    first = model.loss_
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    assert model.loss_curve_[0] <= first < fitted(X, y, max_iter=5, tol=0.0, hidden_layer_sizes=(6,),
                                                  random_state=0).loss_curve_[0]


def check_verbose(data, capsys):
    X, y = data
    model = fitted(X, y, verbose=True, max_iter=3, tol=0.0, hidden_layer_sizes=(5,))
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == model.n_iter_ == 3 and all(re.match(r"Iteration \d+, loss = \d", line) for line in lines)


def check_random_state(data):
    X, y = data
    a, b = (fitted(X, y, solver="sgd", max_iter=2, hidden_layer_sizes=(5,), random_state=np.random.RandomState(4))
            for _ in range(2))
    np.testing.assert_array_equal(a.theta_, b.theta_)


def check_fit(data):
    """Weight 0 leaves an example out: the same fit as without it (L-BFGS-B, same θ₀)."""
    X, y = data
    w = (np.arange(len(y)) % 2).astype(float)
    weighted = fitted(X, y, w, solver="lbfgs", max_iter=20, tol=0.0, hidden_layer_sizes=(6,), random_state=0)
    kept = fitted(X[w == 1], y[w == 1], solver="lbfgs", max_iter=20, tol=0.0, hidden_layer_sizes=(6,), random_state=0)
    np.testing.assert_allclose(weighted.theta_, kept.theta_, rtol=1e-6, atol=1e-9)


def check_partial_fit(data):
    """k partial_fit calls are k epochs of one fit: the rule's state and the shuffling go on between calls."""
    X, y = data
    params = dict(solver="adam", learning_rate_init=0.01, hidden_layer_sizes=(6,), batch_size=32, random_state=5)
    model = BPNNClassifier(**params)
    with pytest.raises(ValueError, match="classes"):
        model.partial_fit(X, y)
    for _ in range(3):
        model.partial_fit(X, y, classes=np.arange(10))
    whole = fitted(X, y, max_iter=3, **params)
    np.testing.assert_allclose(model.theta_, whole.theta_, rtol=1e-12, atol=1e-15)
    assert model.n_iter_ == 3 and model.t_ == whole.t_ and model.loss_curve_ == pytest.approx(whole.loss_curve_)
    assert not hasattr(BPNNClassifier(solver="TNC"), "partial_fit")


def check_predict(data):
    X, y = data
    model = fitted(X, y, activation="relu", cost="log-likelihood", hidden_layer_sizes=(8,), max_iter=10, random_state=0)
    mlp = mlp_with(model, X, y, "relu")
    np.testing.assert_array_equal(model.predict(X), mlp.predict(X))
    np.testing.assert_allclose(model.predict_log_proba(X), mlp.predict_log_proba(X), rtol=1e-9)
    assert model.score(X, y) == accuracy_score(y, model.predict(X)) == mlp.score(X, y)


check_predict_proba = check_predict_log_proba = check_score = check_predict
check_coefs_ = check_intercepts_ = check_out_activation_ = check_n_layers_ = check_n_outputs_ = check_activation


def check_classes_(data):
    X, y = data
    names = np.array(list("abcdefghij"))
    model = fitted(X, names[y], max_iter=3, hidden_layer_sizes=(4,))
    assert list(model.classes_) == list("abcdefghij") and model.n_features_in_ == X.shape[1]
    assert (model.n_layers_, model.n_outputs_, model.out_activation_) == (3, 10, "logistic")


check_n_features_in_ = check_classes_


def check_feature_names_in_(data):
    import pandas

    X, y = data
    model = fitted(pandas.DataFrame(X, columns=[f"pixel{i}" for i in range(X.shape[1])]), y, max_iter=2,
                   hidden_layer_sizes=(4,))
    assert list(model.feature_names_in_) == [f"pixel{i}" for i in range(X.shape[1])]


def check_loss_(data):
    X, y = data
    model = fitted(X, y, max_iter=8, tol=0.0, hidden_layer_sizes=(6,), random_state=0)
    network = Network((X.shape[1], 6, 10))
    assert model.loss_ == pytest.approx(cost_and_grad(network, model.theta_, X, one_hot(y, 10), 1.0)[0], rel=1e-12)
    assert len(model.loss_curve_) == model.n_iter_ and model.best_loss_ == min(model.loss_curve_) == model.loss_


check_loss_curve_ = check_best_loss_ = check_n_iter_ = check_loss_


def check_t_(data):
    X, y = data
    model = fitted(X, y, solver="sgd", max_iter=3, hidden_layer_sizes=(4,))
    assert model.t_ == 3 * len(y)  # scikit-learn's t_: samples seen


check_validation_scores_ = check_best_validation_score_ = check_early_stopping

CHECKS = {name[len("check_"):]: check for name, check in dict(globals()).items() if name.startswith("check_")}


def test_every_same_row_has_a_check_and_every_check_a_row():
    rows = same_rows()
    assert len(rows) > 30
    assert set(rows) == set(CHECKS), (set(rows) ^ set(CHECKS))


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_row(name, data, capsys):
    check = CHECKS[name]
    check(data, capsys) if check.__code__.co_argcount == 2 else check(data)
