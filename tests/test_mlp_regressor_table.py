"""The table "From MLPRegressor to BPNNRegressor" (docs/scikit-learn.md), walked row by row: every row marked
"same" names a check here that exercises it against ``MLPRegressor``'s own loss and gradient or scikit-learn's
metrics; a "same" row without a check, or a check without its row, fails."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import make_friedman1
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import r2_score
from sklearn.neural_network import MLPRegressor
from sklearn.preprocessing import StandardScaler

from bpnn import cost_and_grad
from bpnn.estimator import BPNNRegressor
from tests.test_mlp_table import same_rows

SECTION = "## From `MLPRegressor` to `BPNNRegressor`"


@pytest.fixture(scope="module")
def data():
    X, y = make_friedman1(300, noise=0.5, random_state=1)
    return StandardScaler().fit_transform(X), np.column_stack([y, y ** 2 / 10])  # two targets


def fitted(X, y, sample_weight=None, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return BPNNRegressor(random_state=0, **params).fit(X, y, sample_weight)


def mlp_loss_and_grad(model, X, Y, alpha):
    """MLPRegressor's own loss and gradient (``_loss_grad_lbfgs``) at the weights of ``model``."""
    mlp = MLPRegressor(hidden_layer_sizes=model.network_.sizes[1:-1], activation="tanh", solver="lbfgs",
                       alpha=alpha, max_iter=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp.fit(X, Y)
    packed = np.concatenate([c.ravel() for c in model.coefs_] + list(model.intercepts_))
    layers = len(model.network_.sizes)
    return mlp._loss_grad_lbfgs(packed, X, Y, None, [X] + [None] * (layers - 1), [None] * (layers - 1),
                                [np.empty_like(c) for c in model.coefs_], [np.empty_like(b) for b in model.intercepts_])


# ---- the checks, one per name in a "same" row ----

def check_loss(data):
    """loss_ is MLPRegressor's squared-error loss at the same weights (two targets); for one target bpnn's
    gradient is MLPRegressor's too. (For several targets MLPRegressor's gradient is that of the squared error
    summed over the targets, not of the mean its loss reports; bpnn's is the gradient of its loss_.)"""
    X, Y = data
    model = fitted(X, Y, hidden_layer_sizes=(7,), activation="tanh", alpha=0.8, max_iter=10)
    assert model.loss_ == pytest.approx(mlp_loss_and_grad(model, X, Y, 0.8)[0], rel=1e-10)
    model = fitted(X, Y[:, 0], hidden_layer_sizes=(7,), activation="tanh", alpha=0.8, max_iter=10)
    loss, grad = mlp_loss_and_grad(model, X, Y[:, :1], 0.8)
    J, ours = cost_and_grad(model.network_, model.theta_, X, Y[:, :1], 0.8)
    assert model.loss_ == pytest.approx(loss, rel=1e-10) and J == pytest.approx(loss, rel=1e-10)
    Thetas = model.network_.unpack(ours)
    packed = np.concatenate([T[:, 1:].T.ravel() for T in Thetas] + [T[:, 0] for T in Thetas])
    np.testing.assert_allclose(packed, grad, rtol=1e-9, atol=1e-12)


check_alpha = check_loss


def check_fit(data):
    """Weight 0 leaves an example out: the same fit as without it (L-BFGS-B, same θ₀)."""
    X, Y = data
    w = (np.arange(len(X)) % 2).astype(float)
    params = dict(solver="lbfgs", max_iter=20, tol=0.0, hidden_layer_sizes=(5,))
    np.testing.assert_allclose(fitted(X, Y, w, **params).theta_, fitted(X[w == 1], Y[w == 1], **params).theta_,
                               rtol=1e-6, atol=1e-9)


def check_partial_fit(data):
    """k partial_fit calls are k epochs of one fit."""
    X, Y = data
    params = dict(solver="adam", learning_rate_init=0.01, hidden_layer_sizes=(6,), batch_size=32, random_state=5)
    model = BPNNRegressor(**params)
    for _ in range(3):
        model.partial_fit(X, Y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        whole = BPNNRegressor(max_iter=3, **params).fit(X, Y)
    np.testing.assert_allclose(model.theta_, whole.theta_, rtol=1e-12, atol=1e-14)


def check_predict(data):
    X, Y = data
    one = fitted(X, Y[:, 0], hidden_layer_sizes=(5,), max_iter=5)
    both = fitted(X, Y, hidden_layer_sizes=(5,), max_iter=5)
    assert one.predict(X).shape == (len(X),) and both.predict(X).shape == Y.shape


def check_score(data):
    X, Y = data
    model = fitted(X, Y, hidden_layer_sizes=(5,), max_iter=30)
    assert model.score(X, Y) == pytest.approx(r2_score(Y, model.predict(X)), rel=1e-12)


def check_coefs_(data):
    """coefs_ and intercepts_ have MLPRegressor's shapes and give predict: X W + b layer by layer."""
    X, Y = data
    model = fitted(X, Y, hidden_layer_sizes=(5, 4), activation="tanh", max_iter=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp = MLPRegressor(hidden_layer_sizes=(5, 4), activation="tanh", max_iter=1).fit(X, Y)
    assert [c.shape for c in model.coefs_] == [c.shape for c in mlp.coefs_]
    assert [b.shape for b in model.intercepts_] == [b.shape for b in mlp.intercepts_]
    mlp.coefs_, mlp.intercepts_ = model.coefs_, model.intercepts_
    np.testing.assert_allclose(mlp.predict(X), model.predict(X), rtol=1e-12, atol=1e-12)


check_intercepts_ = check_coefs_


def check_n_outputs_(data):
    X, Y = data
    model = fitted(X, Y, hidden_layer_sizes=(5,), max_iter=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp = MLPRegressor(hidden_layer_sizes=(5,), max_iter=3).fit(X, Y)
    assert (model.n_outputs_, model.out_activation_) == (mlp.n_outputs_, mlp.out_activation_) == (2, "identity")


check_out_activation_ = check_n_outputs_


def check_loss_(data):
    X, Y = data
    model = fitted(X, Y, hidden_layer_sizes=(6,), activation="tanh", alpha=0.5, max_iter=8, tol=0.0)
    assert model.loss_ == pytest.approx(mlp_loss_and_grad(model, X, Y, 0.5)[0], rel=1e-10)
    assert len(model.loss_curve_) == model.n_iter_ and model.best_loss_ == min(model.loss_curve_) == model.loss_


check_loss_curve_ = check_best_loss_ = check_loss_


def check_validation_scores_(data):
    X, Y = data
    model = fitted(X, Y, solver="adam", learning_rate_init=0.01, hidden_layer_sizes=(8,), max_iter=30,
                   early_stopping=True, n_iter_no_change=4)
    assert len(model.validation_scores_) == model.n_iter_
    assert model.best_validation_score_ == max(model.validation_scores_) <= 1.0


check_best_validation_score_ = check_validation_scores_

CHECKS = {name[len("check_"):]: check for name, check in globals().items() if name.startswith("check_")}


def test_every_same_row_has_a_check_and_every_check_a_row():
    rows = same_rows(SECTION)
    assert len(rows) >= 12
    assert set(rows) == set(CHECKS), (set(rows) ^ set(CHECKS))


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_row(name, data):
    CHECKS[name](data)
