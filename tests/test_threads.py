import numpy as np
import pytest

import bpnn.objective.local as local_objective
from bpnn import BpnnError, Network, Stopping, cost_and_grad, one_hot, speed
from bpnn.model.params import init_weights
from bpnn.speed import RowBlocks, default_threads, limit_blas


def blas_counts():
    """The thread counts of the BLAS libraries loaded, as a set."""
    from threadpoolctl import threadpool_info

    return {lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"}


def test_row_blocks_cover_every_row_once(monkeypatch):
    monkeypatch.setitem(speed.MIN_ACTIVATIONS_PER_BLOCK, "float64", 100)
    monkeypatch.setitem(speed.MIN_ACTIVATIONS_PER_BLOCK, "float32", 400)
    three = RowBlocks(3)
    blocks = three.split(35, 10, np.float64)
    assert len(blocks) == 3
    assert np.array_equal(np.concatenate([np.arange(35)[b] for b in blocks]), np.arange(35))
    assert len(three.split(25, 10, np.float64)) == 2  # each block keeps at least 100 activations
    assert len(three.split(9, 10, np.float64)) == 1
    assert len(three.split(35, 10, np.float32)) == 1  # float32 needs 400 per block
    assert RowBlocks(1).split(10_000, 10, np.float64) == [slice(0, 10_000)]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_parallel_blocks_give_the_same_cost_and_gradient(monkeypatch, dtype):
    monkeypatch.setitem(speed.MIN_ACTIVATIONS_PER_BLOCK, np.dtype(dtype).name, 50 * 24)
    rng = np.random.default_rng(0)
    sizes = [30, 12, 7, 5]
    X, Y = rng.random((301, 30)).astype(dtype), one_hot(rng.integers(0, 5, 301), 5, dtype)
    theta = init_weights(sizes, 1)
    J1, g1 = cost_and_grad(Network(sizes), theta, X, Y, 2.0)  # the default: one block
    four = RowBlocks(4)
    assert len(four.split(301, 24, dtype)) == 4
    J4, g4 = cost_and_grad(Network(sizes), theta, X, Y, 2.0, blocks=four)
    tol = 1e-13 if dtype == np.float64 else 1e-6
    assert J4 == pytest.approx(J1, rel=tol)
    np.testing.assert_allclose(g4, g1, rtol=100 * tol, atol=1e-16 if dtype == np.float64 else 1e-8)


def test_limit_blas_restores_and_a_single_block_gets_every_thread():
    from threadpoolctl import threadpool_limits

    with threadpool_limits(2, user_api="blas"):
        with limit_blas(1):
            assert blas_counts() == {1}
            blocks = RowBlocks(2)  # the thread count an objective keeps while an optimizer holds BLAS at one thread
            assert blocks.map(lambda x: (x, blas_counts()), [7]) == [(7, {2})]
            assert blocks.map(lambda x: blas_counts(), [1, 2]) == [{1}, {1}]
            assert blas_counts() == {1}
        assert blas_counts() == {2}
        with limit_blas(None):
            assert blas_counts() == {2}


def test_thread_count_follows_blas_unless_set(monkeypatch):
    from threadpoolctl import threadpool_limits

    monkeypatch.delenv("BPNN_NUM_THREADS", raising=False)
    monkeypatch.setitem(speed.MIN_ACTIVATIONS_PER_BLOCK, "float64", 10)
    following = RowBlocks()
    with threadpool_limits(1, user_api="blas"):
        assert default_threads() == 1
        assert len(following.split(1000, 10, np.float64)) == 1
    monkeypatch.setenv("BPNN_NUM_THREADS", "3")
    assert default_threads() == 3
    assert len(following.split(1000, 10, np.float64)) == 3  # followed at each call
    assert len(RowBlocks(2).split(1000, 10, np.float64)) == 2  # a count given is kept
    with pytest.raises(BpnnError, match="threads must be an integer ≥ 1"):
        RowBlocks(0)
    monkeypatch.setenv("BPNN_NUM_THREADS", "many")
    with pytest.raises(BpnnError, match="BPNN_NUM_THREADS"):
        default_threads()


@pytest.mark.parametrize("method, blas_threads, expected", [("L-BFGS-B", "auto", 1), ("CG", "auto", 1),
                                                           ("Newton-CG", "auto", 1), ("trust-ncg", "auto", 1),
                                                           ("trust-krylov", "auto", 1),
                                                           ("TNC", "auto", None), ("BFGS", "auto", None),
                                                           ("L-BFGS-B", 2, 2), ("TNC", 1, 1)])
def test_blas_threads_per_method(monkeypatch, method, blas_threads, expected):
    """minimize holds BLAS at the method's threads while the LocalObjective, made before, keeps the thread count
    it saw when made: its row blocks use it, and a single block runs with BLAS at that many threads."""
    from threadpoolctl import threadpool_limits

    from bpnn.training.scipy import HESSP_METHODS, minimize

    monkeypatch.delenv("BPNN_NUM_THREADS", raising=False)
    network = Network([3, 4, 2])
    X, Y = np.random.default_rng(0).random((20, 3)), one_hot(np.arange(20) % 2, 2)
    seen, real = [], local_objective.batch_cost_and_grad

    def recording(*args, blocks, **options):
        seen.append((blas_counts(), blocks.threads, blocks.map(lambda _: blas_counts(), [None])[0]))
        return real(*args, blocks=blocks, **options)

    monkeypatch.setattr(local_objective, "batch_cost_and_grad", recording)
    with threadpool_limits(2, user_api="blas"):
        objective = local_objective.LocalObjective(network, X, Y, 0.1)
        products = objective.hessp if method in HESSP_METHODS else None
        minimize(objective, init_weights(network.sizes, 0), method=method, stopping=Stopping(max_iter=2),
                 blas_threads=blas_threads, hessp=products)
    blas, budget, single_block = seen[0]
    assert blas == {expected if expected is not None else 2}
    assert budget == 2  # row blocks keep the threads the process had before BLAS was limited
    assert single_block == {2}
