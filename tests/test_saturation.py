"""The cost at saturation: never negative, and equal to a long-double reference summed term by term
(tests/support/precise.py) within the rounding a correct computation in the dtype allows, for every
hidden activation × output/cost pair, float64 and float32, θ scaled from 1 to 1e300. Where the dtype
cannot hold the numbers at all, a clear DivergedError instead."""

import numpy as np
import pytest

import bpnn
from bpnn.errors import DivergedError
from bpnn.model.network import forward
from bpnn.model.units import HIDDEN_ACTIVATIONS, OUTPUT_COSTS
from tests.support.precise import cost_long_double

SCALES = [1.0, 1e2, 1e4, 1e8, 1e16, 1e30, 1e40, 1e100, 1e154, 1e200, 1e300]
PAIRS = [(activation, output, cost) for activation in HIDDEN_ACTIVATIONS for output, cost in OUTPUT_COSTS]


@pytest.fixture(scope="module")
def data(digits):
    X, y = digits
    return X[:150], y[:150]


@pytest.mark.parametrize("activation, output, cost", PAIRS)
def test_cost_matches_long_double_reference_at_every_scale(data, activation, output, cost):
    X, y = data
    options = dict(activation=activation, output=output, cost=cost)
    network = bpnn.Network((X.shape[1], 12, int(y.max()) + 1), **options)
    targets = y if network.output_cost.classifies else bpnn.one_hot(y, 10)  # regression on the one-hot rows
    trained = bpnn.train(network, X, targets, lam=0.0, stopping=bpnn.Stopping(max_iter=40))
    random = trained.network.init(1, "normal")
    checked = 0
    for theta0 in (trained.theta, random):
        for dtype in (np.float64, np.float32):
            Xd, Y = X.astype(dtype), bpnn.one_hot(y, 10, dtype)
            for lam in (0.0, 1.0):
                for scale in SCALES:
                    theta = theta0 * scale
                    J_ref, allowance, biggest = cost_long_double(
                        theta, trained.network.unpack(theta), X, y, lam, activation, cost, dtype, output)
                    with np.errstate(over="ignore"):
                        too_big = biggest > np.finfo(dtype).max or not np.isfinite(np.float64(J_ref))
                        # the squared error is summed over the rows before it is divided by m: the sum must fit
                        too_big |= output == "identity" and not np.isfinite(np.float64(J_ref * len(X)))
                    try:
                        J = bpnn.cost(trained.network, theta, Xd, Y, lam)
                    except DivergedError as error:
                        assert "too large" in str(error)
                        assert too_big or biggest > np.finfo(dtype).max / 1e3, (dtype, lam, scale, biggest)
                        continue
                    where = f"{dtype.__name__} λ={lam} θ×{scale:g}: J={J!r} reference={float(J_ref)!r}"
                    assert not too_big, where
                    assert J >= 0, where
                    assert abs(J - J_ref) <= allowance, f"{where}, off by {float(abs(J - J_ref)):.3g} > {float(allowance):.3g}"
                    checked += 1
    assert checked >= len(SCALES) * 4  # most cases are representable and were compared


@pytest.mark.parametrize("activation, output, cost", PAIRS)
def test_cost_and_grad_agrees_with_cost_and_is_finite_at_saturation(data, activation, output, cost):
    X, y = data
    options = dict(activation=activation, output=output, cost=cost)
    sizes = [400, 12, 10]
    theta = bpnn.Network(sizes).init(2, "normal") * 1e6
    for dtype in (np.float64, np.float32):
        Xd, Y = X.astype(dtype), bpnn.one_hot(y, 10, dtype)
        J, grad = bpnn.cost_and_grad(bpnn.Network(sizes, **options), theta, Xd, Y, 1.0)
        assert J == pytest.approx(bpnn.cost(bpnn.Network(sizes, **options), theta, Xd, Y, 1.0), rel=1e-12)
        assert J >= 0 and np.all(np.isfinite(grad))


def test_costs_are_never_negative_on_random_networks(digits):
    X, y = digits
    rng = np.random.default_rng(3)
    for trial in range(60):
        activation, output, cost = PAIRS[trial % len(PAIRS)]
        sizes = [400, int(rng.integers(1, 30)), 10]
        theta = bpnn.Network(sizes).init(rng, "normal") * 10.0 ** rng.uniform(-3, 12)
        rows = rng.choice(len(y), size=int(rng.integers(1, 40)), replace=False)
        dtype = (np.float64, np.float32)[trial % 2]
        J = bpnn.cost(bpnn.Network(sizes, activation=activation, output=output, cost=cost), theta, X[rows].astype(dtype), bpnn.one_hot(y[rows], 10, dtype), 0.0)
        assert J >= 0


def test_the_old_cancelling_form_fails_this_check(data):
    """The allowance is tight enough to catch cancellation: at θ × 1e8 a network that classifies every
    example right has a log-likelihood cost of about 0, which Σ max z + Σ log Σ exp(z − max z) − ⟨Y, z⟩
    (three sums taken apart) misses by far more than rounding."""
    X, y = data
    options = dict(activation="relu", cost="log-likelihood")
    network = bpnn.Network((X.shape[1], 12, int(y.max()) + 1), **options)
    trained = bpnn.train(network, X, y, lam=0.0, stopping=bpnn.Stopping(max_iter=200))
    assert bpnn.evaluate(trained.network, trained.theta, X, y)["accuracy"] == 1.0
    theta = trained.theta * 1e8
    thetas = trained.network.unpack(theta)
    _, z = forward(trained.network, theta, X)
    Y = bpnn.one_hot(y, 10)
    top = z.max(axis=1, keepdims=True)
    cancelling = (top.sum() + np.log(np.exp(z - top).sum(axis=1)).sum() - np.vdot(Y, z)) / len(y)
    J_ref, allowance, _ = cost_long_double(theta, thetas, X, y, 0.0, "relu", "log-likelihood", np.float64)
    assert abs(cancelling - J_ref) > 1000 * allowance
    assert abs(bpnn.cost(trained.network, theta, X, Y) - J_ref) <= allowance
