"""The course's ``predict.m``, written again independently of bpnn: a sigmoid forward pass on the stored Θs,
prediction = index of the largest output (1-based), where 10 means the digit 0."""

import numpy as np


def course_predict(thetas, X):
    """Digits 0..9 predicted the course's way for the rows of X, from Θs as a ``.mat`` file stores them."""
    a = np.asarray(X, dtype=np.float64)
    for Theta in thetas:
        a = 1.0 / (1.0 + np.exp(-(np.hstack([np.ones((a.shape[0], 1)), a]) @ Theta.T)))
    p = np.argmax(a, axis=1) + 1  # output unit k (1-based) is label k
    return np.where(p == 10, 0, p)
