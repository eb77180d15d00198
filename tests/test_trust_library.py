"""Hostile input to the library's surfaces (the formats, convert, one_hot, predict, check_hessian,
check_gradients, train): each ends in one BpnnError that names the input, or, from a command, one
`error: …` line with exit status 2 and no output written."""

import subprocess
import sys
import zipfile

import numpy as np
import pytest

import bpnn
from bpnn import BpnnError, DivergedError
from bpnn.data.formats.openml import load_openml_mnist
from bpnn.data.formats.text_digits import SIDE
from bpnn.data.loading import load_mat, save_mat
from bpnn.model.checking import check_hessian, numerical_gradient, relative_difference
from bpnn.model.curvature import Curvature, hessp
from bpnn.model.network import forward
from tests.support.writers import digit_images, text_digit
from tests.test_hostile import assert_clean_failure, run


@pytest.fixture(scope="module")
def tiny(digits):
    X, y = digits
    return X[:40], y[:40]


@pytest.fixture(scope="module")
def problem(tiny):
    X, y = tiny
    network = bpnn.Network((400, 5, 10))
    return network, network.init(0), X, bpnn.one_hot(y, 10)


def bpnn_command(*args, cwd):
    return subprocess.run([sys.executable, "-m", "bpnn", *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


# ---------- zip members whose compressed bytes are garbage ----------

def garbled_zip(path, method):
    """A zip of one text digit compressed with ``method``, its compressed bytes (after the local header)
    overwritten with 0xFF, so that the decompressor, not the CRC check, fails."""
    images, _ = digit_images(1, np.random.default_rng(0))
    with zipfile.ZipFile(path, "w", compression=method) as archive:
        archive.writestr("0_0.txt", text_digit(images[0]))
    data = bytearray(path.read_bytes())
    start = 30 + len("0_0.txt") + 4  # LZMA's 4-byte header kept: its properties and stream are garbled
    data[start:start + 8] = b"\xff" * 8
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("method", [zipfile.ZIP_LZMA, zipfile.ZIP_BZIP2, zipfile.ZIP_DEFLATED])
def test_garbage_compressed_zip_member_names_the_member(tmp_path, method):
    path = garbled_zip(tmp_path / "digits.zip", method)
    with pytest.raises(BpnnError, match=r"digits\.zip:0_0\.txt: corrupt zip member"):
        bpnn.load_dataset(path)


def test_zip_member_too_large_for_a_text_digit_is_not_read(tmp_path):
    size = 10 * 2**20
    with zipfile.ZipFile(tmp_path / "bomb.zip", "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("1_0.txt", b"0" * size)
    with pytest.raises(BpnnError, match=rf"1_0\.txt: {size} bytes, more than a 32×32 text digit"):
        bpnn.load_dataset(tmp_path / "bomb.zip")
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "2_0.txt").write_bytes(b"1" * (SIDE * (SIDE + 2) + 1))
    with pytest.raises(BpnnError, match=r"2_0\.txt: .* bytes, more than a 32×32 text digit"):
        bpnn.load_dataset(folder)


# ---------- the OpenML cache ----------

def offline(data_home):
    raise AssertionError("the cache should have been used")


def pixels_70000():
    return np.zeros((70_000, 784), dtype=np.uint8)


@pytest.mark.parametrize("make_cache, needle", [
    (lambda: {"pixels": np.zeros(70_000 * 784, dtype=np.uint8), "labels": np.zeros(70_000, np.int64)},
     r"pixels of shape \(54880000,\)"),
    (lambda: {"pixels": pixels_70000(), "labels": np.zeros(69_999, np.int64)}, r"labels 0..0 of shape \(69999,\)"),
    (lambda: {"pixels": pixels_70000(), "labels": np.full(70_000, "seven")}, "<U5 labels"),
    (lambda: {"pixels": pixels_70000(), "labels": np.full(70_000, 10)}, "labels 10..10"),
    (lambda: {"pixels": pixels_70000().astype(np.float32), "labels": np.zeros(70_000, np.int64)}, "float32"),
    (lambda: {"pixels": np.full((70_000, 784), "1"), "labels": np.zeros(70_000, np.int64)}, "<U1"),
    (lambda: {"labels": np.zeros(70_000, np.int64)}, "pixels"),
])
def test_malformed_openml_cache_is_refused(tmp_path, make_cache, needle):
    np.savez(tmp_path / "mnist_784.npz", **make_cache())
    with pytest.raises(BpnnError, match=f"mnist_784.npz.*{needle}.*delete it to download again"):
        load_openml_mnist(tmp_path, fetch=offline)


def test_openml_labels_that_are_not_integers_are_refused(tmp_path):
    class Bunch:
        data, target = pixels_70000(), np.full(70_000, "x")

    with pytest.raises(BpnnError, match="OpenML's mnist_784 holds .*<U1 labels"):
        load_openml_mnist(tmp_path, fetch=lambda data_home: Bunch)
    assert not (tmp_path / "mnist_784.npz").exists()


# ---------- convert: --size and the output's name ----------

def test_size_too_large_for_memory_names_size(tmp_path, small_mat):
    size = 10**6
    m = len(load_mat(small_mat)[1])
    done = run("make_mat", small_mat, tmp_path / "OUT.mat", "--size", size, cwd=tmp_path)
    assert_clean_failure(done, f"--size {size}", f"{m} images of {size} × {size} pixels", "memory")
    assert not (tmp_path / "OUT.mat").exists()


@pytest.mark.parametrize("size", [2.5, "ten"])
def test_size_that_is_not_an_integer(tmp_path, small_mat, size):
    done = bpnn_command("convert", small_mat, tmp_path / "OUT.mat", "--size", size, cwd=tmp_path)
    assert_clean_failure(done, "--size", "integer")
    assert not (tmp_path / "OUT.mat").exists()


@pytest.mark.parametrize("size", [0, -3, 2.5, True])
def test_library_size_is_checked(tmp_path, small_mat, size):
    from bpnn.data.convert import write_course_mat

    with pytest.raises(BpnnError, match="size .the image side. must be an integer ≥ 1"):
        write_course_mat(bpnn.load_dataset(small_mat), tmp_path / "out.mat", size)
    assert not (tmp_path / "out.mat").exists()


@pytest.mark.parametrize("out, needle", [
    ("newdir/", "is a folder"),
    ("existing", "is a folder"),
    ("out.npz", "must be a .mat file"),
    ("out", "must be a .mat file"),
])
def test_convert_output_must_be_a_mat_file(tmp_path, small_mat, out, needle):
    (tmp_path / "existing").mkdir()
    before = sorted(p.name for p in tmp_path.iterdir())
    done = bpnn_command("convert", small_mat, out, cwd=tmp_path)
    assert_clean_failure(done, out, needle)
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert sorted(p.name for p in (tmp_path / "existing").iterdir()) == []


def test_error_with_a_newline_in_a_file_name_stays_one_line(tmp_path, small_mat):
    name = "two\nlines\x1b[31m.npz"
    done = run("make_mat", small_mat, name, cwd=tmp_path)
    escaped = repr(name)[1:-1]
    assert_clean_failure(done, escaped, "must be a .mat file")
    assert "\x1b" not in done.stderr and not (tmp_path / name).exists()


# ---------- save_mat refuses what load_mat refuses ----------

@pytest.mark.parametrize("change, needle", [
    (lambda X, y: (X, np.where(y == 3, 11, y)), r"labels out of range: expected 0..9, found \[11\]"),
    (lambda X, y: (X, np.where(y == 3, -1, y)), r"labels out of range: expected 0..9, found \[-1\]"),
    (lambda X, y: (X, y + 0.5), "non-integer"),
    (lambda X, y: (np.where(X > 0.5, np.nan, X), y), "X contains NaN or inf"),
    (lambda X, y: (X, y[:-1]), "X has 40 rows but y has 39 labels"),
    (lambda X, y: (X.ravel(), y), "X must be a 2-D array"),
    (lambda X, y: (X[:0], y[:0]), "no rows"),
    (lambda X, y: (X.astype(str), y), "real numbers"),
])
def test_save_mat_refuses_what_load_mat_refuses(tmp_path, tiny, change, needle):
    X, y = change(*tiny)
    with pytest.raises(BpnnError, match=needle):
        save_mat(tmp_path / "d.mat", X, y)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name, needle", [("d.npz", "must be a .mat file"), ("sub/", "is a folder")])
def test_save_mat_refuses_an_output_that_is_no_mat_file(tmp_path, tiny, name, needle):
    with pytest.raises(BpnnError, match=needle):
        save_mat(f"{tmp_path}/{name}", *tiny)
    assert list(tmp_path.iterdir()) == []


def test_save_mat_round_trips_what_it_accepts(tmp_path, tiny):
    X, y = tiny
    save_mat(tmp_path / "d.MAT", X, y.astype(np.float64).reshape(-1, 1))
    X2, y2 = load_mat(tmp_path / "d.MAT")
    np.testing.assert_array_equal(X2, X)
    np.testing.assert_array_equal(y2, y)


# ---------- load_dataset, one_hot ----------

@pytest.mark.parametrize("dtype", ["bogus", 2.5, "int8", np.float16])
def test_load_dataset_names_the_accepted_dtypes(dtype):
    with pytest.raises(BpnnError, match=f"data type must be one of float64, float32, got .*{dtype!s:.5}"):
        bpnn.load_dataset(dtype=dtype)


@pytest.mark.parametrize("n_classes", [2.5, 0, -1, True, "10", None])
def test_one_hot_checks_n_classes(tiny, n_classes):
    with pytest.raises(BpnnError, match="n_classes must be an integer ≥ 1"):
        bpnn.one_hot(tiny[1], n_classes)


# ---------- predict on non-finite input ----------

def spoiled(array, value):
    array = np.array(array, dtype=np.float64)
    array.flat[3] = value
    return array


@pytest.mark.parametrize("value", [np.nan, np.inf])
@pytest.mark.parametrize("function", [bpnn.predict, bpnn.predict_proba, forward])
def test_prediction_refuses_non_finite_theta_and_x(problem, function, value):
    network, theta, X, _ = problem
    with pytest.raises(BpnnError, match="theta contains NaN or inf"):
        function(network, spoiled(theta, value), X)
    with pytest.raises(BpnnError, match="X contains NaN or inf"):
        function(network, theta, spoiled(X, value))


def test_prediction_past_float32_is_divergence(problem):
    network, theta, X, _ = problem
    huge = theta * (np.finfo(np.float32).max / np.max(np.abs(theta))) * 0.5  # finite in float32, outputs are not
    with pytest.raises(DivergedError, match="the output is not finite: the weights"):
        bpnn.predict(network, huge, X.astype(np.float32) + 1.0)


# ---------- check_hessian, Curvature, check_gradients ----------

@pytest.mark.parametrize("v, needle", [
    (lambda n: np.zeros(n), "v is zero"),
    (lambda n: np.ones(n) * (1 + 1j), "v must hold real numbers, got dtype complex128"),
    (lambda n: np.array(["1"] * n), "v must hold real numbers"),
    (lambda n: spoiled(np.ones(n), np.nan), "v contains NaN or inf"),
    (lambda n: np.ones(n + 1), "v has shape"),
])
def test_check_hessian_refuses_a_direction_it_cannot_check(problem, v, needle):
    network, theta, X, Y = problem
    with pytest.raises(BpnnError, match=needle):
        check_hessian(network, theta, X, Y, v=v(network.n_params))


@pytest.mark.parametrize("eps", [0, -1e-5, np.nan, np.inf, "small", 1j, True, 1e-300])
def test_check_hessian_refuses_a_step_it_cannot_take(problem, eps):
    network, theta, X, Y = problem
    with pytest.raises(BpnnError, match="eps"):
        check_hessian(network, theta, X, Y, eps=eps)


@pytest.mark.parametrize("v, needle", [
    (lambda n: np.ones(n) + 1j, "complex"),
    (lambda n: np.array(["a"] * n), "<U1"),
    (lambda n: np.array([None] * n), "object"),
])
def test_curvature_products_check_v(problem, v, needle):
    network, theta, X, Y = problem
    with pytest.raises(BpnnError, match=f"v must hold real numbers, got dtype {needle}"):
        Curvature(network, theta, X, Y).times(v(network.n_params))
    with pytest.raises(BpnnError, match="v must hold real numbers"):
        hessp(network, theta, v(network.n_params), X, Y)


@pytest.mark.parametrize("eps", [0, -1e-4, np.nan, "x", 1e-300])
def test_gradient_checks_refuse_a_bad_step(problem, eps):
    network, theta, X, Y = problem
    with pytest.raises(BpnnError, match="eps"):
        bpnn.check_gradients(network, theta, X, Y, k=3, eps=eps)
    with pytest.raises(BpnnError, match="eps"):
        numerical_gradient(lambda t: float(t @ t), np.ones(3), eps=eps)


@pytest.mark.parametrize("k", [0, -1, 2.5, "3"])
def test_check_gradients_checks_k(problem, k):
    network, theta, X, Y = problem
    with pytest.raises(BpnnError, match="k .the number of coordinates to check. must be an integer ≥ 1"):
        bpnn.check_gradients(network, theta, X, Y, k=k)


@pytest.mark.parametrize("indices", [[3], [-1], [0.5], [[0]]])
def test_numerical_gradient_checks_indices(indices):
    with pytest.raises(BpnnError, match=r"indices must be a list of integers in 0..2"):
        numerical_gradient(lambda t: float(t @ t), np.ones(3), indices=indices)


def test_relative_difference_of_huge_gradients_is_finite():
    a = np.arange(1.0, 6.0)
    expected = np.linalg.norm(a * 1e-9) / np.linalg.norm(a * (2 + 1e-9))
    assert relative_difference(a * 1e300, a * (1 + 1e-9) * 1e300) == pytest.approx(expected, rel=1e-6)


# ---------- λ too large ----------

@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_l2_term_overflowing_because_of_lambda_names_lambda(problem, dtype):
    network, theta, X, Y = problem
    squares = float(np.sum((theta * network.weight_mask) ** 2))
    lam = np.finfo(np.float64).max
    assert lam / 2 > squares > 2  # with m = 1, λ/(2m) Σ‖W‖² overflows, and λ/(2m) is the larger factor
    for call in (bpnn.cost_and_grad, bpnn.cost):
        with pytest.raises(BpnnError, match="lambda = .* is too large: the L2 term") as caught:
            call(network, theta, X[:1].astype(dtype), Y[:1], lam)
        assert not isinstance(caught.value, DivergedError)


def test_l2_term_overflowing_because_of_the_weights_names_the_weights(problem):
    network, theta, X, Y = problem
    with pytest.raises(DivergedError, match="the weights .* are too large"):
        bpnn.cost_and_grad(network, theta * 1e200, X, Y, 1.0)


def test_sgd_diverging_because_of_lambda_says_so(tiny):
    X, y = tiny
    lam, eta = 1e38, 0.1
    assert eta * lam / len(y) > 2  # the L2 step alone, θ ← (1 − η λ / n) θ, makes the weights grow
    network = bpnn.Network((X.shape[1], 5, int(y.max()) + 1))
    with pytest.raises(DivergedError, match="SGD diverged in epoch 1 .*try a smaller lambda"):
        bpnn.train_sgd(network, X.astype(np.float32), y, update=bpnn.SGD(eta), lam=lam,
                       stopping=bpnn.Stopping(max_iter=1, tol=0.0))


# ---------- training on one class ----------
# The network states K: a network of one output (one class) is refused by both trainers, whatever the
# labels; data of one class train a network of K ≥ 2 outputs.

@pytest.mark.parametrize("label", [0, 3])
@pytest.mark.parametrize("trainer", [bpnn.train, bpnn.train_sgd])
def test_training_needs_two_classes(tiny, trainer, label):
    X, _ = tiny
    one_output = bpnn.Network((X.shape[1], 3, 1))
    with pytest.raises(BpnnError, match=r"at least two outputs \(classes\), got \[400, 3, 1\]"):
        trainer(one_output, X, np.full(len(X), label))


def test_one_class_in_a_part_of_a_larger_problem_trains(tiny):
    X, _ = tiny
    result = bpnn.train(bpnn.Network((X.shape[1], 3, 2)), X, np.zeros(len(X), dtype=int),
                        stopping=bpnn.Stopping(max_iter=1))
    assert result.network.sizes == (400, 3, 2)


def test_estimator_message_for_one_class_is_unchanged(tiny):
    X, _ = tiny
    with pytest.raises(ValueError, match=r"BPNNClassifier needs samples of at least 2 classes; got 1 class"):
        bpnn.BPNNClassifier().fit(X, np.full(len(X), 4))


@pytest.mark.parametrize("source", [5, "", b"data.mat"])
def test_load_dataset_refuses_a_source_that_is_no_path(source):
    with pytest.raises(BpnnError, match="the data source must be a path or 'mnist'"):
        bpnn.load_dataset(source)


def test_numerical_gradient_refuses_a_cost_that_is_not_finite():
    with pytest.raises(BpnnError, match=r"the cost is not finite at θ ± ε e_0"):
        numerical_gradient(lambda t: np.inf if t[0] < 0 else t[0], np.array([1e-6, 1.0]), eps=1e-4)
