"""How far apart two results are: what the sharded and in-process tests compare."""

import numpy as np


def relative(a, b):
    """‖a − b‖ / ‖b‖."""
    return np.linalg.norm(np.subtract(a, b)) / np.linalg.norm(b)
