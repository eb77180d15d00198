"""Fit ``BPNNClassifier`` on a multilabel indicator y against ``MLPClassifier`` at the same network and alpha.

    python -m benchmarks.bench_multilabel [--hidden 25] [--activation relu] [--alpha 1] [--seeds 3] [--repeat 3]

``make_multilabel_classification`` (4,000 samples, 20 features, 5 labels, seeds 0, 1, …), split 75/25 and
standardized on the training part. The classifiers share the hidden layer, activation and alpha, so the same
loss: the cross-entropy of independent sigmoid outputs summed over the labels, mean over samples, plus
alpha/(2m) Σ‖W‖² (``tests/test_multilabel.py`` checks that bpnn's cost at ``MLPClassifier``'s weights is its
``loss_``). Each keeps its own defaults for the rest, as a user meets them: ``BPNNClassifier()`` trains by TNC
under bpnn's stopping rule, ``MLPClassifier`` by L-BFGS (at most 200 iterations) or by Adam (its default solver).
Each fit is timed whole (best of ``--repeat``); the held-out scores are the subset accuracy (every label of a
sample right, ``score``) and the Hamming loss (the fraction of labels wrong).
"""

import argparse

from sklearn.datasets import make_multilabel_classification
from sklearn.metrics import hamming_loss
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from benchmarks.common import machine, timed_fit
from bpnn.estimator import BPNNClassifier


def problem(seed):
    """(X_train, Y_train, X_test, Y_test) of one seed."""
    X, Y = make_multilabel_classification(n_samples=4000, n_features=20, n_classes=5, random_state=seed)
    X_train, X_test, Y_train, Y_test = train_test_split(X, Y, test_size=0.25, random_state=seed)
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), Y_train, scaler.transform(X_test), Y_test


def classifiers(hidden, activation, alpha, seed):
    """{name: a function making the unfitted classifier}, the same network and loss."""
    same = {"hidden_layer_sizes": hidden, "activation": activation, "alpha": alpha, "random_state": seed}
    return {"bpnn BPNNClassifier()": lambda: BPNNClassifier(**same),
            "scikit-learn MLPClassifier(lbfgs)": lambda: MLPClassifier(solver="lbfgs", **same),
            "scikit-learn MLPClassifier(adam)": lambda: MLPClassifier(**same)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hidden", type=int, nargs="+", default=[25], help="hidden layer sizes")
    parser.add_argument("--activation", default="relu", choices=["tanh", "logistic", "relu"])
    parser.add_argument("--alpha", type=float, default=1.0, help="the L2 penalty of every classifier")
    parser.add_argument("--seeds", type=int, default=3, help="problems, seeds 0, 1, …")
    parser.add_argument("--repeat", type=int, default=3, help="fits per classifier and problem (the best is kept)")
    args = parser.parse_args(argv)
    print(f"machine: {machine()}")
    print(f"network: {args.hidden} {args.activation} hidden units, alpha {args.alpha:g}; best of {args.repeat} "
          "fits\n")
    print(f"{'seed':<5} {'classifier':<34} {'seconds':>8} {'loss':>8} {'subset acc.':>12} {'Hamming':>8} "
          f"{'vs bpnn':>8}")
    for seed in range(args.seeds):
        X, Y, X_test, Y_test = problem(seed)
        ours = None
        for label, make in classifiers(tuple(args.hidden), args.activation, args.alpha, seed).items():
            seconds, model = timed_fit(make, X, Y, args.repeat)
            ours = ours or seconds
            print(f"{seed:<5} {label:<34} {seconds:8.3f} {model.loss_:8.4f} {model.score(X_test, Y_test):12.4f} "
                  f"{hamming_loss(Y_test, model.predict(X_test)):8.4f} {seconds / ours:7.1f}×")
        print()


if __name__ == "__main__":
    main()
