"""Multilabel classification: independent sigmoid outputs with the cross-entropy, a 0/1 indicator matrix as the
targets, checked against scikit-learn's MLPClassifier (the same objective at the same weights), by hand and by
finite differences."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, classification_report
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

import bpnn
from bpnn.errors import BpnnError
from bpnn.model.params import pack
from bpnn.report import evaluate


def _problem(n_samples=1200, seed=0):
    X, Y = make_multilabel_classification(n_samples=n_samples, n_features=12, n_classes=4, random_state=seed)
    return train_test_split(StandardScaler().fit_transform(X), Y, random_state=0)


@pytest.fixture(scope="module")
def mlp_fit():
    X, X_test, Y, Y_test = _problem()
    mlp = MLPClassifier(hidden_layer_sizes=(6,), solver="lbfgs", alpha=0.5, max_iter=300, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp.fit(X, Y)
    network = bpnn.Network((12, 6, 4), activation="relu", task="multilabel")
    theta = pack([np.column_stack([b, W.T]) for W, b in zip(mlp.coefs_, mlp.intercepts_)])
    return mlp, network, theta, X, X_test, Y, Y_test


def test_at_mlpclassifiers_weights_the_cost_is_its_loss_and_the_predictions_are_its(mlp_fit):
    mlp, network, theta, X, X_test, Y, Y_test = mlp_fit
    assert bpnn.cost(network, theta, X, Y, lam=0.5) == pytest.approx(mlp.loss_, rel=1e-12)
    np.testing.assert_allclose(bpnn.predict_proba(network, theta, X_test), mlp.predict_proba(X_test), atol=1e-14)
    np.testing.assert_array_equal(bpnn.predict(network, theta, X_test), mlp.predict(X_test))
    assert bpnn.accuracy(network, theta, X_test, Y_test) == mlp.score(X_test, Y_test)


def test_the_cost_by_hand_and_the_gradient_by_finite_differences():
    rng = np.random.default_rng(3)
    network = bpnn.Network((5, 4, 3), task="multilabel")
    theta, X = network.init(rng), rng.standard_normal((7, 5))
    Y = (rng.random((7, 3)) < 0.5).astype(float)
    Y[0] = 1.0  # every label, and a row with none
    Y[1] = 0.0
    Theta1, Theta2 = network.unpack(theta)
    a2 = 1 / (1 + np.exp(-(X @ Theta1[:, 1:].T + Theta1[:, 0])))
    h = 1 / (1 + np.exp(-(a2 @ Theta2[:, 1:].T + Theta2[:, 0])))
    by_hand = (-np.sum(Y * np.log(h) + (1 - Y) * np.log(1 - h)) / 7
               + 2.0 / 14 * (np.sum(Theta1[:, 1:] ** 2) + np.sum(Theta2[:, 1:] ** 2)))
    assert bpnn.cost(network, theta, X, Y, lam=2.0) == pytest.approx(by_hand, rel=1e-12)
    assert bpnn.check_gradients(network, theta, X, Y, lam=2.0).relative_difference < 1e-9


def test_the_estimator_fits_as_mlpclassifier_does_and_reports_per_label(mlp_fit):
    mlp, _, _, X, X_test, Y, Y_test = mlp_fit
    model = bpnn.BPNNClassifier(hidden_layer_sizes=(6,), activation="relu", alpha=0.5, random_state=0).fit(X, Y)
    assert model.network_.task == "multilabel" and model.out_activation_ == "logistic"
    np.testing.assert_array_equal(model.classes_, mlp.classes_)
    assert model.n_outputs_ == mlp.n_outputs_ == 4
    predicted, probabilities = model.predict(X_test), model.predict_proba(X_test)
    assert predicted.shape == probabilities.shape == Y_test.shape
    np.testing.assert_array_equal(predicted, (probabilities > 0.5).astype(int))
    assert model.score(X_test, Y_test) == accuracy_score(Y_test, predicted)
    # the same objective, a minimum as good: its loss within 3 % of MLPClassifier's, as many test rows right
    assert model.loss_ < 1.03 * mlp.loss_
    assert model.score(X_test, Y_test) >= mlp.score(X_test, Y_test) - 0.05
    scores = evaluate(model.network_, model.theta_, X_test, Y_test, classes=["a", "b", "c", "d"])
    assert scores["accuracy"] == model.score(X_test, Y_test)
    assert scores["report"] == classification_report(Y_test, predicted, digits=4, zero_division=0,
                                                     target_names=["a", "b", "c", "d"])


def test_mini_batches_and_partial_fit_take_a_multilabel_y():
    X, X_test, Y, Y_test = _problem()
    model = bpnn.BPNNClassifier(solver="adam", hidden_layer_sizes=(8,), random_state=0, learning_rate_init=0.01)
    for _ in range(30):
        model.partial_fit(X, Y)
    assert model.predict(X_test).shape == Y_test.shape
    rows, counts = np.unique(Y, axis=0, return_counts=True)
    constant_guess = np.mean(np.all(Y_test == rows[counts.argmax()], axis=1))  # the most common training row
    assert model.score(X_test, Y_test) > constant_guess + 0.1


def test_what_cannot_be_multilabel_is_refused_by_name():
    X, _, Y, _ = _problem(100)
    with pytest.raises(BpnnError, match="sigmoid outputs"):
        bpnn.Network((12, 4), cost="log-likelihood", task="multilabel")
    with pytest.raises(ValueError, match="independent sigmoid outputs"):
        bpnn.BPNNClassifier(cost="log-likelihood").fit(X, Y)
    with pytest.raises(ValueError, match="several columns of labels"):
        bpnn.BPNNClassifier().fit(X, Y * 2 + np.arange(4) % 2)
    with pytest.raises(BpnnError, match="0 or 1"):
        bpnn.train(bpnn.Network((12, 3, 4), task="multilabel"), X, Y * 0.5)
    model = bpnn.BPNNClassifier(solver="sgd", random_state=0).partial_fit(X, Y)
    with pytest.raises(ValueError, match="multilabel"):
        model.partial_fit(X, Y.argmax(axis=1))


def test_the_onnx_graph_gives_the_labels_and_probabilities():
    onnxruntime = pytest.importorskip("onnxruntime")
    from bpnn.export import to_onnx

    rng = np.random.default_rng(0)
    network = bpnn.Network((6, 5, 4, 3), activation="tanh", task="multilabel")
    theta, X = 2.0 * network.init(rng), rng.standard_normal((50, 6)).astype(np.float32)
    session = onnxruntime.InferenceSession(to_onnx(network, theta).SerializeToString())
    label, probabilities = session.run(["label", "probabilities"], {"X": X})
    np.testing.assert_allclose(probabilities, bpnn.predict_proba(network, theta, X.astype(float)), rtol=1e-5)
    np.testing.assert_array_equal(label, bpnn.predict(network, theta, X.astype(float)))


def test_skl2onnx_converts_a_multilabel_estimator():
    onnxruntime = pytest.importorskip("onnxruntime")
    skl2onnx = pytest.importorskip("skl2onnx")
    from bpnn.export import register_skl2onnx

    register_skl2onnx()
    X, _, Y, _ = _problem(200)
    model = bpnn.BPNNClassifier(hidden_layer_sizes=(5,), random_state=0).fit(X, Y)
    graph = skl2onnx.to_onnx(model, X[:1].astype(np.float32), options={"zipmap": False})
    declared = {output.name: output.type.tensor_type.shape for output in graph.graph.output}
    assert [d.dim_value for d in declared["label"].dim][1:] == [4]  # n × K, as it comes out
    label, probabilities = onnxruntime.InferenceSession(graph.SerializeToString()).run(
        None, {"X": X.astype(np.float32)})
    np.testing.assert_array_equal(label, model.predict(X))
    np.testing.assert_allclose(probabilities, model.predict_proba(X), rtol=1e-5)


def test_a_multilabel_y_is_checked_where_it_enters():
    X, _, Y, _ = _problem(200)
    network = bpnn.Network((12, 3, 4), task="multilabel")
    theta = network.init(0)
    for wrong, message in ((Y * 2, "0 or 1"), (Y[:, 0], "2-D"), (Y[:, :3], "shape")):
        with pytest.raises(BpnnError, match=message):
            bpnn.accuracy(network, theta, X, wrong)
    with pytest.raises(BpnnError, match="out of range"):
        bpnn.accuracy(bpnn.Network((12, 3, 4)), theta, X, np.full(len(X), 4))
    first = np.argwhere(Y == 1)[0]
    with pytest.raises(ValueError, match=f"sample {first[0]}, label {first[1]} is 2"):
        bpnn.BPNNClassifier().fit(X, Y * 2)
    with pytest.raises(ValueError, match="give sample_weight instead"):
        bpnn.BPNNClassifier(class_weight="balanced").fit(X, Y)
    model = bpnn.BPNNClassifier(hidden_layer_sizes=(3,), warm_start=True, max_iter=5).fit(X, Y.argmax(axis=1))
    with pytest.raises(ValueError, match="set warm_start=False"):
        model.fit(X, Y)


def test_a_sparse_indicator_matrix_fits_as_the_dense_one():
    from scipy.sparse import csr_matrix

    X, X_test, Y, _ = _problem(200)
    dense = bpnn.BPNNClassifier(hidden_layer_sizes=(3,), random_state=0).fit(X, Y)
    sparse = bpnn.BPNNClassifier(hidden_layer_sizes=(3,), random_state=0).fit(X, csr_matrix(Y))
    np.testing.assert_array_equal(dense.theta_, sparse.theta_)
