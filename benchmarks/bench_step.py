"""Time one mini-batch step (the batch's gradient and the update) of bpnn, PyTorch and scikit-learn, and the floor.

    python -m benchmarks.bench_step [--batches 32 200 1000] [--repeat 5] [--hidden 100] [--no-compile]

The network is 784-100-10 (--hidden), ReLU hidden units, softmax outputs with the log-likelihood (bpnn's
``Network((784, 100, 10), "relu", "log-likelihood")``), on Fashion-MNIST's training images when
/usr/share/datasets/fashion-mnist holds them (--data), else on uniform random data of that shape with random
labels (the data's content does not change the time of a step). Every contender starts from the same weights
(bpnn's uniform initialization) and steps through the same shuffled batches, one after the other, with an L2
term on the weights only (scikit-learn's alpha = 1e-4: a gradient of alpha/b · W). Per step, each does exactly
what its training loop does for one batch, in float64 and in float32:

  * bpnn Adam (``bpnn.Adam(0.001)``) and bpnn Nesterov (``bpnn.Momentum(0.05, 0.9, nesterov=True)``): what
    ``train_sgd`` does per batch, ``objective.batch(theta, rows)`` of a ``bpnn.objective.local.LocalObjective``
    (the rows gathered, checked, the gradient on row blocks, the L2 term) then ``rule.step(theta, grad)``, with
    λ = alpha · n / b (the same gradient);
  * PyTorch eager, the idiomatic loop: ``nn.Sequential(nn.Linear(784, 100), nn.ReLU(), nn.Linear(100, 10))``,
    ``nn.CrossEntropyLoss()``, the batch by tensor indexing ``X[idx], y[idx]``, ``zero_grad()``, ``backward()``,
    ``step()`` of ``torch.optim.Adam(lr=0.001)`` or ``torch.optim.SGD(lr=0.05, momentum=0.9, nesterov=True)``,
    weight decay alpha/b in a parameter group of the weights (biases none), threads at PyTorch's default;
  * PyTorch compiled: the same loop on ``torch.compile(model, dynamic=False)`` (one compiled graph per batch
    size), when a bounded check in a child process says torch.compile works here (else the reason is printed);
    its compile time falls in the untimed first calls;
  * scikit-learn adam and sgd (Nesterov momentum 0.9): the body of ``MLPClassifier._fit_stochastic``'s batch
    loop, the batch gathered, ``_backprop`` on it and ``_optimizer.update_params``, on a classifier set up by a
    one-epoch fit. This is what its ``fit`` spends per batch; ``partial_fit`` would add its input validation
    and label binarization to every batch, which ``fit`` does once, so it would overstate the step;
  * the floor: the step's five matrix products on fixed operands of the batch's shape, forward X·W1ᵀ and H·W2ᵀ,
    backward δ2ᵀH, δ2·W2 and δ1ᵀX, in NumPy in the orientation bpnn computes them (``layer_product``: in float64
    column-major hidden activations and deltas), and with torch.mm (MKL) for reference.

The per-epoch reshuffle is left out for everyone (one permutation per epoch, shared by all). Each timing round
runs a contender for about --budget seconds of steps after a short warm-up (``benchmarks.common.best_times``,
round-robin); the best round is kept. The tables give ms per step; the ratios are bpnn's time over the floor's
and PyTorch's time over bpnn's (above 1: bpnn is faster).
"""

import argparse
import itertools
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from benchmarks.common import best_times, machine
from benchmarks.torch_support import NOT_INSTALLED, compile_problem, load_torch, torch_dtype, versions
from bpnn import Adam, Momentum, Network, load_dataset, one_hot
from bpnn.model.network import layer_product
from bpnn.objective.local import LocalObjective
from bpnn.speed import default_threads

FASHION_MNIST = "/usr/share/datasets/fashion-mnist"
ALPHA, ADAM_ETA, NESTEROV_ETA, MU = 1e-4, 1e-3, 0.05, 0.9
INPUTS, CLASSES = 784, 10


def load_rows(source, seed=0):
    """(X, y): Fashion-MNIST's training images and labels when ``source`` exists, else uniform random data of
    the same shape (60,000 × 784, labels 0..9)."""
    if source and Path(source).exists():
        dataset = load_dataset(source)
        if dataset.X.shape[1] == INPUTS:
            return dataset.X, dataset.y, f"{source} ({len(dataset.y)} training images)"
    rng = np.random.default_rng(seed)
    return rng.random((60_000, INPUTS)), rng.integers(0, CLASSES, 60_000), "random data, 60000 × 784"


def cycle_batches(order, b):
    """The whole batches of b rows of the permutation ``order``, repeated without end."""
    return itertools.cycle([order[first:first + b] for first in range(0, len(order) - b + 1, b)])


def bpnn_step(network, X, Y, lam, theta0, rule, order, b):
    """One ``train_sgd`` step per call: the next batch's gradient by the objective, then the rule's step."""
    objective, theta, batches = LocalObjective(network, X, Y, lam), theta0.copy(), cycle_batches(order, b)

    def step():
        _, grad = objective.batch(theta, next(batches))
        rule.step(theta, grad)

    return step, objective


def torch_model(torch, network, theta0, dtype):
    """``nn.Sequential`` of Linear layers (ReLU between) holding bpnn's θ₀ (Θ = [b | W])."""
    nn, layers = torch.nn, []
    for layer, Theta in enumerate(network.unpack(theta0)):
        linear = nn.Linear(Theta.shape[1] - 1, Theta.shape[0], dtype=dtype)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(Theta[:, 1:]))
            linear.bias.copy_(torch.from_numpy(Theta[:, 0]))
        layers += [linear] if layer == len(network.sizes) - 2 else [linear, nn.ReLU()]
    return nn.Sequential(*layers)


def weights_and_biases(model, weight_decay):
    """Parameter groups: weight decay on the weights only, as bpnn's and scikit-learn's L2 terms."""
    named = list(model.named_parameters())
    return [{"params": [p for name, p in named if name.endswith("weight")], "weight_decay": weight_decay},
            {"params": [p for name, p in named if name.endswith("bias")], "weight_decay": 0.0}]


def torch_optimizer(torch, rule, groups):
    if rule == "adam":
        return torch.optim.Adam(groups, lr=ADAM_ETA)
    return torch.optim.SGD(groups, lr=NESTEROV_ETA, momentum=MU, nesterov=True)


def torch_step(torch, model, rule, X, y, order, b, compiled=False):
    """One step of PyTorch's idiomatic loop per call (the model compiled, if asked)."""
    optimizer = torch_optimizer(torch, rule, weights_and_biases(model, ALPHA / b))
    forward = torch.compile(model, dynamic=False) if compiled else model
    loss_fn, batches = torch.nn.CrossEntropyLoss(), cycle_batches(torch.from_numpy(order), b)

    def step():
        idx = next(batches)
        optimizer.zero_grad()
        loss_fn(forward(X[idx]), y[idx]).backward()
        optimizer.step()

    return step


def sklearn_step(X, y, theta0, network, rule, order, b):
    """One batch of ``MLPClassifier._fit_stochastic`` per call: gather, ``_backprop``, ``update_params``."""
    options = dict(solver="adam", learning_rate_init=ADAM_ETA) if rule == "adam" else dict(
        solver="sgd", learning_rate_init=NESTEROV_ETA, momentum=MU, nesterovs_momentum=True)
    clf = MLPClassifier((network.sizes[1],), alpha=ALPHA, batch_size=b, max_iter=1, random_state=0, **options)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X[:2000], y[:2000])  # sets up the layers, the softmax output and the optimizer's state
    for coef, intercept, Theta in zip(clf.coefs_, clf.intercepts_, network.unpack(theta0)):
        coef[...], intercept[...] = Theta[:, 1:].T, Theta[:, 0]
    Y = clf._label_binarizer.transform(y).astype(bool)  # as _validate_input hands y to the loop
    units = [X.shape[1], *network.sizes[1:]]
    activations, deltas = [None] * len(units), [None] * (len(units) - 1)
    coef_grads = [np.empty((a, c), dtype=X.dtype) for a, c in zip(units[:-1], units[1:])]
    intercept_grads = [np.empty(c, dtype=X.dtype) for c in units[1:]]
    params, batches = clf.coefs_ + clf.intercepts_, cycle_batches(order, b)

    def step():
        idx = next(batches)
        X_batch = X[idx]
        activations[0] = X_batch
        _, coef_g, intercept_g = clf._backprop(X_batch, Y[idx], None, activations, deltas, coef_grads,
                                               intercept_grads)
        clf._optimizer.update_params(params, coef_g + intercept_g)

    return step


def numpy_floor(network, theta0, X, b, rng):
    """The five matrix products of a step on fixed operands, in the orientation bpnn computes them."""
    W1, W2 = (Theta.astype(X.dtype)[:, 1:] for Theta in network.unpack(theta0))  # as bpnn casts θ per batch
    Xb = np.ascontiguousarray(X[:b])
    H = np.maximum(layer_product(Xb, W1.T), 0)  # bpnn's memory order (column-major in float64)
    d2 = rng.standard_normal((b, W2.shape[0])).astype(X.dtype)
    d1 = layer_product(d2, W2)

    def products():
        layer_product(Xb, W1.T)  # forward, hidden pre-activations
        H @ W2.T                 # forward, output pre-activations
        d2.T @ H                 # backward, second-layer weight gradient
        layer_product(d2, W2)    # backward, hidden deltas
        d1.T @ Xb                # backward, first-layer weight gradient

    return products


def torch_floor(torch, model, X, b, rng):
    """The same five products with torch.mm on PyTorch's operands (row-major, MKL)."""
    W1, W2 = model[0].weight.detach(), model[2].weight.detach()
    Xb = X[:b].contiguous()
    H = torch.relu(Xb @ W1.T)
    d2 = torch.from_numpy(rng.standard_normal((b, W2.shape[0]))).to(X.dtype)
    d1 = d2 @ W2

    def products():
        Xb @ W1.T
        H @ W2.T
        d2.T @ H
        d2 @ W2
        d1.T @ Xb

    return products


def warm(contenders, calls=3):
    """Call each contender a few times before timing (torch.compile compiles on its first call); returns the
    seconds each first call took."""
    first = {}
    for name, fn in contenders.items():
        start = time.perf_counter()
        fn()
        first[name] = time.perf_counter() - start
        for _ in range(calls - 1):
            fn()
    return first


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batches", type=int, nargs="+", default=[32, 200, 1000], help="batch sizes")
    parser.add_argument("--repeat", type=int, default=5, help="timing rounds per contender (the best is kept)")
    parser.add_argument("--budget", type=float, default=0.2, help="seconds of steps in one timing round")
    parser.add_argument("--hidden", type=int, default=100, help="hidden units")
    parser.add_argument("--dtypes", nargs="+", default=["float64", "float32"], choices=["float64", "float32"])
    parser.add_argument("--data", default=FASHION_MNIST, help="a folder of MNIST-format IDX files (784 inputs); "
                        "random data of that shape when it is missing")
    parser.add_argument("--no-compile", action="store_true", help="leave out torch.compile")
    args = parser.parse_args(argv)

    X_all, y_all, described = load_rows(args.data)
    torch = load_torch()
    network = Network((INPUTS, args.hidden, CLASSES), "relu", "log-likelihood")
    rng = np.random.default_rng(0)
    theta0, order = network.init(rng, "uniform"), rng.permutation(len(y_all))
    print(f"one mini-batch step, {'-'.join(map(str, network.sizes))}, ReLU, softmax + log-likelihood; {described}")
    print(f"machine: {machine()}")
    print(f"{versions(torch)}; bpnn row-block threads {default_threads()}")
    compile_note = "left out (--no-compile)" if args.no_compile else compile_problem(torch)
    if torch is None:
        print(NOT_INSTALLED)
    elif compile_note:
        print(f"torch.compile: {compile_note}")
    else:  # one compiled model per dtype, batch size and rule: past Dynamo's default of 8, it would run eager
        torch._dynamo.config.recompile_limit = 64

    for dtype in args.dtypes:
        X = np.ascontiguousarray(X_all, dtype=dtype)
        Y = one_hot(y_all, CLASSES, X.dtype)
        tensors = None if torch is None else (torch.from_numpy(X), torch.from_numpy(np.asarray(y_all, np.int64)))
        results, first_calls = {}, {}
        for b in args.batches:
            lam = ALPHA * len(y_all) / b  # bpnn's λ/n = alpha/b: the gradient of scikit-learn's L2 term
            contenders, objectives = {}, []
            for rule, label in (("adam", "Adam"), ("nesterov", "Nesterov")):
                update = Adam(ADAM_ETA) if rule == "adam" else Momentum(NESTEROV_ETA, MU, nesterov=True)
                step, objective = bpnn_step(network, X, Y, lam, theta0, update, order, b)
                contenders[f"bpnn {label}"], objectives = step, objectives + [objective]
                if torch is not None:
                    model = torch_model(torch, network, theta0, torch_dtype(torch, dtype))
                    contenders[f"PyTorch {label}, eager"] = torch_step(torch, model, rule, *tensors, order, b)
                    if not compile_note:
                        model = torch_model(torch, network, theta0, torch_dtype(torch, dtype))
                        contenders[f"PyTorch {label}, torch.compile"] = torch_step(torch, model, rule, *tensors,
                                                                                   order, b, compiled=True)
                sk_label = "adam" if rule == "adam" else "sgd, Nesterov"
                contenders[f"scikit-learn {sk_label}"] = sklearn_step(X, y_all, theta0, network, rule, order, b)
            contenders["floor: five products, NumPy"] = numpy_floor(network, theta0, X, b, rng)
            if torch is not None:
                model = torch_model(torch, network, theta0, torch_dtype(torch, dtype))
                contenders["five products, torch.mm (reference)"] = torch_floor(torch, model, tensors[0], b, rng)
            first_calls[b] = warm(contenders)
            for name, seconds in best_times(contenders, args.repeat, args.budget).items():
                results.setdefault(name, {})[b] = seconds
            for objective in objectives:
                objective.close()
        _table(dtype, args.batches, results)
        compiles = [max(calls[name] for name in calls if "compile" in name) for calls in first_calls.values()
                    if any("compile" in name for name in calls)]
        if compiles:
            print(f"  (torch.compile's first steps, compiling, untimed: up to {max(compiles):.1f} s per batch size)")
    print("\nratios: bpnn / floor = bpnn's time over the NumPy products' (1 is the floor); vs PyTorch = PyTorch's "
          "time over bpnn's (above 1: bpnn is faster)")


def _table(dtype, batches, results):
    print(f"\n{dtype}: ms per step (best of the rounds)")
    print(f"  {'contender':<44}" + "".join(f"{f'b = {b}':>11}" for b in batches))
    for name, per_batch in results.items():
        print(f"  {name:<44}" + "".join(f"{per_batch[b] * 1e3:11.3f}" for b in batches))
    floor = results["floor: five products, NumPy"]
    lines = []
    for label in ("Adam", "Nesterov"):
        ours = results[f"bpnn {label}"]
        lines.append((f"bpnn {label} / floor", {b: ours[b] / floor[b] for b in batches}))
        for kind in ("eager", "torch.compile"):
            theirs = results.get(f"PyTorch {label}, {kind}")
            if theirs:
                lines.append((f"bpnn {label} vs PyTorch {kind}", {b: theirs[b] / ours[b] for b in batches}))
        sk = results[f"scikit-learn {'adam' if label == 'Adam' else 'sgd, Nesterov'}"]
        lines.append((f"bpnn {label} vs scikit-learn", {b: sk[b] / ours[b] for b in batches}))
    print(f"  {'ratio':<44}")
    for name, per_batch in lines:
        print(f"  {name:<44}" + "".join(f"{per_batch[b]:10.2f}×" for b in batches))


if __name__ == "__main__":
    main()
