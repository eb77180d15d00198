import numpy as np
import pytest

from bpnn import BpnnError, Network, cost_and_grad, one_hot, threads
from bpnn.params import init_weights


@pytest.fixture
def fixed_threads():
    yield threads.set_num_threads
    threads.set_num_threads(None)


def test_row_blocks_cover_every_row_once(fixed_threads, monkeypatch):
    monkeypatch.setitem(threads.MIN_ACTIVATIONS_PER_BLOCK, "float64", 100)
    monkeypatch.setitem(threads.MIN_ACTIVATIONS_PER_BLOCK, "float32", 400)
    fixed_threads(3)
    blocks = threads.row_blocks(35, units=10)
    assert len(blocks) == 3
    assert np.array_equal(np.concatenate([np.arange(35)[b] for b in blocks]), np.arange(35))
    assert len(threads.row_blocks(25, units=10)) == 2  # each block keeps at least 100 activations
    assert len(threads.row_blocks(9, units=10)) == 1
    assert len(threads.row_blocks(35, units=10, dtype=np.float32)) == 1  # float32 needs 400 per block
    fixed_threads(1)
    assert threads.row_blocks(10_000, units=10) == [slice(0, 10_000)]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_parallel_blocks_give_the_same_cost_and_gradient(fixed_threads, monkeypatch, dtype):
    monkeypatch.setitem(threads.MIN_ACTIVATIONS_PER_BLOCK, np.dtype(dtype).name, 50 * 24)
    rng = np.random.default_rng(0)
    sizes = [30, 12, 7, 5]
    X, Y = rng.random((301, 30)).astype(dtype), one_hot(rng.integers(0, 5, 301), 5, dtype)
    theta = init_weights(sizes, 1)
    fixed_threads(1)
    J1, g1 = cost_and_grad(Network(sizes), theta, X, Y, 2.0)
    fixed_threads(4)
    assert len(threads.row_blocks(301, units=24, dtype=dtype)) == 4
    J4, g4 = cost_and_grad(Network(sizes), theta, X, Y, 2.0)
    tol = 1e-13 if dtype == np.float64 else 1e-6
    assert J4 == pytest.approx(J1, rel=tol)
    np.testing.assert_allclose(g4, g1, rtol=100 * tol, atol=1e-16 if dtype == np.float64 else 1e-8)


def test_limit_blas_restores_and_a_single_block_gets_every_thread(fixed_threads):
    from threadpoolctl import threadpool_info, threadpool_limits

    def blas_threads():
        return {lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"}

    with threadpool_limits(2, user_api="blas"):
        with threads.limit_blas(1):
            assert blas_threads() == {1}
            fixed_threads(2)  # the budget an optimizer keeps while it holds BLAS at one thread
            assert threads.map_blocks(lambda x: (x, blas_threads()), [7]) == [(7, {2})]
            assert threads.map_blocks(lambda x: blas_threads(), [1, 2]) == [{1}, {1}]
            assert blas_threads() == {1}
        assert blas_threads() == {2}
        with threads.limit_blas(None):
            assert blas_threads() == {2}


def test_thread_count_follows_blas_unless_set(fixed_threads, monkeypatch):
    from threadpoolctl import threadpool_limits

    monkeypatch.delenv("BPNN_NUM_THREADS", raising=False)
    with threadpool_limits(1, user_api="blas"):
        assert threads.get_num_threads() == 1
    monkeypatch.setenv("BPNN_NUM_THREADS", "3")
    assert threads.get_num_threads() == 3
    fixed_threads(2)
    assert threads.get_num_threads() == 2
    with pytest.raises(BpnnError, match="positive integer"):
        fixed_threads(0)
    fixed_threads(None)
    monkeypatch.setenv("BPNN_NUM_THREADS", "many")
    with pytest.raises(BpnnError, match="BPNN_NUM_THREADS"):
        threads.get_num_threads()


@pytest.mark.parametrize("method, blas_threads, expected", [("L-BFGS-B", "auto", 1), ("CG", "auto", 1),
                                                           ("Newton-CG", "auto", 1), ("trust-ncg", "auto", 1),
                                                           ("trust-krylov", "auto", 1),
                                                           ("TNC", "auto", None), ("BFGS", "auto", None),
                                                           ("L-BFGS-B", 2, 2), ("TNC", 1, 1)])
def test_blas_threads_per_method(fixed_threads, method, blas_threads, expected):
    from threadpoolctl import threadpool_info, threadpool_limits

    from bpnn.hessian import hessp
    from bpnn.training.scipy import HESSP_METHODS, minimize

    sizes = [3, 4, 2]
    X, Y = np.random.default_rng(0).random((20, 3)), one_hot(np.arange(20) % 2, 2)
    seen = []

    def objective(theta):
        seen.append(({lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"},
                     threads.get_num_threads()))
        return cost_and_grad(Network(sizes), theta, X, Y, 0.1)

    with threadpool_limits(2, user_api="blas"):
        products = (lambda theta, v: hessp(Network(sizes), theta, v, X, Y, 0.1)) if method in HESSP_METHODS else None
        minimize(objective, init_weights(sizes, 0), method=method, max_iter=2, blas_threads=blas_threads,
                 hessp=products)
    blas, budget = seen[0]
    assert blas == {expected if expected is not None else 2}
    assert budget == 2  # row blocks keep the budget the process had before BLAS was limited
