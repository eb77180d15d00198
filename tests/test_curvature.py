"""Sampled curvature products for Newton-CG, trust-ncg and trust-krylov (bpnn.training.curvature): which rows
they use, that each product is the curvature of the sampled cost with λ stated for the whole training set
(against central differences of its gradient), and that training through them stays a descent."""

import numpy as np
import pytest

import bpnn.training.setup as training_setup
from bpnn import BpnnError, Network, cost, cost_and_grad, one_hot, train
from bpnn.training.curvature import CurvatureSample


def test_rows_are_a_fresh_sorted_sample_at_each_theta():
    rng = np.random.default_rng(0)
    sample = CurvatureSample(100, 30, rng)
    theta = np.zeros(4)
    rows = sample.rows_at(theta)
    assert len(rows) == 30 == len(np.unique(rows)) and np.all(np.diff(rows) > 0) and 0 <= rows[0] and rows[-1] < 100
    assert np.array_equal(sample.rows_at(theta.copy()), rows)  # the same θ: the same matrix for one inner solve
    assert not np.array_equal(sample.rows_at(theta + 1e-9), rows)
    weights = np.r_[np.zeros(60), np.ones(40)]
    assert np.all(CurvatureSample(100, 30, rng, weights).rows_at(theta) >= 60)  # rows of weight 0 add nothing


@pytest.mark.parametrize("m, rows, weights", [(100, None, None), (100, 100, None), (100, 500, None),
                                              (100, 40, np.r_[np.zeros(70), np.ones(30)])])
def test_every_row_when_there_are_no_more_than_the_sample(m, rows, weights):
    assert CurvatureSample(m, rows, np.random.default_rng(0), weights).rows_at(np.zeros(3)) is None


@pytest.mark.parametrize("rows", [0, -5, 2.5, "many", True])
def test_bad_sample_sizes_are_named(rows):
    with pytest.raises(BpnnError, match="curvature rows must be an integer ≥ 1"):
        CurvatureSample(10, rows, np.random.default_rng(0))
    with pytest.raises(BpnnError, match="curvature rows"):
        train(np.ones((10, 2)), np.arange(10) % 2, method="Newton-CG", curvature_rows=rows)


@pytest.fixture
def data():
    rng = np.random.default_rng(7)
    X = rng.standard_normal((240, 6))
    y = (X[:, :3].argmax(axis=1) + (X[:, 4] > 0.5)) % 3
    return X, y


@pytest.mark.parametrize("weighted", [False, True])
def test_each_product_is_the_curvature_of_the_sampled_cost(monkeypatch, data, weighted):
    """Every product train asks for uses 50 rows, the same ones at one θ; it equals central differences of
    the gradient of those rows' cost with λ stated for all 240 examples (Σw with weights)."""
    X, y = data
    w = np.random.default_rng(1).uniform(0.5, 2.0, len(y)) if weighted else None
    calls = []

    class Spy(training_setup.Curvature):
        def __init__(self, network, theta, X_s, Y_s, lam, **options):
            super().__init__(network, theta, X_s, Y_s, lam, **options)
            self.recorded = network, np.array(theta), X_s, Y_s, options.get("sample_weight")

        def times(self, v):
            product = super().times(v)
            network, theta, X_s, Y_s, w_s = self.recorded
            calls.append((network, theta, np.array(v), X_s, Y_s, w_s, product))
            return product

    monkeypatch.setattr(training_setup, "Curvature", Spy)
    train(X, y, hidden=(5,), lam=0.8, method="trust-ncg", curvature="exact", curvature_rows=50, max_iter=4, tol=0.0,
          sample_weight=w, seed=3)
    assert calls and all(len(X_s) == 50 for _, _, _, X_s, *_ in calls)
    thetas = [theta for _, theta, *_ in calls]
    for (_, theta_a, _, X_a, *_), (_, theta_b, _, X_b, *_) in zip(calls, calls[1:]):
        assert np.array_equal(X_a, X_b) == np.array_equal(theta_a, theta_b)
    assert len({theta.tobytes() for theta in thetas}) > 1
    n = len(y) if w is None else w.sum()
    network, theta, v, X_s, Y_s, w_s, product = calls[-1]
    eps = 1e-5
    plus, minus = (cost_and_grad(network, theta + s * eps * v, X_s, Y_s, 0.8, train_size=n, sample_weight=w_s)[1]
                   for s in (1, -1))
    numerical = (plus - minus) / (2 * eps)
    assert np.linalg.norm(product - numerical) / np.linalg.norm(product + numerical) < 1e-7


def test_sampled_curvature_trains_and_every_row_is_the_exact_path(data):
    X, y = data
    options = dict(hidden=(5,), lam=0.8, max_iter=15, tol=0.0, seed=3)
    every = train(X, y, method="Newton-CG", curvature_rows=None, **options)
    assert np.array_equal(train(X, y, method="Newton-CG", curvature_rows=len(y), **options).theta, every.theta)
    sampled = train(X, y, method="Newton-CG", curvature_rows=60, **options)
    again = train(X, y, method="Newton-CG", curvature_rows=60, **options)
    assert np.array_equal(sampled.theta, again.theta)  # seeded
    assert not np.array_equal(sampled.theta, every.theta)
    network = Network((6, 5, 3))
    start = cost(network, network.init(3), X, one_hot(y, 3), 0.8)
    assert sampled.final_cost < 0.6 * start
    assert sampled.final_cost < 1.2 * every.final_cost


def test_products_at_one_theta_share_one_forward_pass(monkeypatch, data):
    """LocalObjective.hessp builds the curvature (forward pass) once per θ, rows and kind, and every product
    equals a fresh bpnn.hessian.hessp; θ changed in place by the caller afterwards is seen as a new θ."""
    from bpnn.hessian import hessp

    X, y = data
    problem = training_setup.prepare(X, y, hidden=(5,), activation="sigmoid", cost="cross-entropy", output=None,
                                     lam=0.8, init="uniform", seed=3)
    objective, network = training_setup.LocalObjective(problem), problem.network
    built, real = [], training_setup.Curvature
    monkeypatch.setattr(training_setup, "Curvature",
                        lambda *args, **options: built.append(options) or real(*args, **options))
    theta, rows = problem.theta0.copy(), np.arange(10, 200, 3)
    vs = np.random.default_rng(4).standard_normal((4, network.n_params))

    def fresh(v, rows=None, gauss_newton=True):
        Xs, Ys = (problem.X, problem.Y) if rows is None else (problem.X[rows], problem.Y[rows])
        return hessp(network, theta, v, Xs, Ys, 0.8, train_size=len(y), gauss_newton=gauss_newton)

    for v in vs:
        assert np.array_equal(objective.hessp(theta, v, rows=rows), fresh(v, rows))
    assert len(built) == 1
    assert np.array_equal(objective.hessp(theta, vs[0]), fresh(vs[0]))  # every row: new curvature
    assert np.array_equal(objective.hessp(theta, vs[0], gauss_newton=False), fresh(vs[0], gauss_newton=False))
    assert len(built) == 3
    theta += 0.1  # in place, as an optimizer may
    assert np.array_equal(objective.hessp(theta, vs[1]), fresh(vs[1]))
    assert len(built) == 4



def test_a_worker_keeps_each_shards_curvature(monkeypatch, data):
    """On a Dask worker (here the task function called in-process), a shard's products at one θ, rows and
    kind share one curvature, each equal to a fresh hessp normalized by the shard's own weight; at most
    _CACHED_SHARDS shards are kept, the least recently used dropped first."""
    from bpnn import sharded
    from bpnn.hessian import hessp

    X, y = data
    network = Network((X.shape[1], 5, 3))
    Y, w = one_hot(y, 3), np.random.default_rng(6).uniform(0.0, 2.0, len(y))
    shard, theta, rows = (X, Y, w), network.init(2), np.arange(5, 150, 4)
    vs = np.random.default_rng(7).standard_normal((3, network.n_params))
    built, real = [], sharded.Curvature
    monkeypatch.setattr(sharded, "Curvature",
                        lambda *args, **options: built.append(options) or real(*args, **options))
    monkeypatch.setattr(sharded, "_CURVATURES", {})
    monkeypatch.setattr(sharded, "_CACHED_SHARDS", 2)
    for v in vs:
        product, size = sharded._shard_hessp(shard, network, theta, v, "a", True, rows)
        assert np.array_equal(product, hessp(network, theta, v, X[rows], Y[rows], sample_weight=w[rows],
                                             gauss_newton=True))
        assert size == pytest.approx(w[rows].sum())
    assert len(built) == 1
    sharded._shard_hessp(shard, network, theta, vs[0], "b", True, rows)  # another shard: its own curvature
    sharded._shard_hessp(shard, network, theta, vs[0], "a", True, rows)
    assert len(built) == 2
    sharded._shard_hessp(shard, network, theta, vs[0], "c", True, rows)  # drops b, the least recently used
    assert list(sharded._CURVATURES) == ["a", "c"]
    theta += 0.1  # in place
    product, _ = sharded._shard_hessp(shard, network, theta, vs[0], "a", False)
    assert np.array_equal(product, hessp(network, theta, vs[0], X, Y, sample_weight=w))
    assert len(built) == 4
