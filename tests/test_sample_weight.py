"""Per-example weights in the cost, its gradient and its curvature: J = (1/Σw) Σᵢ wᵢ costᵢ + λ/(2Σw)‖W‖².

Checked against central differences (every activation × cost), against the same examples repeated
(integer weights), and against scikit-learn's own weighted MLP loss and gradient."""

import numpy as np
import pytest

from bpnn import BpnnError, Network, check_gradients, cost, cost_and_grad, one_hot
from bpnn.model.units import HIDDEN_ACTIVATIONS, OUTPUT_COSTS
from bpnn.model.checking import check_hessian
from tests.support.competitors import SklearnObjective

PAIRS = [(activation, output, cost) for activation in HIDDEN_ACTIVATIONS for output, cost in OUTPUT_COSTS]


def problem(sizes, m=13, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, sizes[0]))
    Y = one_hot(rng.integers(0, sizes[-1], m), sizes[-1])
    w = rng.uniform(0.0, 3.0, m)
    w[[1, 4]] = 0.0  # examples left out entirely
    return X, Y, w


@pytest.mark.parametrize("activation, output, cost_name", PAIRS)
def test_weighted_gradient_and_hessian_match_central_differences(activation, output, cost_name):
    network = Network((4, 6, 3), activation, cost_name, output)
    X, Y, w = problem(network.sizes)
    theta = network.init(2, "scaled-normal")
    check = check_gradients(network, theta, X, Y, 0.8, sample_weight=w, eps=1e-5)  # tanh: 1e-4 truncates at 1e-9
    assert check.relative_difference < 1e-9
    difference, exact, _ = check_hessian(network, theta, X, Y, 0.8, sample_weight=w)
    assert difference < 1e-7 and np.linalg.norm(exact) > 1e-3


@pytest.mark.parametrize("output, cost_name", list(OUTPUT_COSTS))
def test_integer_weights_equal_repeated_examples(output, cost_name):
    network = Network((5, 4, 3), "tanh", cost_name, output)
    X, Y, _ = problem(network.sizes)
    counts = np.arange(X.shape[0]) % 3  # 0, 1 or 2 copies of each example
    theta = network.init(0, "normal")
    weighted = cost_and_grad(network, theta, X, Y, 1.5, sample_weight=counts)
    repeated = cost_and_grad(network, theta, np.repeat(X, counts, axis=0), np.repeat(Y, counts, axis=0), 1.5)
    assert weighted[0] == pytest.approx(repeated[0], rel=1e-12)
    np.testing.assert_allclose(weighted[1], repeated[1], rtol=1e-11, atol=1e-14)
    assert cost(network, theta, X, Y, 1.5, sample_weight=counts) == pytest.approx(repeated[0], rel=1e-12)


def test_unit_weights_are_the_unweighted_cost():
    network = Network((5, 4, 3))
    X, Y, _ = problem(network.sizes)
    theta = network.init(1)
    plain = cost_and_grad(network, theta, X, Y, 1.0)
    ones = cost_and_grad(network, theta, X, Y, 1.0, sample_weight=np.ones(X.shape[0]))
    assert ones[0] == pytest.approx(plain[0], rel=1e-14)
    np.testing.assert_allclose(ones[1], plain[1], rtol=1e-13, atol=1e-16)


def test_weighted_cost_and_gradient_equal_scikit_learns():
    sizes = (6, 5, 3)
    X, Y, w = problem(sizes, m=40, seed=3)
    reference = SklearnObjective(sizes, X, Y, 0.7, sample_weight=w)
    network = Network(sizes)
    theta = network.init(4)
    J, grad = cost_and_grad(network, theta, X, Y, 0.7, sample_weight=w)
    J_ref, grad_ref = reference(reference.to_sklearn(theta))
    assert J == pytest.approx(J_ref, rel=1e-12)
    np.testing.assert_allclose(grad, reference.from_sklearn(grad_ref), rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("weights, problem_named", [
    (np.ones(12), "vector of 13"), (np.full(13, -1.0), "≥ 0"), (np.zeros(13), "not all zero"),
    (np.r_[np.nan, np.ones(12)], "finite"), (["a"] * 13, "numbers"),
])
def test_bad_weights_are_named(weights, problem_named):
    network = Network((5, 4, 3))
    X, Y, _ = problem(network.sizes)
    with pytest.raises(BpnnError, match=problem_named):
        cost_and_grad(network, network.init(0), X, Y, 1.0, sample_weight=weights)
