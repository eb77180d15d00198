"""Activations, output/cost pairs, initializers and dropout: all through the one cost_and_grad."""

import math

import numpy as np
import pytest

from bpnn import BpnnError, Network, cost_and_grad, one_hot, predict_proba
from bpnn.model.params import init_weights, pack
from bpnn.model.units import check_names
from bpnn.model.checking import check_gradients
from bpnn.model.network import cost, dropout_masks

ACTIVATIONS = ["sigmoid", "tanh", "relu"]
PAIRS = [("sigmoid", "cross-entropy"), ("sigmoid", "quadratic"), ("softmax", "log-likelihood")]
DEPTHS = [[4, 6, 3], [5, 6, 5, 4], [3, 4, 4, 4, 3]]


def problem(sizes, seed=0, m=9):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((m, sizes[0])), one_hot(rng.integers(0, sizes[-1], m), sizes[-1])


@pytest.mark.parametrize("sizes", DEPTHS)
@pytest.mark.parametrize("output, cost_name", PAIRS)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_gradient_check_every_combination(activation, output, cost_name, sizes):
    X, Y = problem(sizes, seed=len(sizes))
    theta = init_weights(sizes, 1, "scaled-normal")
    result = check_gradients(Network(sizes, activation=activation, output=output, cost=cost_name), theta, X, Y, 0.7)
    threshold = 1e-9 if (activation, output, cost_name) == ("sigmoid", "sigmoid", "cross-entropy") else 1e-7
    assert result.relative_difference < threshold


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_gradient_check_with_a_fixed_dropout_mask(activation):
    sizes = [5, 8, 6, 3]
    X, Y = problem(sizes, m=12)
    masks = dropout_masks(Network(sizes), 12, 0.4, seed=3)
    theta = init_weights(sizes, 2, "scaled-normal")
    result = check_gradients(Network(sizes, activation=activation, cost="log-likelihood"), theta, X, Y, 0.5, masks=masks)
    assert result.relative_difference < 1e-7
    without = cost_and_grad(Network(sizes, activation=activation, cost="log-likelihood"), theta, X, Y, 0.5)[1]
    assert not np.allclose(without, cost_and_grad(Network(sizes, activation=activation, cost="log-likelihood"), theta, X, Y, 0.5, masks=masks)[1])


def test_dropout_masks_are_inverted_and_seeded():
    masks = dropout_masks(Network([10, 400, 300, 2]), 50, 0.25, seed=0)
    assert [m.shape for m in masks] == [(50, 400), (50, 300)]
    values = np.unique(np.concatenate([m.ravel() for m in masks]))
    np.testing.assert_allclose(values, [0.0, 1 / 0.75])
    kept = np.mean(np.concatenate([m.ravel() for m in masks]) > 0)
    assert kept == pytest.approx(0.75, abs=0.01)
    np.testing.assert_array_equal(masks[0], dropout_masks(Network([10, 400, 300, 2]), 50, 0.25, seed=0)[0])
    with pytest.raises(BpnnError, match="dropout probability"):
        dropout_masks(Network([3, 4, 2]), 5, 1.0)
    with pytest.raises(BpnnError, match="one m × s_l mask per hidden layer"):
        cost_and_grad(Network([3, 4, 2]), init_weights([3, 4, 2], 0), np.ones((5, 3)), one_hot([0] * 5, 2), masks=[np.ones((5, 3))])


def test_costs_by_hand():
    # A 1-2 network with z = (1, −1) for the single example x = 1, target class 0.
    theta = pack([np.array([[0.0, 1.0], [0.0, -1.0]])])
    X, Y = np.array([[1.0]]), np.array([[1.0, 0.0]])
    s = 1 / (1 + math.exp(-1))  # σ(1); σ(−1) = 1 − s
    assert cost(Network([1, 2], cost="quadratic"), theta, X, Y) == pytest.approx(0.5 * ((s - 1) ** 2 + (1 - s) ** 2))
    assert cost(Network([1, 2], cost="cross-entropy"), theta, X, Y) == pytest.approx(-math.log(s) - math.log(s))
    # softmax of (1, −1): p₀ = e / (e + e⁻¹); log-likelihood −log p₀ = log(1 + e⁻²)
    assert cost(Network([1, 2], cost="log-likelihood"), theta, X, Y) == pytest.approx(math.log1p(math.exp(-2)))
    np.testing.assert_allclose(predict_proba(Network([1, 2], cost="log-likelihood"), theta, X),
                               [[1 / (1 + math.exp(-2)), 1 / (1 + math.exp(2))]])


def test_cost_equals_cost_and_grad():
    sizes = [4, 6, 3]
    X, Y = problem(sizes)
    theta = init_weights(sizes, 0)
    for activation in ACTIVATIONS:
        for output, cost_name in PAIRS:
            options = dict(activation=activation, output=output, cost=cost_name)
            assert cost(Network(sizes, **options), theta, X, Y, 2.0) == pytest.approx(
                cost_and_grad(Network(sizes, **options), theta, X, Y, 2.0)[0], rel=1e-14)


def test_softmax_saturation_is_finite():
    theta = pack([np.array([[0.0, 1000.0], [0.0, -1000.0]])])
    J, grad = cost_and_grad(Network([1, 2], cost="log-likelihood"), theta, np.array([[1.0], [-1.0]]), np.array([[0.0, 1.0], [0.0, 1.0]]))
    assert J == pytest.approx(2000.0 / 2)  # first example pays z₀ − z₁ = 2000, the second nothing
    assert np.all(np.isfinite(grad))


@pytest.mark.parametrize(
    "options, message",
    [
        (dict(cost="log-likelihood", output="sigmoid"), "sigmoid outputs do not go with the log-likelihood cost"),
        (dict(cost="quadratic", output="softmax"), "softmax outputs do not go with the quadratic cost"),
        (dict(cost="hinge"), "unknown cost 'hinge'"),
        (dict(output="linear"), "unknown output activation 'linear'"),
    ],
)
def test_nonsense_pairs_are_rejected(options, message):
    with pytest.raises(BpnnError, match=message):
        check_names(**options)


def test_unknown_activation():
    with pytest.raises(BpnnError, match="unknown hidden activation 'swish'; choose one of sigmoid, tanh, relu"):
        cost_and_grad(Network([2, 2, 2], activation="swish"), init_weights([2, 2, 2], 0), np.ones((1, 2)), np.eye(2)[:1])
