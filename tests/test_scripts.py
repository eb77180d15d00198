"""The scripts, run as a user runs them (subprocesses), on small data the tests make."""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from bpnn import Network, cost_and_grad, load_weights, one_hot
from bpnn.data.loading import load_mat
from bpnn.model.params import pack, sizes_of
from tests.conftest import ROOT

TRAIN, GRADCHECK = ROOT / "scripts" / "train_tnc.py", ROOT / "scripts" / "gradcheck.py"


def run(script, *args, cwd):
    return subprocess.run([sys.executable, str(script), *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def test_train_writes_every_output(tmp_path, small_mat):
    out = tmp_path / "run"
    done = run(TRAIN, "--data", small_mat, "--maxiter", 15, "--hidden", 10, "--out", out, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "300 examples × 400 features" in done.stdout
    assert "Split: 240 training, 60 held-out" in done.stdout
    assert "iteration     1" in done.stdout and "precision" in done.stdout
    assert sorted(p.name for p in out.iterdir()) == ["confusion_matrix.png", "hidden_units.png", "learning_curves.png",
                                                     "metrics.json", "misclassified.png", "samples.png", "weights.mat"]
    metrics = json.loads((out / "metrics.json").read_text())
    for key in ("dataset", "layer_sizes", "lambda", "method", "max_iter", "n_train", "n_test", "n_evaluations",
                "seconds", "final_cost", "train_accuracy", "test_accuracy"):
        assert key in metrics, key
    assert metrics["layer_sizes"] == [400, 10, 10] and metrics["n_test"] == 60 and metrics["method"] == "TNC"
    assert len(metrics["history"]["cost"]) == metrics["n_steps"] == 15
    assert [t.shape for t in load_weights(out / "weights.mat").thetas] == [(10, 401), (10, 11)]

    again = run(TRAIN, "--data", small_mat, "--maxiter", 2, "--out", out, cwd=tmp_path)
    assert again.returncode == 2 and "already holds" in again.stderr and "Traceback" not in again.stderr
    assert json.loads((out / "metrics.json").read_text()) == metrics  # untouched


def test_weights_mode_reports_costs_at_lambda_0_and_1(tmp_path, small_mat):
    trained = tmp_path / "trained"
    assert run(TRAIN, "--data", small_mat, "--maxiter", 10, "--quiet", "--out", trained, cwd=tmp_path).returncode == 0
    out = tmp_path / "eval"
    done = run(TRAIN, "--data", small_mat, "--weights", trained / "weights.mat", "--out", out, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    metrics = json.loads((out / "metrics.json").read_text())
    thetas = load_weights(trained / "weights.mat").thetas
    X, y = load_mat(small_mat)
    for lam, key in ((0.0, "cost_lambda0"), (1.0, "cost_lambda1")):
        expected = cost_and_grad(Network(sizes_of(thetas)), pack(thetas), X, one_hot(y, 10), lam)[0]
        assert metrics[key] == pytest.approx(expected, rel=1e-12)
        assert f"{expected:.6f}" in done.stdout
    assert metrics["n_examples"] == 300 and 0 <= metrics["accuracy"] <= 1


def test_test_size_zero_trains_on_everything(tmp_path, small_mat):
    done = run(TRAIN, "--data", small_mat, "--maxiter", 3, "--test-size", 0, "--quiet", "--out", tmp_path / "r",
               cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    metrics = json.loads((tmp_path / "r" / "metrics.json").read_text())
    assert metrics["n_train"] == 300 and metrics["n_test"] == 0 and metrics["test_accuracy"] is None
    assert "Held-out" not in done.stdout


def test_default_run_folder_is_timestamped(tmp_path, small_mat):
    done = run(TRAIN, "--data", small_mat, "--maxiter", 2, "--quiet", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    (folder,) = (tmp_path / "runs").iterdir()
    assert (folder / "metrics.json").is_file()


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda d: d / "missing.mat", "no such file"),
        (lambda d: (d / "x.mat").write_text("plain text") and d / "x.mat", "not a readable MATLAB .mat file"),
    ],
)
def test_bad_data_exits_2_without_traceback_or_outputs(tmp_path, make, message):
    path = make(tmp_path)
    done = run(TRAIN, "--data", path, "--out", tmp_path / "out", cwd=tmp_path)
    assert done.returncode == 2
    assert message in done.stderr and done.stderr.startswith("error: ") and "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()


def test_bad_arguments(tmp_path, small_mat):
    done = run(TRAIN, "--data", small_mat, "--test-size", 1.5, "--out", tmp_path / "o", cwd=tmp_path)
    assert done.returncode == 2 and "--test-size: '1.5' is not a fraction in [0, 1)" in done.stderr
    done = run(TRAIN, "--method", "newton", cwd=tmp_path)
    assert done.returncode == 2 and "'newton' is not one of TNC" in done.stderr


def test_ctrl_c_stops_training_and_still_writes_outputs(tmp_path, data_home):
    out = tmp_path / "run"
    process = subprocess.Popen(  # the full embedded digits, unregularized: far from converged in seconds
        [sys.executable, str(TRAIN), "--maxiter", "100000", "--lambda", "0", "--hidden", "40", "--out", str(out)],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    for line in process.stdout:  # wait until training has started
        if "iteration" in line:
            break
    time.sleep(0.2)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr  # interrupted, after writing the outputs
    assert "interrupted (Ctrl-C)" in stdout and "Held-out set" in stdout and "Traceback" not in stderr
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["interrupted"] is True and np.isfinite(metrics["final_cost"])
    assert (out / "weights.mat").is_file()


def test_gradcheck_script(tmp_path):
    done = run(GRADCHECK, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert any(line.split()[:1] == ["0"] for line in lines)  # rows: index, numerical, analytic
    value = float(next(line for line in lines if line.startswith("Relative difference:")).split(":")[1])
    assert value < 1e-9
    done = run(GRADCHECK, "--lambda", 3, "--sizes", 4, 6, 5, 3, cwd=tmp_path)
    assert done.returncode == 0 and "Relative difference:" in done.stdout


def test_gradcheck_full_mode(tmp_path, small_mat):
    done = run(GRADCHECK, "--full", "--k", 30, "--data", small_mat, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Network [400, 25, 10] on 300 examples, 30 random coordinates" in done.stdout
    done = run(GRADCHECK, "--full", "--sizes", 400, 5, 3, "--data", small_mat, cwd=tmp_path)
    assert done.returncode == 2 and "do not fit" in done.stderr


SGD = ROOT / "scripts" / "train_sgd.py"


def test_train_sgd_writes_curves_and_the_four_lists(tmp_path, small_mat):
    out = tmp_path / "sgd"
    done = run(SGD, "--data", small_mat, "--epochs", 3, "--hidden", 20, "--activation", "relu", "--cost",
               "log-likelihood", "--patience", 5, "--dropout", 0.1, "--momentum", 0.5, "--out", out, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Epoch 1: " in done.stdout and "/ 24" in done.stdout  # 10 % of the 240 training rows
    assert sorted(p.name for p in out.iterdir()) == [
        "confusion_matrix.png", "hidden_units.png", "learning_curves.png", "metrics.json", "misclassified.png",
        "weights.mat", "weights.npz"]
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["method"] == "sgd" and metrics["activation"] == "relu" and metrics["cost"] == "log-likelihood"
    assert metrics["n_validation"] == 24 and metrics["n_train"] == 216 and metrics["n_test"] == 60
    for key in ("training_cost", "training_accuracy", "evaluation_cost", "evaluation_accuracy"):
        assert len(metrics["history"][key]) == 3
    assert matplotlib_image(out / "learning_curves.png").shape[1] > 500


def matplotlib_image(path):
    import matplotlib.image

    return matplotlib.image.imread(path)


def test_train_sgd_rejects_nonsense(tmp_path, small_mat):
    done = run(SGD, "--data", small_mat, "--cost", "log-likelihood", "--output", "sigmoid", "--out", tmp_path / "o",
               cwd=tmp_path)
    assert done.returncode == 2 and "sigmoid outputs do not go with the log-likelihood cost" in done.stderr
    assert "Traceback" not in done.stderr
    done = run(SGD, "--data", small_mat, "--patience", 2, "--validation-size", 0, "--out", tmp_path / "p",
               cwd=tmp_path)
    assert done.returncode == 2 and "early stopping needs evaluation data" in done.stderr


def test_train_tnc_with_network_options(tmp_path, small_mat):
    out = tmp_path / "tanh"
    done = run(TRAIN, "--data", small_mat, "--maxiter", 5, "--activation", "tanh", "--cost", "log-likelihood",
               "--init", "scaled-normal", "--quiet", "--out", out, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    metrics = json.loads((out / "metrics.json").read_text())
    assert (metrics["activation"], metrics["cost"], metrics["init"]) == ("tanh", "log-likelihood", "scaled-normal")


def test_gradcheck_script_options(tmp_path):
    done = run(GRADCHECK, "--activation", "relu", "--cost", "log-likelihood", "--dropout", 0.5, "--sizes", 4, 6, 5, 3,
               "--threshold", 1e-7, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "relu hidden units, log-likelihood cost, dropout 0.5 (fixed mask)" in done.stdout
    failing = run(GRADCHECK, "--cost", "quadratic", "--threshold", 1e-30, cwd=tmp_path)
    assert failing.returncode == 1 and "Relative difference:" in failing.stdout


def test_train_on_the_two_folder_layout_uses_its_split(tmp_path):
    from tests.support.writers import digit_images, write_text_digits

    rng = np.random.default_rng(0)
    write_text_digits(tmp_path / "data" / "trainingDigits", *digit_images(40, rng))
    write_text_digits(tmp_path / "data" / "testDigits", *digit_images(15, rng))
    out = tmp_path / "run"
    done = run(TRAIN, "--data", tmp_path / "data", "--maxiter", 3, "--quiet", "--out", out, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "[text digits]" in done.stdout and "own test part of 15" in done.stdout
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["n_train"] == 40 and metrics["n_test"] == 15 and metrics["layer_sizes"][0] == 1024


def test_bad_data_files_exit_2_and_write_nothing(tmp_path):
    from tests.support.writers import digit_images, write_text_digits

    folder = write_text_digits(tmp_path / "d", *digit_images(3, np.random.default_rng(0)))
    (folder / "5_9.txt").write_bytes(b"01" * 16 + b"\n")
    for script in (TRAIN, SGD):
        done = run(script, "--data", folder, "--out", tmp_path / "out", cwd=tmp_path)
        assert done.returncode == 2 and "5_9.txt: expected 32 lines" in done.stderr
        assert "Traceback" not in done.stderr and not (tmp_path / "out").exists()


def test_train_sgd_uses_the_pickles_own_validation_part(tmp_path):
    from tests.support.writers import write_mnist_pickle

    write_mnist_pickle(tmp_path / "mnist.pkl.gz", np.random.default_rng(0), sizes=(60, 20, 15))
    out = tmp_path / "run"
    done = run(SGD, "--data", tmp_path / "mnist.pkl.gz", "--epochs", 2, "--hidden", 8, "--dtype", "float32",
               "--quiet", "--out", out, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "(float32)" in done.stdout
    metrics = json.loads((out / "metrics.json").read_text())
    assert (metrics["n_train"], metrics["n_validation"], metrics["n_test"]) == (60, 20, 15)


def test_make_mat_script(tmp_path, small_mat):
    from tests.support.writers import write_idx_folder

    write_idx_folder(tmp_path / "mnist", np.random.default_rng(0), gz=True)
    done = run(MAKE_MAT, tmp_path / "mnist", tmp_path / "ex4.mat", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Wrote 40 images of 20×20" in done.stdout
    X, y = load_mat(tmp_path / "ex4.mat")
    assert X.shape == (40, 400)
    before = (tmp_path / "ex4.mat").read_bytes()
    again = run(MAKE_MAT, small_mat, tmp_path / "ex4.mat", cwd=tmp_path)
    assert again.returncode == 2 and "already exists" in again.stderr
    assert (tmp_path / "ex4.mat").read_bytes() == before
    assert run(MAKE_MAT, small_mat, tmp_path / "ex4.mat", "--force", cwd=tmp_path).returncode == 0
    assert load_mat(tmp_path / "ex4.mat")[0].shape == (300, 400)


MAKE_MAT = ROOT / "scripts" / "make_mat.py"


def test_weights_carry_the_network_and_every_part_is_evaluated(tmp_path):
    """relu + log-likelihood weights evaluated without retyping the flags, on a source with its own test
    part: each part is named and evaluated, and the test part's accuracy is the one training reported."""
    from tests.support.writers import write_idx_folder

    write_idx_folder(tmp_path / "idx", np.random.default_rng(0), n_train=60, n_test=20)
    trained = tmp_path / "trained"
    done = run(TRAIN, "--data", tmp_path / "idx", "--hidden", 6, "--maxiter", 20, "--activation", "relu",
               "--cost", "log-likelihood", "--quiet", "--out", trained, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    evaluated = tmp_path / "evaluated"
    done = run(TRAIN, "--data", tmp_path / "idx", "--weights", trained / "weights.mat", "--out", evaluated, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "relu hidden units, softmax outputs, log-likelihood cost" in done.stdout
    assert "Training part (60 examples)" in done.stdout and "Test part (20 examples)" in done.stdout
    assert "All " not in done.stdout
    metrics = json.loads((evaluated / "metrics.json").read_text())
    assert metrics["activation"] == "relu" and metrics["evaluated"] == "test part"
    assert set(metrics["parts"]) == {"training part", "test part"}
    assert metrics["accuracy"] == json.loads((trained / "metrics.json").read_text())["test_accuracy"]
    assert metrics["parts"]["training part"]["n_examples"] == 60


@pytest.mark.parametrize("teardown", [False, True])
def test_commands_end_without_teardown_unless_they_ask_for_it(tmp_path, teardown):
    """launch flushes the console and ends the process with main's exit status, skipping the interpreter's
    teardown (exit handlers included), unless the command's module sets TEARDOWN = True."""
    (tmp_path / "fake_command.py").write_text(
        "import atexit, sys\n"
        f"TEARDOWN = {teardown}\n"
        "def main(argv):\n"
        "    atexit.register(lambda: print('teardown ran'))\n"
        "    print('x' * 100_000)\n"  # more than the pipe's buffer: the flush has to happen
        "    print('to stderr', file=sys.stderr)\n"
        "    return 3\n")
    done = subprocess.run([sys.executable, "-c", "from bpnn.cli import launch; launch('fake_command')"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(tmp_path)})
    assert done.returncode == 3
    assert done.stdout.startswith("x" * 100_000 + "\n") and done.stderr == "to stderr\n"
    assert ("teardown ran" in done.stdout) == teardown
