"""bpnn's held-out accuracy next to two classic baselines on the same split, for any supported source.

    python -m benchmarks.bench_baselines [--data SOURCE] [--hidden 25] [--lambda 1] [--maxiter 400]

The baselines are scikit-learn's 3-nearest-neighbour classifier (the kNN tutorial's method) and
multinomial logistic regression (lbfgs, C = 1). The split is the source's own when it has one, else a
stratified 20 % hold-out (seed 0), exactly as ``scripts/train_tnc.py`` makes it.
"""

import argparse
import time
import warnings

from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier

from bpnn import Network, Stopping, load_dataset, train
from bpnn.cli import describe
from bpnn.data.loading import split
from bpnn.model.network import accuracy


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", metavar="SOURCE", help="any source train_tnc.py accepts (default: the embedded digits)")
    parser.add_argument("--hidden", type=int, nargs="+", default=[25])
    parser.add_argument("--lambda", dest="lam", type=float, default=1.0)
    parser.add_argument("--maxiter", type=int, default=400)
    parser.add_argument("--method", default="TNC")
    args = parser.parse_args(argv)

    dataset = load_dataset(args.data)
    print(describe(dataset))
    X_train, y_train, X_test, y_test = split(dataset)
    print(f"{len(y_train)} training, {len(y_test)} held-out examples\n")

    rows = []
    start = time.perf_counter()
    network = Network((X_train.shape[1], *args.hidden, dataset.n_classes))
    result = train(network, X_train, y_train, lam=args.lam, method=args.method,
                   stopping=Stopping(max_iter=args.maxiter))
    rows.append((f"bpnn {list(result.network.sizes)} {args.method}, λ = {args.lam}",
                 accuracy(result.network, result.theta, X_test, y_test), time.perf_counter() - start))
    for name, model in (("scikit-learn 3-nearest-neighbour", KNeighborsClassifier(n_neighbors=3)),
                        ("scikit-learn logistic regression", LogisticRegression(max_iter=1000))):
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X_train, y_train)
        rows.append((name, float((model.predict(X_test) == y_test).mean()), time.perf_counter() - start))

    print(f"  {'model':<44} {'held-out accuracy':>17} {'seconds':>9}")
    for name, acc, seconds in rows:
        print(f"  {name:<44} {acc:17.4f} {seconds:9.1f}")
    ours = rows[0][1]
    print("\n  " + "   ".join(f"bpnn − {name.split(' ', 1)[1]}: {ours - acc:+.4f}" for name, acc, _ in rows[1:]))


if __name__ == "__main__":
    main()
