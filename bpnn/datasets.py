"""Data sets: the course's ex4 ``.mat`` layout and the embedded default built from scikit-learn's digits.

The course layout (``ex4data1.mat``): ``X`` is m × 400, each row a 20×20 image stored column-major (as
MATLAB writes it, so ``row.reshape(20, 20, order="F")`` is upright); ``y`` is m × 1 with labels 1..10,
where 10 stands for the digit 0. Inside bpnn labels are 0..K−1: the mapping 10 → 0 happens here and
nowhere else, and so does the knowledge of how a row becomes an upright image (``Dataset.images``).

The embedded default works offline: scikit-learn's bundled handwritten digits (1797 images, 8×8,
values 0..16) are scaled to [0, 1], resampled to 16×16 and framed by a 2-pixel blank margin into
20×20 images like the course's, then written in the same ``.mat`` layout under the data folder, so the
default run reads its data through the same ``load_mat`` a course user's ``ex4data1.mat`` takes.
"""

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.io

from .errors import BpnnError
from .files import write_atomically

__all__ = [
    "Dataset",
    "data_dir",
    "load_mat",
    "save_mat",
    "make_default_mat",
    "default_data_path",
    "load_dataset",
]

COURSE_FILE = "ex4data1.mat"
DEFAULT_FILE = "digits20.mat"


@dataclass
class Dataset:
    """Examples X (m × n floats), labels y (0..K−1), and what is needed to draw a row as an image.

    ``X_test``/``y_test`` hold the source's own test split when it defines one (else None).
    """

    X: np.ndarray
    y: np.ndarray
    name: str
    n_classes: int
    image_shape: tuple = None
    image_order: str = "C"
    X_test: np.ndarray = None
    y_test: np.ndarray = None

    def images(self, rows):
        """Rows of X (or of Θ⁽¹⁾ without its bias column) as upright images, shape (k, h, w)."""
        if self.image_shape is None:
            raise BpnnError(f"{self.name}: rows of {self.X.shape[1]} values are not images of a known shape")
        rows = np.asarray(rows)
        return rows.reshape((rows.shape[0], *self.image_shape), order=self.image_order)


def data_dir():
    """The data folder: ``$BPNN_DATA_DIR`` if set, else ``data/`` in the current directory."""
    return Path(os.environ.get("BPNN_DATA_DIR") or "data")


def _square_shape(n):
    side = int(round(np.sqrt(n)))
    return (side, side) if side * side == n else None


def load_mat(path):
    """Read a course-layout ``.mat`` file: returns X (m × n float64) and y (m int64 labels 0..9).

    Raises BpnnError naming the file and the problem: missing file, not a ``.mat``, no ``X`` or ``y``,
    shapes that do not match, NaN/inf in X, labels that are not integers 1..10.
    """
    path = Path(path)
    if not path.is_file():
        raise BpnnError(f"{path}: no such file")
    try:
        contents = scipy.io.loadmat(path)
    except NotImplementedError:
        raise BpnnError(f"{path}: MATLAB v7.3 (HDF5) files are not supported; save it with -v7") from None
    except Exception as error:  # scipy raises ValueError, TypeError, MatReadError, … for non-.mat bytes
        raise BpnnError(f"{path}: not a readable MATLAB .mat file ({error})") from None
    variables = sorted(k for k in contents if not k.startswith("__"))
    for key in ("X", "y"):
        if key not in contents:
            raise BpnnError(f"{path}: no variable {key!r} (the file has: {', '.join(variables) or 'nothing'})")
    X, y = np.asarray(contents["X"]), np.asarray(contents["y"])
    if X.ndim != 2 or X.dtype.kind not in "iubf":
        raise BpnnError(f"{path}: X must be a numeric m × n matrix, got {X.dtype} of shape {X.shape}")
    if y.size != X.shape[0] or (y.ndim == 2 and 1 not in y.shape):
        raise BpnnError(f"{path}: X has {X.shape[0]} rows but y has shape {y.shape}; expected {X.shape[0]} × 1")
    X, y = X.astype(np.float64), y.ravel()
    if not np.all(np.isfinite(X)):
        raise BpnnError(f"{path}: X contains NaN or inf")
    if y.dtype.kind not in "iubf" or not np.all(np.isin(y, np.arange(1, 11))):
        bad = np.unique(y[~np.isin(y, np.arange(1, 11))])[:5] if y.dtype.kind in "iubf" else y.dtype
        raise BpnnError(f"{path}: labels must be integers 1..10 (10 for the digit 0), found {bad}")
    return X, y.astype(np.int64) % 10


def save_mat(path, X, y):
    """Write X (rows already in the course's column-major pixel order) and labels 0..9 as a course ``.mat``
    (y stored as 1..10, 10 for the digit 0). The file appears whole or not at all."""
    y = np.asarray(y).astype(np.int64)
    labels = np.where(y == 0, 10, y).astype(np.float64).reshape(-1, 1)
    data = {"X": np.asarray(X, dtype=np.float64), "y": labels}
    return write_atomically(path, lambda stream: scipy.io.savemat(stream, data, do_compression=True))


def embedded_digits():
    """scikit-learn's 1797 digits as 20×20 course-style images: X rows in column-major order, y 0..9."""
    from scipy.ndimage import zoom
    from sklearn.datasets import load_digits

    digits = load_digits()
    small = digits.images / 16.0  # (1797, 8, 8) in [0, 1]
    big = np.clip(zoom(small, (1, 2, 2), order=1, grid_mode=True, mode="nearest"), 0.0, 1.0)
    framed = np.zeros((small.shape[0], 20, 20))
    framed[:, 2:18, 2:18] = big
    X = framed.transpose(0, 2, 1).reshape(small.shape[0], 400)  # column-major rows, as MATLAB stores them
    return X, digits.target


def make_default_mat(path):
    """Write the embedded digits to ``path`` in the course layout (deterministic, atomic)."""
    save_mat(path, *embedded_digits())
    return Path(path)


def default_data_path(folder=None):
    """``<data>/ex4data1.mat`` when it exists, else the embedded digits ``<data>/digits20.mat``, made on
    first use."""
    folder = Path(folder) if folder is not None else data_dir()
    course = folder / COURSE_FILE
    if course.is_file():
        return course
    default = folder / DEFAULT_FILE
    if not default.is_file():
        make_default_mat(default)
    return default


def load_dataset(source=None):
    """Load a data set by path (``None``: the default, see ``default_data_path``) as a ``Dataset``."""
    path = default_data_path() if source is None else Path(source)
    X, y = load_mat(path)
    if path.name == DEFAULT_FILE:
        name = f"embedded digits (scikit-learn load_digits, 20×20) from {path}"
    else:
        name = f"course .mat {path}"
    return Dataset(X=X, y=y, name=name, n_classes=10, image_shape=_square_shape(X.shape[1]), image_order="F")
