"""The ONNX round trip: ``bpnn.export.to_onnx``, skl2onnx's ``to_onnx`` of a ``BPNNClassifier`` and the
``bpnn export`` command, run by onnxruntime against bpnn's own predictions (the probabilities to 1e-5
relative in float32, the labels identical)."""

import subprocess
import sys
import warnings

import numpy as np
import pytest
from scipy.special import log_expit, softmax
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from bpnn import BpnnError, Network, save_weights
from bpnn.estimator import BPNNClassifier, BPNNRegressor
from bpnn.model.network import forward, predict
from bpnn.model.units import HIDDEN_ACTIVATIONS, OUTPUT_COSTS

ort = pytest.importorskip("onnxruntime")
skl2onnx = pytest.importorskip("skl2onnx")
from bpnn.export import register_skl2onnx, to_onnx  # noqa: E402 (needs onnx, which the skips above stand for)


def run(model, X):
    """(label, probabilities) of an ONNX model on X, by onnxruntime."""
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: X})


def normalized_outputs(network, theta, X):
    """h / Σh from z computed in float64: softmax(z), or σ(z) / Σσ(z) as softmax(log σ(z))."""
    z = forward(network, theta, np.asarray(X, dtype=np.float64))[1]
    return softmax(z if network.output == "softmax" else log_expit(z), axis=1)


CLASSIFYING = [pair for pair, unit in OUTPUT_COSTS.items() if unit.classifies]


@pytest.mark.parametrize("sizes", [(6, 5, 3), (6, 7, 5, 4, 3)], ids=["one hidden layer", "three"])
@pytest.mark.parametrize("output, cost", CLASSIFYING)
@pytest.mark.parametrize("activation", list(HIDDEN_ACTIVATIONS))
def test_every_unit_pair_gives_bpnns_probabilities_and_labels(activation, output, cost, sizes):
    rng = np.random.default_rng(0)
    network = Network(sizes, activation, cost, output)
    theta = 3.0 * network.init(rng, "uniform")
    X = rng.standard_normal((200, sizes[0])).astype(np.float32)
    label, probabilities = run(to_onnx(network, theta), X)
    np.testing.assert_allclose(probabilities, normalized_outputs(network, theta, X), rtol=1e-5, atol=1e-7)
    np.testing.assert_array_equal(label, predict(network, theta, X))


@pytest.mark.parametrize("activation", list(HIDDEN_ACTIVATIONS))
def test_a_regression_network_gives_its_output_values(activation):
    rng = np.random.default_rng(6)
    network = Network((6, 7, 5, 2), activation, "quadratic", "identity")
    theta = 3.0 * network.init(rng, "uniform")
    X = rng.standard_normal((200, 6))
    for dtype, rtol in ((np.float32, 1e-5), (np.float64, 1e-12)):
        (values,) = run(to_onnx(network, theta, dtype=dtype), X.astype(dtype))
        np.testing.assert_allclose(values, predict(network, theta, X), rtol=rtol, atol=rtol)
    with pytest.raises(BpnnError, match="task is regression"):
        to_onnx(network, theta, classes=[0, 1])


@pytest.mark.parametrize("output, cost", [("sigmoid", "cross-entropy"), ("softmax", "log-likelihood")])
def test_saturated_units_keep_finite_exact_probabilities_in_both_dtypes(output, cost):
    rng = np.random.default_rng(1)
    network = Network((6, 5, 3), "sigmoid", cost, output)
    theta = 1e3 * network.init(rng, "uniform")  # |z| in the hundreds: σ(z) underflows to 0 for many units
    X = rng.standard_normal((100, 6))
    for dtype in (np.float32, np.float64):
        label, probabilities = run(to_onnx(network, theta, dtype=dtype), X.astype(dtype))
        assert probabilities.dtype == dtype and np.all(np.isfinite(probabilities))
        reference = normalized_outputs(network, theta, X.astype(dtype))
        np.testing.assert_allclose(probabilities, reference, rtol=1e-5 if dtype == np.float32 else 1e-12,
                                   atol=1e-7 if dtype == np.float32 else 1e-15)
        np.testing.assert_array_equal(label, predict(network, theta, X.astype(dtype)))


def test_class_values_label_the_units_and_bad_ones_are_refused():
    network = Network((4, 3, 3))
    theta = network.init(0)
    X = np.random.default_rng(2).standard_normal((20, 4)).astype(np.float32)
    label, _ = run(to_onnx(network, theta, classes=["cat", "dog", "eel"]), X)
    np.testing.assert_array_equal(label, np.array(["cat", "dog", "eel"])[predict(network, theta, X)])
    label, _ = run(to_onnx(network, theta, classes=[10, 20, 30]), X)
    np.testing.assert_array_equal(label, np.array([10, 20, 30])[predict(network, theta, X)])
    with pytest.raises(BpnnError, match="one value per output unit"):
        to_onnx(network, theta, classes=[1, 2])
    with pytest.raises(BpnnError, match="integers or strings"):
        to_onnx(network, theta, classes=[0.5, 1.5, 2.5])
    with pytest.raises(BpnnError, match="float32 or float64"):
        to_onnx(network, theta, dtype=np.int32)
    with pytest.raises(BpnnError, match="shape"):
        to_onnx(network, theta[:-1])
    with pytest.raises(BpnnError, match="NaN or inf"):
        to_onnx(network, np.where(np.arange(theta.size) == 3, np.nan, theta))


@pytest.fixture(scope="module")
def fitted(digits):
    X, y = digits
    rows = np.random.default_rng(3).permutation(len(y))[:600]
    names = np.array(["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        classifier = BPNNClassifier(max_iter=25, random_state=0).fit(X[rows], names[y[rows]])
        pipeline = make_pipeline(StandardScaler(), BPNNClassifier(activation="relu", cost="log-likelihood",
                                                                  solver="adam", max_iter=5, random_state=0))
        pipeline.fit(X[rows], y[rows])
    return X[rows], classifier, pipeline


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_skl2onnx_converts_a_fitted_classifier_and_a_pipeline(fitted, dtype):
    X, classifier, pipeline = fitted
    X = X.astype(dtype)
    register_skl2onnx()
    for model in (classifier, pipeline):
        label, probabilities = run(skl2onnx.to_onnx(model, X[:1], options={"zipmap": False}), X)
        np.testing.assert_array_equal(label, model.predict(X))
        np.testing.assert_allclose(probabilities, model.predict_proba(X), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("outputs", [1, 2])
def test_skl2onnx_converts_a_fitted_regressor(digits, outputs):
    X, y = digits
    X = X[:300].astype(np.float32)
    targets = y[:300] * 1.5 if outputs == 1 else np.column_stack([y[:300] * 1.5, -y[:300]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = BPNNRegressor(hidden_layer_sizes=(6,), max_iter=10, random_state=0).fit(X, targets)
    register_skl2onnx()
    (values,) = run(skl2onnx.to_onnx(model, X[:1]), X)
    np.testing.assert_allclose(values.reshape(len(X), -1), model.predict(X).reshape(len(X), -1), rtol=1e-5,
                               atol=1e-4)


def test_skl2onnx_zipmap_gives_a_probability_per_class_name(fitted):
    X, classifier, _ = fitted
    register_skl2onnx()
    _, maps = run(skl2onnx.to_onnx(classifier, X[:1].astype(np.float32)), X[:3].astype(np.float32))
    assert list(maps[0]) == list(classifier.classes_)
    np.testing.assert_allclose([row[name] for row in maps for name in classifier.classes_],
                               classifier.predict_proba(X[:3]).ravel(), rtol=1e-5, atol=1e-6)


def test_the_export_command_writes_a_model_of_the_weights_file_and_keeps_what_exists(tmp_path):
    network = Network((5, 4, 3), "tanh", "log-likelihood")
    theta = network.init(4)
    save_weights(tmp_path / "weights.npz", network, theta)

    def export(*args):
        return subprocess.run([sys.executable, "-m", "bpnn", "export", *args], cwd=tmp_path, capture_output=True,
                              text=True, timeout=120)

    done = export("weights.npz", "model.onnx")
    assert done.returncode == 0, done.stderr
    import onnx

    X = np.random.default_rng(5).standard_normal((30, 5)).astype(np.float32)
    label, probabilities = run(onnx.load(tmp_path / "model.onnx"), X)
    np.testing.assert_array_equal(label, predict(network, theta, X))
    np.testing.assert_allclose(probabilities, normalized_outputs(network, theta, X), rtol=1e-5, atol=1e-7)
    before = (tmp_path / "model.onnx").read_bytes()
    for args, message in ((("weights.npz", "model.onnx"), "already exists"), (("weights.npz", "model.txt"), ".onnx"),
                          (("missing.npz", "other.onnx"), "no such file")):
        done = export(*args)
        assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert (tmp_path / "model.onnx").read_bytes() == before and not (tmp_path / "other.onnx").exists()
