"""The data-parallel objective on a real dask.distributed LocalCluster (two worker processes, no network):
its sums against the in-process functions, and training through it against training in-process."""

import joblib
import numpy as np
import pytest

from bpnn import (BPNNClassifier, CurvatureProducts, MiniBatches, Network, Parallel, Stopping, cost_and_grad, one_hot,
                  train, train_sgd)
from bpnn.errors import BpnnError
from bpnn.model.curvature import hessp
from bpnn.objective.sharded import ShardedObjective
from bpnn.search import grid_search
from bpnn.training.updates import make_update
from tests.support.compare import relative

distributed = pytest.importorskip("dask.distributed")


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=40) as cluster, distributed.Client(cluster) as client:
        yield client


@pytest.fixture(scope="module")
def problem():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((301, 7))
    y = (X[:, :3].argmax(axis=1) + (X[:, 3] > 1)) % 3
    w = rng.uniform(0.0, 2.0, size=len(y))
    w[:20] = 0.0
    return X, y, w


@pytest.mark.parametrize("n_shards", [None, 1, 3])
@pytest.mark.parametrize("weighted", [False, True])
def test_cost_gradient_and_curvature_equal_in_process(client, problem, n_shards, weighted):
    X, y, w = problem
    w = w if weighted else None
    network = Network((7, 5, 3), "tanh", "log-likelihood")
    theta, v = network.init(1, "normal"), np.random.default_rng(2).standard_normal(network.n_params)
    Y = one_hot(y, 3)
    with ShardedObjective.scatter(client, network, X, Y, 0.7, sample_weight=w, n_shards=n_shards) as objective:
        assert len(objective.shards) == (n_shards or 2)
        J, grad = objective(theta)
        J_local, grad_local = cost_and_grad(network, theta, X, Y, 0.7, sample_weight=w)
        assert J == pytest.approx(J_local, rel=1e-12)
        assert relative(grad, grad_local) < 1e-12
        for gauss_newton in (True, False):
            local = hessp(network, theta, v, X, Y, 0.7, sample_weight=w, gauss_newton=gauss_newton)
            assert relative(objective.hessp(theta, v, gauss_newton=gauss_newton), local) < 1e-12
        rows = np.random.default_rng(4).permutation(len(y))[:40]  # a mini-batch across the shards
        J_batch, grad_batch = objective.batch(theta, rows)
        size = len(y) if w is None else w.sum()
        w_rows = None if w is None else w[rows]
        J_local, grad_local = cost_and_grad(network, theta, X[rows], Y[rows], 0.7, train_size=size,
                                            sample_weight=w_rows)
        assert J_batch == pytest.approx(J_local, rel=1e-12)
        assert relative(grad_batch, grad_local) < 1e-12
        rows = np.sort(rows[w_rows != 0]) if weighted else np.sort(rows)  # a curvature sample (bpnn.objective.sampling)
        local = hessp(network, theta, v, X[rows], Y[rows], 0.7, train_size=size,
                      sample_weight=None if w is None else w[rows], gauss_newton=True)
        assert relative(objective.hessp(theta, v, rows=rows), local) < 1e-12
    with pytest.raises(BpnnError, match="closed"):
        objective(theta)


@pytest.mark.parametrize("method, n_shards, tolerance", [
    ("TNC", 1, 0.0),  # one shard: the very same sums, so the very same path
    ("TNC", 3, 1e-4),  # TNC's finite-difference Hessian products divide rounding by their step: amplified
    ("L-BFGS-B", 3, 1e-10),
    ("trust-ncg", 3, 1e-10),
    ("Newton-CG", 2, 1e-10),
])
def test_scipy_training_takes_the_in_process_path(client, problem, method, n_shards, tolerance):
    X, y, w = problem
    options = dict(lam=0.5, method=method, stopping=Stopping(max_iter=8, tol=0.0), sample_weight=w, seed=5,
                   curvature=CurvatureProducts(rows=100))  # the curvature methods: products over the same 100 rows
    network = Network((X.shape[1], 6, int(y.max()) + 1))
    local = train(network, X, y, **options)
    sharded = train(network, X, y, parallel=Parallel(client=client, n_shards=n_shards), **options)
    assert sharded.n_steps == local.n_steps == 8
    assert sharded.n_evaluations == local.n_evaluations
    assert relative(sharded.theta, local.theta) <= tolerance
    assert sharded.final_cost == pytest.approx(local.final_cost, rel=max(tolerance, 1e-12))


@pytest.mark.parametrize("monitor_training", [True, False])
def test_minibatch_training_samples_the_same_rows(client, problem, monitor_training):
    X, y, w = problem
    network = Network((X.shape[1], 6, int(y.max()) + 1), "relu", "log-likelihood")
    options = dict(lam=0.5, stopping=Stopping(max_iter=3, tol=0.0), sample_weight=w, seed=5,
                   batches=MiniBatches(size=32, monitor_training=monitor_training))
    local = train_sgd(network, X, y, update=make_update("adam", 0.01), **options)  # each run its own Adam state
    sharded = train_sgd(network, X, y, update=make_update("adam", 0.01), parallel=Parallel(client=client), **options)
    assert sharded.n_evaluations == local.n_evaluations
    assert relative(sharded.theta, local.theta) < 1e-12
    for key in ("training_cost", "training_accuracy"):
        assert np.allclose(np.array(sharded.history[key], dtype=float), np.array(local.history[key], dtype=float),
                           rtol=1e-12, atol=0, equal_nan=True)


def test_shards_made_on_the_workers(client, problem):
    X, y, w = problem
    network, Y = Network((7, 4, 3)), one_hot(y, 3)
    theta = network.init(0)
    parts = [(0, 100), (100, 301)]
    shards = [client.submit(lambda a, b: (X[a:b], Y[a:b], w[a:b]), a, b) for a, b in parts]
    with ShardedObjective(client, network, shards, 2.0) as objective:
        J, grad = objective(theta)
    J_local, grad_local = cost_and_grad(network, theta, X, Y, 2.0, sample_weight=w)
    assert J == pytest.approx(J_local, rel=1e-12)
    assert relative(grad, grad_local) < 1e-12
    bad = client.submit(lambda: (X[:5], Y[:4], None))
    with pytest.raises(BpnnError, match="differ in length"):
        ShardedObjective(client, network, [bad])


def test_bad_requests_are_named(client, problem):
    X, y, _ = problem
    network, Y = Network((7, 4, 3)), one_hot(y, 3)
    with pytest.raises(BpnnError, match="n_shards"):
        ShardedObjective.scatter(client, network, X, Y, n_shards=0)
    with pytest.raises(BpnnError, match="dropout"):
        train_sgd(Network((X.shape[1], 4, int(y.max()) + 1)), X, y, stopping=Stopping(max_iter=1, tol=0.0),
                  batches=MiniBatches(dropout=0.5), parallel=Parallel(client=client))


def test_grid_search_on_the_dask_backend_equals_local_processes(client, problem):
    X, y, _ = problem
    grid = [("hidden_layer_sizes", [3, 6]), ("alpha", [0.1, 1.0])]
    estimator = BPNNClassifier(random_state=0)
    local = grid_search(X, y, grid, estimator=estimator, cv=2, n_jobs=1)
    with joblib.parallel_backend("dask"):
        remote = grid_search(X, y, grid, estimator=estimator, cv=2)
    np.testing.assert_allclose(remote.mean, local.mean, rtol=0, atol=1e-12)
    np.testing.assert_allclose(remote.std, local.std, rtol=0, atol=1e-12)
