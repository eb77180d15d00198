"""How well a trained θ does: accuracy, scikit-learn's classification report and confusion matrix."""

import numpy as np
from sklearn.metrics import classification_report, confusion_matrix

from .model.network import accuracy, predict
from .model.validate import check_labels

__all__ = ["evaluate"]


def evaluate(network, theta, X, y):
    """Accuracy, ``classification_report`` text and confusion matrix over labels 0..K−1.

    Parameters
    ----------
    network : Network
    theta : ndarray of shape (n_params,)
    X : ndarray of shape (m, s₁)
    y : array_like of shape (m,)
        True labels 0..K−1.

    Returns
    -------
    dict
        "accuracy" (float), "report" (scikit-learn's ``classification_report``, 4 digits) and
        "confusion_matrix" (a K × K list of lists, rows: true label).

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
    y = check_labels(y, n_classes)
    predicted = predict(network, theta, X)
    labels = np.arange(n_classes)
    return {
        "accuracy": accuracy(network, theta, X, y),
        "report": classification_report(y, predicted, labels=labels, digits=4, zero_division=0),
        "confusion_matrix": confusion_matrix(y, predicted, labels=labels).tolist(),
    }
