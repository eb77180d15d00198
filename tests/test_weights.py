import numpy as np
import pytest
import scipy.io

from bpnn import BpnnError, load_weights, save_weights


def course_shaped(rng):
    return [rng.standard_normal((25, 401)), rng.standard_normal((10, 26))]


@pytest.mark.parametrize("suffix", [".mat", ".npz"])
def test_round_trip(tmp_path, suffix):
    thetas = course_shaped(np.random.default_rng(0))
    path = save_weights(tmp_path / f"w{suffix}", thetas)
    back = load_weights(path)
    assert len(back) == 2
    for a, b in zip(thetas, back):
        np.testing.assert_array_equal(a, b)


def test_mat_layout_is_the_course_one(tmp_path):
    thetas = course_shaped(np.random.default_rng(1))
    save_weights(tmp_path / "w.mat", thetas)
    raw = scipy.io.loadmat(tmp_path / "w.mat")  # read independently, as Octave would see it
    assert raw["Theta1"].shape == (25, 401) and raw["Theta2"].shape == (10, 26)
    np.testing.assert_array_equal(raw["Theta1"], thetas[0])


def test_course_file_written_elsewhere_loads(tmp_path):
    rng = np.random.default_rng(2)
    scipy.io.savemat(tmp_path / "ex4weights.mat", {"Theta1": rng.random((25, 401)), "Theta2": rng.random((10, 26))})
    assert [t.shape for t in load_weights(tmp_path / "ex4weights.mat")] == [(25, 401), (10, 26)]


def test_never_overwrites(tmp_path):
    path = tmp_path / "w.mat"
    path.write_bytes(b"precious")
    with pytest.raises(BpnnError, match="already exists"):
        save_weights(path, course_shaped(np.random.default_rng(0)))
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
