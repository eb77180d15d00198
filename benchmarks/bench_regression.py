"""Fit ``BPNNRegressor`` against ``MLPRegressor(solver="lbfgs")`` at the same network and alpha: time and held-out R².

    python -m benchmarks.bench_regression [--hidden 20] [--activation tanh] [--alpha A] [--repeat 3]

Two problems, each split 75/25 (seeded), features standardized on the training part:

  * scikit-learn's diabetes data (442 patients, 10 features, a disease-progression score of 25–346), with the
    target standardized too for both (``TransformedTargetRegressor`` around each regressor, as one fits a
    network to targets of that size); the R² is on the original scale;
  * ``make_friedman1`` (2,000 samples, 10 features of which 5 matter, noise 1.0).

Both regressors get the same hidden layer, activation and alpha (30 on the diabetes data, where less lets 20
hidden units fit the noise and both score below R² = 0.3; 1 on Friedman's; ``--alpha`` sets both), so the same
loss: scikit-learn's squared error
½ mean (y − ŷ)² + alpha/(2m) Σ‖W‖²) and each its own defaults for the rest, as a user meets them:
``BPNNRegressor()`` trains by L-BFGS-B (its default solver) under bpnn's stopping rule,
``MLPRegressor(solver="lbfgs")`` by L-BFGS for at most 200 iterations. Each fit is timed whole (``fit``, best of
``--repeat``), from the same seed. The goal is bpnn ≥ 3× faster at a held-out R² at least scikit-learn's (within
0.005).
"""

import argparse

from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import load_diabetes, make_friedman1
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPRegressor
from sklearn.preprocessing import StandardScaler

from benchmarks.common import machine, timed_fit
from bpnn.estimator import BPNNRegressor

GOAL = 3.0
ALPHA = {"diabetes": 30.0, "friedman1": 1.0}


def problems(seed=0):
    """{name: (X_train, y_train, X_test, y_test, scale the target)}."""
    X, y = load_diabetes(return_X_y=True)
    friedman = make_friedman1(2000, noise=1.0, random_state=seed)
    made = {}
    for name, (X, y), scale in (("diabetes", (X, y), True), ("friedman1", friedman, False)):
        X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=seed)
        scaler = StandardScaler().fit(X_train)
        made[name] = (scaler.transform(X_train), y_train, scaler.transform(X_test), y_test, scale)
    return made


def regressors(hidden, activation, alpha, seed=0):
    """{name: a function making the unfitted regressor}, the same network and loss."""
    return {
        "bpnn BPNNRegressor()": lambda: BPNNRegressor(hidden_layer_sizes=hidden, activation=activation, alpha=alpha,
                                                      random_state=seed),
        "scikit-learn MLPRegressor(lbfgs)": lambda: MLPRegressor(hidden_layer_sizes=hidden, activation=activation,
                                                                 alpha=alpha, solver="lbfgs", random_state=seed),
    }


def _scaled(make):
    """``make`` with the target standardized around it (``TransformedTargetRegressor``)."""
    return lambda: TransformedTargetRegressor(regressor=make(), transformer=StandardScaler())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hidden", type=int, nargs="+", default=[20], help="hidden layer sizes")
    parser.add_argument("--activation", default="tanh", choices=["tanh", "logistic", "relu"])
    parser.add_argument("--alpha", type=float, help="the L2 penalty on both problems (default: 30 on diabetes, 1 on "
                        "friedman1)")
    parser.add_argument("--repeat", type=int, default=3, help="fits per regressor and problem (the best is kept)")
    args = parser.parse_args(argv)
    print(f"machine: {machine()}")
    print(f"network: {args.hidden} {args.activation} hidden units; best of {args.repeat} fits\n")
    print(f"{'problem':<11} {'regressor (alpha)':<34} {'seconds':>8} {'held-out R²':>12} {'iterations':>11}")
    for name, (X, y, X_test, y_test, scale) in problems().items():
        results = {}
        alpha = ALPHA[name] if args.alpha is None else args.alpha
        for label, make in regressors(tuple(args.hidden), args.activation, alpha).items():
            seconds, model = timed_fit(_scaled(make) if scale else make, X, y, args.repeat)
            fitted = model.regressor_ if scale else model
            results[label] = (seconds, model.score(X_test, y_test))
            shown = f"{label} ({alpha:g})"
            print(f"{name:<11} {shown:<34} {seconds:8.3f} {results[label][1]:12.4f} {fitted.n_iter_:11d}")
        (ours, our_r2), (theirs, their_r2) = results.values()
        met = theirs / ours >= GOAL and our_r2 >= their_r2 - 0.005
        print(f"{name:<11} {'bpnn is':<34} {theirs / ours:7.2f}× faster, R² {our_r2 - their_r2:+.4f} "
              f"({'meets' if met else 'misses'} the goal: ≥ {GOAL:g}× at ≥ scikit-learn's R²)\n")


if __name__ == "__main__":
    main()
