"""The commands keep their promise under hostile use: bad input is one `error: …` line (exit 2) before any
work, with the run folder absent; Ctrl-C exits 130 after writing what is valid; a closed stdout ends
quietly. Pure functions (option types, checks, the search) are tested in-process; a command runs in a
subprocess only where the process is what is tested."""

import csv
import os
import signal
import subprocess
import sys
import tempfile

import numpy as np
import pytest

from bpnn import BpnnError, Network
from bpnn.cli import PIPE_CLOSED, path, seed
from bpnn.cli import gradcheck as gradcheck_cli
from bpnn.cli.grid import check_axes, parse_param
from bpnn.cli.rundir import RunFolder
from bpnn.estimator import BPNNClassifier
from bpnn.model.checking import check_gradients, debug_problem, relative_difference
from bpnn.search import grid_search
from tests.test_hostile import assert_clean_failure

BPNN = [sys.executable, "-m", "bpnn"]


def bpnn(*args, cwd, env=None):
    return subprocess.run([*BPNN, *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=120,
                          env=env)


def interrupt(args, wait_for, cwd, env=None):
    """Run ``bpnn args``, send SIGINT once a stdout line contains ``wait_for``; (exit status, stdout, stderr)."""
    process = subprocess.Popen([*BPNN, *map(str, args)], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=env)
    seen = []
    for line in process.stdout:
        seen.append(line)
        if wait_for in line:
            break
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    return process.returncode, "".join(seen) + stdout, stderr


@pytest.fixture
def tiny(digits):
    X, y = digits
    rows = np.concatenate([np.flatnonzero(y == k)[:6] for k in range(3)])
    return X[rows], y[rows]


# ---------- 1. grid: every point checked against the method before any fit ----------

@pytest.mark.parametrize("names, method, needle", [
    (["eta", "lambda"], "tnc", "--param eta: applies only to the mini-batch methods"),
    (["hidden", "batch-size"], "l-bfgs-b", "--param batch-size: applies only to the mini-batch methods"),
    (["epochs", "hidden"], "tnc", "--param epochs: applies only to the mini-batch methods"),
    (["dropout", "hidden"], "cg", "--param dropout"),
    (["maxiter", "eta"], "sgd", "--param maxiter: applies only to the SciPy methods"),
    (["lambda", "lambda"], "tnc", "must differ"),
])
def test_grid_axes_the_method_does_not_take_are_refused(names, method, needle):
    with pytest.raises(BpnnError, match=needle):
        check_axes(names, method)


def test_grid_axes_each_method_takes_pass():
    check_axes(["hidden", "lambda"], "tnc")
    check_axes(["maxiter", "lambda"], "newton-cg")
    check_axes(["batch-size", "eta"], "adam")
    check_axes(["epochs", "momentum"], "sgd")


@pytest.mark.parametrize("text, needle", [
    ("lambda=", "no values"), ("lambda= , ", "no values"), ("lambda", "expected NAME=V1"),
    ("speed=1", "expected NAME=V1"), ("hidden=2,x", "integer"), ("lambda=1,1.0", "given twice"),
])
def test_grid_param_values_are_checked(text, needle):
    with pytest.raises(BpnnError, match=needle):
        parse_param(text)


@pytest.mark.parametrize("grid, needle", [
    ([("learning_rate_init", [0.1, 0.2]), ("alpha", [1.0])], "learning_rate_init do not apply"),
    ([("alpha", []), ("hidden_layer_sizes", [2])], "at least one"),
    ([("alpha", [1.0, 1.0]), ("hidden_layer_sizes", [2])], "distinct"),
])
def test_grid_search_checks_every_point_before_any_fit(tiny, grid, needle):
    fits = []
    with pytest.raises(BpnnError, match=needle):
        grid_search(*tiny, grid, estimator=BPNNClassifier(max_iter=1), cv=2, n_jobs=1,
                    progress=lambda *done: fits.append(done))
    assert fits == []


def test_grid_search_refuses_more_folds_than_the_rarest_class(tiny):
    X, y = tiny
    smallest = np.bincount(y).min()
    with pytest.raises(BpnnError, match=f"from 2 to {smallest}"):
        grid_search(X, y, [("alpha", [1.0]), ("hidden_layer_sizes", [2])], cv=smallest + 1, n_jobs=1)


def test_grid_command_refuses_a_mismatched_axis_before_reading_data(tmp_path):
    done = bpnn("grid", "--data", tmp_path / "none.mat", "--param", "eta=0.1,0.2", "--param", "lambda=1",
                "--method", "tnc", "--out", tmp_path / "out", cwd=tmp_path)
    assert_clean_failure(done, "--param eta", "mini-batch")
    assert not (tmp_path / "out").exists() and "Data:" not in done.stdout


# ---------- 2. grid: Ctrl-C stops the search ----------

class _InterruptedAfter(BPNNClassifier):
    """Every fit after the first ``budget`` ends as Ctrl-C ends one: interrupted_ set."""

    fitted = 0

    def fit(self, X, y, sample_weight=None):
        super().fit(X, y, sample_weight)
        type(self).fitted += 1
        self.interrupted_ = type(self).fitted > 2
        return self


def test_grid_search_returns_the_points_finished_before_ctrl_c(tiny):
    _InterruptedAfter.fitted = 0
    result = grid_search(*tiny, [("alpha", [0.1, 1.0]), ("hidden_layer_sizes", [2, 3])],
                         estimator=_InterruptedAfter(max_iter=2), cv=2, n_jobs=1)
    assert result.interrupted
    assert result.finished.tolist() == [[True, False], [False, False]]  # the first point's two folds only
    assert [(row["alpha"], row["hidden_layer_sizes"]) for row in result.rows()] == [(0.1, 2)]
    assert result.best[:2] == (0.1, 2)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_ctrl_c_during_a_grid_search_writes_the_finished_points_and_exits_130(tmp_path, small_mat, n_jobs):
    out = tmp_path / "out"
    code, stdout, stderr = interrupt(["grid", "--data", small_mat, "--param", "hidden=30,40", "--param",
                                      "lambda=0,0.0001,0.0002", "--maxiter", 100000, "--cv", 2, "--n-jobs", n_jobs,
                                      "--out", out], "1 / 12 fits", tmp_path)
    assert code == 130 and "Traceback" not in stderr and "Interrupted (Ctrl-C)" in stderr, stderr
    if out.exists():  # some point finished: only those are in grid.csv
        rows = list(csv.DictReader((out / "grid.csv").open()))
        assert 1 <= len(rows) < 6 and all(0 <= float(row["mean"]) <= 1 for row in rows)
        assert (out / "grid.png").is_file()
    else:
        assert "before any grid point finished" in stderr


# ---------- 3. ex4 ----------

def test_ex4_refuses_data_that_do_not_fit_its_network_before_any_part(tmp_path):
    from bpnn.data.formats.mat import save_mat

    rng = np.random.default_rng(0)
    save_mat(tmp_path / "small64.mat", rng.random((30, 64)), np.arange(30) % 10)
    done = bpnn("ex4", "--data", tmp_path / "small64.mat", "--out", tmp_path / "out", cwd=tmp_path)
    assert_clean_failure(done, "64 features", "400-25-10")
    assert "Part 2" not in done.stdout and not (tmp_path / "out").exists()


def test_ctrl_c_while_ex4_trains_its_own_weights_stops_and_exits_130(tmp_path, data_home):
    out = tmp_path / "out"
    code, stdout, stderr = interrupt(["ex4", "--max-iter", 100000, "--out", out], "evaluations", tmp_path,
                                     env={**os.environ, "BPNN_DATA_DIR": str(data_home)})
    assert code == 130 and "Traceback" not in stderr, stderr
    assert "Interrupted (Ctrl-C) while training the weights of part 2" in stderr and "Part 3" not in stdout
    assert sorted(p.name for p in out.iterdir()) == ["data.png"]


# ---------- 4. the run folder is checked before any work ----------

def test_run_folder_under_a_file_is_refused_and_nothing_is_left(tmp_path):
    (tmp_path / "file.txt").write_text("mine")
    for out in (tmp_path / "file.txt", tmp_path / "file.txt" / "sub"):
        with pytest.raises(BpnnError, match="file.txt is not a folder"):
            RunFolder(out, ["a.png"])
    assert (tmp_path / "file.txt").read_text() == "mine" and os.listdir(tmp_path) == ["file.txt"]


def test_run_folder_that_cannot_be_written_is_refused_and_probes_are_removed(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(tmp_path / "a" / "b"))

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(BpnnError, match="cannot write there .Permission denied"):
        RunFolder(tmp_path / "a" / "b", ["a.png"])
    assert os.listdir(tmp_path) == []  # the folders made for the probe are gone again


def test_run_folder_check_leaves_a_writable_place_as_it_was(tmp_path):
    folder = RunFolder(tmp_path / "new" / "run", ["a.png"])
    assert os.listdir(tmp_path) == [] and folder.written == []


@pytest.mark.skipif(not os.path.isdir("/sys/kernel"), reason="needs Linux's sysfs, where nobody may create folders")
def test_read_only_place_is_refused_even_for_root(tmp_path, small_mat):
    out = "/sys/bpnn-trust-test/run"
    done = bpnn("train", "--data", small_mat, "--max-iter", 1, "--out", out, cwd=tmp_path)
    assert_clean_failure(done, "/sys/bpnn-trust-test", "cannot write there")
    assert "Training" not in done.stdout and not os.path.exists(out)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes in read-only folders")
def test_read_only_folder_is_refused(tmp_path):
    (tmp_path / "locked").mkdir(mode=0o555)
    with pytest.raises(BpnnError, match="cannot write there"):
        RunFolder(tmp_path / "locked" / "run", ["a.png"])


@pytest.mark.parametrize("command", [["train", "--max-iter", 1], ["sgd", "--epochs", 1], ["ex4"],
                                     ["grid", "--param", "hidden=2", "--param", "lambda=1"]])
def test_every_run_command_checks_its_folder_before_any_work(tmp_path, small_mat, command):
    (tmp_path / "file.txt").write_text("mine")
    done = bpnn(*command, "--data", small_mat, "--out", tmp_path / "file.txt" / "sub", cwd=tmp_path)
    assert_clean_failure(done, "file.txt is not a folder")
    assert not any(word in done.stdout for word in ("Training", "Part 2", "Grid", "Epoch"))


# ---------- 5. gradcheck ----------

@pytest.mark.parametrize("args, needle", [
    (["--hessian", "--dropout", "0.5"], "--dropout with --hessian"),
    (["--hessian", "--full", "--k", "5"], "--k with --hessian"),
    (["--k", "5"], "--k without --full"),
    (["--data", "x.mat"], "--data without --full"),
    (["--full", "--m", "3"], "--m with --full"),
    (["--threshold", "-1"], "--threshold"),
    (["--threshold", "nan"], "--threshold"),
    (["--sizes", "0", "3"], "--sizes"),
])
def test_gradcheck_refuses_options_it_would_ignore_or_cannot_use(args, needle, capsys):
    with pytest.raises(SystemExit) as stop:
        gradcheck_cli.parse_args(args)
    error = capsys.readouterr().err.strip()
    assert stop.value.code == 2 and error.startswith("error: ") and needle in error and "\n" not in error


def test_gradient_check_with_a_huge_lambda_is_meaningful():
    network = Network((3, 5, 3))
    theta, X, Y = debug_problem(network.sizes)
    result = check_gradients(network, theta, X, Y, 1e300)
    assert np.isfinite(result.relative_difference) and result.relative_difference < 1e-9


def test_relative_difference_is_scale_free_and_refuses_non_finite_values():
    a, b = np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-6])
    assert relative_difference(a * 1e300, b * 1e300) == pytest.approx(relative_difference(a, b))
    with pytest.raises(BpnnError, match="not all finite"):
        relative_difference(np.array([np.inf, 1.0]), a)


def test_debug_problem_too_large_for_memory_is_refused():
    with pytest.raises(BpnnError, match=r"m = 10000000000000 examples needs .* more than this machine"):
        debug_problem((3, 5, 3), 10**13)


# ---------- 6. more hostile use ----------

@pytest.mark.parametrize("args", [["--help"], ["--version"], ["gradcheck"], ["gradcheck", "--help"]])
def test_a_closed_stdout_ends_quietly(tmp_path, args):
    reader, writer = os.pipe()
    os.close(reader)  # whoever read the output has gone, as `| head -1` does
    done = subprocess.run([*BPNN, *args], cwd=tmp_path, stdout=writer, stderr=subprocess.PIPE, text=True,
                          timeout=60)
    os.close(writer)
    assert done.stderr == "" and done.returncode in (0, PIPE_CLOSED), (done.returncode, done.stderr)


def test_seed_and_path_option_types():
    assert seed("0") == 0 and seed(str(2**32 - 1)) == 2**32 - 1 and path("runs/x") == "runs/x"
    for bad in ("-1", str(2**32), "1.5", "x"):
        with pytest.raises(Exception, match="integer ≥ 0 and < 2³²"):
            seed(bad)
    for bad in ("", "  "):
        with pytest.raises(Exception, match="empty name"):
            path(bad)


def test_training_of_zero_iterations_writes_valid_outputs_without_a_learning_curve(tmp_path, small_mat):
    done = bpnn("train", "--data", small_mat, "--max-iter", 0, "--hidden", 2, "--quiet", "--out", tmp_path / "o",
                cwd=tmp_path)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert (tmp_path / "o" / "metrics.json").is_file() and not (tmp_path / "o" / "learning_curves.png").exists()
