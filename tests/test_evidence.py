"""λ from the evidence (bpnn.bayes): γ, ln|A| and the predictive variance against a dense computation from
the output Jacobian by central differences; the stochastic estimates against the exact ones within their
standard errors; the automatic α against the maximum of the evidence over a grid of α (retrained at each α,
Hessian by central differences of the gradient); error bars and moderated outputs; the estimators' and
train's faces."""

import json
import subprocess
import sys

import numpy as np
import pytest
from scipy.special import expit, softmax

from bpnn import BPNNClassifier, BPNNRegressor, BpnnError, Network, Stopping, cost_and_grad, one_hot, train
from bpnn.bayes.evidence import fit_evidence, measure
from bpnn.bayes.predictive import Posterior
from bpnn.cli import train as train_cli
from bpnn.model.network import forward
from bpnn.objective.local import LocalObjective

CONVERGED = Stopping(tol=0, max_iter=2000)


def _outputs(network, theta, X):
    return forward(network, theta, X)[1]


def _weights(network):
    return np.flatnonzero(network.weight_mask)


def jacobian_fd(network, theta, X, eps=1e-5):
    """∂z⁽ᴸ⁾/∂w of every row, (m, K, k), by central differences of the forward pass over the weights."""
    columns = []
    for j in _weights(network):
        step = np.zeros_like(theta)
        step[j] = eps
        columns.append((_outputs(network, theta + step, X) - _outputs(network, theta - step, X)) / (2 * eps))
    return np.stack(columns, axis=2)


def output_hessian(network, z):
    """H_C of each row's cost in z, (m, K, K), written out for each output pair."""
    m, K = z.shape
    if network.output == "identity":
        return np.broadcast_to(np.eye(K), (m, K, K))
    if network.output == "sigmoid":
        p = expit(z)
        return np.einsum("mk,kl->mkl", p * (1 - p), np.eye(K))
    p = softmax(z, axis=1)
    return np.einsum("mk,kl->mkl", p, np.eye(K)) - p[:, :, None] * p[:, None, :]


def dense_G(network, theta, X, w=None):
    J = jacobian_fd(network, theta, X)
    H = output_hessian(network, _outputs(network, theta, X))
    w = np.ones(len(X)) if w is None else w
    return np.einsum("m,mkj,mkl,mli->ji", w, J, H, J)


def measured(network, theta, X, Y, sample_weight=None, **options):
    objective = LocalObjective(network, X, Y, sample_weight=sample_weight)
    try:
        return measure(objective, theta, **options)
    finally:
        objective.close()


def problem(output, m=40, sizes=(2, 4, 3), seed=0):
    rng = np.random.default_rng(seed)
    names = {"identity": dict(cost="quadratic", output="identity", activation="tanh"),
             "sigmoid": dict(cost="cross-entropy"), "softmax": dict(cost="log-likelihood", activation="tanh")}[output]
    network = Network(sizes, **names)
    X = rng.normal(size=(m, sizes[0]))
    if output == "identity":
        Y = rng.normal(size=(m, sizes[-1]))
    else:
        Y = one_hot(rng.integers(sizes[-1], size=m), sizes[-1])
    return network, network.init(rng), X, Y


@pytest.mark.parametrize("output, weighted", [("identity", False), ("identity", True), ("sigmoid", False),
                                              ("softmax", True)])
def test_exact_gamma_and_log_determinant_equal_the_dense_computation(output, weighted):
    network, theta, X, Y = problem(output)
    w = np.random.default_rng(1).uniform(0.2, 2.0, len(X)) if weighted else None
    alpha, beta = 0.7, (2.3 if output == "identity" else 1.0)
    measurement = measured(network, theta, X, Y, w, exact=True)
    G = dense_G(network, theta, X, w)
    A = beta * G + alpha * np.eye(len(G))
    g = np.linalg.eigvalsh(G)
    assert measurement.gamma(alpha, beta)[0] == pytest.approx(np.sum(beta * g / (beta * g + alpha)), rel=1e-6)
    sign, logdet = np.linalg.slogdet(A)
    assert sign == 1 and measurement.spectrum.logdet(alpha, beta)[0] == pytest.approx(logdet, rel=1e-6)
    E_D = cost_and_grad(network, theta, X, Y, sample_weight=w)[0] * (len(X) if w is None else w.sum())
    W = theta[_weights(network)]
    expected = -beta * E_D - alpha * W @ W / 2 - logdet / 2 + len(W) / 2 * np.log(alpha)
    if output == "identity":
        N = (len(X) if w is None else w.sum()) * Y.shape[1]
        expected += N / 2 * np.log(beta / (2 * np.pi))
    assert measurement.log_evidence(alpha, beta)[0] == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("output", ["identity", "softmax"])
def test_predictive_variance_equals_the_dense_solve(output):
    network, theta, X, Y = problem(output)
    alpha, beta = 0.5, 3.0
    G = dense_G(network, theta, X)
    eigenvalues, eigenvectors = np.linalg.eigh(G)
    Xq = np.random.default_rng(2).normal(size=(5, 2)) * 2
    g = jacobian_fd(network, theta, Xq)
    A = beta * G + alpha * np.eye(len(G))
    expected = np.einsum("mkj,mkj->mk", g, np.linalg.solve(A, g.reshape(-1, len(G)).T).T.reshape(g.shape))
    posterior = Posterior(network, theta, alpha, beta, eigenvalues, eigenvectors, complete=True)
    assert np.allclose(posterior.variance(Xq), expected, rtol=1e-6, atol=0)
    assert np.allclose(posterior.predictive_std(Xq), np.sqrt(1 / beta + expected), rtol=1e-6)
    top = slice(len(G) - 6, None)  # the 6 largest: the rest of the space at eigenvalue 0
    G_low = eigenvectors[:, top] * eigenvalues[top] @ eigenvectors[:, top].T
    A_low = beta * G_low + alpha * np.eye(len(G))
    expected_low = np.einsum("mkj,mkj->mk", g, np.linalg.solve(A_low, g.reshape(-1, len(G)).T).T.reshape(g.shape))
    low = Posterior(network, theta, alpha, beta, eigenvalues[top], eigenvectors[:, top], complete=False,
                    rows=(X, Y, None))
    assert np.allclose(low.variance(Xq), expected_low, rtol=1e-6)
    assert np.all(low.variance(Xq) >= posterior.variance(Xq))  # an upper bound
    assert np.allclose(low.variance(Xq, exact=True), expected, rtol=1e-6)  # conjugate gradients: the dense solve
    centered = g - g.mean(axis=1, keepdims=True)
    expected_centered = np.einsum("mkj,mkj->mk", centered,
                                  np.linalg.solve(A, centered.reshape(-1, len(G)).T).T.reshape(g.shape))
    assert np.allclose(low.variance(Xq, centered=True, exact=True), expected_centered, rtol=1e-6)
    without_rows = Posterior(network, theta, alpha, beta, eigenvalues[top], eigenvectors[:, top], complete=False)
    with pytest.raises(BpnnError, match="training rows"):
        without_rows.predictive_std(Xq, exact=True)


@pytest.mark.parametrize("output", ["identity", "softmax"])
def test_stochastic_estimates_fall_within_three_standard_errors(output):
    network, theta, X, Y = problem(output, m=80, sizes=(2, 10, 3))  # 50 weights, Lanczos runs of 30 steps
    alpha, beta = 0.3, 1.5
    exact = measured(network, theta, X, Y, exact=True)
    stochastic = measured(network, theta, X, Y, alpha=alpha, beta=beta, exact=False, rng=0)
    assert 8 <= stochastic.spectrum.n_probes <= 64 and not stochastic.spectrum.exact
    for name in ("gamma", "logdet"):
        estimate, se = getattr(stochastic.spectrum, name)(alpha, beta)
        value, zero = getattr(exact.spectrum, name)(alpha, beta)
        assert zero == 0 and 0 < se and abs(estimate - value) <= 3 * se, name


def hessian_fd(network, theta, X, Y, eps=1e-5):
    """The data term's Hessian Σᵢ ∇²costᵢ over the weights, by central differences of the gradient."""
    n, index = len(X), _weights(network)
    rows = []
    for j in index:
        step = np.zeros_like(theta)
        step[j] = eps
        rows.append((cost_and_grad(network, theta + step, X, Y)[1] - cost_and_grad(network, theta - step, X, Y)[1])
                    [index] * n / (2 * eps))
    H = np.array(rows)
    return (H + H.T) / 2


def test_automatic_alpha_is_the_maximum_of_the_evidence_over_a_grid():
    rng = np.random.default_rng(4)  # labels drawn from a logistic model: no separable part for W to grow on
    X = rng.normal(size=(200, 2))
    y = (rng.uniform(size=200) < expit(2 * X[:, 0] - X[:, 1] + 2 * X[:, 0] * X[:, 1])).astype(int)
    network = Network((2, 3, 2))
    result = fit_evidence(network, X, y, stopping=CONVERGED, tol=1e-3, max_rounds=30)
    alpha = result.evidence.alpha
    assert result.evidence.converged
    Y = one_hot(y, 2)
    grid = alpha * 2.0 ** np.linspace(-1, 1, 15)
    values = []
    for a in grid:
        theta = train(network, X, y, lam=a, theta0=result.theta, stopping=CONVERGED).theta
        W = theta[_weights(network)]
        sign, logdet = np.linalg.slogdet(hessian_fd(network, theta, X, Y) + a * np.eye(len(W)))
        assert sign == 1
        E_D = cost_and_grad(network, theta, X, Y)[0] * len(X)
        values.append(-E_D - a * W @ W / 2 - logdet / 2 + len(W) / 2 * np.log(a))
    best = int(np.argmax(values))
    assert 0 < best < len(grid) - 1  # a maximum inside the grid
    x, v = np.log(grid[best - 1:best + 2]), np.array(values[best - 1:best + 2])
    peak = np.exp(x[1] - (x[1] - x[0]) * (v[2] - v[0]) / (2 * (v[2] - 2 * v[1] + v[0])))  # the parabola's vertex
    assert alpha == pytest.approx(peak, rel=0.10)


def gap_data(seed=0):
    rng = np.random.default_rng(seed)
    x = np.concatenate([rng.uniform(-2, -0.8, 30), rng.uniform(0.8, 2, 30)])
    return x[:, None], np.sin(2 * x) + 0.1 * rng.normal(size=60)


def test_the_predictive_std_grows_in_a_gap_of_the_data():
    X, y = gap_data()
    model = BPNNRegressor(hidden_layer_sizes=(8,), activation="tanh", alpha="auto", tol=0, random_state=0).fit(X, y)
    mean, std = model.predict(X, return_std=True)
    assert np.array_equal(mean, model.predict(X)) and std.shape == (60,)
    _, gap = model.predict(np.array([[0.0]]), return_std=True)
    assert gap[0] > std.max() > std.min() > 1 / np.sqrt(model.beta_)
    assert 0.05 < 1 / np.sqrt(model.beta_) < 0.2  # the noise, 0.1
    best = max(model.evidence_history_, key=lambda record: record["log_evidence"])  # regression maximizes it
    assert model.alpha_ == best["lam"] and model.log_evidence_ == best["log_evidence"]
    assert 0 < model.gamma_ < 8 * 3 and len(model.evidence_history_) >= 2


def test_moderated_probabilities_are_less_confident_away_from_the_data():
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X = X / 16
    model = BPNNClassifier(hidden_layer_sizes=(6,), cost="log-likelihood", alpha="auto", random_state=0)
    model.fit(X[:500], y[:500])
    noise = np.random.default_rng(0).uniform(0, 1, (200, 64))  # images unlike any digit
    confidence = {}
    for name, rows in (("digits", X[1000:1200]), ("noise", noise)):
        plain, moderated = model.predict_proba(rows), model.predict_proba(rows, moderated=True)
        assert np.allclose(moderated.sum(axis=1), 1) and np.all(moderated.max(axis=1) <= plain.max(axis=1) + 1e-12)
        confidence[name] = moderated.max(axis=1).mean() / plain.max(axis=1).mean()
    assert confidence["noise"] < confidence["digits"] < 1
    s2 = model.posterior_.variance(noise[:3], centered=True)
    assert np.all(s2 < model.posterior_.variance(noise[:3]))  # the softmax-blind common part taken out


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_the_estimators_say_what_alpha_auto_needs():
    X, y = gap_data()
    with pytest.raises(ValueError, match="alpha='auto'.*SciPy solver"):
        BPNNRegressor(alpha="auto", solver="adam").fit(X, y)
    plain = BPNNRegressor(hidden_layer_sizes=(3,), max_iter=5, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match=r"return_std=True\) needs .* alpha='auto'"):
        plain.predict(X, return_std=True)
    assert not hasattr(plain, "alpha_") and not hasattr(plain, "posterior_")
    with pytest.raises(BpnnError, match="negative log likelihood"):
        train(Network((1, 3, 2), cost="quadratic"), X, (y > 0).astype(int), lam="auto")


def test_two_targets_report_alpha_on_the_loss_scale():
    X, y = gap_data()
    Y = np.column_stack([y, -y])
    model = BPNNRegressor(hidden_layer_sizes=(4,), activation="tanh", alpha="auto", random_state=0).fit(X, Y)
    best = max(model.evidence_history_, key=lambda record: record["log_evidence"])
    assert model.alpha_ == pytest.approx(best["lam"] / 2)  # λ = alpha · n_outputs
    assert model.beta_ == best["beta"] and model.predict(X[:3], return_std=True)[1].shape == (3, 2)


def test_a_certificate_after_alpha_auto_is_of_the_cost_at_the_alpha_found():
    X, y = gap_data()
    model = BPNNRegressor(hidden_layer_sizes=(3,), activation="tanh", alpha="auto", certify=True,
                          random_state=0).fit(X, y)
    lam = model.alpha_ * 1  # λ = alpha · n_outputs
    assert model.certificate_.cost == pytest.approx(
        cost_and_grad(model.network_, model.theta_, X, y[:, None], lam)[0], rel=1e-12)


def test_the_train_command_sets_lambda_from_the_evidence_and_records_the_rounds(tmp_path):
    rng = np.random.default_rng(3)
    X = rng.uniform(-1, 1, (150, 2))
    y = 1 + 2 * X[:, 0] - X[:, 1] ** 2 + 0.2 * rng.standard_normal(150)
    rows = ["a,b,price"] + [f"{a:.10g},{b:.10g},{t:.10g}" for (a, b), t in zip(X, y)]
    (tmp_path / "houses.csv").write_text("\n".join(rows) + "\n")
    command = [sys.executable, "-m", "bpnn", "train", "--data", "houses.csv", "--target", "price", "--task",
               "regression", "--hidden", "4", "--quiet", "--out", "run", "--lambda"]
    done = subprocess.run([*command, "auto", "--certify"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["certificate"]["cost"] == pytest.approx(metrics["final_cost"], rel=1e-9)  # at the λ found
    evidence = metrics["evidence"]
    assert metrics["lambda"] == "auto" and evidence["exact"] and len(evidence["history"]) >= 2
    assert done.stdout.count("evidence round") == len(evidence["history"])
    assert 0.15 < 1 / np.sqrt(evidence["beta"]) < 0.25  # the noise, 0.2
    best = max(evidence["history"], key=lambda record: record["log_evidence"])
    assert evidence["lam"] == best["lam"] and metrics["test_r2"] > 0.8
    assert 0.85 <= metrics["test_interval_coverage"] <= 1.0  # ŷ ± 1.96 σ around 95 % of the held-out targets
    assert metrics["test_interval_coverage_by_target"] == [metrics["test_interval_coverage"]]
    assert metrics["interval_std"] == "exact"  # 12 weights: every eigenvector of G
    assert f"cover {metrics['test_interval_coverage']:.1%} of the held-out targets" in done.stdout
    assert (tmp_path / "run" / "regression.png").is_file()
    done = subprocess.run([*command, "often"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "--lambda" in done.stderr


def test_ctrl_c_while_computing_the_error_bars_writes_the_outputs_and_exits_130(tmp_path, capsys, monkeypatch):
    rng = np.random.default_rng(3)
    X = rng.uniform(-1, 1, (100, 2))
    y = X[:, 0] - X[:, 1] ** 2 + 0.2 * rng.standard_normal(100)
    (tmp_path / "houses.csv").write_text("a,b,price\n" + "".join(f"{a},{b},{t}\n" for (a, b), t in zip(X, y)))

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(Posterior, "predictive_std", interrupted)
    out = tmp_path / "run"
    assert train_cli.main(["--data", str(tmp_path / "houses.csv"), "--target", "price", "--task", "regression",
                           "--hidden", "3", "--lambda", "auto", "--quiet", "--out", str(out)]) == 130
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["interrupted"] is True and "test_interval_coverage" not in metrics and metrics["test_r2"] > 0.5
    assert (out / "weights.mat").is_file() and (out / "regression.png").is_file()
    assert "Interrupted (Ctrl-C) while computing the error bars" in capsys.readouterr().err


def test_the_search_finds_the_maximum_of_the_measured_evidence_and_the_fixed_point_agrees_on_easy_data():
    X, y = gap_data()
    network = Network((1, 8, 1), activation="tanh", cost="quadratic", output="identity")
    searched = fit_evidence(network, X, y, stopping=CONVERGED, tol=1e-3)
    fixed = fit_evidence(network, X, y, stopping=CONVERGED, strategy="fixed-point", tol=1e-4, max_rounds=30)
    history = searched.evidence.history
    assert searched.evidence.converged and fixed.evidence.converged
    tried = sorted(record["lam"] for record in history)
    lam = searched.evidence.lam
    assert tried[0] < lam < tried[-1] and searched.evidence.log_evidence == max(r["log_evidence"] for r in history)
    assert fixed.evidence.lam == pytest.approx(lam, rel=0.10)
    assert np.array_equal(searched.theta, searched.evidence.posterior.theta)
    with pytest.raises(BpnnError, match="unknown strategy"):
        fit_evidence(network, X, y, strategy="newton")


def test_ctrl_c_during_a_measurement_keeps_the_rounds_before_it(monkeypatch):
    import bpnn.bayes.evidence as evidence_module

    calls, real = [], evidence_module.measure

    def interrupted_second_time(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(evidence_module, "measure", interrupted_second_time)
    X, y = gap_data()
    network = Network((1, 4, 1), activation="tanh", cost="quadratic", output="identity")
    result = fit_evidence(network, X, y, strategy="fixed-point")
    assert result.interrupted and len(result.evidence.history) == 1 and not result.evidence.converged
    first = result.evidence.history[0]
    assert result.evidence.lam == first["lam"] == 1.0 and result.evidence.posterior is not None
