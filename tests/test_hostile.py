"""Hostile input: every case ends in one clear error (scripts: one `error: …` line, exit status 2, no
traceback, the output folder absent or unchanged; library: a BpnnError), never a traceback, a hang, a
silent wrong answer or a half-written folder."""

import gzip
import json
import os
import signal
import subprocess
import sys
import time
import zipfile

import numpy as np
import pytest
import scipy.io
import scipy.sparse

import bpnn
from bpnn import BpnnError
from bpnn.data.files import write_atomically
from bpnn.training.scipy import minimize
from bpnn.cli.rundir import RunFolder
from tests.conftest import ROOT
from tests.support.writers import digit_images, write_idx_folder, write_text_digits

SCRIPTS = {name: ROOT / "scripts" / f"{name}.py" for name in ("train_tnc", "train_sgd", "gradcheck", "grid_search",
                                                               "make_mat")}


def run(script, *args, cwd, timeout=120):
    return subprocess.run([sys.executable, str(SCRIPTS[script]), *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout)


def assert_clean_failure(done, *needles):
    """Exit 2, no traceback, and stderr exactly one `error: …` line containing every needle."""
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr and len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


# ---------- files made hostile ----------

def _zip_with_one_digit(path):
    images, labels = digit_images(1, np.random.default_rng(0))
    folder = write_text_digits(path.parent / "one", images, labels)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        for file in folder.iterdir():
            archive.write(file, file.name)
    return bytearray(path.read_bytes())


def _central_header(data):
    return data.index(b"PK\x01\x02")


def bad_crc_zip(path):
    data = _zip_with_one_digit(path)
    data[30 + len("0_0.txt") + 5] ^= 0x01  # a pixel byte of the stored member: its CRC no longer matches
    path.write_bytes(bytes(data))


def encrypted_zip(path):
    data = _zip_with_one_digit(path)
    data[_central_header(data) + 8] |= 0x01  # general-purpose flag bit 0: encrypted
    path.write_bytes(bytes(data))


def unsupported_compression_zip(path):
    data = _zip_with_one_digit(path)
    data[_central_header(data) + 10] = 97  # compression method 97: no such method
    path.write_bytes(bytes(data))


def huge_array_pickle(path):
    # numpy's _reconstruct(ndarray, (10**15,), b'B') allocates an empty array of 10¹⁵ bytes
    stream = (b"\x80\x02cnumpy.core.multiarray\n_reconstruct\ncnumpy\nndarray\n"
              b"\x8a\x07\x00\x80\xc6\xa4~\x8d\x03\x85C\x01B\x87R.")
    path.write_bytes(gzip.compress(stream))


def dict_state_on_tuple_pickle(path):
    path.write_bytes(gzip.compress(b"\x80\x02)}X\x01\x00\x00\x00aK\x01sb."))  # BUILD a tuple with {'a': 1}


def idx_folder_with_header(folder, dims):
    write_idx_folder(folder, np.random.default_rng(0), n_train=3, n_test=2)
    header = (0x803).to_bytes(4, "big") + b"".join(int(d).to_bytes(4, "big") for d in dims)
    (folder / "train-images-idx3-ubyte").write_bytes(header + bytes(16))
    return folder


def empty_mat(path):
    scipy.io.savemat(path, {"X": np.zeros((0, 400)), "y": np.zeros((0, 1))})


@pytest.mark.parametrize("make, name, needles", [
    (empty_mat, "empty.mat", ["no rows"]),
    (bad_crc_zip, "crc.zip", ["0_0.txt", "corrupt zip member"]),
    (encrypted_zip, "locked.zip", ["0_0.txt", "encrypted"]),
    (unsupported_compression_zip, "odd.zip", ["0_0.txt", "unsupported compression"]),
    (huge_array_pickle, "huge.pkl.gz", ["huge.pkl.gz"]),
    (dict_state_on_tuple_pickle, "state.pkl.gz", ["not a readable pickle"]),
    (lambda p: idx_folder_with_header(p, (2**31, 2**31, 4)), "overflow", ["truncated or padded"]),
    (lambda p: idx_folder_with_header(p, (0, 28, 28)), "count0", ["zero dimension"]),
])
def test_hostile_data_files(tmp_path, make, name, needles):
    make(tmp_path / name)
    done = run("train_tnc", "--data", tmp_path / name, "--test-size", 0, "--out", tmp_path / "out", cwd=tmp_path)
    assert_clean_failure(done, *needles)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name", ["x.zip", "x.pkl.gz", "x.mat"])
def test_fifo_as_data_is_refused_not_read(tmp_path, name):
    os.mkfifo(tmp_path / name)
    done = run("train_tnc", "--data", tmp_path / name, "--out", tmp_path / "out", cwd=tmp_path, timeout=60)
    assert_clean_failure(done, "not a regular file")


@pytest.mark.parametrize("value, needle", [
    ("text", "found text"),
    (np.array([[np.ones((25, 401))]], dtype=object), "cell array"),
    (np.ones((25, 401)) + 1j, "complex"),
])
def test_hostile_weight_files(tmp_path, small_mat, value, needle):
    scipy.io.savemat(tmp_path / "w.mat", {"Theta1": value, "Theta2": np.ones((10, 26))})
    done = run("train_tnc", "--data", small_mat, "--weights", tmp_path / "w.mat", "--out", tmp_path / "o", cwd=tmp_path)
    assert_clean_failure(done, "Theta1", needle)
    assert not (tmp_path / "o").exists()


# ---------- options ----------

@pytest.mark.parametrize("script, args, needles", [
    ("train_tnc", ["--seed", -1, "--test-size", 0], ["--seed", "integer ≥ 0"]),
    ("train_tnc", ["--lambda", -1], ["--lambda", "≥ 0"]),
    ("train_tnc", ["--lambda", "nan"], ["--lambda", "finite"]),
    ("train_tnc", ["--lambda", "inf"], ["--lambda", "finite"]),
    ("train_tnc", ["--blas-threads", 0], ["--blas-threads"]),
    ("train_tnc", ["--blas-threads", -4], ["--blas-threads"]),
    ("train_tnc", ["--hidden", 2.5], ["--hidden", "integer"]),
    ("train_tnc", ["--hidden", 0], ["--hidden", "integer ≥ 1"]),
    ("train_tnc", ["--hidden", 1000000000], ["network [400, 1000000000, 10]", "memory"]),
    ("train_sgd", ["--lambda", -0.5], ["--lambda"]),
    ("train_sgd", ["--eta", "nan"], ["--eta"]),
    ("train_sgd", ["--dropout", 1.0], ["--dropout", "[0, 1)"]),
    ("train_sgd", ["--batch-size", 0], ["--batch-size"]),
    ("gradcheck", ["--m", 0], ["--m"]),
    ("gradcheck", ["--full", "--k", -1], ["--k"]),
    ("gradcheck", ["--full", "--k", 0], ["--k"]),
    ("gradcheck", ["--lambda", -3], ["--lambda"]),
    ("grid_search", ["--cv", 1], ["--cv", "at least 2 folds"]),
    ("grid_search", ["--cv", 1000], ["cv must be a number of folds from 2 to"]),
    ("grid_search", ["--n-jobs", 0], ["--n-jobs"]),
    ("grid_search", ["--param", "lambda=-1,1", "--param", "hidden=4"], ["lambda", "≥ 0"]),
    ("make_mat", ["SRC", "OUT.mat", "--size", -5], ["--size"]),
    ("make_mat", ["SRC", "OUT.mat", "--size", 0], ["--size"]),
])
def test_hostile_options(tmp_path, small_mat, script, args, needles):
    args = [a if a != "SRC" else small_mat for a in args]
    data = [] if script in ("gradcheck", "make_mat") else ["--data", small_mat]
    out = [] if script in ("gradcheck", "make_mat") else ["--out", tmp_path / "out"]
    done = run(script, *data, *args, *out, cwd=tmp_path)
    assert_clean_failure(done, *needles)
    assert not (tmp_path / "out").exists() and not (tmp_path / "OUT.mat").exists()


def test_dangling_symlink_in_out_is_refused_before_training(tmp_path, small_mat):
    out = tmp_path / "out"
    out.mkdir()
    (out / "metrics.json").symlink_to(tmp_path / "nowhere")
    done = run("train_tnc", "--data", small_mat, "--maxiter", 2, "--out", out, cwd=tmp_path)
    assert_clean_failure(done, "metrics.json", "already holds")
    assert sorted(p.name for p in out.iterdir()) == ["metrics.json"] and "Training" not in done.stdout


def test_weights_flag_that_contradicts_the_file(tmp_path, small_mat):
    network = bpnn.Network((400, 6, 10), activation="relu", cost="log-likelihood")
    bpnn.save_weights(tmp_path / "w.mat", network, network.init(0))
    done = run("train_tnc", "--data", small_mat, "--weights", tmp_path / "w.mat", "--activation", "sigmoid",
               "--out", tmp_path / "o", cwd=tmp_path)
    assert_clean_failure(done, "--activation sigmoid contradicts", "relu")
    done = run("train_tnc", "--data", small_mat, "--weights", tmp_path / "w.mat", "--hidden", 25,
               "--out", tmp_path / "o", cwd=tmp_path)
    assert_clean_failure(done, "--hidden 25 contradicts")
    assert not (tmp_path / "o").exists()


def test_ctrl_c_while_starting_up(tmp_path, small_mat):
    """Ctrl-C while numpy, SciPy and scikit-learn load: one line, exit 130, no traceback."""
    for delay in (0.3, 0.6, 1.0):
        process = subprocess.Popen([sys.executable, str(SCRIPTS["train_tnc"]), "--data", str(small_mat)],
                                   cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(delay)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
        assert "Traceback" not in stderr, (delay, stderr)
        assert process.returncode in (130, -signal.SIGINT), (delay, process.returncode, stderr)


# ---------- the library ----------

@pytest.fixture(scope="module")
def tiny(digits):
    X, y = digits
    return X[:40], y[:40]


def check_debug_problem(m):
    theta, X, Y = bpnn.debug_problem((3, 5, 3), m)
    return bpnn.check_gradients(bpnn.Network((3, 5, 3)), theta, X, Y)


def test_library_rejects_hostile_input(tiny):
    X, y = tiny
    sizes = [400, 5, 10]
    theta, Y = bpnn.Network(sizes).init(0), bpnn.one_hot(y, 10)
    n, K = X.shape[1], int(y.max()) + 1  # the inputs and the classes of these data
    net, sgd_net = bpnn.Network((n, 25, K)), bpnn.Network((n, 100, K))
    cases = [
        (lambda: bpnn.cost(bpnn.Network(sizes), theta, X[:0], Y[:0]), "no rows"),
        (lambda: bpnn.cost_and_grad(bpnn.Network(sizes), theta, X[:0], Y[:0]), "no rows"),
        (lambda: bpnn.cost(bpnn.Network(sizes), theta, X, Y, -1.0), "finite number ≥ 0"),
        (lambda: bpnn.cost_and_grad(bpnn.Network(sizes), theta, X, Y, float("nan")), "finite number ≥ 0"),
        (lambda: bpnn.cost_and_grad(bpnn.Network(sizes), theta, X, Y, float("inf")), "finite number ≥ 0"),
        (lambda: bpnn.cost_and_grad(bpnn.Network(sizes), theta, scipy.sparse.csr_matrix(X), Y), "sparse"),
        (lambda: bpnn.cost_and_grad(bpnn.Network(sizes), theta, X.astype(str), Y), "real numbers"),
        (lambda: bpnn.cost_and_grad(bpnn.Network(sizes), theta, X, Y * 0.5), "one-hot"),
        (lambda: bpnn.cost_and_grad(bpnn.Network(sizes), theta, X, Y + np.roll(Y, 1, axis=1)), "one-hot"),
        (lambda: bpnn.cost_and_grad(bpnn.Network(sizes), theta.astype(str), X, Y), "real numbers"),
        (lambda: bpnn.train(bpnn.Network((n, 2.5, K)), X, y), "positive integers"),
        (lambda: bpnn.train(bpnn.Network((n, 0, K)), X, y), "positive integers"),
        (lambda: bpnn.train(net, X, y, lam=-1), "finite number ≥ 0"),
        (lambda: bpnn.train(net, scipy.sparse.csr_matrix(X), y), "sparse"),
        (lambda: bpnn.train(bpnn.Network((n, 25, 10**10 + 1)), X, np.where(y == 0, 10**10, y)), "memory"),
        (lambda: bpnn.train(bpnn.Network((n, 10**9, K)), X, y), "memory"),
        (lambda: bpnn.train(net, X, y, seed=-1), "seed must be an integer ≥ 0"),
        (lambda: bpnn.train(net, X, y, parallel=bpnn.Parallel(blas_threads=0)), "BLAS threads"),
        (lambda: bpnn.train_sgd(bpnn.Network((n, 100, K), "swish"), X, y), "unknown hidden activation"),
        (lambda: bpnn.train_sgd(bpnn.Network((n, 100, K), cost="quadratic", output="softmax"), X, y),
         "do not go with"),
        (lambda: bpnn.train_sgd(sgd_net, X, y, batches=bpnn.MiniBatches(dropout=1.0)), "dropout"),
        (lambda: bpnn.train_sgd(sgd_net, X, y, update=bpnn.SGD(float("nan"))),
         "eta .learning rate. must be a finite number"),
        (lambda: bpnn.train_sgd(sgd_net, X, y, lam=-2), "finite number ≥ 0"),
        (lambda: check_debug_problem(m=0), "no rows"),
    ]
    for call, needle in cases:
        with pytest.raises(BpnnError, match=needle):
            call()


def test_estimator_validates_its_parameters(tiny):
    X, y = tiny
    for params, needle in [({"alpha": -1.0}, r"alpha.*range \[0.0, inf\)"), ({"hidden_layer_sizes": (2.5,)}, "positive integers")]:
        with pytest.raises(ValueError, match=needle):
            bpnn.BPNNClassifier(**params).fit(X, y)


def test_sgd_reports_divergence_only_for_divergence(tiny):
    X, y = tiny
    with pytest.raises(bpnn.DivergedError, match="SGD diverged in epoch 1"):
        network = bpnn.Network((X.shape[1], 5, int(y.max()) + 1), "relu", "log-likelihood")
        rng = np.random.default_rng(0)
        bpnn.train_sgd(network, X, y, stopping=bpnn.Stopping(max_iter=2, tol=0.0), update=bpnn.SGD(1e300),
                       theta0=network.init(rng, "normal"), seed=rng)


# ---------- outputs: whole or not at all ----------

def test_full_disk_names_the_file_and_leaves_nothing(tmp_path):
    def full(stream):
        stream.write(b"partial")
        raise OSError(28, "No space left on device")

    with pytest.raises(BpnnError, match=r"weights\.mat: cannot write it \(No space left on device\)"):
        write_atomically(tmp_path / "weights.mat", full, overwrite=False)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("failure", [KeyboardInterrupt, BpnnError])
def test_failed_writing_removes_what_the_run_created(tmp_path, failure):
    folder = RunFolder(tmp_path / "a" / "b", ["one.json", "two.json"])
    assert not (tmp_path / "a").exists()  # checked, not created
    with pytest.raises(failure):
        with folder.writing():
            folder.save_json("one.json", {"x": 1})
            assert (tmp_path / "a" / "b" / "one.json").is_file()
            raise failure("second Ctrl-C" if failure is KeyboardInterrupt else "disk full")
    assert not (tmp_path / "a").exists()


def test_existing_folder_and_its_files_survive_a_failed_run(tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    folder = RunFolder(tmp_path, ["metrics.json"])
    with pytest.raises(KeyboardInterrupt):
        with folder.writing():
            folder.save_json("metrics.json", {"cost": float("nan")})
            raise KeyboardInterrupt
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]


def test_metrics_json_is_valid_without_values(tmp_path):
    folder = RunFolder(tmp_path / "r", ["metrics.json"])
    folder.save_json("metrics.json", {"cost": float("nan"), "history": {"cost": [float("inf"), 1.0]}})
    assert json.loads((tmp_path / "r" / "metrics.json").read_text()) == {"cost": None, "history": {"cost": [None, 1.0]}}


def test_interrupted_before_any_evaluation(tiny):
    def objective(theta):
        raise KeyboardInterrupt

    result = minimize(objective, np.zeros(5))
    assert result.interrupted and result.n_evaluations == 0 and np.isnan(result.final_cost)
    assert result.stop_reason == "interrupted (Ctrl-C) before any evaluation"
