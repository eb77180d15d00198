"""The default stopping rule against candidates: where each would stop a default fit, at what held-out accuracy
(the gap to the run's converged accuracy) and after how many evaluations.

    python -m benchmarks.bench_stopping [--data digits fashion20 fashion28] [--seeds 0 1 2] [--iterations 1000]

The default network (400-25-10, or 784-25-10 at 28×28; λ = 1; TNC with its inner steps capped at
``TNC_INNER_STEPS`` as under any stopping rule) is trained once per problem for ``--iterations`` iterations with
no rule (``Stopping(tol=1e-300, n_iter_no_change > max_iter)``: the same path as the default fit, never stopped
by the cost rule), and the progress callback records after each iteration: the cost, the evaluations so far,
‖∇J‖ at the best θ (2-norm and ∞-norm), the weights' norm, the training accuracy and the held-out accuracy.
Every rule is then applied *offline* to these traces: the iteration at which it would have stopped the run (or ``max_iter`` 400,
the default budget), the held-out accuracy there and the evaluations spent. "Converged" is the mean held-out
accuracy over iterations 500–1000 (over the second half of the run when TNC converges before 1000).

Validation-based stopping (scikit-learn's early_stopping) trains on less data, so it gets a second trace per
problem: the training part split 90/10 (stratified, same seed), the 10 % scored after each iteration as
``evaluation``; a patience N stops N iterations after the best validation score and returns that θ.

Problems: the embedded digits (1797 images, 20×20; 80/20 splits with seeds 0–2, 360 held out) and Fashion-MNIST
(``--fashion``: the IDX folder): 5,000 training and 2,000 test images drawn with each seed, in the course's
20×20 layout (``bpnn.data.convert.crop_and_resample``: crop to the non-blank box, square, linear resampling;
seeds 0–2) and at 28×28 (seed 0 unless ``--seeds28``).

The row blocks keep bpnn's default number of threads (the sums, hence the path, depend on it) and BLAS runs one
thread inside each: the same iterations and evaluations as the default fit (41 and 389 on digits seed 0), without
threads spinning on a busy machine. All seven problems took 17 minutes on 2 busy cores (the Fashion-MNIST 28×28
trace 6 of them, the three digits traces 1.5; ``--no-validation`` saves about a third); nothing is written unless
``--traces`` names a file.
"""

import argparse
import os
import pickle
import time

import numpy as np

from benchmarks.common import machine
from bpnn import Network, Stopping, train
from bpnn.data.convert import crop_and_resample
from bpnn.data.loading import embedded_digits, holdout, load_dataset
from bpnn.model.network import accuracy, cost_and_grad
from bpnn.model.params import as_generator
from bpnn.model.validate import one_hot
from bpnn.speed import default_threads, limit_blas

FASHION = "/usr/share/datasets/fashion-mnist"
MAX_ITER = Stopping().max_iter  # the default budget: a rule that has not stopped by then stops there
CONVERGED_FROM = 500
# the goal: points short of converged at worst; evaluations on the digits (≈ 3× sklearn)
GAP, DIGITS_EVALUATIONS = 0.3, 540


# ---------------------------------------------------------------------------------------------- problems --

def _fashion(folder, seed, size):
    """5,000 training and 2,000 test images of Fashion-MNIST drawn with ``seed``, at size × size pixels."""
    data = load_dataset(folder)
    rng = np.random.default_rng(seed)
    train_rows = rng.choice(len(data.y), 5000, replace=False)
    test_rows = rng.choice(len(data.y_test), 2000, replace=False)
    parts = [(data.X[train_rows], data.y[train_rows]), (data.X_test[test_rows], data.y_test[test_rows])]
    if size != 28:
        parts = [(crop_and_resample(data.images(X), size).transpose(0, 2, 1).reshape(len(X), size * size), y)
                 for X, y in parts]  # column-major rows, as the course's .mat files hold them
    (X_train, y_train), (X_test, y_test) = parts
    return X_train, y_train, X_test, y_test


def load_problem(name, seed, fashion):
    """(X_train, y_train, X_test, y_test) of problem ``name`` with ``seed``."""
    if name == "digits":
        X, y = embedded_digits()
        return holdout(X, y, 0.2, seed)
    return _fashion(fashion, seed, {"fashion20": 20, "fashion28": 28}[name])


# ------------------------------------------------------------------------------------------------ traces --

def record(X, y, X_test, y_test, seed, iterations, validation=False):
    """One run of the default fit for ``iterations`` iterations with no stopping rule; per iteration (arrays):
    cost, n_evaluations, grad2, grad_inf, weight_norm (‖θ‖ without the biases), train_accuracy, test_accuracy (and
    val_accuracy with ``validation``: trained on 90 % of (X, y), scored on the other 10 %); grad0 the ‖∇J‖ at θ₀."""
    evaluation = None
    if validation:
        X, y, X_val, y_val = holdout(X, y, 0.1, seed, what="validation")
        evaluation = (X_val, y_val)
    network = Network((X.shape[1], 25, 10))
    Y = one_hot(y, 10)
    theta0 = network.init(as_generator(seed), "uniform")
    _, grad = cost_and_grad(network, theta0, X, Y, 1.0)
    rows = {key: [] for key in ("cost", "n_evaluations", "grad2", "grad_inf", "weight_norm", "train_accuracy",
                                "test_accuracy", "val_accuracy")}
    last = {"cost": None}

    def progress(step):
        if step["cost"] != last["cost"]:  # a new best θ: its gradient and accuracies
            _, g = cost_and_grad(network, step["theta"], X, Y, 1.0)
            weights = np.concatenate([Theta[:, 1:].ravel() for Theta in network.unpack(step["theta"])])
            last.update(cost=step["cost"], grad2=np.linalg.norm(g), grad_inf=np.abs(g).max(),
                        weight_norm=np.linalg.norm(weights),
                        train_accuracy=accuracy(network, step["theta"], X, y),
                        test_accuracy=accuracy(network, step["theta"], X_test, y_test))
        for key in ("cost", "grad2", "grad_inf", "weight_norm", "train_accuracy", "test_accuracy"):
            rows[key].append(last[key])
        rows["n_evaluations"].append(step["n_evaluations"])
        rows["val_accuracy"].append(step.get("evaluation_accuracy", np.nan))

    result = train(network, X, y, theta0=theta0, seed=seed, evaluation=evaluation, progress=progress,
                   stopping=Stopping(max_iter=iterations, tol=1e-300, n_iter_no_change=iterations + 1))
    trace = {key: np.array(values, dtype=np.float64) for key, values in rows.items()}
    trace.update(grad0=float(np.linalg.norm(grad)), grad0_inf=float(np.abs(grad).max()),
                 stop_reason=result.stop_reason)
    return trace


def converged(trace):
    """Mean held-out accuracy over iterations 500–1000 (the second half when TNC converged before 1000)."""
    acc = trace["test_accuracy"]
    start = CONVERGED_FROM if len(acc) >= 2 * CONVERGED_FROM else len(acc) // 2
    return float(np.mean(acc[start:]))


# ------------------------------------------------------------------------------------------------- rules --
# A rule is a function (trace, k) -> True to stop after iteration k (k = 1, 2, …; the trace's arrays hold
# iterations 1..k at indices 0..k−1), checked after every iteration as the tracker checks bpnn's rules.

def cost_rule(tol, window):
    """bpnn's ``stalled``: the last ``window`` iterations lowered the cost by less than ``tol`` of it."""
    def rule(t, k):
        c = t["cost"]
        return k > window and c[k - 1 - window] - c[k - 1] < tol * abs(c[k - 1])
    return rule


def grad_rule(tol, norm="grad2"):
    """‖∇J‖ at the best θ below ``tol`` times ‖∇J(θ₀)‖."""
    start = {"grad2": "grad0", "grad_inf": "grad0_inf"}[norm]
    return lambda t, k: t[norm][k - 1] < tol * t[start]


def train_accuracy_rule(window, gain=0.0):
    """The training accuracy rose by no more than ``gain`` over the last ``window`` iterations."""
    def rule(t, k):
        a = t["train_accuracy"]
        return k > window and a[k - 1] - a[k - 1 - window] <= gain
    return rule


def weights_rule(tol, window):
    """The weights' norm ‖w‖ (θ without the biases) changed by less than ``tol`` of itself over ``window``."""
    def rule(t, k):
        w = t["weight_norm"]
        return k > window and abs(w[k - 1] - w[k - 1 - window]) < tol * w[k - 1]
    return rule


def both(*rules):
    return lambda t, k: all(rule(t, k) for rule in rules)


def stop_at(trace, rule):
    """The iteration after which ``rule`` stops the run (``MAX_ITER`` at most, or the trace's end)."""
    n = min(MAX_ITER, len(trace["cost"]))
    for k in range(1, n + 1):
        if rule(trace, k):
            return k
    return n


def patience_stop(trace, patience):
    """(stop iteration, iteration of the best validation score) of early stopping with ``patience``."""
    acc = trace["val_accuracy"][:MAX_ITER]
    best, best_k = -np.inf, 0
    for k, score in enumerate(acc, start=1):
        if score > best:
            best, best_k = score, k
        elif k - best_k >= patience:
            return k, best_k
    return len(acc), best_k


RULES = {
    "1 % over 10 (the default)": cost_rule(1e-2, 10),
    "0.5 % over 10": cost_rule(5e-3, 10),
    "0.5 % over 15": cost_rule(5e-3, 15),
    "0.2 % over 10": cost_rule(2e-3, 10),
    "0.2 % over 30": cost_rule(2e-3, 30),
    "0.1 % over 20": cost_rule(1e-3, 20),
    "‖∇J‖ < 2e-3 ‖∇J₀‖": grad_rule(2e-3),
    "‖∇J‖ < 1e-3 ‖∇J₀‖": grad_rule(1e-3),
    "‖∇J‖ < 5e-4 ‖∇J₀‖": grad_rule(5e-4),
    "‖∇J‖ < 3e-4 ‖∇J₀‖": grad_rule(3e-4),
    "‖∇J‖∞ < 2e-3 ‖∇J₀‖∞": grad_rule(2e-3, "grad_inf"),
    "‖∇J‖∞ < 5e-4 ‖∇J₀‖∞": grad_rule(5e-4, "grad_inf"),
    "training accuracy flat over 10": train_accuracy_rule(10),
    "training accuracy flat over 30": train_accuracy_rule(30),
    "training accuracy flat over 40": train_accuracy_rule(40),
    "‖w‖ changed by < 0.5 % over 20": weights_rule(5e-3, 20),
    "1 % over 10 and ‖∇J‖ < 5e-4 ‖∇J₀‖": both(cost_rule(1e-2, 10), grad_rule(5e-4)),
    "train. acc. flat over 30, ‖∇J‖ < 1e-3 ‖∇J₀‖": both(train_accuracy_rule(30), grad_rule(1e-3)),
    "none: TNC's own test or max_iter": lambda t, k: False,
}
PATIENCES = (5, 10, 20, 30)


# ----------------------------------------------------------------------------------------------- running --

def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n\n".join(__doc__.split("\n\n")[2:]))
    parser.add_argument("--data", nargs="+", default=["digits", "fashion20", "fashion28"],
                        choices=["digits", "fashion20", "fashion28"], help="problems (default: all three)")
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2],
                        help="seeds of digits and fashion20 (default: 0 1 2)")
    parser.add_argument("--seeds28", nargs="+", type=int, default=[0], help="seeds of fashion28 (default: 0)")
    parser.add_argument("--iterations", type=int, default=1000, help="length of each trace (default: 1000)")
    parser.add_argument("--fashion", default=FASHION, help=f"Fashion-MNIST's IDX folder (default: {FASHION})")
    parser.add_argument("--no-validation", action="store_true", help="skip the validation-based traces")
    parser.add_argument("--traces", metavar="FILE", help="a pickle outside the checkout: read the traces from it "
                        "when it exists, else write them there (to try other rules without training again)")
    args = parser.parse_args(argv)

    print(machine())
    problems = [(name, seed) for name in args.data for seed in (args.seeds28 if name == "fashion28" else args.seeds)]
    traces, val_traces = {}, {}
    if args.traces and os.path.exists(args.traces):
        with open(args.traces, "rb") as file:
            traces, val_traces = pickle.load(file)
    # The row blocks keep bpnn's default thread count (their sums, hence the path, depend on it) while BLAS
    # runs one thread inside each: the same evaluations and iterations, and no threads spinning on a busy machine.
    os.environ.setdefault("BPNN_NUM_THREADS", str(default_threads()))
    with limit_blas(1):
        for name, seed in problems:
            if (name, seed) in traces and ((name, seed) in val_traces or args.no_validation):
                continue
            data = load_problem(name, seed, args.fashion)
            start = time.perf_counter()
            traces[name, seed] = t = record(*data, seed, args.iterations)
            print(f"{name} seed {seed}: {len(t['cost'])} iterations, {t['n_evaluations'][-1]:.0f} evaluations, "
                  f"converged {converged(t):.4f} ({time.perf_counter() - start:.0f} s; {t['stop_reason']})",
                  flush=True)
            if not args.no_validation:
                val_traces[name, seed] = record(*data, seed, MAX_ITER, validation=True)
            if args.traces:
                with open(args.traces, "wb") as file:
                    pickle.dump((traces, val_traces), file)
    val_traces = {key: value for key, value in val_traces.items() if not args.no_validation}

    table = {}
    for label, rule in RULES.items():
        table[label] = []
        for key in problems:
            t = traces[key]
            k = stop_at(t, rule)
            table[label].append((100 * (t["test_accuracy"][k - 1] - converged(t)), k, t["n_evaluations"][k - 1]))
    for patience in PATIENCES if val_traces else ():
        label = f"10 % validation, patience {patience}"
        table[label] = []
        for key in problems:
            v = val_traces[key]
            k, best_k = patience_stop(v, patience)
            table[label].append((100 * (v["test_accuracy"][best_k - 1] - converged(traces[key])), k,
                                 v["n_evaluations"][k - 1]))

    print("\nconverged held-out accuracy: " + ", ".join(f"{name} s{seed} {converged(traces[name, seed]):.4f}"
                                                     for name, seed in problems))
    print("\nper problem: gap to converged (points), iterations, evaluations; the worst gap; the most evaluations "
          "on the digits")
    print(f"| rule | {' | '.join(f'{name} s{seed}' for name, seed in problems)} | worst | digits |")
    print(f"| --- |{' --- |' * (len(problems) + 2)}")
    summary = {}
    for label, results in table.items():
        worst = min(gap for gap, _, _ in results)
        digits = max((ev for (name, _), (_, _, ev) in zip(problems, results) if name == "digits"), default=0)
        summary[label] = worst, digits
        cells = " | ".join(f"{round(gap, 2) + 0.0:+.2f}, {k}, {ev:.0f}" for gap, k, ev in results)
        print(f"| {label} | {cells} | {worst:+.2f} | {digits:.0f} |")
    both_met = [label for label, (worst, digits) in summary.items() if worst >= -GAP and digits <= DIGITS_EVALUATIONS]
    print(f"\ngoal: worst gap ≥ −{GAP} points and at most {DIGITS_EVALUATIONS} evaluations on every digits seed")
    print(f"  rules meeting both: {', '.join(both_met) or 'none'}")
    fast = [label for label, (_, digits) in summary.items() if digits <= DIGITS_EVALUATIONS]
    close = [label for label, (worst, _) in summary.items() if worst >= -GAP]
    if fast:
        best = max(fast, key=lambda label: summary[label][0])
        print(f"  closest within the evaluations: {best} (worst {summary[best][0]:+.2f}, "
              f"digits {summary[best][1]:.0f})")
    if close:
        best = min(close, key=lambda label: summary[label][1])
        print(f"  cheapest within the gap: {best} (worst {summary[best][0]:+.2f}, digits {summary[best][1]:.0f})")


if __name__ == "__main__":
    main()
