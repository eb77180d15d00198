import pathlib
import numpy as np
import pytest
import scipy.io
from sklearn.datasets import load_digits

from bpnn import BpnnError, load_dataset
from bpnn.data.loading import default_data_path, load_mat
from bpnn.data.loading import make_default_mat


def asymmetric_image():
    """20×20: a vertical bar in column 3 (rows 2..15) and a foot to its right on row 15: an 'L'."""
    image = np.zeros((20, 20))
    image[2:16, 3] = 1.0
    image[15, 3:12] = 0.5
    return image


def test_course_layout_orientation_and_label_mapping(tmp_path):
    image = asymmetric_image()
    # As MATLAB stores X(i, :) = image(:)': column-major, written here with scipy directly.
    X = np.stack([image.ravel(order="F"), image.T.ravel(order="F"), np.zeros(400)])
    path = tmp_path / "course.mat"
    scipy.io.savemat(path, {"X": X, "y": np.array([[10], [1], [7]], dtype=np.uint8)})
    X_loaded, y = load_mat(path)
    assert X_loaded.dtype == np.float64 and X_loaded.shape == (3, 400)
    np.testing.assert_array_equal(y, [0, 1, 7])  # 10 means the digit 0
    dataset = load_dataset(path)
    images = dataset.images(dataset.X)
    np.testing.assert_array_equal(images[0], image)  # upright, not transposed
    np.testing.assert_array_equal(images[1], image.T)
    assert dataset.n_classes == 10 and dataset.image_shape == (20, 20)


def test_embedded_digits_are_upright_framed_and_deterministic(data_home):
    path = default_data_path()
    assert path == data_home / "digits20.mat"
    X, y = load_mat(path)
    reference = load_digits()
    assert X.shape == (1797, 400)
    np.testing.assert_array_equal(y, reference.target)
    assert X.min() >= 0.0 and X.max() <= 1.0
    images = load_dataset(path).images(X)
    assert np.all(images[:, :2, :] == 0) and np.all(images[:, -2:, :] == 0)  # blank 2-pixel frame
    assert np.all(images[:, :, :2] == 0) and np.all(images[:, :, -2:] == 0)
    # Averaging each 2×2 block of the 16×16 centre gives back the 8×8 original (scaled), upright.
    pooled = images[:, 2:18, 2:18].reshape(-1, 8, 2, 8, 2).mean(axis=(2, 4))
    original = reference.images / 16.0
    upright = np.corrcoef(pooled.ravel(), original.ravel())[0, 1]
    transposed = np.corrcoef(pooled.ravel(), original.transpose(0, 2, 1).ravel())[0, 1]
    assert upright > 0.97 and transposed < 0.8
    again = make_default_mat(data_home / "again.mat")
    np.testing.assert_array_equal(load_mat(again)[0], X)


def test_course_file_is_preferred_when_present(data_home, small_mat):
    data_home.mkdir()
    (data_home / "ex4data1.mat").write_bytes(small_mat.read_bytes())
    assert default_data_path() == data_home / "ex4data1.mat"
    assert not (data_home / "digits20.mat").exists()
    assert load_dataset().X.shape == (300, 400)


def test_default_is_made_once(data_home):
    first = default_data_path()
    stamp = first.stat().st_mtime_ns
    assert default_data_path() == first and first.stat().st_mtime_ns == stamp


@pytest.mark.parametrize(
    "contents, message",
    [
        ({"y": np.ones((3, 1))}, "no variable 'X' \\(the file has: y\\)"),
        ({"X": np.ones((3, 4))}, "no variable 'y'"),
        ({"X": np.ones((3, 4)), "y": np.array([[1], [11], [3]])}, "labels must be integers 1..10"),
        ({"X": np.ones((3, 4)), "y": np.array([[0], [1], [3]])}, "labels must be integers 1..10"),
        ({"X": np.ones((3, 4)), "y": np.array([[1.5], [1], [3]])}, "labels must be integers 1..10"),
        ({"X": np.ones((3, 4)), "y": np.ones((2, 1))}, "X has 3 rows but y has shape"),
        ({"X": np.array([[np.nan, 1.0]]), "y": np.ones((1, 1))}, "NaN or inf"),
    ],
)
def test_bad_mat_files(tmp_path, contents, message):
    path = tmp_path / "bad.mat"
    scipy.io.savemat(path, contents)
    with pytest.raises(BpnnError, match=message) as info:
        load_mat(path)
    assert str(path) in str(info.value)


def test_missing_and_non_mat_files(tmp_path):
    with pytest.raises(BpnnError, match="no such file"):
        load_mat(tmp_path / "nothing.mat")
    text = tmp_path / "notes.mat"
    text.write_text("these are not the digits you are looking for\n")
    with pytest.raises(BpnnError, match="not a readable MATLAB .mat file"):
        load_mat(text)
    truncated = tmp_path / "truncated.mat"
    scipy.io.savemat(truncated, {"X": np.ones((50, 400)), "y": np.ones((50, 1))})
    truncated.write_bytes(truncated.read_bytes()[:3000])
    with pytest.raises(BpnnError, match="truncated.mat"):
        load_mat(truncated)


def test_data_home_is_never_the_current_folder(tmp_path, monkeypatch):
    from bpnn.data.loading import data_dir

    monkeypatch.delenv("BPNN_DATA_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    home = data_dir()
    assert home.is_absolute() and tmp_path not in home.parents and home != tmp_path / "data"
    monkeypatch.setenv("BPNN_DATA_DIR", str(tmp_path / "mine"))
    assert data_dir() == tmp_path / "mine"


def test_data_home_is_the_checkouts_data_folder_when_bpnn_runs_from_its_source_tree(tmp_path, monkeypatch):
    from bpnn.data import loading

    checkout = tmp_path / "checkout"
    (checkout / "scripts").mkdir(parents=True)
    (checkout / "setup.cfg").write_text("[metadata]\nname = bpnn\n")
    monkeypatch.delenv("BPNN_DATA_DIR", raising=False)
    monkeypatch.setattr(loading, "__file__", str(checkout / "bpnn" / "data" / "loading.py"))
    assert loading.data_dir() == checkout / "data"
    (checkout / "setup.cfg").unlink()  # an installed bpnn: no checkout around it
    assert loading.data_dir() == pathlib.Path.home() / "bpnn_data"


def test_every_format_is_in_the_registry_and_says_what_it_reads(tmp_path):
    from bpnn.data.formats import FORMATS, find_format

    (tmp_path / "x.json").write_text("1,2\n")
    with pytest.raises(BpnnError, match="unknown data format") as raised:
        find_format(tmp_path / "x.json")
    for module in FORMATS:
        assert module.DESCRIPTION in str(raised.value)
