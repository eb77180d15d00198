"""How well a trained θ does: accuracy, scikit-learn's classification report and confusion matrix."""

import numpy as np
from sklearn.metrics import classification_report, confusion_matrix

from .model.network import accuracy, predict
from .model.validate import check_labels

__all__ = ["evaluate"]


def evaluate(network, theta, X, y, classes=None):
    """Accuracy, ``classification_report`` text and confusion matrix (rows: true label) over labels 0..K−1;
    the report names each label by ``classes`` (``Dataset.classes``) when given."""
    n_classes = network.n_classes
    y = check_labels(y, n_classes)
    predicted = predict(network, theta, X)
    labels = np.arange(n_classes)
    return {
        "accuracy": accuracy(network, theta, X, y),
        "report": classification_report(y, predicted, labels=labels, digits=4, zero_division=0,
                                        target_names=None if classes is None else [str(c) for c in classes]),
        "confusion_matrix": confusion_matrix(y, predicted, labels=labels).tolist(),
    }
