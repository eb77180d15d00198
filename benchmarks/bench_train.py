"""Time to reach a held-out accuracy, for every bpnn route and scikit-learn's MLPClassifier, in one run.

    python -m benchmarks.bench_train                                  # embedded digits, 400-25-10
    python -m benchmarks.bench_train --data /usr/share/datasets/fashion-mnist --hidden 100 --target 0.88

Fashion-MNIST: ``apt-get install dataset-fashion-mnist`` (Debian) puts its IDX files in
/usr/share/datasets/fashion-mnist; any folder of MNIST-format IDX files works (--data).

Two problems, each given to bpnn and scikit-learn alike:
  * full-batch (SciPy routes against ``MLPClassifier(solver="lbfgs")``): logistic hidden units,
    cross-entropy summed over logistic outputs (one-hot targets for scikit-learn), alpha = λ: bpnn's default
    objective, the same function of the same weights;
  * mini-batch (bpnn Adam and SGD with Nesterov momentum against ``MLPClassifier(solver="adam")``, its
    default): ReLU hidden units, softmax outputs with the log-likelihood, batches of 200, scikit-learn's
    alpha = 1e-4 (its L2 term is divided by the batch size, so bpnn gets λ = alpha · n / 200, the same
    gradient), the same initialization (uniform in ±√6/√(fan-in + fan-out)); η = --eta for Adam (both
    libraries), --nesterov-eta for SGD with Nesterov momentum 0.9; bpnn's batches hold --batch examples
    (the same objective: λ stays alpha · n / 200).
PyTorch, when installed (``pip install "bpnn[bench]"``; without it "PyTorch: not installed" and the rest runs),
adds rows on both problems, from bpnn's θ₀ (the same initialization) and in the same dtype:
  * mini-batch: the idiomatic loop, ``nn.Sequential`` of ``nn.Linear`` and ``nn.ReLU``, ``nn.CrossEntropyLoss``,
    ``torch.optim.Adam(lr=--eta)`` or ``torch.optim.SGD(lr=--nesterov-eta, momentum=0.9, nesterov=True)``,
    batches of --batch rows by tensor indexing in the same shuffled order as bpnn's (one NumPy generator: θ₀,
    then a permutation per epoch); bpnn's L2 gradient (λ/n) W is ``weight_decay`` = λ/n = alpha / 200 in a
    parameter group of the weights (the biases get none). torch.optim.Adam adds its ε after the bias
    correction (bpnn and scikit-learn before it), which moves weights whose gradient is near 0 (dead ReLU
    units) differently; it is left at PyTorch's default, as a user has it;
  * full batch: ``torch.optim.LBFGS(line_search_fn="strong_wolfe")`` on the same objective (logistic hidden
    units, ``binary_cross_entropy_with_logits`` summed over the outputs / m, λ/(2m) Σ‖W‖² on the weights),
    with its own defaults otherwise (history 100, where SciPy's L-BFGS-B keeps 10) and tolerances 0, so
    that only the target or the budget ends it; its held-out accuracy is checked after every evaluation
    of the closure, as scikit-learn's L-BFGS.
Each contender trains until its held-out accuracy first reaches the target (default: what scikit-learn's
L-BFGS reaches in --maxiter iterations), checked after every iteration or epoch (scikit-learn's L-BFGS:
after every evaluation); the checking is timed apart and not counted. A run that has not reached it after
--budget × scikit-learn's time on the same problem is stopped ("never"). Ratios are scikit-learn's time over
bpnn's on the same problem and dtype (both take float32 X as float32).
"""

import argparse
import sys
import time
import warnings

import numpy as np

from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from benchmarks.common import machine
from benchmarks.torch_support import NOT_INSTALLED, load_torch, torch_dtype, versions
from bpnn import MiniBatches, Network, Stopping, load_dataset, one_hot, train, train_sgd
from bpnn.cli import describe
from bpnn.data.loading import split
from bpnn.errors import BpnnError
from bpnn.model.network import predict
from bpnn.training.scipy import METHODS
from bpnn.training.updates import make_update

FULL_BATCH = [method for method in METHODS if method != "BFGS"]  # BFGS keeps an n × n matrix: not at this size
MINI_BATCH = ("adam", "nesterov")
TORCH_FULL_BATCH, TORCH_MINI_BATCH = ("torch-lbfgs",), ("torch-adam", "torch-nesterov")
BATCH, ALPHA = 200, 1e-4  # scikit-learn's defaults for its adam solver
FASHION_MNIST = "/usr/share/datasets/fashion-mnist"


class _Clock:
    """Training time with the accuracy checks taken out; ``check(accuracy)`` says whether to stop."""

    def __init__(self, target, budget):
        self.target, self.budget, self.reached, self.steps = target, budget, None, 0
        self.start, self.checking = time.perf_counter(), 0.0

    def seconds(self):
        return time.perf_counter() - self.start - self.checking

    def check(self, score):
        """Score the current weights (``score()`` → accuracy, not timed); True once the target is reached or
        the budget spent."""
        seconds, begin = self.seconds(), time.perf_counter()
        self.steps += 1
        if self.reached is None and score() >= self.target:
            self.reached = seconds
        self.checking += time.perf_counter() - begin
        return self.reached is not None or seconds > self.budget


class _Stop(Exception):
    pass


def sklearn_time(X, y, X_test, y_test, clock, solver, hidden, lam, maxiter, eta, n_classes):
    """Train scikit-learn on the full-batch (lbfgs) or mini-batch (adam) problem until ``clock`` says stop;
    (the clock, the final held-out accuracy). Its fit is observed through the method it calls once per
    evaluation (lbfgs) or per epoch (adam)."""
    if solver == "lbfgs":
        sk = MLPClassifier(hidden, activation="logistic", solver="lbfgs", alpha=lam, max_iter=maxiter,
                           random_state=0)
        targets, hook = one_hot(y, n_classes), "_loss_grad_lbfgs"
    else:
        sk = MLPClassifier(hidden, solver="adam", alpha=ALPHA, batch_size=BATCH, learning_rate_init=eta,
                           max_iter=maxiter, tol=0.0, random_state=0)
        targets, hook = y, "_update_no_improvement_count"
    observed = getattr(sk, hook)

    def observe(*args):
        value = observed(*args)
        if clock.check(lambda: float(np.mean(sk.predict_proba(X_test).argmax(axis=1) == y_test))):
            raise _Stop
        return value

    setattr(sk, hook, observe)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        try:
            sk.fit(X, targets)
        except _Stop:
            pass
    return clock, float(np.mean(sk.predict_proba(X_test).argmax(axis=1) == y_test))


def bpnn_time(X, y, X_test, y_test, clock, route, hidden, lam, maxiter, eta, n_classes, batch=BATCH):
    """Train bpnn by ``route`` until ``clock`` says stop; (the clock, the final held-out accuracy)."""
    minibatch = route in MINI_BATCH
    network = Network((X.shape[1], *hidden, n_classes), *(("relu", "log-likelihood") if minibatch else ()))

    def progress(record):
        return clock.check(lambda: float(np.mean(predict(network, record["theta"], X_test) == y_test)))

    if minibatch:
        rng = np.random.default_rng(0)  # θ₀ first, then the shuffles, from one generator
        result = train_sgd(network, X, y, lam=ALPHA * len(y) / BATCH, stopping=Stopping(max_iter=maxiter, tol=0.0),
                           batches=MiniBatches(size=batch, monitor_training=False),
                           update=make_update(route, eta, 0.9 if route == "nesterov" else None), theta0=network.init(rng, "uniform"), seed=rng,
                           progress=progress)
    else:
        # a stopping rule that never fires first (1e-12 over 10 iterations): only the target or the budget ends
        # the run, and each method runs as under bpnn's default rule (TNC with its inner cap, TNC_INNER_STEPS)
        result = train(network, X, y, lam=lam, method=route, stopping=Stopping(max_iter=10**6, tol=1e-12), seed=0,
                       progress=progress)
    return clock, float(np.mean(predict(result.network, result.theta, X_test) == y_test))


def _torch_model(torch, network, theta0, dtype):
    """``nn.Sequential`` of Linear layers, the network's hidden activation between them, holding θ₀."""
    nn, layers = torch.nn, []
    hidden = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid}[network.activation]
    for layer, Theta in enumerate(network.unpack(theta0)):
        linear = nn.Linear(Theta.shape[1] - 1, Theta.shape[0], dtype=dtype)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(Theta[:, 1:]))
            linear.bias.copy_(torch.from_numpy(Theta[:, 0]))
        layers += [linear] if layer == len(network.sizes) - 2 else [linear, hidden()]
    return nn.Sequential(*layers)


def _torch_score(torch, model, X_test, y_test):
    """() → the held-out accuracy of ``model`` now."""
    X_held = torch.from_numpy(X_test)

    def score():
        with torch.no_grad():
            return float(np.mean(model(X_held).argmax(dim=1).numpy() == y_test))

    return score


def torch_time(torch, X, y, X_test, y_test, clock, route, hidden, lam, maxiter, eta, n_classes, batch=BATCH):
    """Train PyTorch by ``route`` (torch-lbfgs, torch-adam, torch-nesterov) until ``clock`` says stop; (the clock,
    the final held-out accuracy). The same network, θ₀ and objective as bpnn_time's."""
    minibatch = route in TORCH_MINI_BATCH
    network = Network((X.shape[1], *hidden, n_classes), *(("relu", "log-likelihood") if minibatch else ()))
    rng = np.random.default_rng(0)  # as bpnn_time: θ₀ first, then the shuffles (mini-batch), from one generator
    model = _torch_model(torch, network, network.init(rng, "uniform"), torch_dtype(torch, X.dtype))
    score = _torch_score(torch, model, X_test, y_test)
    Xt, n = torch.from_numpy(X), len(y)
    weights = [p for name, p in model.named_parameters() if name.endswith("weight")]
    biases = [p for name, p in model.named_parameters() if name.endswith("bias")]
    if minibatch:
        yt, loss_fn = torch.from_numpy(np.asarray(y, dtype=np.int64)), torch.nn.CrossEntropyLoss()
        groups = [{"params": weights, "weight_decay": ALPHA / BATCH}, {"params": biases, "weight_decay": 0.0}]
        optimizer = (torch.optim.Adam(groups, lr=eta) if route == "torch-adam"
                     else torch.optim.SGD(groups, lr=eta, momentum=0.9, nesterov=True))
        for _ in range(maxiter):
            order = torch.from_numpy(rng.permutation(n))
            for first in range(0, n, batch):
                idx = order[first:first + batch]
                optimizer.zero_grad()
                loss_fn(model(Xt[idx]), yt[idx]).backward()
                optimizer.step()
            if clock.check(score):
                break
        return clock, score()

    Yt, bce = torch.from_numpy(one_hot(y, n_classes, X.dtype)), torch.nn.functional.binary_cross_entropy_with_logits
    optimizer = torch.optim.LBFGS(model.parameters(), lr=1, max_iter=10**9, line_search_fn="strong_wolfe",
                                  tolerance_grad=0.0, tolerance_change=0.0)

    def closure():
        optimizer.zero_grad()
        loss = bce(model(Xt), Yt, reduction="sum") / n + lam / (2 * n) * sum(torch.sum(W ** 2) for W in weights)
        loss.backward()
        if clock.check(score):
            raise _Stop
        return loss

    try:
        optimizer.step(closure)
    except _Stop:
        pass
    return clock, score()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", metavar="SOURCE", help="any source train_tnc.py accepts (default: embedded "
                        f"digits); Fashion-MNIST: {FASHION_MNIST}")
    parser.add_argument("--hidden", type=int, nargs="+", default=[25])
    parser.add_argument("--lambda", dest="lam", type=float, default=1.0, help="λ of the full-batch problem")
    parser.add_argument("--target", type=float, help="held-out accuracy to reach (default: scikit-learn L-BFGS's "
                        "after --maxiter iterations)")
    parser.add_argument("--maxiter", type=int, default=200, help="scikit-learn's L-BFGS iterations and adam epochs")
    parser.add_argument("--eta", type=float, default=1e-3, help="Adam's learning rate (scikit-learn's default)")
    parser.add_argument("--nesterov-eta", type=float, default=0.05, help="learning rate of SGD with Nesterov momentum")
    parser.add_argument("--batch", type=int, default=BATCH, help="bpnn's mini-batch size (scikit-learn's adam keeps "
                        f"its default {BATCH}; the objective, L2 term included, stays the same)")
    parser.add_argument("--budget", type=float, default=3.0,
                        help="stop a route after this many times scikit-learn's time on its problem")
    parser.add_argument("--dtypes", nargs="+", default=["float64", "float32"], choices=["float64", "float32"])
    every = [*FULL_BATCH, *MINI_BATCH, *TORCH_FULL_BATCH, *TORCH_MINI_BATCH]
    parser.add_argument("--routes", nargs="+", default=every, choices=every,
                        help="bpnn and PyTorch routes to time (PyTorch's when it is installed)")
    args = parser.parse_args(argv)

    try:
        dataset = load_dataset(args.data)
    except BpnnError as error:
        sys.exit(f"error: {error}\n(Fashion-MNIST: `apt-get install dataset-fashion-mnist` puts it in {FASHION_MNIST})")
    print(describe(dataset))
    X_train, y_train, X_test, y_test = split(dataset)
    K, hidden = dataset.n_classes, tuple(args.hidden)
    print(f"{len(y_train)} training, {len(y_test)} held-out examples; hidden {list(hidden)}, full-batch λ = {args.lam}, "
          f"mini-batch alpha = {ALPHA}, batch {BATCH} (bpnn: {args.batch}), η = {args.eta} (Adam), "
          f"{args.nesterov_eta} (Nesterov); machine: {machine()}")
    torch = load_torch()
    print(versions(torch) if torch is not None else NOT_INSTALLED)
    target = args.target
    if target is None:
        _, target = sklearn_time(X_train, y_train, X_test, y_test, _Clock(2.0, float("inf")), "lbfgs", hidden,
                                 args.lam, args.maxiter, args.eta, K)
    print(f"target: held-out accuracy ≥ {target:.4f}\n")
    print(f"  {'route':<36} {'seconds':>8} {'steps':>6} {'final acc.':>10} {'vs scikit-learn':>16}")
    for dtype in args.dtypes:
        X, X_held = X_train.astype(dtype), X_test.astype(dtype)
        for solver, routes, torch_routes in (("lbfgs", FULL_BATCH, TORCH_FULL_BATCH),
                                             ("adam", MINI_BATCH, TORCH_MINI_BATCH)):
            routes = [route for route in routes if route in args.routes]
            torch_routes = [route for route in torch_routes if route in args.routes and torch is not None]
            if not routes and not torch_routes:
                continue
            reached = {}
            clock, final = sklearn_time(X, y_train, X_held, y_test, _Clock(target, float("inf")), solver, hidden,
                                        args.lam, args.maxiter, args.eta, K)
            theirs = clock.reached
            _row(f"scikit-learn {solver} ({dtype})", clock, final, "1.00×" if theirs else "")
            budget = args.budget * (theirs or clock.seconds())
            for route in routes:
                eta = args.nesterov_eta if route == "nesterov" else args.eta
                clock, final = bpnn_time(X, y_train, X_held, y_test, _Clock(target, budget), route, hidden, args.lam,
                                         args.maxiter, eta, K, args.batch)
                ratio = f"{theirs / clock.reached:.2f}×" if theirs and clock.reached else ""
                _row(f"  bpnn {route} ({dtype})", clock, final, ratio)
                reached[route] = clock.reached
            for route in torch_routes:
                eta = args.nesterov_eta if route == "torch-nesterov" else args.eta
                clock, final = torch_time(torch, X, y_train, X_held, y_test, _Clock(target, budget), route, hidden,
                                          args.lam, args.maxiter, eta, K, args.batch)
                ratio = f"{theirs / clock.reached:.2f}×" if theirs and clock.reached else ""
                _row(f"  PyTorch {route[6:]} ({dtype})", clock, final, ratio)
                reached[route] = clock.reached
            _torch_ratios(reached)
    print("\nsteps: accuracy checks until the target (or the budget) was reached: iterations for bpnn's full-batch "
          "routes, evaluations for scikit-learn's lbfgs, epochs for the mini-batch routes; 'never': not within "
          f"{args.budget:g}× scikit-learn's time")


def _torch_ratios(reached):
    """bpnn against PyTorch on the same problem: PyTorch's time over bpnn's (above 1: bpnn is faster)."""
    pairs = [(ours, theirs) for ours, theirs in (("adam", "torch-adam"), ("nesterov", "torch-nesterov"),
                                                 *((method, "torch-lbfgs") for method in FULL_BATCH))]
    for ours, theirs in pairs:
        if reached.get(ours) and reached.get(theirs):
            print(f"    bpnn {ours} vs PyTorch {theirs[6:]}: {reached[theirs] / reached[ours]:.2f}× "
                  "(PyTorch's time over bpnn's)")


def _row(name, clock, final, ratio):
    seconds = f"{clock.reached:8.2f}" if clock.reached is not None else f"{'never':>8}"
    print(f"  {name:<36} {seconds} {clock.steps:>6} {final:10.4f} {ratio:>16}", flush=True)


if __name__ == "__main__":
    main()
