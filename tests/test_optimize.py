import numpy as np
import pytest

from bpnn import BpnnError, Network, Status, Stopping, cost_and_grad, evaluate, one_hot, train
from bpnn.model.network import accuracy
from bpnn.model.params import init_weights
from bpnn.training.scipy import FLOAT32_OPTIONS, HESSP_METHODS, METHODS, TNC_INNER_STEPS, minimize


@pytest.fixture(scope="module")
def problem(digits):
    X, y = digits
    X, y = X[:400], y[:400]
    sizes = [400, 12, 10]
    Y = one_hot(y, 10)
    return sizes, X, y, lambda theta: cost_and_grad(Network(sizes), theta, X, Y, 1.0)


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
    result = minimize(f, init_weights(sizes, 0), method="TNC", stopping=Stopping(max_iter=maxiter))
    assert result.n_steps == maxiter
    assert result.n_evaluations == len(calls)
    assert "max_iter" in result.stop_reason and result.status is Status.MAX_ITER
    # one TNC iteration is one Newton step: at most maxCGit (≤ 50) inner products plus a line search
    assert len(calls) <= maxiter * 60


def test_maxiter_bounds_the_work_for_every_method(problem):
    sizes, X, y, objective = problem
    for method in METHODS:
        if method == "BFGS":
            continue  # n × n inverse Hessian for n = 4930: covered on a small network below
        if method in HESSP_METHODS:
            continue  # they need curvature products: tests/test_hessian.py
        short = minimize(objective, init_weights(sizes, 0), method=method, stopping=Stopping(max_iter=3))
        longer = minimize(objective, init_weights(sizes, 0), method=method, stopping=Stopping(max_iter=12))
        assert short.n_steps == 3 and longer.n_steps == 12, method
        assert short.n_evaluations < longer.n_evaluations
        assert longer.final_cost < short.final_cost


def test_bfgs_and_method_names():
    sizes = [3, 4, 3]
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((20, 3)), one_hot(rng.integers(0, 3, 20), 3)
    result = minimize(lambda t: cost_and_grad(Network(sizes), t, X, Y, 0.1), init_weights(sizes, 0), method="bfgs",
                      stopping=Stopping(max_iter=5))
    assert result.method == "BFGS" and result.n_steps == 5
    with pytest.raises(BpnnError, match="unknown method 'newton'; choose one of TNC"):
        minimize(lambda t: (0.0, t), np.zeros(3), method="newton")


def test_returns_the_best_theta_evaluated(problem):
    sizes, X, y, objective = problem
    f, calls = counting(objective)
    result = minimize(f, init_weights(sizes, 1), method="TNC", stopping=Stopping(max_iter=8))
    best_J, best_theta = min(calls, key=lambda c: c[0])
    assert result.final_cost == best_J
    np.testing.assert_array_equal(result.theta, best_theta)
    assert objective(result.theta)[0] == pytest.approx(result.final_cost, rel=1e-12)


def test_history_is_per_iteration_and_monotone(problem):
    sizes, X, y, objective = problem
    seen = []
    result = minimize(objective, init_weights(sizes, 0), method="L-BFGS-B", stopping=Stopping(max_iter=15),
                      progress=seen.append)
    history = result.history
    assert history["step"] == list(range(1, 16)) == [r["step"] for r in seen]
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

    result = minimize(interrupted_at_20, init_weights(sizes, 0), method="TNC", stopping=Stopping(max_iter=400))
    assert result.interrupted and "interrupted" in result.stop_reason and result.status is Status.INTERRUPTED
    assert result.n_evaluations == 20
    best_J, best_theta = min(calls, key=lambda c: c[0])
    assert result.final_cost == best_J
    np.testing.assert_array_equal(result.theta, best_theta)


def test_maxiter_zero_returns_theta0_with_its_cost(problem):
    sizes, X, y, objective = problem
    theta0 = init_weights(sizes, 0)
    result = minimize(objective, theta0, stopping=Stopping(max_iter=0))
    np.testing.assert_array_equal(result.theta, theta0)
    assert result.final_cost == pytest.approx(objective(theta0)[0])


def test_train_learns(problem):
    sizes, X, y, _ = problem
    result = train(Network((X.shape[1], 12, int(y.max()) + 1)), X, y, lam=1.0, stopping=Stopping(max_iter=40), seed=0)
    assert list(result.network.sizes) == sizes
    assert accuracy(Network(sizes), result.theta, X, y) > 0.95
    again = train(Network((X.shape[1], 12, int(y.max()) + 1)), X, y, lam=1.0, stopping=Stopping(max_iter=40), seed=0)
    np.testing.assert_array_equal(result.theta, again.theta)  # seeded: reproducible


def test_train_rejects_bad_data():
    with pytest.raises(BpnnError, match="NaN"):
        train(Network((2, 25, 2)), np.array([[np.nan, 1.0], [0.0, 1.0]]), [0, 1])
    with pytest.raises(BpnnError, match="out of range"):
        train(Network((2, 25, 3)), np.ones((2, 2)), [0, 5])


def test_progress_callback_can_stop_training(problem):
    sizes, X, y, objective = problem
    f, calls = counting(objective)
    result = minimize(f, init_weights(sizes, 0), method="TNC", stopping=Stopping(max_iter=400),
                      progress=lambda record: record["step"] == 4 and record["theta"] is not None)
    assert result.n_steps == 4 and "stopped by the progress callback" in result.stop_reason
    assert result.status is Status.CALLBACK
    assert len(calls) == result.n_evaluations


@pytest.fixture(scope="module")
def converged(digits):
    """The default run's split and network, trained by TNC to SciPy's own convergence test (tol=0): the
    split (X_train, y_train, X_test, y_test) and the float64 run."""
    from bpnn.data.loading import holdout

    X_train, y_train, X_test, y_test = holdout(*digits, 0.2)
    network = Network((X_train.shape[1], 25, int(y_train.max()) + 1))
    run = train(network, X_train, y_train, lam=1.0, method="TNC", stopping=Stopping(max_iter=400, tol=0.0))
    return (X_train, y_train, X_test, y_test), run


def test_float32_training_matches_float64(converged):
    # The same run in float32 (TNC with FLOAT32_OPTIONS): it converges (tol=0: to SciPy's own test) to the same
    # cost and held-out accuracy within half a point.
    (X_train, y_train, X_test, y_test), r64 = converged
    r32 = train(r64.network, X_train.astype(np.float32), y_train, lam=1.0, method="TNC",
                stopping=Stopping(max_iter=400, tol=0.0))
    assert "Converged" in r32.stop_reason and r32.status is Status.CONVERGED
    assert r32.final_cost == pytest.approx(r64.final_cost, rel=5e-3)
    acc64, acc32 = (accuracy(r.network, r.theta, X_test, y_test) for r in (r64, r32))
    assert acc64 > 0.95 and abs(acc32 - acc64) <= 0.005


def test_cost_and_grad_float32_agrees_with_float64(problem):
    sizes, X, y, _ = problem
    theta, Y = init_weights(sizes, 3), one_hot(y, 10)
    J64, g64 = cost_and_grad(Network(sizes), theta, X, Y, 1.0)
    J32, g32 = cost_and_grad(Network(sizes), theta, X.astype(np.float32), Y.astype(np.float32), 1.0)
    assert isinstance(J32, float) and g32.dtype == np.float64 and g32.shape == g64.shape
    assert J32 == pytest.approx(J64, rel=1e-6)
    assert np.linalg.norm(g32 - g64) <= 1e-5 * np.linalg.norm(g64)


def test_minimize_passes_options_and_keeps_the_budgets_its_own(problem):
    sizes, X, y, objective = problem
    theta0 = init_weights(sizes, 0)
    coarse = minimize(objective, theta0, method="TNC", stopping=Stopping(max_iter=50, tol=0.0),
                      options={"accuracy": 1e-2})
    fine = minimize(objective, theta0, method="TNC", stopping=Stopping(max_iter=50, tol=0.0))
    assert coarse.n_evaluations != fine.n_evaluations  # the option reached SciPy's TNC
    with pytest.raises(BpnnError, match=r"stopping=Stopping\(max_iter=…, max_fun=…\), not in options"):
        minimize(objective, theta0, method="TNC", options={"maxfun": 10})


def test_stopping_rule_looks_at_the_fall_over_a_window():
    from bpnn.training.scipy import _Tracker

    costs = iter([10.0, 9.0, 8.9995, 8.999, 8.0, 7.9999, 7.99985, 7.9998])
    tracker = _Tracker(lambda theta: (next(costs), theta), np.zeros(2),
                       Stopping(max_iter=100, tol=1e-3, n_iter_no_change=3), None)
    stops = []
    for _ in range(8):
        tracker.evaluate(np.zeros(2))
        tracker.end_iteration(None)
        stops.append(tracker.stop is not None)
    # over 3 iterations: 10 → 8.999 (10 %), 9 → 8 (11 %), 8.9995 → 7.9999, 8.999 → 7.99985: all > 0.1 %;
    # 8 → 7.9998 (0.0025 %) is the first window below it
    assert stops == [False, False, False, False, False, False, False, True]
    assert "tol = 0.001" in str(tracker.stop) and "last 3 iterations" in str(tracker.stop)
    assert tracker.stop.status is Status.STALLED


def test_default_stopping_rule_ends_training_sooner_at_the_same_accuracy(converged):
    (X_train, y_train, X_test, y_test), full = converged  # the same run without the rule (tol=0)
    default = train(full.network, X_train, y_train)
    assert default.stop_reason.startswith("tol:") and default.n_steps < full.n_steps
    assert default.status is Status.STALLED
    assert not full.stop_reason.startswith("tol:") and full.status is not Status.STALLED
    costs = default.history["cost"]
    assert costs[-11] - costs[-1] < 1e-2 * costs[-1]  # the last 10 iterations lowered it by less than 1 %
    scores = [evaluate(r.network, r.theta, X_test, y_test)["accuracy"] for r in (default, full)]
    assert scores[0] >= scores[1] - 0.01


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("tol", [0.01, 0.0])
def test_tnc_caps_its_inner_steps_only_under_the_stopping_rule(tol, dtype):
    """train's TNC is SciPy's TNC with maxCGit = TNC_INNER_STEPS[dtype] when the stopping rule is on, and
    SciPy's own settings (float32: with FLOAT32_OPTIONS) with tol = 0: the same θ as minimize given those
    options directly."""
    rng = np.random.default_rng(4)
    X = rng.standard_normal((200, 12)).astype(dtype)
    y = (X[:, :4].argmax(axis=1) + (X[:, 5] > 0.5)) % 4
    network = Network((12, 30, 4))
    result = train(network, X, y, lam=0.3, stopping=Stopping(max_iter=25, tol=tol), seed=2)
    options = dict(FLOAT32_OPTIONS["TNC"]) if dtype == "float32" else {}
    if tol:
        options["maxCGit"] = TNC_INNER_STEPS[dtype]
    direct = minimize(lambda theta: cost_and_grad(network, theta, X, one_hot(y, 4, dtype), 0.3), network.init(2),
                      method="TNC", stopping=Stopping(max_iter=25, tol=tol), options=options)
    np.testing.assert_array_equal(result.theta, direct.theta)
    assert result.n_evaluations == direct.n_evaluations
    if tol:  # the cap is in force: at most TNC_INNER_STEPS gradients per step, besides the line search's few
        assert result.n_evaluations / result.n_steps <= TNC_INNER_STEPS[dtype] + 5
