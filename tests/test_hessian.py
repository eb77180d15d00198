"""Exact Hessian-vector products (bpnn.model.curvature): against central differences of the gradient for every
activation × cost, the Gauss–Newton product's properties, and SciPy's Hessian-based methods using them."""

import numpy as np
import pytest

from bpnn import Network, Stopping, one_hot, train
from bpnn.model.checking import check_hessian, relative_difference
from bpnn.model.curvature import Curvature, hessp
from bpnn.model.units import HIDDEN_ACTIVATIONS, OUTPUT_COSTS
from bpnn.speed import RowBlocks
from bpnn.training.scipy import HESSP_METHODS, minimize

PAIRS = [(activation, output, cost) for activation in HIDDEN_ACTIVATIONS for output, cost in OUTPUT_COSTS]


def problem(sizes, seed=0, m=11):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((m, sizes[0])), one_hot(rng.integers(0, sizes[-1], m), sizes[-1])


@pytest.mark.parametrize("activation, output, cost", PAIRS)
@pytest.mark.parametrize("sizes", [(5, 7, 4), (6, 5, 4, 3)])
def test_hessian_vector_product_matches_central_differences_of_the_gradient(activation, output, cost, sizes):
    network = Network(sizes, activation, cost, output)
    X, Y = problem(sizes, seed=len(sizes))
    theta = network.init(1, "scaled-normal")
    for seed in (0, 1):
        difference, exact, numerical = check_hessian(network, theta, X, Y, 0.7, seed=seed)
        assert difference < 1e-7, (difference, seed)
        assert np.linalg.norm(exact) > 1e-3  # a real product, not zeros on both sides


@pytest.mark.parametrize("activation, output, cost", PAIRS)
def test_gauss_newton_is_symmetric_positive_semidefinite(activation, output, cost):
    sizes = (5, 6, 3)
    network = Network(sizes, activation, cost, output)
    X, Y = problem(sizes)
    theta = network.init(2, "normal")
    rng = np.random.default_rng(3)
    u, v = rng.standard_normal((2, network.n_params))
    Gu, Gv = (hessp(network, theta, w, X, Y, 0.5, gauss_newton=True) for w in (u, v))
    assert u @ Gv == pytest.approx(v @ Gu, rel=1e-10)
    assert v @ Gv >= 0 and u @ Gu >= 0
    Hu, Hv = (hessp(network, theta, w, X, Y, 0.5) for w in (u, v))
    assert u @ Hv == pytest.approx(v @ Hu, rel=1e-10)  # the exact Hessian is symmetric too


@pytest.mark.parametrize("output, cost", [("sigmoid", "cross-entropy"), ("softmax", "log-likelihood")])
def test_gauss_newton_equals_the_hessian_without_hidden_layers(output, cost):
    """With no hidden layer z is linear in θ and these costs are convex in z, so G = H exactly."""
    network = Network((6, 4), cost=cost, output=output)
    X, Y = problem(network.sizes)
    theta, v = network.init(0), np.random.default_rng(5).standard_normal(network.n_params)
    np.testing.assert_allclose(hessp(network, theta, v, X, Y, 1.0, gauss_newton=True),
                               hessp(network, theta, v, X, Y, 1.0), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("gauss_newton", [False, True])
def test_products_over_parallel_row_blocks_equal_one_block(gauss_newton):
    sizes = (6, 5, 4, 3)
    network = Network(sizes, "tanh", "log-likelihood", "softmax")
    X, Y = problem(sizes, m=101)
    w = np.random.default_rng(4).uniform(0.0, 2.0, 101)
    theta, v = network.init(0, "scaled-normal"), np.random.default_rng(5).standard_normal(network.n_params)
    one = hessp(network, theta, v, X, Y, 0.3, sample_weight=w, gauss_newton=gauss_newton)  # one block
    three = RowBlocks(3, least=20 * 12)
    assert len(three.split(101, 12, X.dtype)) == 3
    blocks = Curvature(network, theta, X, Y, 0.3, sample_weight=w, gauss_newton=gauss_newton, blocks=three).times(v)
    np.testing.assert_allclose(blocks, one, rtol=1e-12, atol=1e-15)
    exact = Curvature(network, theta, X, Y, 0.3, sample_weight=w, blocks=three)  # H·v over the blocks
    _, _, numerical = check_hessian(network, theta, X, Y, 0.3, sample_weight=w, v=v)
    assert relative_difference(exact.times(v), numerical) < 1e-7


@pytest.mark.parametrize("method", HESSP_METHODS)
def test_hessian_methods_train(digits, method):
    X, y = digits[0][:300], digits[1][:300]
    result = train(Network((X.shape[1], 10, int(y.max()) + 1)), X, y, method=method,
                   stopping=Stopping(max_iter=30, tol=0.0), seed=0)
    assert result.method == method and 0 < result.n_steps <= 30
    untrained = Network((400, 10, 10)).init(0)
    from bpnn import cost

    assert result.final_cost < 0.5 * cost(result.network, untrained, X, one_hot(y, 10), 1.0)


def test_hessp_is_required_exactly_where_it_is_used():
    from bpnn import BpnnError

    with pytest.raises(BpnnError, match="Newton-CG needs Hessian-vector products"):
        minimize(lambda t: (float(t @ t), 2 * t), np.ones(3), method="Newton-CG")
    with pytest.raises(BpnnError, match="TNC takes no Hessian-vector products"):
        minimize(lambda t: (float(t @ t), 2 * t), np.ones(3), method="TNC", hessp=lambda t, v: 2 * v)


def test_gradcheck_hessian_command(tmp_path):
    import subprocess
    import sys

    from tests.conftest import ROOT

    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "gradcheck.py"), "--hessian", "--activation", "relu",
                           "--cost", "log-likelihood", "--lambda", "1"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    value = float(done.stdout.strip().splitlines()[-1].split(":")[1])
    assert "Relative difference (H·v)" in done.stdout and value < 1e-7
