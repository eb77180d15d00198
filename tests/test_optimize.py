import numpy as np
import pytest

from bpnn import BpnnError, METHODS, accuracy, cost_and_grad, init_weights, minimize, one_hot, train


@pytest.fixture(scope="module")
def problem(digits):
    X, y = digits
    X, y = X[:400], y[:400]
    sizes = [400, 12, 10]
    Y = one_hot(y, 10)
    return sizes, X, y, lambda theta: cost_and_grad(theta, sizes, X, Y, 1.0)


def counting(objective):
    calls = []

    def wrapped(theta):
        J, grad = objective(theta)
        calls.append((J, theta.copy()))
        return J, grad

    return wrapped, calls


@pytest.mark.parametrize("maxiter", [1, 3, 10])
def test_maxiter_bounds_tnc(problem, maxiter):
    sizes, X, y, objective = problem
    f, calls = counting(objective)
    result = minimize(f, init_weights(sizes, 0), "TNC", maxiter=maxiter)
    assert result.n_iterations == maxiter
    assert result.n_evaluations == len(calls)
    assert "maxiter" in result.stop_reason
    # one TNC iteration is one Newton step: at most maxCGit (≤ 50) inner products plus a line search
    assert len(calls) <= maxiter * 60


def test_maxiter_bounds_the_work_for_every_method(problem):
    sizes, X, y, objective = problem
    for method in METHODS:
        if method == "BFGS":
            continue  # n × n inverse Hessian for n = 4930: covered on a small network below
        short = minimize(objective, init_weights(sizes, 0), method, maxiter=3)
        longer = minimize(objective, init_weights(sizes, 0), method, maxiter=12)
        assert short.n_iterations == 3 and longer.n_iterations == 12, method
        assert short.n_evaluations < longer.n_evaluations
        assert longer.cost < short.cost


def test_bfgs_and_method_names():
    sizes = [3, 4, 3]
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((20, 3)), one_hot(rng.integers(0, 3, 20), 3)
    result = minimize(lambda t: cost_and_grad(t, sizes, X, Y, 0.1), init_weights(sizes, 0), "bfgs", maxiter=5)
    assert result.method == "BFGS" and result.n_iterations == 5
    with pytest.raises(BpnnError, match="unknown method 'newton'; choose one of TNC"):
        minimize(lambda t: (0.0, t), np.zeros(3), "newton")


def test_returns_the_best_theta_evaluated(problem):
    sizes, X, y, objective = problem
    f, calls = counting(objective)
    result = minimize(f, init_weights(sizes, 1), "TNC", maxiter=8)
    best_J, best_theta = min(calls, key=lambda c: c[0])
    assert result.cost == best_J
    np.testing.assert_array_equal(result.theta, best_theta)
    assert objective(result.theta)[0] == pytest.approx(result.cost, rel=1e-12)


def test_history_is_per_iteration_and_monotone(problem):
    sizes, X, y, objective = problem
    seen = []
    result = minimize(objective, init_weights(sizes, 0), "L-BFGS-B", maxiter=15, progress=seen.append)
    history = result.history
    assert history["iteration"] == list(range(1, 16)) == [r["iteration"] for r in seen]
    assert all(a >= b for a, b in zip(history["cost"], history["cost"][1:]))
    assert history["n_evaluations"][-1] <= result.n_evaluations
    assert all(a <= b for a, b in zip(history["seconds"], history["seconds"][1:]))


def test_ctrl_c_keeps_the_best_theta_so_far(problem):
    sizes, X, y, objective = problem
    calls = []

    def interrupted_at_20(theta):
        if len(calls) == 20:
            raise KeyboardInterrupt
        calls.append((objective(theta)[0], theta.copy()))
        return objective(theta)

    result = minimize(interrupted_at_20, init_weights(sizes, 0), "TNC", maxiter=400)
    assert result.interrupted and "interrupted" in result.stop_reason
    assert result.n_evaluations == 20
    best_J, best_theta = min(calls, key=lambda c: c[0])
    assert result.cost == best_J
    np.testing.assert_array_equal(result.theta, best_theta)


def test_maxiter_zero_returns_theta0_with_its_cost(problem):
    sizes, X, y, objective = problem
    theta0 = init_weights(sizes, 0)
    result = minimize(objective, theta0, maxiter=0)
    np.testing.assert_array_equal(result.theta, theta0)
    assert result.cost == pytest.approx(objective(theta0)[0])


def test_train_learns(problem):
    sizes, X, y, _ = problem
    result = train(X, y, (12,), lam=1.0, maxiter=40, rng=0)
    assert result.layer_sizes == sizes
    assert accuracy(result.theta, sizes, X, y) > 0.95
    again = train(X, y, (12,), lam=1.0, maxiter=40, rng=0)
    np.testing.assert_array_equal(result.theta, again.theta)  # seeded: reproducible


def test_train_rejects_bad_data():
    with pytest.raises(BpnnError, match="NaN"):
        train(np.array([[np.nan, 1.0], [0.0, 1.0]]), [0, 1])
    with pytest.raises(BpnnError, match="out of range"):
        train(np.ones((2, 2)), [0, 5], n_classes=3)


def test_progress_callback_can_stop_training(problem):
    sizes, X, y, objective = problem
    f, calls = counting(objective)
    result = minimize(f, init_weights(sizes, 0), "TNC", maxiter=400,
                      progress=lambda record: record["iteration"] == 4 and record["theta"] is not None)
    assert result.n_iterations == 4 and "stopped by the progress callback" in result.stop_reason
    assert len(calls) == result.n_evaluations
