"""Bad input to bpnn.book and BPNNClassifier gets one clear error naming it, and nothing silently wrong: the
book's SGD, accuracy, total_cost, feedforward and load; the estimator's parity with MLPClassifier for
partial_fit, warm_start and early stopping; finite probabilities where every output unit saturates."""

import json
import warnings

import numpy as np
import pytest
from scipy.special import log_softmax, softmax
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from bpnn import BpnnError
from bpnn.book import Network, load
from bpnn.errors import DivergedError
from bpnn.estimator import BPNNClassifier

SIZES = [4, 3, 2]


def book_pairs(rng, n, one_hot):
    """n of the book's (x column, y) pairs for SIZES, y a one-hot column or an integer label."""
    labels = rng.integers(0, SIZES[-1], n)
    return [(rng.random((SIZES[0], 1)), np.eye(SIZES[-1])[:, [label]] if one_hot else int(label)) for label in labels]


@pytest.fixture
def training():
    return book_pairs(np.random.default_rng(0), 20, one_hot=True)


# The book's network


@pytest.mark.parametrize("name, arguments", [
    ("mini_batch_size", {"mini_batch_size": 0}), ("mini_batch_size", {"mini_batch_size": 2.5}),
    ("mini_batch_size", {"mini_batch_size": -3}), ("epochs", {"epochs": 2.5}), ("epochs", {"epochs": -1}),
    ("eta", {"eta": -0.5}), ("eta", {"eta": float("nan")}), ("eta", {"eta": "fast"}),
    ("lmbda", {"lmbda": -1.0}), ("lmbda", {"lmbda": float("nan")}),
    ("early_stopping_n", {"early_stopping_n": -1}), ("early_stopping_n", {"early_stopping_n": 2.5}),
])
def test_sgd_refuses_each_bad_number_by_name(training, name, arguments):
    net = Network(SIZES, seed=0)
    before = net.theta.copy()
    given = {"epochs": 2, "mini_batch_size": 5, "eta": 0.5, **arguments}
    with pytest.raises(BpnnError, match=name):
        net.SGD(training, given.pop("epochs"), given.pop("mini_batch_size"), given.pop("eta"), **given)
    np.testing.assert_array_equal(net.theta, before)


def test_sgd_refuses_a_weight_decay_that_grows_the_weights(training):
    """w ← (1 − ηλ/n) w: with ηλ/n > 2 every mini-batch multiplies the weights by more than 1 in size."""
    eta, lmbda = 50.0, 5.0
    assert abs(1 - eta * lmbda / len(training)) > 1
    with pytest.raises(BpnnError, match="eta.*lmbda"):
        Network(SIZES, seed=0).SGD(training, 2, 5, eta, lmbda=lmbda)


def test_sgd_divergence_is_an_error_and_leaves_theta_finite(training):
    net = Network(SIZES, seed=0)
    before = net.theta.copy()
    with pytest.raises(DivergedError, match="epoch 1.*smaller eta"):
        net.SGD(training, 3, 5, 1e308)
    np.testing.assert_array_equal(net.theta, before)  # back where the diverging epoch started


@pytest.mark.parametrize("data, problem", [
    ([], "no \\(x, y\\) pairs"),
    (5, "not a list"),
    ([(np.ones((4, 1)),)], "not an \\(x, y\\) pair"),
    ([(np.ones((3, 1)), np.eye(2)[:, [0]])], "x of pair 0 has shape \\(3, 1\\)"),
    ([(np.ones((4, 1)), np.ones((3, 1)))], "y of pair 0 has shape \\(3, 1\\)"),
    ([(np.ones((4, 1)), np.array([[0.5], [0.5]]))], "one-hot"),
    ([(np.full((4, 1), np.nan), np.eye(2)[:, [0]])], "NaN"),
    ([(np.ones((4, 1)), 2)], "labels out of range"),
    ([(np.ones((4, 1)), 1.5)], "integers"),
])
@pytest.mark.parametrize("argument", ["training_data", "evaluation_data"])
def test_sgd_refuses_malformed_data_naming_the_data_set(training, data, problem, argument):
    given = {"training_data": training, "evaluation_data": training, argument: data}
    with pytest.raises(BpnnError, match=f"{argument}: .*{problem}"):
        Network(SIZES, seed=0).SGD(given["training_data"], 1, 5, 0.5, evaluation_data=given["evaluation_data"],
                                   monitor_evaluation_accuracy=True)


def test_labels_count_the_same_as_one_hot_columns_or_integers():
    rng = np.random.default_rng(1)
    labelled = book_pairs(rng, 30, one_hot=False)
    columns = [(x, np.eye(SIZES[-1])[:, [label]]) for x, label in labelled]
    net = Network(SIZES, seed=2)
    by_hand = sum(int(np.argmax(net.feedforward(x)) == label) for x, label in labelled)
    assert 0 < by_hand < len(labelled)  # a count that reading one-hot columns as labels would get wrong
    assert net.accuracy(labelled) == net.accuracy(columns) == net.accuracy(columns, convert=True) == by_hand
    mean_cost = sum(np.sum(np.nan_to_num(-y * np.log(a) - (1 - y) * np.log(1 - a)))
                    for a, y in ((net.feedforward(x), y) for x, y in columns)) / len(columns)
    for data in (labelled, columns):
        for convert in (False, True):
            assert net.total_cost(data, 0.0, convert=convert) == pytest.approx(mean_cost, rel=1e-12)
    training = book_pairs(rng, 20, one_hot=True)
    runs = [Network(SIZES, seed=3).SGD(training, 2, 5, 0.5, evaluation_data=data, monitor_evaluation_accuracy=True,
                                       monitor_evaluation_cost=True)[:2] for data in (labelled, columns)]
    assert runs[0] == runs[1]


@pytest.mark.parametrize("a", [np.ones((3, 1)), np.ones((8, 1)), np.ones((2, 4, 1)), np.full((4, 1), np.inf),
                               [["a"], ["b"], ["c"], ["d"]]])
def test_feedforward_refuses_an_input_the_network_cannot_take(a):
    with pytest.raises(BpnnError, match="feedforward's input a"):
        Network(SIZES, seed=0).feedforward(a)


def saved(tmp_path, **changes):
    """The path of a book-layout file of a network of SIZES, with ``changes`` to its keys (None: delete)."""
    path = tmp_path / "net.json"
    Network(SIZES, seed=0).save(path)
    data = json.loads(path.read_text())
    data.update(changes)
    path.write_text(json.dumps({key: value for key, value in data.items() if value is not None}))
    return path


@pytest.mark.parametrize("changes, problem", [
    ({"weights": [np.ones((1, 1)).tolist(), np.ones((2, 3)).tolist()]}, "weights\\[0\\] has shape \\(1, 1\\)"),
    ({"weights": [np.ones((3, 4)).tolist(), np.full((2, 3), np.inf).tolist()]}, "weights\\[1\\] contains NaN or inf"),
    ({"biases": [np.full((3, 1), np.nan).tolist(), np.ones((2, 1)).tolist()]}, "biases\\[0\\] contains NaN or inf"),
    ({"biases": [np.ones((3, 1)).tolist()]}, "biases holds 1 arrays"),
    ({"sizes": [4, 10**7, 10**6]}, "needs .* more than this machine's"),
    ({"cost": "LogLikelihoodCost"}, "unknown cost 'LogLikelihoodCost'"),
    ({"cost": None}, "book's JSON layout"),
])
def test_load_refuses_a_network_it_cannot_use(tmp_path, changes, problem):
    path = saved(tmp_path, **changes)
    with pytest.raises(BpnnError, match=f"{path}: .*{problem}"):
        load(path)


@pytest.mark.parametrize("text", [lambda good: good[:len(good) // 2], lambda good: "not json", lambda good: "[1, 2]"])
def test_load_refuses_a_file_that_is_not_the_books_json(tmp_path, text):
    path = saved(tmp_path)
    path.write_text(text(path.read_text()))
    with pytest.raises(BpnnError, match=f"{path}: not a network saved in the book's JSON layout"):
        load(path)
    with pytest.raises(BpnnError, match="no such file"):
        load(tmp_path / "missing.json")


# The estimator, against MLPClassifier


@pytest.fixture(scope="module")
def blobs():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((90, 4))
    return X, np.argmax(X[:, :3], axis=1)


def both(**params):
    """An MLPClassifier and a BPNNClassifier with the same (shared) parameters."""
    return MLPClassifier(random_state=0, **params), BPNNClassifier(random_state=0, **params)


def quietly(call, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return call(*args, **kwargs)


@pytest.mark.parametrize("first", ["partial_fit", "fit"])
def test_partial_fit_with_other_classes_is_refused_as_by_mlp(blobs, first):
    X, y = blobs
    for model in both(solver="sgd", max_iter=2):
        quietly(getattr(model, first), X, y, **({"classes": [0, 1, 2]} if first == "partial_fit" else {}))
        for other in ([0, 1, 2, 3], [0, 1]):
            with pytest.raises(ValueError, match="is not the same as"):
                model.partial_fit(X, y, classes=other)
        assert list(model.classes_) == [0, 1, 2]
        quietly(model.partial_fit, X, y, classes=[2, 1, 0])  # the same classes, in another order


def test_partial_fit_after_a_change_of_hidden_layer_sizes_names_it(blobs):
    """MLPClassifier goes on with its old layers and ignores the new sizes; bpnn says why it cannot go on."""
    X, y = blobs
    model = BPNNClassifier(solver="sgd", hidden_layer_sizes=(7,), random_state=0).partial_fit(X, y, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="hidden_layer_sizes=\\(4,\\) no longer describes"):
        model.set_params(hidden_layer_sizes=(4,)).partial_fit(X, y)


def test_partial_fit_refuses_early_stopping_as_mlp(blobs):
    X, y = blobs
    for model in both(solver="sgd", early_stopping=True):
        with pytest.raises(ValueError, match="partial_fit does not support early_stopping=True"):
            model.partial_fit(X, y, classes=[0, 1, 2])


def test_warm_start_with_other_classes_is_refused_as_by_mlp(blobs):
    X, y = blobs
    for model in both(warm_start=True, max_iter=3):
        quietly(model.fit, X, y)
        with pytest.raises(ValueError, match="same classes as in the previous call to fit"):
            model.fit(X, np.minimum(y, 1))


def test_early_stopping_says_when_the_validation_part_took_every_weight(blobs):
    """One sample of weight 1, the others 0: whenever the split puts it in the validation part, the error says
    so (and not that the weights are all zero, which they are not)."""
    X, y = blobs
    weights = np.zeros(len(y))
    weights[0] = 1.0
    outcomes = []
    for seed in range(8):
        model = BPNNClassifier(early_stopping=True, validation_fraction=0.9, max_iter=2, random_state=seed)
        try:
            quietly(model.fit, X, y, sample_weight=weights)
            outcomes.append("fitted")
        except ValueError as error:
            assert "validation part" in str(error) and "validation_fraction=0.9" in str(error)
            outcomes.append("refused")
    assert "refused" in outcomes


@pytest.mark.parametrize("cost", ["quadratic", "cross-entropy", "log-likelihood"])
def test_probabilities_are_finite_where_every_output_unit_underflows(blobs, cost):
    X, y = blobs
    model = quietly(BPNNClassifier(hidden_layer_sizes=(10,), activation="relu", cost=cost, alpha=1e-4, max_iter=100,
                                   random_state=1).fit, X, y)
    far = 1e4 * np.random.default_rng(2).standard_normal((1000, 4))
    z = np.maximum(far @ model.coefs_[0] + model.intercepts_[0], 0) @ model.coefs_[1] + model.intercepts_[1]
    if cost == "log-likelihood":  # softmax outputs: every unit but the largest underflows
        rows = z.max(axis=1) - z.min(axis=1) > 800
    else:  # sigmoid units all below e^−800, where σ(z) = e^z to the last bit: h / Σh is softmax(z)
        rows = (z < -800).all(axis=1)
    assert rows.any()
    proba, log_proba = model.predict_proba(far[rows]), model.predict_log_proba(far[rows])
    assert np.all(np.isfinite(proba)) and np.all(np.isfinite(log_proba))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(proba, softmax(z[rows], axis=1), rtol=1e-9, atol=1e-300)
    np.testing.assert_allclose(log_proba, log_softmax(z[rows], axis=1), rtol=1e-9)
    np.testing.assert_array_equal(model.predict(far[rows]), model.classes_[np.argmax(z[rows], axis=1)])


@pytest.mark.filterwarnings("ignore:invalid value encountered in reduce")  # scikit-learn's finite check sums X
def test_inputs_whose_output_sums_overflow_are_an_error(blobs):
    X, y = blobs
    model = quietly(BPNNClassifier(hidden_layer_sizes=(6,), activation="relu", random_state=0).fit, X, y)
    huge = np.full((2, 4), 1e308) * np.array([[1.0], [-1.0]])
    with np.errstate(all="ignore"):
        z = np.maximum(huge @ model.coefs_[0] + model.intercepts_[0], 0) @ model.coefs_[1] + model.intercepts_[1]
    assert not np.all(np.isfinite(z))
    for method in (model.predict, model.predict_proba, model.predict_log_proba):
        with pytest.raises(ValueError, match="X is too large"):
            method(huge)
