import math
import warnings

import numpy as np
import pytest

from bpnn import BpnnError, Network, cost_and_grad, one_hot, predict, predict_proba
from bpnn.model.validate import check_data
from bpnn.model.checking import check_gradients
from bpnn.model.params import init_weights, pack
from tests.support.competitors import LoopBackprop, SklearnObjective


def tiny_case():
    """1-1-1 network: Θ1 = [0, 0] so a2 = σ(0) = ½; Θ2 = [0, 2] so z3 = 1 for every input."""
    theta = pack([np.array([[0.0, 0.0]]), np.array([[0.0, 2.0]])])
    X = np.array([[1.0], [-1.0]])
    Y = np.array([[1.0], [0.0]])
    return theta, X, Y


def test_cost_on_tiny_case_by_hand():
    theta, X, Y = tiny_case()
    # example 1: y = 1, h = σ(1): −log σ(1) = log(1 + e⁻¹); example 2: y = 0: −log(1 − σ(1)) = log(1 + e)
    by_hand = (math.log1p(math.exp(-1)) + math.log1p(math.exp(1))) / 2
    J, grad = cost_and_grad(Network([1, 1, 1]), theta, X, Y, 0.0)
    assert J == pytest.approx(by_hand, rel=1e-14)
    s = 1 / (1 + math.exp(-1))
    d3 = np.array([s - 1, s])  # output deltas
    d2 = d3 * 2 * 0.25  # δ3 · W2 · σ'(0)
    expected = [d2.mean(), (d2 * X[:, 0]).mean(), d3.mean(), (d3 * 0.5).mean()]
    np.testing.assert_allclose(grad, expected, rtol=1e-14)
    assert grad[1] == pytest.approx(-0.25)  # (−(1 − σ(1)) − σ(1)) / 4


def test_regularization_skips_bias_columns():
    theta, X, Y = tiny_case()
    J0, g0 = cost_and_grad(Network([1, 1, 1]), theta, X, Y, 0.0)
    J3, g3 = cost_and_grad(Network([1, 1, 1]), theta, X, Y, 3.0)
    # λ/(2m) Σ W² = 3/4 · (0² + 2²) = 3; gradient gains λ/m · W on weights only
    assert J3 - J0 == pytest.approx(3.0, rel=1e-14)
    np.testing.assert_allclose(g3 - g0, [0, 0, 0, 1.5 * 2.0], atol=1e-15)


def test_matches_per_example_loop_and_scikit_learn():
    rng = np.random.default_rng(3)
    sizes = [6, 5, 4, 3]
    X = rng.random((40, 6))
    Y = one_hot(rng.integers(0, 3, 40), 3)
    theta = init_weights(sizes, 4)
    J, grad = cost_and_grad(Network(sizes), theta, X, Y, 1.5)
    J_loop, grad_loop = LoopBackprop(sizes)(theta, X, Y, 1.5)
    sk = SklearnObjective(sizes, X, Y, 1.5)
    J_sk, grad_sk = sk(sk.to_sklearn(theta))
    assert J == pytest.approx(J_loop, rel=1e-13) and J == pytest.approx(J_sk, rel=1e-13)
    np.testing.assert_allclose(grad, grad_loop, rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(grad, sk.from_sklearn(grad_sk), rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize("sizes", [[3, 5, 3], [4, 6, 5, 3], [2, 3], [5, 4, 4, 4, 2]])
@pytest.mark.parametrize("lam", [0.0, 3.0])
def test_gradient_check_several_depths(sizes, lam):
    rng = np.random.default_rng(sum(sizes))
    X = rng.standard_normal((7, sizes[0]))
    Y = one_hot(rng.integers(0, sizes[-1], 7), sizes[-1])
    result = check_gradients(Network(sizes), init_weights(sizes, 0), X, Y, lam)
    assert result.relative_difference < 1e-9


def test_saturated_outputs_give_finite_exact_cost():
    # Θ2 drives z3 to ±1000: σ rounds to exactly 0 or 1, yet the cost is softplus(z) − yz, finite.
    theta = pack([np.array([[0.0, 0.0]]), np.array([[0.0, 2000.0]])])  # z3 = 2000·½ = 1000
    X = np.zeros((2, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        J, grad = cost_and_grad(Network([1, 1, 1]), theta, X, np.array([[0.0], [1.0]]), 0.0)
    assert J == pytest.approx((1000.0 + 0.0) / 2)  # y = 0 pays z = 1000; y = 1 pays log(1 + e⁻¹⁰⁰⁰) ≈ 0
    assert np.all(np.isfinite(grad))


@pytest.mark.parametrize("z", [-30.0, -700.0, 3.0, 40.0])
def test_output_delta_keeps_relative_precision(z):
    # One hidden unit at σ(0) = ½ and Θ2 = [0, 2z] give the output z; with y = 0, ∂J/∂Θ2[0, 0] = σ(z) − 0.
    theta = pack([np.array([[0.0, 0.0]]), np.array([[0.0, 2.0 * z]])])
    _, grad = cost_and_grad(Network([1, 1, 1]), theta, np.zeros((1, 1)), np.zeros((1, 1)))
    expected = math.exp(z) / (1.0 + math.exp(z)) if z < 0 else 1.0 / (1.0 + math.exp(-z))
    assert grad[2] == pytest.approx(expected, rel=1e-14, abs=0)  # ½ + (½ − σ(|z|)) loses it for z ≪ 0


def test_predict_and_proba():
    theta = pack([np.array([[0.0, 1.0], [0.0, -1.0]])])  # a 1-2 network: z = (x, −x)
    X = np.array([[2.0], [-3.0], [0.5]])
    np.testing.assert_array_equal(predict(Network([1, 2]), theta, X), [0, 1, 0])
    np.testing.assert_allclose(predict_proba(Network([1, 2]), theta, X)[1], [1 / (1 + math.exp(3)), 1 / (1 + math.exp(-3))])


def test_one_hot():
    np.testing.assert_array_equal(one_hot([2, 0, 1], 3), [[0, 0, 1], [1, 0, 0], [0, 1, 0]])
    with pytest.raises(BpnnError, match=r"labels out of range: expected 0\.\.2, found \[3\]"):
        one_hot([0, 3], 3)
    with pytest.raises(BpnnError, match="integers"):
        one_hot([0.5, 1], 3)


def test_check_data_errors_name_the_problem():
    X = np.ones((3, 2))
    with pytest.raises(BpnnError, match="NaN or inf"):
        check_data(np.array([[1.0, np.nan], [0, 0]]))
    with pytest.raises(BpnnError, match="2-D"):
        check_data(np.ones(3))
    with pytest.raises(BpnnError, match="3 rows but y has 2 labels"):
        check_data(X, [0, 1])
    with pytest.raises(BpnnError, match="out of range"):
        check_data(X, [0, 1, -1])
    with pytest.raises(BpnnError, match="dtype"):
        check_data(np.array([["a", "b"]]))


def test_cost_and_grad_shape_and_nan_errors():
    sizes = [2, 3, 2]
    theta = init_weights(sizes, 0)
    X, Y = np.ones((4, 2)), one_hot([0, 1, 0, 1], 2)
    with pytest.raises(BpnnError, match="needs m × 2"):
        cost_and_grad(Network(sizes), theta, np.ones((4, 3)), Y)
    with pytest.raises(BpnnError, match="Y has shape"):
        cost_and_grad(Network(sizes), theta, X, Y[:3])
    with pytest.raises(BpnnError, match="17 numbers"):
        cost_and_grad(Network(sizes), theta[:-1], X, Y)
    X[2, 1] = np.nan
    with pytest.raises(BpnnError, match="X contains NaN"):
        cost_and_grad(Network(sizes), theta, X, Y)
