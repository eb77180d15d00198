"""``class_weight`` on ``BPNNClassifier`` with scikit-learn's meaning, and ``--class-weight`` in the commands:
the fit equals the one with ``sample_weight = compute_sample_weight(class_weight, y)`` (times any weights
given), and on an imbalanced problem "balanced" raises the rare class's recall."""

import subprocess
import sys
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import recall_score
from sklearn.utils.class_weight import compute_sample_weight

from bpnn import Network, Stopping, load_weights, train
from bpnn.data.loading import save_mat
from bpnn.estimator import BPNNClassifier
from bpnn.model.validate import as_generator

RARE = 3  # the digit cut to 5 % of its rows


def fit(X, y, sample_weight=None, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return BPNNClassifier(random_state=0, **params).fit(X, y, sample_weight=sample_weight)


@pytest.fixture(scope="module")
def few(digits):
    X, y = digits
    rows = np.random.default_rng(0).permutation(len(y))[:400]
    return X[rows], y[rows]


@pytest.mark.parametrize("params", [dict(max_iter=15), dict(solver="adam", max_iter=3, batch_size=50)],
                         ids=["TNC", "adam"])
@pytest.mark.parametrize("class_weight", ["balanced", {0: 4.0, 7: 0.5}])
def test_the_fit_of_the_weights_compute_sample_weight_gives(few, params, class_weight):
    X, y = few
    weighted = fit(X, y, class_weight=class_weight, **params)
    reference = fit(X, y, sample_weight=compute_sample_weight(class_weight, y), **params)
    np.testing.assert_array_equal(weighted.theta_, reference.theta_)


def test_class_weights_multiply_the_sample_weights_given(few):
    X, y = few
    given = np.random.default_rng(1).uniform(0.5, 2.0, len(y))
    weighted = fit(X, y, sample_weight=given, class_weight="balanced", max_iter=15)
    reference = fit(X, y, sample_weight=given * compute_sample_weight("balanced", y), max_iter=15)
    np.testing.assert_array_equal(weighted.theta_, reference.theta_)


def test_balanced_weights_raise_the_recall_of_a_rare_class(digits):
    X, y = digits
    rng = np.random.default_rng(0)
    test = np.concatenate([rng.permutation(np.flatnonzero(y == k))[:100] for k in range(10)])
    train = np.setdiff1d(np.arange(len(y)), test)
    rare = train[y[train] == RARE]
    train = np.concatenate([train[y[train] != RARE], rng.permutation(rare)[:20]])  # 20 of ~400: 5 % of its rows
    recalls = {}
    for class_weight in (None, "balanced"):
        model = fit(X[train], y[train], class_weight=class_weight, alpha=3.0, max_iter=60)
        recalls[class_weight] = recall_score(y[test], model.predict(X[test]), labels=[RARE], average=None)[0]
    assert recalls["balanced"] >= recalls[None] + 0.1, recalls


@pytest.mark.parametrize("class_weight, message", [({0: -1.0}, "finite weight >= 0"),
                                                    ({0: float("nan")}, "finite weight >= 0")])
def test_a_weight_that_is_not_a_finite_non_negative_number_is_refused(few, class_weight, message):
    X, y = few
    with pytest.raises(ValueError, match=message):
        fit(X, y, class_weight=class_weight, max_iter=1)


def test_balanced_is_refused_by_partial_fit_and_a_dict_is_used(few):
    X, y = few
    with pytest.raises(ValueError, match="not offered with partial_fit"):
        BPNNClassifier(solver="adam", class_weight="balanced").partial_fit(X, y, classes=np.arange(10))
    weighted = BPNNClassifier(solver="adam", class_weight={0: 4.0}, random_state=0).partial_fit(
        X, y, classes=np.arange(10))
    reference = BPNNClassifier(solver="adam", random_state=0).partial_fit(
        X, y, classes=np.arange(10), sample_weight=compute_sample_weight({0: 4.0}, y))
    np.testing.assert_array_equal(weighted.theta_, reference.theta_)


def test_the_train_command_weighs_the_classes_as_the_library_does(tmp_path, digits):
    X, y = digits
    rows = np.concatenate([np.flatnonzero(y == k)[:5 if k == RARE else 30] for k in range(10)])
    X, y = X[rows], y[rows]
    save_mat(tmp_path / "imbalanced.mat", X, y)
    done = subprocess.run([sys.executable, "-m", "bpnn", "train", "--data", "imbalanced.mat", "--class-weight",
                           "balanced", "--test-size", "0", "--max-iter", "8", "--hidden", "6", "--quiet", "--out",
                           "run"], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    network, rng = Network((X.shape[1], 6, 10)), as_generator(0)
    theta0 = network.init(rng, "uniform")
    expected = train(network, X, y, stopping=Stopping(max_iter=8), theta0=theta0, seed=rng,
                     sample_weight=compute_sample_weight("balanced", y))
    unweighted = train(network, X, y, stopping=Stopping(max_iter=8), theta0=theta0, seed=rng)
    got = load_weights(tmp_path / "run" / "weights.mat").theta
    # TNC's finite-difference Hessian products turn rounding (BLAS threads) into differences far below the weights'
    assert np.abs(got - expected.theta).max() < 1e-2 * np.abs(unweighted.theta - expected.theta).max()
