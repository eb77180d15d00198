"""The certificate of convergence (bpnn.bayes.certificate): its eigenvalues against the dense Hessian's, its
verdicts at a trained minimum, a constructed saddle, flat directions and an untrained θ; Ctrl-C; bad input; the
``bpnn train --certify`` flag and the estimators' ``certify``."""

import json
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

import bpnn
from bpnn import BpnnError, Network, certify, one_hot
from bpnn.bayes.certificate import MAX_PRODUCTS, VERDICTS, certify_objective
from bpnn.cli import train as train_cli
from bpnn.model.curvature import Curvature
from bpnn.model.network import cost_and_grad
from bpnn.objective.local import LocalObjective
from bpnn.speed import blas_threads

LAM = 0.3


@pytest.fixture(scope="module")
def taught():
    """40 rows of 4 features in 3 classes (12, 16, 12 rows) that a (4, 5, 3) network can learn: a class absent
    from the labels would send its output bias to −∞, where J has no minimum."""
    X = np.random.default_rng(0).standard_normal((40, 4))
    return X, np.argmax(X[:, :3] + 0.5 * X[:, 3:], axis=1)


def dense_hessian(network, theta, X, Y, lam):
    """H column by column, Hⱼ = H·eⱼ by the R-operator."""
    curvature = Curvature(network, theta, X, Y, lam)
    return np.column_stack([curvature.times(e) for e in np.eye(network.n_params)])


def differenced_hessian(network, theta, X, Y, lam, eps=1e-5):
    """H column by column from central differences of the gradient, (∇J(θ + ε eⱼ) − ∇J(θ − ε eⱼ)) / 2ε."""
    def grad(t):
        return cost_and_grad(network, t, X, Y, lam)[1]

    return np.column_stack([(grad(theta + eps * e) - grad(theta - eps * e)) / (2 * eps)
                            for e in np.eye(network.n_params)])


def newton_polished(network, theta, X, Y, lam, steps=8):
    """θ after exact Newton steps θ ← θ − H⁺∇J on the dense Hessian (the pseudo-inverse leaves flat directions
    alone): a gradient at rounding level, where a trainer's stopping test leaves ~1e-5."""
    for _ in range(steps):
        theta = theta - np.linalg.lstsq(dense_hessian(network, theta, X, Y, lam),
                                        cost_and_grad(network, theta, X, Y, lam)[1], rcond=None)[0]
    return theta


@pytest.fixture(scope="module")
def minimum(taught):
    """(network, θ, X, y, Y): the student trained by TNC, then polished by Newton steps."""
    X, y = taught
    network, Y = Network((4, 5, 3)), one_hot(y, 3)
    trained = bpnn.train(network, X, y, lam=LAM, stopping=bpnn.Stopping(tol=0)).theta
    return network, newton_polished(network, trained, X, Y, LAM), X, y, Y


def test_the_r_operator_hessian_equals_central_differences_of_the_gradient(minimum):
    """The dense reference the other tests use, checked independently of the R-operator."""
    network, theta, X, _, Y = minimum
    for point in (theta, network.init(0)):
        H, differenced = dense_hessian(network, point, X, Y, LAM), differenced_hessian(network, point, X, Y, LAM)
        assert np.abs(H - differenced).max() <= 1e-6 * np.abs(H).max()
        assert np.abs(H - H.T).max() <= 1e-14 * np.abs(H).max()


@pytest.mark.parametrize("point", ["trained", "initial"])
def test_the_extreme_eigenvalues_equal_the_dense_hessians(minimum, point):
    network, theta, X, y, Y = minimum
    theta = theta if point == "trained" else network.init(0)
    eigenvalues = np.linalg.eigvalsh(dense_hessian(network, theta, X, Y, LAM))
    certificate = certify(network, theta, X, y, lam=LAM, tol=1e-10)
    assert certificate.lambda_min == pytest.approx(eigenvalues[0], rel=1e-6)
    assert certificate.lambda_max == pytest.approx(eigenvalues[-1], rel=1e-6)
    assert certificate.converged and certificate.n_products <= network.n_params
    assert certificate.residual_min <= 1e-10 * eigenvalues[-1]


def test_a_trained_and_polished_theta_is_a_minimum(minimum):
    network, theta, X, y, Y = minimum
    eigenvalues = np.linalg.eigvalsh(dense_hessian(network, theta, X, Y, LAM))
    assert eigenvalues[0] > 1e-4 * eigenvalues[-1]  # a strict minimum, by the dense reference
    J, grad = cost_and_grad(network, theta, X, Y, LAM)
    certificate = certify(network, theta, X, y, lam=LAM, theta0=network.init(0))
    assert certificate.verdict == "minimum" and not certificate.interrupted
    assert certificate.cost == pytest.approx(J, rel=1e-12)
    assert certificate.gradient_norm == pytest.approx(np.linalg.norm(grad), rel=1e-9, abs=1e-15)
    ratio = np.linalg.norm(grad) / np.linalg.norm(cost_and_grad(network, network.init(0), X, Y, LAM)[1])
    assert certificate.gradient_ratio == pytest.approx(ratio, rel=1e-9, abs=1e-15)
    assert certificate.decrease_bound == pytest.approx(certificate.gradient_norm**2 / (2 * certificate.lambda_min))


def test_an_untrained_theta_is_not_converged(minimum):
    network, _, X, y, Y = minimum
    theta0 = network.init(0)
    certificate = certify(network, theta0, X, y, lam=LAM, theta0=theta0)
    assert certificate.verdict == "not converged"
    assert certificate.gradient_ratio == 1.0
    assert certificate.gradient_norm == pytest.approx(np.linalg.norm(cost_and_grad(network, theta0, X, Y, LAM)[1]))


def tanh_saddle(y):
    """(network, θ, Y): a (4, 5, 3) tanh network at θ = 0 but the output biases, at the log-odds of the classes'
    frequencies: tanh(0) = 0 and zero outgoing weights make ∇J = 0 (at any λ: the weights are 0), while the
    coupling of the two layers' weights bends J down."""
    network, Y = Network((4, 5, 3), activation="tanh"), one_hot(y, 3)
    theta = np.zeros(network.n_params)
    share = Y.mean(axis=0)
    network.unpack(theta)[-1][:, 0] = np.log(share / (1 - share))
    return network, theta, Y


@pytest.mark.parametrize("lam", [0.0, 1.0])
def test_the_origin_of_a_tanh_network_with_the_best_output_biases_is_a_saddle(taught, lam):
    """``tanh_saddle``, unregularized and with λ's curvature on the weights."""
    X, y = taught
    network, theta, Y = tanh_saddle(y)
    assert np.linalg.norm(cost_and_grad(network, theta, X, Y, lam)[1]) < 1e-14
    eigenvalues = np.linalg.eigvalsh(dense_hessian(network, theta, X, Y, lam))
    assert eigenvalues[0] < -0.1 * eigenvalues[-1]  # a saddle, by the dense reference
    certificate = certify(network, theta, X, y, lam=lam)
    assert certificate.verdict == "saddle"
    assert certificate.lambda_min == pytest.approx(eigenvalues[0], rel=1e-6)


@pytest.fixture(scope="module")
def saturated(taught):
    """(small, trained, network, θ): a (4, 4, 3) tanh network and its θ trained by TNC, and the (4, 5, 3) network
    at that θ given a fifth hidden unit with no input weights, bias 40 (tanh saturated: g'(40) = 0 in float64)
    and no output weights: J and ∇J do not change, and nothing in J depends on the new unit's bias, whose
    Hessian row and column are zero."""
    X, y = taught
    small, network = Network((4, 4, 3), activation="tanh"), Network((4, 5, 3), activation="tanh")
    trained = bpnn.train(small, X, y, lam=LAM, stopping=bpnn.Stopping(tol=0)).theta

    def widened(theta_small):
        theta = np.zeros(network.n_params)
        (Theta1, Theta2), (small1, small2) = network.unpack(theta), small.unpack(theta_small)
        Theta1[:4], Theta2[:, :5], Theta1[4, 0] = small1, small2, 40.0
        return theta

    return small, trained, network, widened


def test_a_saturated_unit_added_to_a_trained_network_leaves_a_flat_direction(taught, saturated):
    """``saturated`` at the small network's minimum (Newton-polished): the rest stays positive definite."""
    X, y = taught
    Y = one_hot(y, 3)
    small, trained, network, widened = saturated
    trained = newton_polished(small, trained, X, Y, LAM)
    theta = widened(trained)
    assert cost_and_grad(network, theta, X, Y, LAM)[0] == cost_and_grad(small, trained, X, Y, LAM)[0]
    eigenvalues = np.linalg.eigvalsh(dense_hessian(network, theta, X, Y, LAM))
    assert abs(eigenvalues[0]) < 1e-15 * eigenvalues[-1] and eigenvalues[1] > 1e-4 * eigenvalues[-1]
    certificate = certify(network, theta, X, y, lam=LAM)
    assert certificate.verdict == "flat"
    assert abs(certificate.lambda_min) <= certificate.tol * certificate.lambda_max


def newton_decrement(network, theta, X, Y, lam, tol=1e-6):
    """½ gᵀH⁺g over the eigenvalues of the dense (central-difference) Hessian above tol·λ_max, the largest and
    smallest eigenvalue, and ∇J's largest component along an eigenvector of an eigenvalue below it."""
    eigenvalues, vectors = np.linalg.eigh(differenced_hessian(network, theta, X, Y, lam))
    along = vectors.T @ cost_and_grad(network, theta, X, Y, lam)[1]
    stiff = eigenvalues > tol * eigenvalues[-1]
    return 0.5 * np.sum(along[stiff]**2 / eigenvalues[stiff]), eigenvalues, np.abs(along[~stiff]).max(initial=0.0)


def test_a_gradient_with_no_share_along_a_flat_direction_is_converged(taught, saturated):
    """``saturated`` at TNC's θ, not polished: ‖∇J‖ ≈ 1e-5, all of it off the flat direction, so the Newton
    decrement is far below ftol·J although ‖∇J‖²/(2 tol·‖H‖) is not."""
    X, y = taught
    Y = one_hot(y, 3)
    _, trained, network, widened = saturated
    theta = widened(trained)
    J, grad = cost_and_grad(network, theta, X, Y, LAM)
    decrement, eigenvalues, flat_share = newton_decrement(network, theta, X, Y, LAM)
    assert abs(eigenvalues[0]) < 1e-9 * eigenvalues[-1]  # flat, and ∇J ⟂ the flat direction (to rounding)
    assert flat_share < 1e-9 * np.linalg.norm(grad)
    assert grad @ grad / (2e-6 * eigenvalues[-1]) > 1e-5 * J > 100 * decrement  # the one-number bound fails
    certificate = certify(network, theta, X, y, lam=LAM)
    assert certificate.verdict == "flat"
    assert decrement * (1 - 1e-6) <= certificate.decrease_bound <= 1e-5 * J


def test_linear_regression_with_a_constant_feature_is_flat_and_converged():
    """A zero column leaves its weight flat (λ = 0) with ∇J exactly 0 along it; L-BFGS-B run to its end."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 3))
    X[:, 2] = 0
    y = 0.5 + X @ np.array([1.0, -2.0, 0.3]) + 0.1 * rng.standard_normal(40)
    network = Network((3, 1), cost="quadratic", output="identity")
    theta = bpnn.train(network, X, y, lam=0.0, method="L-BFGS-B", stopping=bpnn.Stopping(tol=0)).theta
    J, grad = cost_and_grad(network, theta, X, y[:, None], 0.0)
    decrement, eigenvalues, flat_share = newton_decrement(network, theta, X, y[:, None], 0.0)
    assert abs(eigenvalues[0]) < 1e-9 * eigenvalues[-1] and flat_share < 1e-9 * np.linalg.norm(grad)
    assert grad @ grad / (2e-6 * eigenvalues[-1]) > 1e-5 * J > 100 * decrement
    certificate = certify(network, theta, X, y, lam=0.0)
    assert certificate.verdict == "flat"
    assert decrement * (1 - 1e-6) <= certificate.decrease_bound <= 1e-5 * J


class Quadratic:
    """J(θ) = 1 + gᵀθ + ½ θᵀ diag(d) θ, an objective whose gradient at 0 is g and whose Hessian is diag(d)."""

    def __init__(self, d, g=None):
        self.d, self.g = np.asarray(d, dtype=float), np.zeros(len(d)) if g is None else np.asarray(g, dtype=float)
        self.network = type("Sizes", (), {"n_params": len(d)})()

    def __call__(self, theta):
        return 1.0 + self.g @ theta + 0.5 * theta @ (self.d * theta), self.g + self.d * theta

    def hessp(self, theta, v, gauss_newton=True, rows=None):
        return self.d * v


SPREAD = [1e-3, 0.1, 0.2, 0.5, 1.0, 2.0]


@pytest.mark.parametrize("d, g, verdict", [
    (SPREAD, None, "minimum"),
    ([-0.5, *SPREAD[1:]], None, "saddle"),
    ([-2.0, -1.0, -0.5, -0.1, -1e-3, 1e-4], None, "saddle"),  # mostly concave: ‖H‖ is |λ_min|, not λ_max
    ([0.0, *SPREAD[1:]], None, "flat"),
    ([1e-7, *SPREAD[1:]], None, "flat"),  # 5e-8 ‖H‖: below tol
    (SPREAD, [1e-2, 0, 0, 0, 0, 0], "not converged"),  # Δ = 1e-4 / 2e-3 = 0.05 > 1e-5 J
    (SPREAD, [1e-5, 0, 0, 0, 0, 0], "minimum"),  # Δ = 5e-8 ≤ 1e-5 J
    ([0.0, *SPREAD[1:]], [0, 1e-5, 0, 0, 0, 0], "flat"),  # ∇J has no share along the flat direction: Δ = 5e-10
    ([0.0, *SPREAD[1:]], [1e-3, 0, 0, 0, 0, 0], "not converged"),  # all of it along it: Δ = 1e-6 / (2 tol·‖H‖)
    ([-0.5, *SPREAD[1:]], [0, 1e-5, 0, 0, 0, 0], "saddle"),  # stationary but for a stiff direction: Δ = 5e-10
    ([-0.5, *SPREAD[1:]], [1e-3, 0, 0, 0, 0, 0], "not converged"),  # J falls along ∇J: a slope, no saddle point
])
def test_the_verdicts_follow_the_rules_on_a_known_hessian(d, g, verdict):
    certificate = certify_objective(Quadratic(d, g), np.zeros(len(d)))
    assert certificate.verdict == verdict
    assert (certificate.lambda_min, certificate.lambda_max) == pytest.approx((min(d), max(d)), rel=1e-12, abs=1e-15)
    assert certificate.converged and certificate.n_products <= 2 * len(d)
    zero = certificate.tol * max(np.abs(d))  # the fall with every curvature below tol·‖H‖ counted as tol·‖H‖
    fall = 0.5 * sum(gi**2 / max(di, zero) for di, gi in zip(d, g if g is not None else np.zeros(len(d))))
    assert certificate.decrease_bound >= fall * (1 - 1e-9)


def test_the_run_from_the_gradient_reports_the_negative_curvature_the_first_run_missed():
    """One product from a random start sees a Rayleigh quotient of the whole spread; ∇J along the eigenvector of −0.5
    gives the second run that eigenvalue at its first product."""
    d, g = [-0.5, *SPREAD[1:]], [1e-2, 0, 0, 0, 0, 0]
    certificate = certify_objective(Quadratic(d, g), np.zeros(len(d)), max_products=1)
    assert certificate.verdict == "not converged" and certificate.n_products == 2
    assert certificate.lambda_min == pytest.approx(-0.5, rel=1e-12) and certificate.negative_curvature


def interrupted_at(product):
    """A LocalObjective whose ``product``-th H·v product is stopped by Ctrl-C."""

    class Interrupted(LocalObjective):
        products = 0

        def hessp(self, theta, v, gauss_newton=True, rows=None):
            self.products += 1
            if self.products == product:
                raise KeyboardInterrupt
            return super().hessp(theta, v, gauss_newton, rows)

    return Interrupted


def test_ctrl_c_ends_the_certificate_with_the_values_reached(minimum):
    network, theta, X, _, Y = minimum

    certificate = certify_objective(interrupted_at(4)(network, X, Y, LAM), theta)
    assert certificate.verdict == "interrupted" and certificate.interrupted
    assert certificate.n_products == 3 and np.isfinite(certificate.lambda_max)
    assert json.loads(json.dumps(certificate.as_dict()))["decrease_bound"] is None  # NaN written as null


def test_an_interrupted_certificate_still_shows_the_negative_curvature_it_found(taught):
    """``tanh_saddle`` stopped after 6 products: a negative Rayleigh quotient already."""
    X, y = taught
    network, theta, Y = tanh_saddle(y)
    lowest = np.linalg.eigvalsh(dense_hessian(network, theta, X, Y, 0.0))[0]

    certificate = certify_objective(interrupted_at(7)(network, X, Y, 0.0), theta)
    assert certificate.verdict == "interrupted" and certificate.lambda_min < -certificate.tol * certificate.lambda_max
    assert lowest <= certificate.lambda_min  # a Ritz value: the Rayleigh quotient of a vector
    text = str(certificate)
    assert "negative curvature" in text and "nan" not in text


@pytest.mark.parametrize("change, message", [
    (lambda theta: theta[:-1], "theta has shape (42,); it must be a vector of 43 numbers"),
    (lambda theta: np.where(np.arange(theta.size) == 3, np.nan, theta), "theta contains NaN or inf"),
])
def test_a_theta_that_does_not_fit_is_refused_by_name(minimum, change, message):
    network, theta, X, y, _ = minimum
    with pytest.raises(BpnnError, match=message.replace("(", r"\(").replace(")", r"\)")):
        certify(network, change(theta), X, y)


@pytest.mark.parametrize("options, message", [
    ({"tol": -1}, "tol must be"), ({"ftol": float("nan")}, "ftol must be"), ({"max_products": 0}, "max_products"),
    ({"theta0": np.zeros(3)}, "theta0 has shape"),
])
def test_bad_options_are_refused_by_name(minimum, options, message):
    network, theta, X, y, _ = minimum
    with pytest.raises(BpnnError, match=message):
        certify(network, theta, X, y, **options)


def test_certify_needs_a_network(minimum):
    _, theta, X, y, _ = minimum
    with pytest.raises(BpnnError, match="certify takes a bpnn.Network"):
        certify((4, 5, 3), theta, X, y)


def train_command(small_mat, out, *extra):
    return train_cli.main(["--data", str(small_mat), "--hidden", "5", "--max-iter", "20", "--quiet", "--out", str(out),
                           *map(str, extra)])


def test_bpnn_train_certify_prints_the_certificate_and_records_it(tmp_path, small_mat, capsys):
    assert train_command(small_mat, tmp_path / "out", "--certify") == 0
    stdout = capsys.readouterr().out
    metrics = json.loads((tmp_path / "out" / "metrics.json").read_text())
    certificate = metrics["certificate"]
    assert certificate["verdict"] in VERDICTS and certificate["verdict"] != "interrupted"
    assert certificate["cost"] == pytest.approx(metrics["final_cost"], rel=1e-12)  # the run's own J at θ*
    assert certificate["lambda_min"] <= certificate["lambda_max"] and 1 <= certificate["n_products"] <= MAX_PRODUCTS
    assert 0 < certificate["gradient_ratio"] < 1  # trained: a smaller gradient than θ₀'s
    assert f"Certificate: {certificate['verdict']} (tol" in stdout
    assert stdout.index("Stopped after") < stdout.index("Certifying θ") < stdout.index("Training set")
    assert stdout.index("Training set") < stdout.index("Certificate:") < stdout.index("Wrote")


def test_bpnn_train_certify_holds_blas_at_the_runs_threads(tmp_path, small_mat, monkeypatch):
    """--blas-threads is the run's: the certificate's own linear algebra runs with it too."""
    if blas_threads() < 2:
        pytest.skip("BLAS has one thread here: no limit to see")
    seen, product = set(), LocalObjective.hessp

    def recorded(self, *args, **kwargs):
        seen.add(blas_threads())
        return product(self, *args, **kwargs)

    monkeypatch.setattr(LocalObjective, "hessp", recorded)  # TNC uses none: only the certificate's are seen
    assert train_command(small_mat, tmp_path / "out", "--certify", "--blas-threads", 1) == 0
    assert seen == {1}


def test_without_the_flag_there_is_no_certificate(tmp_path, small_mat, capsys):
    assert train_command(small_mat, tmp_path / "out") == 0
    assert "certificate" not in json.loads((tmp_path / "out" / "metrics.json").read_text())
    assert "Certificate" not in capsys.readouterr().out


def test_ctrl_c_while_certifying_writes_the_outputs_and_exits_130(tmp_path, small_mat, capsys, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(LocalObjective, "hessp", interrupted)  # TNC uses none: only the certificate is stopped
    assert train_command(small_mat, tmp_path / "out", "--certify") == 130
    metrics = json.loads((tmp_path / "out" / "metrics.json").read_text())
    assert metrics["certificate"]["verdict"] == "interrupted" and metrics["certificate"]["n_products"] == 0
    assert metrics["interrupted"] is True  # as the exit status says
    assert (tmp_path / "out" / "weights.mat").is_file()
    assert "Interrupted (Ctrl-C) while certifying" in capsys.readouterr().err


@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_the_estimators_certify_the_objective_they_fit(taught, kind):
    X, y = taught
    if kind == "classifier":
        model, scale = bpnn.BPNNClassifier(hidden_layer_sizes=(5,), alpha=LAM, random_state=0, certify=True), 1
    else:
        y = np.column_stack([np.sin(X[:, 0]), X[:, 1] * X[:, 2]])
        model, scale = bpnn.BPNNRegressor(hidden_layer_sizes=(5,), alpha=0.01, random_state=0, certify=True), 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    certificate = model.certificate_
    assert certificate.verdict in VERDICTS and not model.interrupted_
    assert certificate.cost == pytest.approx(model.loss_ * scale, rel=1e-12)  # the fit's J, λ and rows
    assert model.set_params(certify=False).fit(X, y).certificate_ is None


def test_on_a_dask_cluster_the_certificate_is_the_in_process_one(minimum):
    """The rows in shards on two workers: the same products to rounding, so the same Lanczos run."""
    distributed = pytest.importorskip("distributed")
    network, theta, X, y, _ = minimum
    local = certify(network, theta, X, y, lam=LAM)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None,
                                  silence_logs=40) as cluster, distributed.Client(cluster) as client:
        sharded = certify(network, theta, X, y, lam=LAM, parallel=bpnn.Parallel(client=client))
    assert (sharded.verdict, sharded.n_products) == (local.verdict, local.n_products)
    for name in ("lambda_min", "lambda_max", "gradient_norm", "cost"):
        assert getattr(sharded, name) == pytest.approx(getattr(local, name), rel=1e-8, abs=1e-12), name


def test_ctrl_c_while_an_estimator_certifies_keeps_the_fit_and_marks_it_interrupted(taught, monkeypatch):
    X, y = taught

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(LocalObjective, "hessp", interrupted)  # TNC uses none: only the certificate is stopped
    model = bpnn.BPNNClassifier(hidden_layer_sizes=(5,), alpha=LAM, random_state=0, certify=True).fit(X, y)
    assert model.interrupted_ and model.certificate_.interrupted and model.score(X, y) > 0.9


def test_float32_data_give_the_float64_eigenvalues_to_float32_accuracy(minimum):
    network, theta, X, y, _ = minimum
    exact, rounded = (certify(network, theta, X.astype(dtype), y, lam=LAM) for dtype in (np.float64, np.float32))
    assert rounded.tol == 1e-4 and rounded.verdict == exact.verdict == "minimum"
    for name in ("lambda_min", "lambda_max"):
        assert abs(getattr(rounded, name) - getattr(exact, name)) <= 1e-5 * exact.lambda_max, name


def test_certify_with_saved_weights_is_refused_before_any_work(tmp_path, small_mat):
    with pytest.raises(BpnnError, match="--certify certifies the θ a run trains; --weights trains none"):
        train_command(small_mat, tmp_path / "out", "--certify", "--weights", tmp_path / "weights.mat")
    assert not (tmp_path / "out").exists()
