"""How well a trained θ does: accuracy, scikit-learn's classification report and confusion matrix."""

import numpy as np
from sklearn.metrics import classification_report, confusion_matrix

from .network import check_labels, predict

__all__ = ["accuracy", "evaluate"]


def accuracy(theta, layer_sizes, X, y, activation="sigmoid"):
    """Fraction of rows of X whose predicted label equals y."""
    return float(np.mean(predict(theta, layer_sizes, X, activation=activation) == np.asarray(y)))


def evaluate(theta, layer_sizes, X, y, activation="sigmoid"):
    """Accuracy, ``classification_report`` text and confusion matrix (rows: true label) over labels 0..K−1."""
    n_classes = layer_sizes[-1]
    y = check_labels(y, n_classes)
    predicted = predict(theta, layer_sizes, X, activation=activation)
    labels = np.arange(n_classes)
    return {
        "accuracy": float(np.mean(predicted == y)),
        "report": classification_report(y, predicted, labels=labels, digits=4, zero_division=0),
        "confusion_matrix": confusion_matrix(y, predicted, labels=labels).tolist(),
    }
