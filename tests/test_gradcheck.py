from dataclasses import replace

import numpy as np
import pytest

from bpnn import Network
from bpnn.model import units
from bpnn.model.checking import (check_gradients, debug_initialize_weights, debug_problem, numerical_gradient,
                                 relative_difference)


def test_numerical_gradient_of_a_cubic_and_theta_restored():
    theta = np.array([1.0, -2.0, 0.5])
    seen = []

    def f(t):
        seen.append(t.shape)
        return float(np.sum(t ** 3))

    before = theta.copy()
    num = numerical_gradient(f, theta, eps=1e-4)
    np.testing.assert_allclose(num, 3 * theta ** 2, rtol=1e-7)  # central differences: error eps² · f'''/6
    np.testing.assert_array_equal(theta, before)
    assert set(seen) == {(3,)}  # always one vector at a time: O(n) memory
    np.testing.assert_allclose(numerical_gradient(f, theta, indices=[2]), [0.75], rtol=1e-7)


def test_debug_weights_fill_column_major_like_matlab():
    W = debug_initialize_weights(2, 2)  # 2 × 3, sin(1..6)/10 down the columns
    np.testing.assert_allclose(W, np.sin([[1, 3, 5], [2, 4, 6]]) / 10)


def test_debug_problem_matches_the_course_output():
    theta, X, Y = debug_problem()
    assert X.shape == (5, 3) and Y.shape == (5, 3)
    np.testing.assert_array_equal(Y.argmax(axis=1), [1, 2, 0, 1, 2])  # 1 + (i mod 3) → 0-based
    result = check_gradients(Network([3, 5, 3]), theta, X, Y, 0.0)
    # The course's checkNNGradients prints these first values of Theta1's bias and first weight column
    # (Θ1[r, 0] and Θ1[r, 1] for r = 0, 1, 2; the course unrolls column-major, bpnn row-major).
    T1 = result.analytic[:20].reshape(5, 4)
    np.testing.assert_allclose(T1[:3, 0], [-9.2783e-03, 8.8991e-03, -8.3601e-03], rtol=1e-4)
    np.testing.assert_allclose(T1[:3, 1], [-3.0498e-06, 1.4287e-05, -2.5938e-05], rtol=1e-4)
    assert result.relative_difference < 1e-9


@pytest.mark.parametrize("lam", [0.0, 3.0])
@pytest.mark.parametrize("sizes", [[3, 5, 3], [4, 5, 5, 3]])
def test_debug_problem_passes_the_threshold(lam, sizes):
    theta, X, Y = debug_problem(sizes)
    assert check_gradients(Network(sizes), theta, X, Y, lam).relative_difference < 1e-9


def test_check_catches_a_wrong_derivative(monkeypatch):
    wrong = replace(units.HIDDEN_ACTIVATIONS["sigmoid"], derivative=lambda a: 1.01 * a * (1 - a))
    monkeypatch.setitem(units.HIDDEN_ACTIVATIONS, "sigmoid", wrong)
    theta, X, Y = debug_problem()
    result = check_gradients(Network([3, 5, 3]), theta, X, Y)
    assert result.relative_difference > 1e-4
    assert result.max_abs_error_per_layer[0] > 1e-7 and result.max_abs_error_per_layer[1] < 1e-9


def test_random_coordinates_mode(digits):
    X, y = digits
    from bpnn import one_hot
    from bpnn.model.params import init_weights
    sizes = [400, 25, 10]
    result = check_gradients(Network(sizes), init_weights(sizes, 0), X[:300], one_hot(y[:300], 10), 1.0, k=60, seed=5)
    assert len(result.indices) == 60 == len(set(result.indices.tolist()))
    assert np.all(np.diff(result.indices) > 0)
    assert result.relative_difference < 1e-9
    again = check_gradients(Network(sizes), init_weights(sizes, 0), X[:300], one_hot(y[:300], 10), 1.0, k=60, seed=5)
    np.testing.assert_array_equal(result.indices, again.indices)
    assert len(result.rows(4)) == 4


def test_relative_difference():
    assert relative_difference(np.array([1.0, 1.0]), np.array([1.0, 1.0])) == 0.0
    assert relative_difference(np.array([1.0, 0.0]), np.array([0.0, 1.0])) == pytest.approx(1.0)
