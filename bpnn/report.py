"""How well a trained θ does: accuracy, scikit-learn's classification report and confusion matrix."""

import numpy as np
from sklearn.metrics import classification_report, confusion_matrix

from .checks import check_labels
from .network import predict

__all__ = ["accuracy", "evaluate"]


def accuracy(network, theta, X, y):
    """Fraction of rows of X whose predicted label equals y."""
    return float(np.mean(predict(network, theta, X) == np.asarray(y)))


def evaluate(network, theta, X, y):
    """Accuracy, ``classification_report`` text and confusion matrix (rows: true label) over labels 0..K−1."""
    n_classes = network.n_classes
    y = check_labels(y, n_classes)
    predicted = predict(network, theta, X)
    labels = np.arange(n_classes)
    return {
        "accuracy": float(np.mean(predicted == y)),
        "report": classification_report(y, predicted, labels=labels, digits=4, zero_division=0),
        "confusion_matrix": confusion_matrix(y, predicted, labels=labels).tolist(),
    }
