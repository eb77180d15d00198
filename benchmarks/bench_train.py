"""Time to reach a held-out accuracy: bpnn (TNC, L-BFGS-B) against scikit-learn's MLPClassifier(lbfgs).

    python -m benchmarks.bench_train [--data SOURCE] [--hidden 25] [--lambda 1] [--maxiter 200]

scikit-learn is given the very same problem: logistic hidden units, the same architecture, alpha = λ
(its L2 term is also α/(2m) Σ‖W‖², biases excluded), and one-hot targets, which make its outputs logistic
with the cross-entropy summed over output units: bpnn's default objective. It trains for ``--maxiter``
L-BFGS iterations; its held-out accuracy A is the target. bpnn then trains with each method while the
held-out accuracy of its best θ is checked after every iteration (that checking is timed apart and not
counted) until it first reaches A (at most 5 × --maxiter iterations); that time is compared with
scikit-learn's total time.
Split: the source's own, else a stratified 20 % hold-out (seed 0), as scripts/train_tnc.py makes it.
"""

import argparse
import time
import warnings

import numpy as np

from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_limits

from benchmarks.common import machine
from bpnn import Network, load_dataset, one_hot, train
from bpnn.report import accuracy
from bpnn.cli import describe
from bpnn.datasets import split


def time_to_reach(X_train, y_train, X_test, y_test, target, method, hidden, lam, maxiter, n_classes):
    """(seconds until held-out accuracy ≥ target or None, evaluations then, held-out accuracy at the end)."""
    reached, monitor = {}, [0.0]

    def check(record):
        start = time.perf_counter()
        if accuracy(Network([X_train.shape[1], *hidden, n_classes]), record["theta"], X_test, y_test) >= target:
            reached.update(seconds=record["seconds"] - monitor[0], evaluations=record["n_evaluations"])
        monitor[0] += time.perf_counter() - start
        return bool(reached)  # stop once the target is reached

    result = train(X_train, y_train, hidden=tuple(hidden), lam=lam, method=method, max_iter=maxiter * 5, tol=0.0,
                   n_classes=n_classes, seed=0, progress=check)  # tol=0: only reaching the target ends the run
    return reached.get("seconds"), reached.get("evaluations"), accuracy(result.network, result.theta, X_test, y_test)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", metavar="SOURCE", help="any source train_tnc.py accepts (default: embedded digits)")
    parser.add_argument("--hidden", type=int, nargs="+", default=[25])
    parser.add_argument("--lambda", dest="lam", type=float, default=1.0)
    parser.add_argument("--maxiter", type=int, default=200, help="scikit-learn's L-BFGS iterations")
    args = parser.parse_args(argv)

    dataset = load_dataset(args.data)
    print(describe(dataset))
    X_train, y_train, X_test, y_test = split(dataset)
    K, hidden = dataset.n_classes, list(args.hidden)

    def fit_sklearn():
        sk = MLPClassifier(hidden_layer_sizes=tuple(hidden), activation="logistic", solver="lbfgs", alpha=args.lam,
                           max_iter=args.maxiter, random_state=0)
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            sk.fit(X_train, one_hot(y_train, K))
        assert sk.out_activation_ == "logistic"
        return sk, time.perf_counter() - start

    sk, sk_seconds = fit_sklearn()
    target = float(np.mean(sk.predict_proba(X_test).argmax(axis=1) == y_test))
    with threadpool_limits(1, user_api="blas"):
        sk_one, sk_one_seconds = fit_sklearn()

    print(f"{len(y_train)} training, {len(y_test)} held-out examples; network {[X_train.shape[1], *hidden, K]}, "
          f"λ = {args.lam}; machine: {machine()}\n")
    print(f"  {'trainer':<34} {'seconds':>8} {'evaluations':>12} {'held-out acc.':>14} {'ratio':>8}")
    print(f"  {'scikit-learn MLPClassifier lbfgs':<34} {sk_seconds:8.2f} {'—':>12} {target:14.4f} {'1.00×':>8}"
          f"   ({sk.n_iter_} iterations; its accuracy is the target)")
    print(f"  {'  same, BLAS held at 1 thread':<34} {sk_one_seconds:8.2f} {'—':>12} "
          f"{np.mean(sk_one.predict_proba(X_test).argmax(axis=1) == y_test):14.4f} {sk_seconds / sk_one_seconds:7.2f}×"
          "   (for reference: how much BLAS threading helps or hurts its L-BFGS-B here)")
    ratios = {}
    for method in ("TNC", "L-BFGS-B"):
        seconds, evaluations, final = time_to_reach(X_train, y_train, X_test, y_test, target, method, hidden,
                                                    args.lam, args.maxiter, K)
        if seconds is None:
            print(f"  {'bpnn ' + method:<34} {'never':>8} {'':>12} {final:14.4f} {'':>8}   (target not reached in "
                  f"{5 * args.maxiter} iterations)")
            continue
        ratios[method] = sk_seconds / seconds
        print(f"  {'bpnn ' + method:<34} {seconds:8.2f} {evaluations:>12} {final:14.4f} "
              f"{ratios[method]:7.2f}×   (time until it first reaches the target)")
    if "TNC" in ratios:
        goal = "" if args.data else f" (goal ≥ 3× on the embedded digits): {'ok' if ratios['TNC'] >= 3 else 'MISSED'}"
        print(f"\n  bpnn TNC reaches scikit-learn's accuracy at {ratios['TNC']:.2f}× its speed{goal}; "
              f"{sk_one_seconds / (sk_seconds / ratios['TNC']):.2f}× the speed of scikit-learn held at one BLAS thread")


if __name__ == "__main__":
    main()
