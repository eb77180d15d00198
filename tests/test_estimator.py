import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import parametrize_with_checks

from bpnn import BpnnError, Network, cost_and_grad, one_hot
from bpnn.model.params import pack
from bpnn.estimator import BPNNClassifier, BPNNRegressor


def expected_failures(estimator):
    """Weights equal repeated rows in the cost (test_sample_weight.py), but two runs on them agree only
    where the solver's path is exact: TNC's finite-difference Hessian products turn the rounding
    differences of the two sums into different steps, and mini-batches see different rows. With early
    stopping, partial_fit raises ValueError (as MLPClassifier's does), which the checks that call it fail on."""
    failures = {}
    solver = estimator.solver or ("TNC" if isinstance(estimator, BPNNClassifier) else "L-BFGS-B")  # the defaults
    if solver in ("TNC", "sgd", "adam"):
        failures["check_sample_weight_equivalence_on_dense_data"] = "the solver's path is not exact (see above)"
    if estimator.early_stopping:
        failures.update(dict.fromkeys(["check_fit_score_takes_y", "check_n_features_in_after_fitting",
                                       "check_estimators_partial_fit_n_features"],
                                      "partial_fit does not support early_stopping=True"))
    return failures


@parametrize_with_checks([
    BPNNClassifier(random_state=0),
    BPNNClassifier(solver="L-BFGS-B", random_state=0),
    BPNNClassifier(solver="trust-ncg", random_state=0),
    BPNNClassifier(solver="sgd", max_iter=8, activation="relu", cost="log-likelihood", random_state=0),
    BPNNClassifier(solver="adam", learning_rate_init=0.02, max_iter=30, batch_size="auto", early_stopping=True,
                   random_state=0),
    BPNNRegressor(random_state=0),
    BPNNRegressor(solver="L-BFGS-B", random_state=0),
    BPNNRegressor(solver="sgd", max_iter=8, activation="relu", learning_rate_init=0.01, random_state=0),
    BPNNRegressor(solver="adam", learning_rate_init=0.02, max_iter=30, early_stopping=True, random_state=0),
], expected_failed_checks=expected_failures)
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def data(digits):
    X, y = digits
    return X[:500], y[:500]


def test_fit_predict_with_any_label_values(data):
    X, y = data
    names = np.array(["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"])
    model = BPNNClassifier(hidden_layer_sizes=(15,), max_iter=60, random_state=0).fit(X, names[y])
    assert list(model.classes_) == sorted(names)
    assert model.n_features_in_ == 400 and model.network_.sizes == (400, 15, 10)
    assert [T.shape for T in model.thetas_] == [(15, 401), (10, 16)]
    assert 0 < model.n_iter_ <= 60
    # loss_ is the regularized training cost at the learned weights, recomputed independently here
    encoded = np.searchsorted(model.classes_, names[y])
    assert model.loss_ == pytest.approx(cost_and_grad(Network([400, 15, 10]), pack(model.thetas_), X, one_hot(encoded, 10), 1.0)[0])
    assert model.score(X, names[y]) > 0.95
    proba = model.predict_proba(X[:7])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(model.classes_[proba.argmax(axis=1)], model.predict(X[:7]))


def test_random_state_makes_fits_repeat(data):
    X, y = data
    a = BPNNClassifier(hidden_layer_sizes=(8,), max_iter=20, random_state=3).fit(X, y)
    b = BPNNClassifier(hidden_layer_sizes=(8,), max_iter=20, random_state=3).fit(X, y)
    np.testing.assert_array_equal(a.thetas_[0], b.thetas_[0])
    c = BPNNClassifier(hidden_layer_sizes=(8,), max_iter=20, random_state=4).fit(X, y)
    assert not np.array_equal(a.thetas_[0], c.thetas_[0])


def test_sgd_method(data):
    X, y = data
    model = BPNNClassifier(solver="sgd", max_iter=10, hidden_layer_sizes=(30,), random_state=0).fit(X, y)
    assert model.n_iter_ == 10 and model.score(X, y) > 0.9


def test_pipeline_cross_val_score_and_grid_search_cv(data):
    X, y = data
    pipe = make_pipeline(StandardScaler(), BPNNClassifier(hidden_layer_sizes=(10,), max_iter=40, random_state=0))
    scores = cross_val_score(pipe, X, y, cv=3)
    assert scores.shape == (3,) and scores.mean() > 0.8
    search = GridSearchCV(BPNNClassifier(max_iter=30, random_state=0),
                          {"hidden_layer_sizes": [(5,), (15,)], "alpha": [0.1, 3.0]}, cv=2, n_jobs=2)
    search.fit(X, y)
    assert set(search.best_params_) == {"hidden_layer_sizes", "alpha"}
    assert search.cv_results_["mean_test_score"].shape == (4,)


def test_bad_parameters_name_the_problem(data):
    X, y = data
    # scikit-learn's own error type and wording for parameters out of their domain
    for bad, names in [({"solver": "newton"}, "'solver' parameter"), ({"activation": "swish"}, "'activation'"),
                       ({"alpha": -1.0}, "'alpha' parameter"), ({"batch_size": 0}, "'batch_size'"),
                       ({"validation_fraction": 1.0}, "'validation_fraction'"), ({"beta_1": 1.0}, "'beta_1'")]:
        with pytest.raises(InvalidParameterError, match=names):
            BPNNClassifier(**bad).fit(X, y)
    with pytest.raises(ValueError, match="momentum do not apply to solver='TNC'"):
        BPNNClassifier(solver="TNC", momentum=0.9).fit(X, y)
    with pytest.raises(BpnnError, match="hidden layer sizes must be positive integers"):
        BPNNClassifier(hidden_layer_sizes=(2.5,)).fit(X, y)
    with pytest.raises(ValueError, match="at least 2 classes"):
        BPNNClassifier().fit(X[:5], np.zeros(5))


def test_scikit_learn_attributes_in_scikit_learns_shapes(data):
    """coefs_/intercepts_ as MLPClassifier lays them out: a forward pass written with them predicts the same."""
    import warnings

    from scipy.special import expit
    from sklearn.exceptions import ConvergenceWarning

    X, y = data
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = BPNNClassifier(hidden_layer_sizes=(12,), activation="logistic", max_iter=5, tol=0.0,
                               random_state=0).fit(X, y)
    assert any(issubclass(w.category, ConvergenceWarning) for w in caught)  # max_iter ended it
    assert [c.shape for c in model.coefs_] == [(400, 12), (12, 10)] and [b.shape for b in model.intercepts_] == [(12,), (10,)]
    a = expit(X @ model.coefs_[0] + model.intercepts_[0])
    out = expit(a @ model.coefs_[1] + model.intercepts_[1])
    np.testing.assert_array_equal(model.classes_[out.argmax(axis=1)], model.predict(X))
    np.testing.assert_allclose(np.exp(model.predict_log_proba(X[:5])), model.predict_proba(X[:5]), rtol=1e-12)
    assert (model.n_layers_, model.n_outputs_, model.out_activation_) == (3, 10, "logistic")
    assert len(model.loss_curve_) == model.n_iter_ == 5 and model.best_loss_ == min(model.loss_curve_)
    assert model.t_ > 0 and model.network_.activation == "sigmoid"
