"""How well a trained θ does: accuracy, scikit-learn's classification report and confusion matrix; for a
regression network R², RMSE and MAE."""

import numpy as np
from sklearn.metrics import (classification_report, confusion_matrix, mean_absolute_error, mean_squared_error,
                             r2_score)

from .model.network import accuracy, predict
from .errors import BpnnError
from .model.validate import check_labels
from .training.setup import targets

__all__ = ["evaluate", "evaluate_regression"]


def evaluate(network, theta, X, y, classes=None):
    """Accuracy, ``classification_report`` text and confusion matrix over labels 0..K−1; for a multilabel
    network the subset accuracy and the report per label.

    Parameters
    ----------
    network : Network
    theta : ndarray of shape (n_params,)
    X : ndarray of shape (m, s₁)
    y : array_like of shape (m,) or (m, K)
        True labels 0..K−1, or a multilabel network's 0/1 indicator matrix.
    classes : sequence, optional
        The name of each label (``Dataset.classes``), used by the report.

    Returns
    -------
    dict
        "accuracy" (float: for multilabel, the fraction of rows with every label right), "report"
        (scikit-learn's ``classification_report``, 4 digits) and, but for multilabel, "confusion_matrix" (a
        K × K list of lists, rows: true label).

    Raises
    ------
    BpnnError
        Labels outside 0..K−1, data that do not fit the network.

    Examples
    --------
    >>> import bpnn
    >>> network = bpnn.Network((3, 5, 3))
    >>> theta, X, Y = bpnn.debug_problem()
    >>> scores = bpnn.evaluate(network, theta, X, Y.argmax(axis=1))
    >>> scores["accuracy"], scores["confusion_matrix"]
    (0.2, [[1, 0, 0], [2, 0, 0], [2, 0, 0]])
    """
    n_classes = network.n_classes
    names = None if classes is None else [str(c) for c in classes]
    if names is not None and len(names) != n_classes:
        raise BpnnError(f"classes names {len(names)} labels; the network has {n_classes} outputs")
    if network.task == "multilabel":
        Y = targets(network, X, y)[1]
        return {"accuracy": accuracy(network, theta, X, Y),
                "report": classification_report(Y, predict(network, theta, X), digits=4, zero_division=0,
                                                target_names=names)}
    y = check_labels(y, n_classes)
    predicted = predict(network, theta, X)
    labels = np.arange(n_classes)
    return {
        "accuracy": accuracy(network, theta, X, y),
        "report": classification_report(y, predicted, labels=labels, digits=4, zero_division=0,
                                        target_names=names),
        "confusion_matrix": confusion_matrix(y, predicted, labels=labels).tolist(),
    }


def evaluate_regression(network, theta, X, y):
    """R², RMSE and MAE of a regression network's predictions of the targets y (m, or m × K; R² averaged over
    the targets as ``r2_score``, None for a single example, where it is not defined), and a text table of the
    three per target."""
    predicted = predict(network, theta, X)
    y = np.asarray(y, dtype=float).reshape(predicted.shape)
    r2 = r2_score(y, predicted, multioutput="raw_values") if len(y) > 1 else None
    rmse = np.sqrt(mean_squared_error(y, predicted, multioutput="raw_values"))
    mae = mean_absolute_error(y, predicted, multioutput="raw_values")
    shown = ["n/a"] * len(rmse) if r2 is None else [f"{value:.4f}" for value in r2]
    rows = [f"{'target':>10} {'R²':>10} {'RMSE':>12} {'MAE':>12}"]
    rows += [f"{k + 1:>10} {shown[k]:>10} {rmse[k]:12.6g} {mae[k]:12.6g}" for k in range(len(rmse))]
    return {"r2": None if r2 is None else float(r2.mean()), "rmse": rmse.tolist(), "mae": mae.tolist(),
            "report": "\n".join(rows)}
