"""Training on a real dask.distributed LocalCluster when the data, the client or the cluster misbehave: every
fit either takes the in-process path (computed in the same test) or stops as on Ctrl-C with the best θ so
far and a stop reason that says why, and bad arguments get one BpnnError naming them."""

import asyncio
import os
import signal
import time

import numpy as np
import pytest

import bpnn.objective.sharded
from bpnn import (SGD, CurvatureProducts, MiniBatches, Network, Parallel, Status, Stopping, cost_and_grad, one_hot,
                  train, train_sgd)
from bpnn.errors import BpnnError, ClusterLostError
from bpnn.objective.sharded import ShardedObjective
from tests.support.compare import relative

distributed = pytest.importorskip("dask.distributed")

NETWORK = Network((5, 4, 3))  # the data's 5 features, 4 hidden units, their 3 classes


def sgd_options(epochs=3):
    """``epochs`` epochs of batches of 10 at η = 0.05 from seed 1; a fresh update rule for each run."""
    return dict(update=SGD(0.05), stopping=Stopping(max_iter=epochs, tol=0.0), batches=MiniBatches(size=10), seed=1)


def scipy_options(method, max_iter=6, curvature_rows=30):
    """``method`` for ``max_iter`` iterations (no cost rule) from seed 1, curvature from ``curvature_rows`` rows."""
    return lambda max_iter=max_iter: dict(method=method, stopping=Stopping(max_iter=max_iter, tol=0.0),
                                          curvature=CurvatureProducts(rows=curvature_rows), seed=1)


@pytest.fixture(scope="module")
def cluster():
    """Two worker processes: a worker can be killed without killing the test."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=50) as cluster:
        yield cluster


@pytest.fixture(scope="module")
def client(cluster):
    with distributed.Client(cluster) as client:
        yield client


@pytest.fixture(scope="module")
def thread_worker_cluster():
    """A cluster whose worker is a thread of this process: cheap to take away and bring back."""
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0",
                                  silence_logs=50) as cluster:
        yield cluster


@pytest.fixture
def threads_cluster(thread_worker_cluster):
    """That cluster with one worker again, whatever the last test did to it."""
    thread_worker_cluster.scale(1)
    thread_worker_cluster.wait_for_workers(1, timeout=30)
    return thread_worker_cluster


@pytest.fixture(scope="module")
def data():
    """120 rows, the first 60 (shard 0 of 2) of weight 0."""
    rng = np.random.default_rng(7)
    X = rng.standard_normal((120, 5))
    y = (X[:, :3].argmax(axis=1) + (X[:, 3] > 1)) % 3
    w = rng.uniform(0.5, 2.0, size=len(y))
    w[:60] = 0.0
    return X, y, w


def assert_same_fit(sharded, local):
    assert sharded.status is local.status and sharded.stop_reason == local.stop_reason
    assert sharded.n_steps == local.n_steps
    assert relative(sharded.theta, local.theta) < 1e-10
    assert sharded.final_cost == pytest.approx(local.final_cost, rel=1e-10)


def at_step(step, action):
    """A progress callback that runs ``action()`` once, after training step ``step``."""
    def progress(record):
        if record["step"] == step:
            action()
    return progress


FITS = [(train_sgd, sgd_options), (train, scipy_options("L-BFGS-B")), (train, scipy_options("trust-ncg")),
        (train, scipy_options("Newton-CG", curvature_rows=None))]  # options(): each run's own keywords
FIT_IDS = ["sgd", "L-BFGS-B", "trust-ncg-sampled", "Newton-CG-all-rows"]


@pytest.mark.parametrize("fit, options", FITS, ids=FIT_IDS)
def test_a_shard_of_zero_weight_trains_as_in_process(client, data, fit, options):
    # shard 0's rows in a mini-batch (or an all-row curvature product) have weight 0 only
    X, y, w = data
    local = fit(NETWORK, X, y, sample_weight=w, **options())
    sharded = fit(NETWORK, X, y, sample_weight=w, parallel=Parallel(client=client, n_shards=2), **options())
    assert_same_fit(sharded, local)
    if fit is train_sgd:
        np.testing.assert_allclose(sharded.history["training_accuracy"], local.history["training_accuracy"],
                                   rtol=1e-12)


def kill_the_workers(cluster, client):
    """Kills every worker process (SIGKILL: no chance to hand a shard on; Dask may have copied a shard to
    any worker) and waits until the scheduler has dropped them. Their nannies start fresh ones, empty."""
    killed = set(client.scheduler_info()["workers"])
    for nanny in cluster.workers.values():
        os.kill(nanny.pid, signal.SIGKILL)
    wait_until(lambda: not killed & set(client.scheduler_info()["workers"]), "the scheduler kept a killed worker")


def wait_until(condition, failure, timeout=30.0):
    """Polls ``condition()`` until it holds; fails with ``failure`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, failure
        time.sleep(0.02)


def wait_for_fresh_workers(client):
    """After ``kill_the_workers``: the next test starts with two workers again."""
    wait_until(lambda: len(client.scheduler_info()["workers"]) == 2, "no fresh workers after 30 s")


@pytest.mark.parametrize("fit, options", FITS[:3], ids=FIT_IDS[:3])
def test_workers_killed_mid_fit_change_nothing(cluster, client, data, monkeypatch, fit, options):
    X, y, w = data
    resends = []
    resend = ShardedObjective._resend
    monkeypatch.setattr(ShardedObjective, "_resend", lambda self: resends.append(1) or resend(self))
    local = fit(NETWORK, X, y, sample_weight=w, **options())
    sharded = fit(NETWORK, X, y, sample_weight=w, parallel=Parallel(client=client, n_shards=3),
                  progress=at_step(2, lambda: kill_the_workers(cluster, client)), **options())
    wait_for_fresh_workers(client)
    assert resends  # the lost shards were sent again
    assert_same_fit(sharded, local)


def lost_cluster_cases():
    """(fit, its options, the options of the in-process fit stopped where the cluster is lost, where)."""
    scipy = scipy_options("L-BFGS-B")
    return pytest.mark.parametrize("fit, options, local_options, where", [
        (train_sgd, sgd_options, lambda: sgd_options(epochs=1), " in epoch 2"),
        (train, scipy, lambda: scipy(max_iter=1), "")], ids=FIT_IDS[:2])


@lost_cluster_cases()
def test_a_cluster_left_without_workers_stops_training_with_the_best_theta(threads_cluster, data, monkeypatch, fit,
                                                                          options, local_options, where):
    X, y, w = data
    monkeypatch.setattr(bpnn.objective.sharded, "WORKER_TIMEOUT", 0.5)
    local = fit(NETWORK, X, y, sample_weight=w, **local_options())
    with distributed.Client(threads_cluster) as client:
        sharded = fit(NETWORK, X, y, sample_weight=w, parallel=Parallel(client=client),
                      progress=at_step(1, lambda: threads_cluster.scale(0)), **options())
    assert_stopped_like(sharded, local, f"interrupted (the Dask cluster has had no workers for 0.5 s){where}")


@lost_cluster_cases()
def test_a_client_closed_mid_fit_stops_training_with_the_best_theta(cluster, data, fit, options, local_options,
                                                                    where):
    X, y, w = data
    local = fit(NETWORK, X, y, sample_weight=w, **local_options())
    with distributed.Client(cluster) as client:
        sharded = fit(NETWORK, X, y, sample_weight=w, parallel=Parallel(client=client),
                      progress=at_step(1, client.close), **options())
    assert_stopped_like(sharded, local, f"interrupted (the Dask client is closed){where}")


def assert_stopped_like(sharded, local, stop_reason):
    """``sharded`` stopped for ``stop_reason`` where ``local`` ran out of budget, with the same θ and cost."""
    assert sharded.interrupted and sharded.status is Status.INTERRUPTED and sharded.stop_reason == stop_reason
    assert relative(sharded.theta, local.theta) < 1e-10
    assert sharded.final_cost == pytest.approx(local.final_cost, rel=1e-10)


@pytest.mark.parametrize("fit, options", FITS[:2], ids=FIT_IDS[:2])
def test_ctrl_c_on_a_cluster_stops_as_in_process(client, data, fit, options):
    X, y, w = data

    def interrupt():
        raise KeyboardInterrupt

    local = fit(NETWORK, X, y, sample_weight=w, progress=at_step(2, interrupt), **options())
    sharded = fit(NETWORK, X, y, sample_weight=w, parallel=Parallel(client=client), progress=at_step(2, interrupt),
                  **options())
    assert sharded.interrupted and sharded.status is Status.INTERRUPTED
    assert sharded.stop_reason.startswith("interrupted (Ctrl-C)")
    assert_same_fit(sharded, local)


@lost_cluster_cases()
def test_a_task_failing_on_a_worker_stops_training_with_the_best_theta(threads_cluster, data, monkeypatch, fit,
                                                                        options, local_options, where):
    X, y, w = data
    local = fit(NETWORK, X, y, sample_weight=w, **local_options())

    def fail(*args, **kwargs):
        raise MemoryError("no room")

    with distributed.Client(threads_cluster) as client:  # the worker thread runs this process's bpnn.objective.sharded
        sharded = fit(NETWORK, X, y, sample_weight=w, parallel=Parallel(client=client, n_shards=2), progress=at_step(
            1, lambda: monkeypatch.setattr(bpnn.objective.sharded, "cost_and_grad", fail)), **options())
    assert_stopped_like(sharded, local, f"interrupted (a task failed on a Dask worker: MemoryError: no room){where}")


def test_a_scheduler_address_is_connected_to_and_the_connection_closed(cluster, data, monkeypatch):
    X, y, w = data
    connected = []

    class Client(distributed.Client):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            connected.append(self)

    monkeypatch.setattr("distributed.Client", Client)  # where bpnn.objective.sharded finds it
    options = scipy_options("L-BFGS-B")
    local = train(NETWORK, X, y, sample_weight=w, **options())
    sharded = train(NETWORK, X, y, sample_weight=w, parallel=Parallel(client=cluster.scheduler_address), **options())
    assert_same_fit(sharded, local)
    assert [client.status for client in connected] == ["closed"]


@pytest.mark.parametrize("fit", [train, train_sgd])
def test_bad_clients_and_shard_counts_are_named(cluster, client, data, fit):
    X, y, _ = data
    network = Network((5, 3, 3))
    options = dict(stopping=Stopping(max_iter=1, tol=0.0) if fit is train_sgd else Stopping(max_iter=1))
    closed = distributed.Client(cluster)
    closed.close()
    for bad in (3, [client], closed, "not an address"):
        with pytest.raises(BpnnError, match="client"):
            fit(network, X, y, parallel=Parallel(client=bad), **options)
    for bad in (True, 0, -2, 2.5, "2", len(X) + 1):  # refused when the Parallel is made, or (len(X) + 1) by fit
        with pytest.raises(BpnnError, match="n_shards"):
            fit(network, X, y, parallel=Parallel(client=client, n_shards=bad), **options)

    async def with_an_asynchronous_client():
        async with distributed.Client(cluster.scheduler_address, asynchronous=True) as asynchronous:
            with pytest.raises(BpnnError, match="client: an asynchronous Dask client"):
                fit(network, X, y, parallel=Parallel(client=asynchronous), **options)

    asyncio.run(with_an_asynchronous_client())
    with pytest.raises(BpnnError, match="n_shards"):
        fit(network, X, y, parallel=Parallel(n_shards=2), **options)  # no client to hold them


def test_a_cluster_without_workers_is_refused_at_once(threads_cluster, data):
    X, y, _ = data
    threads_cluster.scale(0)
    with distributed.Client(threads_cluster) as client:
        wait_until(lambda: not client.scheduler_info()["workers"], "a worker stayed")
        with pytest.raises(BpnnError, match="client: the Dask cluster has no workers"):
            train(Network((5, 3, 3)), X, y, stopping=Stopping(max_iter=1), parallel=Parallel(client=client))


def test_shards_made_by_tasks_come_back_after_the_workers_die(cluster, client, data):
    # the README's way for data too large for the client: each worker loads its shard by a task
    X, y, w = data
    network, Y = Network((5, 4, 3)), one_hot(y, 3)
    theta = network.init(2)
    parts = [(0, 60), (60, 120)]
    shards = [client.submit(lambda a, b: (X[a:b], Y[a:b], w[a:b]), a, b) for a, b in parts]
    with ShardedObjective(client, network, shards, 0.5) as objective:
        kill_the_workers(cluster, client)
        J, grad = objective(theta)
    wait_for_fresh_workers(client)
    J_local, grad_local = cost_and_grad(network, theta, X, Y, 0.5, sample_weight=w)
    assert J == pytest.approx(J_local, rel=1e-12)
    assert relative(grad, grad_local) < 1e-12
    scattered = client.scatter([(X, Y, w)], hash=False)  # scattered by the caller: Dask cannot make it again
    with ShardedObjective(client, network, scattered, 0.5) as objective:
        kill_the_workers(cluster, client)
        with pytest.raises(ClusterLostError, match="lost shard 0, a future Dask cannot compute again"):
            objective(theta)
    wait_for_fresh_workers(client)
