"""The course's ex4 walkthrough (scripts/ex4.py, bpnn ex4): its data-independent checkpoints against the
values ex4 prints, and both of its modes (the course's files, or the embedded digits)."""

import math
import re
import subprocess
import sys

import numpy as np
import scipy.io

from bpnn import Network, check_gradients, debug_problem, sigmoid_gradient
from bpnn.cli.ex4 import EXPECTED, matlab_order
from tests.conftest import ROOT

EX4 = ROOT / "scripts" / "ex4.py"
PARTS = ["Loading and Visualizing Data", "Loading Saved Neural Network Parameters", "Compute Cost (Feedforward)",
         "Implement Regularization", "Sigmoid Gradient", "Initializing Parameters", "Implement Backpropagation",
         "Implement Regularization", "Training NN", "Visualize Weights", "Implement Predict"]
# ex4's checkNNGradients, lambda = 0: the first numbers it prints (Theta1(:), column by column), to 5 digits
COURSE_GRADIENT_START = [-9.2783e-03, 8.8991e-03, -8.3601e-03, 7.6281e-03, -6.7480e-03, -3.0498e-06, 1.4287e-05,
                         -2.5938e-05, 3.6988e-05, -4.6876e-05, -1.7506e-04, 2.3315e-04, -2.8747e-04, 3.3532e-04]
COURSE_GRADIENT_THETA2 = [3.1454e-01, 1.1106e-01, 9.7401e-02, 1.6409e-01, 5.7574e-02, 5.0458e-02]


def test_sigmoid_gradient_is_the_course_checkpoint():
    by_hand = [math.exp(-z) / (1 + math.exp(-z)) ** 2 for z in (-1, -0.5, 0, 0.5, 1)]
    values = sigmoid_gradient(np.array([-1.0, -0.5, 0.0, 0.5, 1.0]))
    np.testing.assert_allclose(values, by_hand, rtol=1e-15)
    np.testing.assert_allclose(values, EXPECTED["sigmoid_gradient"], atol=5e-7)


def test_debug_problem_gradients_in_the_matlab_order():
    network = Network((3, 5, 3))
    result = check_gradients(network, *debug_problem(network.sizes))
    order = matlab_order(network)
    np.testing.assert_allclose(result.analytic[order][:14], COURSE_GRADIENT_START, rtol=6e-5)
    np.testing.assert_allclose(result.analytic[order][20:26], COURSE_GRADIENT_THETA2, rtol=6e-5)
    assert result.relative_difference < 1e-9
    assert check_gradients(network, *debug_problem(network.sizes), 3.0).relative_difference < 1e-9


def _parts(stdout):
    return re.findall(r"^Part (\d+): (.+)$", stdout, flags=re.M)


def test_walkthrough_on_the_embedded_digits(tmp_path, data_home):
    done = subprocess.run([sys.executable, str(EX4), "--quiet", "--max-iter", "15", "--out", tmp_path / "run"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert [title for _, title in _parts(done.stdout)] == PARTS
    assert [int(number) for number, _ in _parts(done.stdout)] == list(range(1, 12))
    assert "using the embedded digits instead" in done.stdout and "training 400-25-10 weights here" in done.stdout
    assert "should be about" not in done.stdout  # the course's values do not apply to these data
    assert "0.196612 0.235004 0.250000 0.235004 0.196612" in done.stdout
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == ["data.png", "hidden_units.png"]


def test_walkthrough_with_course_layout_files(tmp_path, small_mat, data_home):
    """With a data file and weights it prints the costs computed from them beside the course's values."""
    from bpnn import cost, one_hot, save_weights
    from bpnn.data.loading import load_mat

    network = Network((400, 25, 10))
    theta = network.init(7)
    save_weights(tmp_path / "w.mat", network, theta)
    done = subprocess.run([sys.executable, str(EX4), "--data", small_mat, "--weights", tmp_path / "w.mat", "--quiet",
                           "--max-iter", "5", "--out", tmp_path / "run"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    X, y = load_mat(small_mat)
    for lam, key in ((0.0, "cost_lambda0"), (1.0, "cost_lambda1"), (3.0, "cost_lambda3")):
        J = cost(network, theta, X, one_hot(y, 10), lam)
        assert f"{J:.6f} (this value should be about {EXPECTED[key]:.6f})" in done.stdout
    assert scipy.io.loadmat(tmp_path / "w.mat")["Theta1"].shape == (25, 401)
