import numpy as np
import pytest
import scipy.io

import bpnn
from bpnn import BpnnError, Network, load_weights, save_weights
from bpnn.data.loading import load_mat
from bpnn.model.params import pack
from tests.support.course import course_predict


def course_shaped(rng):
    return [rng.standard_normal((25, 401)), rng.standard_normal((10, 26))]


@pytest.mark.parametrize("suffix", [".mat", ".npz"])
def test_round_trip(tmp_path, suffix):
    thetas = course_shaped(np.random.default_rng(0))
    path = save_weights(tmp_path / f"w{suffix}", Network.of(thetas), pack(thetas))
    back = load_weights(path)
    assert len(back.thetas) == 2
    for a, b in zip(thetas, back.thetas):
        np.testing.assert_array_equal(a, b)
    assert back.network == Network((400, 25, 10), "sigmoid", "cross-entropy", "sigmoid")
    assert back.bpnn_version == bpnn.__version__


def test_mat_layout_is_the_course_one(tmp_path):
    thetas = course_shaped(np.random.default_rng(1))
    save_weights(tmp_path / "w.mat", Network.of(thetas), pack(thetas))
    raw = scipy.io.loadmat(tmp_path / "w.mat")  # read independently, as Octave would see it
    assert raw["Theta1"].shape == (25, 401) and raw["Theta2"].shape == (10, 26)
    np.testing.assert_array_equal(raw["Theta1"], thetas[0])
    # output row k (1-based) is the digit k, row 10 the digit 0: bpnn's rows 1..9, then its row 0
    np.testing.assert_array_equal(raw["Theta2"], thetas[1][[1, 2, 3, 4, 5, 6, 7, 8, 9, 0]])
    assert raw["classes"].ravel().tolist() == [1, 2, 3, 4, 5, 6, 7, 8, 9, 0]
    assert raw["layer_sizes"].ravel().tolist() == [400, 25, 10]
    assert [str(raw[k][0]) for k in ("activation", "output", "cost")] == ["sigmoid", "sigmoid", "cross-entropy"]


def test_npz_keeps_bpnn_order_and_says_so(tmp_path):
    thetas = course_shaped(np.random.default_rng(1))
    save_weights(tmp_path / "w.npz", Network.of(thetas, activation="relu", cost="log-likelihood"), pack(thetas))
    with np.load(tmp_path / "w.npz") as raw:
        np.testing.assert_array_equal(raw["Theta2"], thetas[1])
        assert raw["classes"].tolist() == list(range(10))
        assert str(raw["activation"]) == "relu" and str(raw["output"]) == "softmax"
    assert load_weights(tmp_path / "w.npz").network.names == {"activation": "relu", "output": "softmax",
                                                        "cost": "log-likelihood", "task": "classification"}


@pytest.mark.parametrize("suffix", [".mat", ".npz"])
def test_a_multilabel_network_comes_back_multilabel_with_its_rows_in_order(tmp_path, suffix):
    network = Network((4, 3, 10), task="multilabel")
    theta = network.init(0)
    saved = load_weights(save_weights(tmp_path / f"w{suffix}", network, theta))
    assert saved.network == network and saved.network.task == "multilabel"
    np.testing.assert_array_equal(saved.theta, theta)


def _digit_network():
    """A hand-made 10-10-10 network in the course's order: input j → hidden j → course output unit j + 1,
    i.e. the digit (j + 1) mod 10. Every output row differs."""
    Theta1 = np.hstack([-10.0 * np.ones((10, 1)), 20.0 * np.eye(10)])
    Theta2 = np.hstack([-10.0 * np.ones((10, 1)), 20.0 * np.eye(10)])
    return Theta1, Theta2, np.eye(10), (np.arange(10) + 1) % 10


def test_hand_made_course_file_lands_on_the_right_labels_both_ways(tmp_path):
    Theta1, Theta2, X, digits = _digit_network()
    np.testing.assert_array_equal(course_predict([Theta1, Theta2], X), digits)  # the course's own reading
    scipy.io.savemat(tmp_path / "course.mat", {"Theta1": Theta1, "Theta2": Theta2})  # a bare course file
    saved = load_weights(tmp_path / "course.mat")
    assert saved.bpnn_version is None and saved.network.activation == "sigmoid"
    np.testing.assert_array_equal(bpnn.predict(saved.network, saved.theta, X), digits)
    save_weights(tmp_path / "back.mat", saved.network, saved.theta)  # and back: the course reads bpnn's file the same way
    raw = scipy.io.loadmat(tmp_path / "back.mat")
    np.testing.assert_array_equal(raw["Theta2"], Theta2)
    np.testing.assert_array_equal(course_predict([raw["Theta1"], raw["Theta2"]], X), digits)


def test_trained_weights_mat_predicts_the_same_with_the_course_code(tmp_path, small_mat):
    X, y = load_mat(small_mat)
    result = bpnn.train(Network((X.shape[1], 8, int(y.max()) + 1)), X, y, stopping=bpnn.Stopping(max_iter=30))
    save_weights(tmp_path / "weights.mat", result.network, result.theta)
    raw = scipy.io.loadmat(tmp_path / "weights.mat")
    ours = bpnn.predict(result.network, result.theta, X)
    np.testing.assert_array_equal(course_predict([raw["Theta1"], raw["Theta2"]], X), ours)
    assert np.mean(ours == y) > 0.5  # trained: the comparison is not between two constant guesses


@pytest.mark.parametrize(
    "value, message",
    [
        ("text", "found text"),
        (np.array([[np.ones((2, 3))]], dtype=object), "cell array"),
        (np.ones((2, 3)) + 1j, "complex"),
        (np.full((2, 3), np.nan), "NaN or inf"),
    ],
)
def test_theta_that_is_not_a_real_matrix(tmp_path, value, message):
    scipy.io.savemat(tmp_path / "w.mat", {"Theta1": value, "Theta2": np.ones((1, 3))})
    with pytest.raises(BpnnError, match=message):
        load_weights(tmp_path / "w.mat")


@pytest.mark.parametrize(
    "extra, message",
    [
        ({"layer_sizes": [2, 5, 1]}, "do not match"),
        ({"classes": [0, 0]}, "classes must list the labels 0..1"),
        ({"activation": "swish"}, "unknown hidden activation"),
        ({"cost": "log-likelihood", "output": "sigmoid"}, "do not go with"),
        ({"activation": 3.0}, "must be a text value"),
    ],
)
def test_recorded_network_is_checked(tmp_path, extra, message):
    scipy.io.savemat(tmp_path / "w.mat", {"Theta1": np.ones((2, 3)), "Theta2": np.ones((2, 3)), **extra})
    with pytest.raises(BpnnError, match=message):
        load_weights(tmp_path / "w.mat")


def test_never_overwrites(tmp_path):
    path = tmp_path / "w.mat"
    path.write_bytes(b"precious")
    with pytest.raises(BpnnError, match="already exists"):
        thetas = course_shaped(np.random.default_rng(0))
        save_weights(path, Network.of(thetas), pack(thetas))
    assert path.read_bytes() == b"precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.mat"]  # no temporary file left behind


@pytest.mark.parametrize(
    "contents, message",
    [
        ({"W1": np.ones((2, 3))}, "no Theta1"),
        ({"Theta1": np.ones((2, 3)), "Theta3": np.ones((1, 3))}, "without gaps"),
        ({"Theta1": np.ones((2, 3)), "Theta2": np.ones((1, 4))}, "Theta2 has 4 columns"),
    ],
)
def test_bad_weight_files(tmp_path, contents, message):
    scipy.io.savemat(tmp_path / "w.mat", contents)
    with pytest.raises(BpnnError, match=message):
        load_weights(tmp_path / "w.mat")


def test_unreadable_and_wrong_suffix(tmp_path):
    (tmp_path / "w.npz").write_bytes(b"not a zip")
    with pytest.raises(BpnnError, match="cannot read weights"):
        load_weights(tmp_path / "w.npz")
    with pytest.raises(BpnnError, match=".mat or .npz"):
        load_weights(tmp_path / "w.txt")
    with pytest.raises(BpnnError, match="no such file"):
        load_weights(tmp_path / "missing.mat")
    (tmp_path / "folder.mat").mkdir()
    with pytest.raises(BpnnError, match="not a regular file"):
        load_weights(tmp_path / "folder.mat")
