"""A cross-validated grid search over two hyper-parameters of ``BPNNClassifier``, run in parallel by joblib.

Every (grid point, fold) pair is one joblib task: clone the estimator with the point's parameters, fit
on the fold's training rows, score accuracy on its held-out rows. Tasks run through
``joblib.Parallel``, so the active joblib backend decides where: local processes by default, or a
cluster inside ``with joblib.parallel_backend("dask"):`` (dask.distributed). Results arrive as tasks
finish, which drives the progress report; folds are stratified and seeded, so every point sees the same
splits.

Ctrl-C ends the search early: ``grid_search`` returns the points whose every fold finished (the others
are NaN) with ``interrupted`` set, so that what was done can still be shown and saved.
"""

import itertools
import time
from dataclasses import dataclass

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.model_selection import StratifiedKFold

from .errors import BpnnError
from .estimator import BPNNClassifier

__all__ = ["GridResult", "grid_search"]


@dataclass
class GridResult:
    """Mean and standard deviation of the CV accuracy at every point of a two-parameter grid."""

    names: tuple  # the two parameter names
    values: tuple  # the two lists of values
    mean: np.ndarray  # len(values[0]) × len(values[1])
    std: np.ndarray
    seconds: np.ndarray  # summed fit time over the folds
    cv: int
    interrupted: bool = False  # Ctrl-C ended the search: the points not finished are NaN

    def relabelled(self, names):
        """The same result with the two parameters shown under other names (e.g. the command line's)."""
        return GridResult(tuple(names), self.values, self.mean, self.std, self.seconds, self.cv, self.interrupted)

    @property
    def finished(self):
        """True at every point whose folds all finished (every point unless the search was interrupted)."""
        return ~np.isnan(self.mean)

    @property
    def best(self):
        """(value of the first parameter, value of the second, mean accuracy) at the best finished point;
        BpnnError when no point finished."""
        if not self.finished.any():
            raise BpnnError("no grid point finished")
        i, j = np.unravel_index(np.nanargmax(self.mean), self.mean.shape)
        return self.values[0][i], self.values[1][j], float(self.mean[i, j])

    def rows(self):
        """One dict per finished point: the two parameters, mean, std, seconds."""
        return [{self.names[0]: a, self.names[1]: b, "mean": float(self.mean[i, j]), "std": float(self.std[i, j]),
                 "seconds": float(self.seconds[i, j])}
                for (i, a), (j, b) in itertools.product(enumerate(self.values[0]), enumerate(self.values[1]))
                if self.finished[i, j]]


def _fit_and_score(estimator, params, X, y, train, test, key):
    """Fit a clone with ``params`` on the ``train`` rows and score it on the ``test`` rows; a fit that Ctrl-C
    cut short (the estimator keeps its weights and goes on) ends the search instead of scoring."""
    start = time.perf_counter()
    model = clone(estimator).set_params(**params).fit(X[train], y[train])
    if getattr(model, "interrupted_", False):
        raise KeyboardInterrupt
    return key, float(model.score(X[test], y[test])), time.perf_counter() - start


def _check_point(estimator, params):
    """BpnnError unless ``estimator`` takes ``params`` (BPNNClassifier's checks include that each applies
    to its solver: no learning rate for TNC)."""
    try:
        clone(estimator).set_params(**params)._validate_params()
    except (TypeError, ValueError) as error:  # scikit-learn's InvalidParameterError is both
        point = ", ".join(f"{name}={value!r}" for name, value in params.items())
        raise BpnnError(f"grid point {point}: {error}") from None


def grid_search(X, y, grid, *, estimator=None, cv=3, n_jobs=-1, seed=0, progress=None):
    """Cross-validate ``estimator`` (default ``BPNNClassifier()``) at every point of ``grid``.

    ``grid`` is two (parameter name, values) pairs naming parameters of the estimator (e.g.
    ``[("hidden_layer_sizes", [10, 25]), ("alpha", [0.1, 1])]``). ``progress(done, total, seconds)`` is
    called as tasks finish. Returns a ``GridResult``; after Ctrl-C, one with ``interrupted`` set that holds
    the points finished so far.
    """
    if len(grid) != 2:
        raise BpnnError(f"the grid needs exactly two parameters, got {len(grid)}")
    (name_a, values_a), (name_b, values_b) = grid
    if name_a == name_b:
        raise BpnnError(f"the two grid parameters must differ, got {name_a} twice")
    estimator = estimator if estimator is not None else BPNNClassifier()
    unknown = [name for name in (name_a, name_b) if name not in estimator.get_params()]
    if unknown:
        raise BpnnError(f"{type(estimator).__name__} has no parameter {', '.join(unknown)}")
    for name, values in grid:
        if not len(values) or len(set(map(repr, values))) < len(values):
            raise BpnnError(f"the grid values of {name} must be distinct and at least one, got {list(values)!r}")
    for a, b in itertools.product(values_a, values_b):  # every point valid before any worker starts
        _check_point(estimator, {name_a: a, name_b: b})
    smallest = int(np.bincount(np.unique(np.asarray(y), return_inverse=True)[1]).min()) if len(y) else 0
    if not isinstance(cv, (int, np.integer)) or not 2 <= cv <= smallest:
        raise BpnnError(f"cv must be a number of folds from 2 to {smallest} (the examples of the rarest class), "
                        f"got {cv!r}")
    if n_jobs == 0:
        raise BpnnError("n_jobs = 0 would run nothing: give a positive number, or -1 for all cores")
    folds = list(StratifiedKFold(n_splits=cv, shuffle=True, random_state=seed).split(X, y))
    tasks = [
        delayed(_fit_and_score)(estimator, {name_a: a, name_b: b}, X, y, train, test, (i, j, k))
        for (i, a), (j, b) in itertools.product(enumerate(values_a), enumerate(values_b))
        for k, (train, test) in enumerate(folds)
    ]
    scores = np.full((len(values_a), len(values_b), cv), np.nan)
    seconds = np.zeros((len(values_a), len(values_b)))
    start, interrupted = time.perf_counter(), False
    results = Parallel(n_jobs=n_jobs, return_as="generator_unordered")(tasks)
    try:
        for done, ((i, j, k), score, took) in enumerate(results, start=1):
            scores[i, j, k] = score
            seconds[i, j] += took
            if progress is not None:
                progress(done, len(tasks), time.perf_counter() - start)
    except KeyboardInterrupt:
        interrupted = True
        results.close()  # stops the workers and drops the tasks not started
    return GridResult((name_a, name_b), (list(values_a), list(values_b)), scores.mean(axis=2), scores.std(axis=2),
                      seconds, cv, interrupted)
