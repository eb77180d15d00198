import gzip
import os
import pickle
import tracemalloc

import numpy as np
import pytest

from bpnn import BpnnError, load_dataset
from bpnn.data.loading import load_mat
from bpnn.data.convert import crop_and_resample, write_course_mat
from bpnn.data.formats.openml import load_openml_mnist
from tests.support.writers import (digit_images, idx_bytes, write_idx_folder, write_mnist_pickle,
                                   write_text_digits, zip_folder)


# --- 32×32 text digits -------------------------------------------------------------------------------------

@pytest.mark.parametrize("crlf", [False, True])
def test_text_digit_folder(tmp_path, crlf):
    images, labels = digit_images(25, np.random.default_rng(0))
    folder = write_text_digits(tmp_path / "digits", images, labels, crlf)
    dataset = load_dataset(folder)
    assert dataset.kind == "text digits" and dataset.image_shape == (32, 32) and dataset.X_test is None
    order = np.argsort([f"{label}_{k}.txt" for k, label in enumerate(labels)])  # files are read sorted by name
    np.testing.assert_array_equal(dataset.y, labels[order])
    np.testing.assert_array_equal(dataset.images(dataset.X), images[order])  # upright: line i is row i
    assert dataset.X.dtype == np.float64 and set(np.unique(dataset.X)) <= {0.0, 1.0}


def test_two_folder_layout_is_the_split(tmp_path):
    rng = np.random.default_rng(1)
    train_images, train_labels = digit_images(20, rng)
    test_images, test_labels = digit_images(7, rng)
    write_text_digits(tmp_path / "trainingDigits", train_images, train_labels)
    write_text_digits(tmp_path / "testDigits", test_images, test_labels, crlf=True)
    dataset = load_dataset(tmp_path)
    assert dataset.X.shape == (20, 1024) and dataset.X_test.shape == (7, 1024)
    assert sorted(dataset.y_test.tolist()) == sorted(test_labels.tolist())


@pytest.mark.parametrize("prefix", ["", "digits/"])
def test_zip_of_the_two_folder_layout(tmp_path, prefix):
    rng = np.random.default_rng(2)
    write_text_digits(tmp_path / "src" / "trainingDigits", *digit_images(12, rng))
    write_text_digits(tmp_path / "src" / "testDigits", *digit_images(5, rng))
    dataset = load_dataset(zip_folder(tmp_path / "src", tmp_path / "digits.zip", prefix))
    assert dataset.X.shape == (12, 1024) and dataset.X_test.shape == (5, 1024)
    flat = zip_folder(tmp_path / "src" / "testDigits", tmp_path / "flat.zip")
    assert load_dataset(flat).X.shape == (5, 1024) and load_dataset(flat).X_test is None


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("3_0.txt", b"0" * 32 + b"\n", "expected 32 lines of 32 characters, found 1 lines"),
        ("3_0.txt", (b"0" * 32 + b"\n") * 31 + b"0" * 31 + b"\n", "line 32 has 31 characters"),
        ("3_0.txt", (b"0" * 32 + b"\n") * 5 + b"0" * 31 + b"2\n" + (b"0" * 32 + b"\n") * 26, "line 6 has the character '2'"),
        ("three.txt", (b"0" * 32 + b"\n") * 32, "three.txt: file name has no label"),
        ("12_0.txt", (b"0" * 32 + b"\n") * 32, "label 12 out of range 0..9"),
    ],
)
def test_bad_text_digits_name_the_file(tmp_path, name, content, message):
    folder = write_text_digits(tmp_path / "d", *digit_images(3, np.random.default_rng(4)))
    (folder / name).write_bytes(content)
    with pytest.raises(BpnnError, match=message) as info:
        load_dataset(folder)
    assert name in str(info.value)


def test_empty_and_unrelated_folders(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(BpnnError, match="no <label>_<index>.txt digit files \\(it is empty\\)"):
        load_dataset(tmp_path / "empty")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.json").write_text("a,b\n")
    with pytest.raises(BpnnError, match="it holds notes.json"):
        load_dataset(tmp_path / "other")
    with pytest.raises(BpnnError, match="unknown data format"):
        load_dataset(tmp_path / "other" / "notes.json")
    with pytest.raises(BpnnError, match="no such file or folder"):
        load_dataset(tmp_path / "nowhere")
    (tmp_path / "bad.zip").write_bytes(b"PK not really")
    with pytest.raises(BpnnError, match="bad.zip: not a readable zip file"):
        load_dataset(tmp_path / "bad.zip")


# --- MNIST IDX ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("gz", [False, True])
def test_idx_folder(tmp_path, gz):
    images, labels, test_images, test_labels = write_idx_folder(tmp_path / "mnist", np.random.default_rng(5), gz=gz)
    dataset = load_dataset(tmp_path / "mnist")
    assert dataset.kind == "mnist idx" and dataset.image_shape == (28, 28)
    np.testing.assert_array_equal(dataset.y, labels)
    np.testing.assert_array_equal(dataset.y_test, test_labels)
    np.testing.assert_allclose(dataset.images(dataset.X), images / 255.0)
    np.testing.assert_allclose(dataset.images(dataset.X_test), test_images / 255.0)
    assert load_dataset(tmp_path / "mnist", np.float32).X.dtype == np.float32


def corrupt(folder, name, data):
    (folder / name).write_bytes(data)


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda f: corrupt(f, "train-images-idx3-ubyte", (f / "train-images-idx3-ubyte").read_bytes()[:-100]),
         "train-images-idx3-ubyte: truncated or padded IDX file: header promises 30 × 28 × 28"),
        (lambda f: corrupt(f, "train-labels-idx1-ubyte", idx_bytes(np.zeros(30), 0x803)[:8] + bytes(30)),
         "wrong magic number 0x00000803 for IDX labels"),
        (lambda f: corrupt(f, "t10k-labels-idx1-ubyte", idx_bytes(np.zeros(9), 0x801)),
         "has 10 images but .*t10k-labels-idx1-ubyte has 9 labels"),
        (lambda f: corrupt(f, "t10k-labels-idx1-ubyte", idx_bytes(np.full(10, 11), 0x801)),
         "labels out of range 0..9"),
        (lambda f: os.remove(f / "t10k-images-idx3-ubyte"), "missing IDX files t10k-images-idx3-ubyte"),
        (lambda f: corrupt(f, "train-images-idx3-ubyte", b"\x00\x00"), "truncated IDX file"),
    ],
)
def test_bad_idx_files(tmp_path, damage, message):
    folder = tmp_path / "mnist"
    write_idx_folder(folder, np.random.default_rng(6))
    damage(folder)
    with pytest.raises(BpnnError, match=message):
        load_dataset(folder)


def test_truncated_gzip_idx(tmp_path):
    folder = tmp_path / "mnist"
    write_idx_folder(folder, np.random.default_rng(7), gz=True)
    data = (folder / "train-images-idx3-ubyte.gz").read_bytes()
    (folder / "train-images-idx3-ubyte.gz").write_bytes(data[: len(data) // 2])
    with pytest.raises(BpnnError, match="train-images-idx3-ubyte.gz: cannot read the gzipped IDX data"):
        load_dataset(folder)


def test_idx_loading_peaks_under_twice_the_final_array(tmp_path):
    write_idx_folder(tmp_path / "big", np.random.default_rng(8), n_train=6000, n_test=1000, gz=True)
    tracemalloc.start()
    dataset = load_dataset(tmp_path / "big")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    final = dataset.X.nbytes + dataset.X_test.nbytes
    assert peak < 2 * final, (peak, final)


# --- mnist.pkl.gz ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("protocol", [2, 5])
def test_mnist_pickle_keeps_three_parts(tmp_path, protocol):
    parts = write_mnist_pickle(tmp_path / "mnist.pkl.gz", np.random.default_rng(9), protocol=protocol)
    dataset = load_dataset(tmp_path / "mnist.pkl.gz")
    assert dataset.kind == "mnist.pkl.gz" and dataset.image_shape == (28, 28)
    for (X, y), (images, labels) in zip([(dataset.X, dataset.y), (dataset.X_valid, dataset.y_valid),
                                         (dataset.X_test, dataset.y_test)], parts):
        np.testing.assert_array_equal(X, images.astype(np.float64))
        np.testing.assert_array_equal(y, labels)


class Exploit:
    def __reduce__(self):
        return (os.system, ("echo pwned > pwned.txt",))


@pytest.mark.parametrize(
    "payload, message",
    [
        (Exploit(), "refusing to unpickle posix.system"),
        (({"images": 1}, None, None), "refusing to unpickle|must be an \\(images, labels\\) pair"),
        ([1, 2, 3], "expected a \\(training, validation, test\\) tuple"),
        (((np.zeros((2, 784)), np.array([0, 10])),) * 3, "labels must be integers 0..9"),
        (((np.full((2, 784), 3.0), np.array([0, 1])),) * 3, "pixel values must be in \\[0, 1\\]"),
    ],
)
def test_bad_pickles_are_refused(tmp_path, monkeypatch, payload, message):
    monkeypatch.chdir(tmp_path)
    with gzip.open(tmp_path / "mnist.pkl.gz", "wb") as stream:
        pickle.dump(payload, stream)
    with pytest.raises(BpnnError, match=message):
        load_dataset(tmp_path / "mnist.pkl.gz")
    assert not (tmp_path / "pwned.txt").exists()


def test_pickle_that_is_not_a_pickle(tmp_path):
    (tmp_path / "mnist.pkl.gz").write_bytes(gzip.compress(b"hello"))
    with pytest.raises(BpnnError, match="not a readable pickle"):
        load_dataset(tmp_path / "mnist.pkl.gz")


# --- OpenML, with a stand-in fetcher ------------------------------------------------------------------------

class Bunch:
    def __init__(self, data, target):
        self.data, self.target = data, target


def test_openml_fetches_once_then_uses_the_cache(tmp_path):
    pixels = ((np.arange(70_000)[:, None] + np.arange(784)) % 256).astype(np.uint8)  # every value 0..255
    labels = (np.arange(70_000) % 10).astype(str)  # OpenML gives labels as strings
    calls = []

    def fetch(data_home):
        calls.append(data_home)
        return Bunch(pixels, labels)

    loaded = load_openml_mnist(tmp_path, fetch=fetch)
    X, y, X_test = loaded.X, loaded.y, loaded.X_test
    assert X.shape == (60_000, 784) and X_test.shape == (10_000, 784)
    np.testing.assert_allclose(X[:3], pixels[:3] / 255.0)
    assert y[:12].tolist() == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]
    assert calls == [tmp_path / "openml"]

    def offline(data_home):
        raise AssertionError("the cache should have been used")

    X2 = load_openml_mnist(tmp_path, np.float32, fetch=offline).X
    assert X2.dtype == np.float32 and np.allclose(X2[:3], X[:3])


def test_openml_offline_fails_at_once_with_advice(tmp_path):
    from urllib.error import URLError

    def offline(data_home):
        raise URLError("Temporary failure in name resolution")

    with pytest.raises(BpnnError, match="cannot download MNIST from OpenML .*a folder holding the four IDX"):
        load_openml_mnist(tmp_path, fetch=offline)
    assert not (tmp_path / "mnist_784.npz").exists()


# --- to the course layout ------------------------------------------------------------------------------------

def test_crop_and_resample_fills_the_box():
    image = np.zeros((28, 28))
    image[4:24, 10:15] = 1.0  # a tall bar, 20 × 5
    out = crop_and_resample(image[None], 20)[0]
    assert out.shape == (20, 20)
    assert out[:, 10].min() > 0.9  # the bar spans the full height after cropping
    assert out[:, :5].max() == 0 and out[:, -5:].max() == 0  # and stays centred horizontally
    assert crop_and_resample(np.zeros((1, 28, 28)), 20).max() == 0


def test_write_course_mat_round_trips(tmp_path, small_mat):
    dataset = load_dataset(small_mat)
    m, path = write_course_mat(dataset, tmp_path / "copy.mat")
    X, y = load_mat(path)
    np.testing.assert_array_equal(X, dataset.X)
    np.testing.assert_array_equal(y, dataset.y)
    with pytest.raises(BpnnError, match="already exists"):
        write_course_mat(dataset, path)


def test_write_course_mat_from_28_pixel_images(tmp_path):
    images, labels, test_images, test_labels = write_idx_folder(tmp_path / "m", np.random.default_rng(11))
    dataset = load_dataset(tmp_path / "m")
    m, path = write_course_mat(dataset, tmp_path / "ex4.mat")
    X, y = load_mat(path)
    assert m == 40 and X.shape == (40, 400)
    np.testing.assert_array_equal(y, np.concatenate([labels, test_labels]))
    course = load_dataset(path)
    expected = crop_and_resample(dataset.images(dataset.X[:1]), 20)[0]
    np.testing.assert_allclose(course.images(course.X[:1])[0], expected)  # column-major rows, upright


def test_real_fetch_openml_offline_fails_at_once(tmp_path, monkeypatch):
    """scikit-learn's own fetch_openml, with our arguments, on a machine whose network is cut off."""
    import sklearn.datasets._openml as openml_module
    from urllib.error import URLError

    calls = []

    def no_network(*args, **kwargs):
        calls.append(args)
        raise URLError("[Errno -2] Name or service not known")

    monkeypatch.setattr(openml_module, "urlopen", no_network)
    with pytest.raises(BpnnError, match="cannot download MNIST from OpenML .*Name or service not known.*mnist.pkl.gz"):
        load_openml_mnist(tmp_path)
    assert 1 <= len(calls) <= 2  # one try and at most one quick retry
