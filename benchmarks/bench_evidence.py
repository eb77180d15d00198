"""alpha="auto" (λ from the evidence) against a cross-validated grid of alpha: held-out score and time.

    python -m benchmarks.bench_evidence [--hidden 25] [--regression-hidden 20] [--fashion ROWS] [--fashion-hidden 100]

Two problems, each timed whole (one ``fit``) in the same run, in this process (``n_jobs=1`` for the grid):

  * the embedded digits (1,437 training and 360 held-out images, 400 pixels): ``BPNNClassifier(alpha="auto")``
    against ``GridSearchCV(BPNNClassifier(), {"alpha": logspace(-2, 2, 9)}, cv=5)`` (45 fits and the refit),
    held-out accuracy and log loss, and the log loss of the moderated probabilities
    (``predict_proba(X, moderated=True)``);
  * with ``--fashion ROWS``, the same on the first ROWS training images of Fashion-MNIST (Debian's
    ``dataset-fashion-mnist``, ``/usr/share/datasets/fashion-mnist``; 784-100-10 by default, about 79,000
    weights: the stochastic path) against its own 10,000 test images;
  * scikit-learn's diabetes data (442 patients, 10 features, split 75/25, features and target standardized on
    the training part): ``BPNNRegressor(alpha="auto")`` against the same grid scored by R², held-out R², and
    the share of held-out targets inside the 95 % predictive interval ŷ ± 1.96 σ (``predict(X,
    return_std=True)``).

The goal: a held-out score within 0.5 % of the grid's best (accuracy) or 0.005 (R²), in at most a fifth of
the grid's time, and 95 % intervals that cover 90–99 % of the held-out targets.
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import log_loss, r2_score
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.preprocessing import StandardScaler

from benchmarks.common import machine
from bpnn.data.loading import load_dataset, split
from bpnn.estimator import BPNNClassifier, BPNNRegressor

ALPHAS = np.logspace(-2, 2, 9)
TIME_GOAL = 5.0  # the grid's time over alpha="auto"'s


def timed(fit):
    """(seconds, the fitted estimator) of one whole fit."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        fitted = fit()
    return time.perf_counter() - start, fitted


FASHION = "/usr/share/datasets/fashion-mnist"


def digits(hidden):
    classification("digits", *split(load_dataset()), hidden)


def fashion(rows, hidden):
    data = load_dataset(FASHION)
    classification(f"Fashion-MNIST ({rows} training images)", data.X[:rows], data.y[:rows], data.X_test,
                   data.y_test, hidden)


def classification(name, X, y, X_test, y_test, hidden):
    make = lambda **alpha: BPNNClassifier(hidden_layer_sizes=hidden, random_state=0, **alpha)
    auto_seconds, auto = timed(lambda: make(alpha="auto").fit(X, y))
    grid_seconds, grid = timed(lambda: GridSearchCV(make(), {"alpha": ALPHAS}, cv=5, n_jobs=1).fit(X, y))
    auto_accuracy, grid_accuracy = auto.score(X_test, y_test), grid.score(X_test, y_test)
    print(f"{name} {list(auto.network_.sizes)}, {auto.posterior_.eigenvectors.shape[0]} weights "
          f"({'exact' if auto.posterior_.complete else 'Lanczos quadrature'}):")
    print(f"  {'alpha=auto':<28} alpha {auto.alpha_:8.4g}  {auto_seconds:7.1f} s   held-out accuracy "
          f"{auto_accuracy:.4f}   log loss {log_loss(y_test, auto.predict_proba(X_test)):.4f} (moderated "
          f"{log_loss(y_test, auto.predict_proba(X_test, moderated=True)):.4f});   {len(auto.evidence_history_)} "
          f"rounds, γ = {auto.gamma_:.0f}")
    print(f"  {'GridSearchCV(9 alphas, cv=5)':<28} alpha {grid.best_params_['alpha']:8.4g}  {grid_seconds:7.1f} s   "
          f"held-out accuracy {grid_accuracy:.4f}   log loss {log_loss(y_test, grid.predict_proba(X_test)):.4f}")
    met = auto_accuracy >= grid_accuracy - 0.005 and grid_seconds / auto_seconds >= TIME_GOAL
    print(f"  alpha=auto is {grid_seconds / auto_seconds:.1f}× faster, accuracy {auto_accuracy - grid_accuracy:+.4f} "
          f"({'meets' if met else 'misses'} the goal: ≥ {TIME_GOAL:g}× at ≥ the grid's accuracy − 0.005)\n")


def diabetes(hidden, seed=0):
    X, y = load_diabetes(return_X_y=True)
    X, X_test, y, y_test = train_test_split(X, y, test_size=0.25, random_state=seed)
    scaler = StandardScaler().fit(X)
    X, X_test = scaler.transform(X), scaler.transform(X_test)
    mean, scale = y.mean(), y.std()
    target = (y - mean) / scale
    make = lambda **alpha: BPNNRegressor(hidden_layer_sizes=hidden, activation="tanh", random_state=seed, **alpha)
    auto_seconds, auto = timed(lambda: make(alpha="auto").fit(X, target))
    grid_seconds, grid = timed(lambda: GridSearchCV(make(), {"alpha": ALPHAS}, cv=5, n_jobs=1).fit(X, target))
    predicted, std = auto.predict(X_test, return_std=True)
    predicted, std = mean + scale * predicted, scale * std
    auto_r2, grid_r2 = r2_score(y_test, predicted), r2_score(y_test, mean + scale * grid.predict(X_test))
    coverage = np.mean(np.abs(y_test - predicted) <= 1.96 * std)
    print(f"diabetes {list(auto.network_.sizes)}, {auto.posterior_.eigenvectors.shape[0]} weights:")
    print(f"  {'alpha=auto':<28} alpha {auto.alpha_:8.4g}  {auto_seconds:7.1f} s   held-out R² {auto_r2:.4f};   "
          f"{len(auto.evidence_history_)} rounds, γ = {auto.gamma_:.1f}, noise σ = {scale / np.sqrt(auto.beta_):.1f}")
    print(f"  {'GridSearchCV(9 alphas, cv=5)':<28} alpha {grid.best_params_['alpha']:8.4g}  {grid_seconds:7.1f} s   "
          f"held-out R² {grid_r2:.4f}")
    met = auto_r2 >= grid_r2 - 0.005 and grid_seconds / auto_seconds >= TIME_GOAL
    print(f"  alpha=auto is {grid_seconds / auto_seconds:.1f}× faster, R² {auto_r2 - grid_r2:+.4f} "
          f"({'meets' if met else 'misses'} the goal: ≥ {TIME_GOAL:g}× at ≥ the grid's R² − 0.005)")
    print(f"  95 % predictive intervals cover {coverage:.1%} of the {len(y_test)} held-out targets "
          f"({'meets' if 0.90 <= coverage <= 0.99 else 'misses'} the goal: 90–99 %)\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hidden", type=int, nargs="+", default=[25], help="the classifier's hidden layers")
    parser.add_argument("--regression-hidden", type=int, nargs="+", default=[20], help="the regressor's")
    parser.add_argument("--fashion", type=int, default=0, metavar="ROWS",
                        help="also Fashion-MNIST's first ROWS training images (0: not)")
    parser.add_argument("--fashion-hidden", type=int, nargs="+", default=[100], help="its hidden layers")
    args = parser.parse_args(argv)
    print(f"machine: {machine()}\n")
    diabetes(tuple(args.regression_hidden))
    digits(tuple(args.hidden))
    if args.fashion:
        fashion(args.fashion, tuple(args.fashion_hidden))


if __name__ == "__main__":
    main()
