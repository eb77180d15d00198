"""Data sets: every format bpnn reads, detected from the path, and the embedded default digits.

| source                                     | reader                              | split          | images      |
|--------------------------------------------|-------------------------------------|----------------|-------------|
| ``*.mat`` (course ex4 layout)              | ``formats.mat.load_mat``            | none           | column-major|
| folder of ``<label>_<index>.txt``          | ``formats.text_digits``             | none           | 32×32       |
| folder with trainingDigits/ and testDigits/| ``formats.text_digits``             | train / test   | 32×32       |
| ``*.zip`` of either                        | ``formats.text_digits``             | as inside      | 32×32       |
| folder with the four MNIST IDX files       | ``formats.idx``                     | 60k / 10k      | 28×28       |
| ``mnist.pkl.gz`` (the book's file)         | ``formats.mnist_pickle``            | 50k/10k/10k    | 28×28       |
| ``mnist`` (online, cached in the data dir) | ``formats.openml``                  | 60k / 10k      | 28×28       |

A ``Dataset`` carries X (one row per image, floats in [0, 1]), y (0..K−1), the source's own test and
validation parts when it has them, and how a row becomes an upright image (``Dataset.images``): the only
place outside the readers that knows pixel order.

The embedded default works offline: scikit-learn's bundled handwritten digits (1797 images, 8×8,
values 0..16) are scaled to [0, 1], resampled to 16×16 and framed by a 2-pixel blank margin into
20×20 images like the course's, then written in the course's ``.mat`` layout under the data folder, so
the default run reads its data through the same ``load_mat`` a course user's ``ex4data1.mat`` takes.
"""

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import BpnnError
from .formats.idx import find_idx_files, load_idx_folder
from .formats.mat import load_mat, save_mat
from .formats.mnist_pickle import load_mnist_pickle
from .formats.openml import load_openml_mnist
from .formats.text_digits import split_folders, text_digits_in_folder, text_digits_in_zip

__all__ = [
    "Dataset",
    "data_dir",
    "load_mat",
    "save_mat",
    "embedded_digits",
    "make_default_mat",
    "default_data_path",
    "load_dataset",
    "holdout",
    "split",
]

COURSE_FILE = "ex4data1.mat"
DEFAULT_FILE = "digits20.mat"
DTYPES = ("float64", "float32")


@dataclass
class Dataset:
    """Examples X (m × n floats in [0, 1]), labels y (0..K−1), the source's own parts, and the image layout.

    ``X_test``/``y_test`` and ``X_valid``/``y_valid`` hold the source's own test and validation parts when it
    defines them (else None). ``kind`` names the format.
    """

    X: np.ndarray
    y: np.ndarray
    name: str
    n_classes: int
    image_shape: tuple = None
    image_order: str = "C"
    X_test: np.ndarray = None
    y_test: np.ndarray = None
    X_valid: np.ndarray = None
    y_valid: np.ndarray = None
    kind: str = ""

    def images(self, rows):
        """Rows of X (or of Θ⁽¹⁾ without its bias column) as upright images, shape (k, h, w)."""
        if self.image_shape is None:
            raise BpnnError(f"{self.name}: rows of {self.X.shape[1]} values are not images of a known shape")
        rows = np.asarray(rows)
        return rows.reshape((rows.shape[0], *self.image_shape), order=self.image_order)

    def all_examples(self):
        """(X, y) of every part (training, validation, test) stacked: what a format conversion writes."""
        parts = [(self.X, self.y), (self.X_valid, self.y_valid), (self.X_test, self.y_test)]
        parts = [(X, y) for X, y in parts if X is not None]
        return np.concatenate([X for X, _ in parts]), np.concatenate([y for _, y in parts])


def data_dir():
    """The data folder: ``$BPNN_DATA_DIR`` if set, else ``data/`` in the current directory."""
    return Path(os.environ.get("BPNN_DATA_DIR") or "data")


def _square_shape(n):
    side = int(round(np.sqrt(n)))
    return (side, side) if side * side == n else None


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


def _check_dtype(dtype):
    name = np.dtype(dtype).name
    if name not in DTYPES:
        raise BpnnError(f"data type must be one of {', '.join(DTYPES)}, got {name}")
    return np.dtype(dtype)


def load_dataset(source=None, dtype=np.float64):
    """Load a data set as a ``Dataset``, detecting its format from ``source`` (see the module table).

    ``source`` is a path, ``"mnist"`` (OpenML, cached in the data folder) or None (the default data).
    ``dtype`` (float64 or float32) is the type X is stored in.
    """
    dtype = _check_dtype(dtype)
    if source is not None and str(source).lower() == "mnist" and not Path(source).exists():
        X, y, X_test, y_test = load_openml_mnist(data_dir(), dtype)
        return Dataset(X, y, f"MNIST from OpenML (cached in {data_dir()})", 10, (28, 28), "C", X_test, y_test,
                       kind="openml mnist_784")
    path = default_data_path() if source is None else Path(source)
    if path.is_dir():
        return _load_folder(path, dtype)
    if not path.exists():
        raise BpnnError(f"{path}: no such file or folder")
    if not path.is_file():
        raise BpnnError(f"{path}: not a regular file or folder")
    name = path.name.lower()
    if name.endswith(".mat"):
        X, y = load_mat(path)
        what = "embedded digits (scikit-learn load_digits, 20×20)" if path.name == DEFAULT_FILE else "course .mat"
        return Dataset(X.astype(dtype, copy=False), y, f"{what} {path}", 10, _square_shape(X.shape[1]), "F",
                       kind="course .mat")
    if name.endswith(".zip"):
        parts = text_digits_in_zip(path, dtype)
        return _text_dataset(parts.get("train", parts.get("all")), parts.get("test"), f"32×32 text digits in {path}")
    if name.endswith((".pkl.gz", ".pkl")):
        parts = load_mnist_pickle(path, dtype)
        (X, y), (X_valid, y_valid), (X_test, y_test) = parts["train"], parts["validation"], parts["test"]
        return Dataset(X, y, f"MNIST pickle {path}", 10, _square_shape(X.shape[1]), "C", X_test, y_test,
                       X_valid, y_valid, kind="mnist.pkl.gz")
    raise BpnnError(f"{path}: unknown data format; expected a .mat, .zip, .pkl.gz file or a folder "
                    "(text digits, trainingDigits/ + testDigits/, or MNIST IDX files)")


def holdout(X, y, size, seed=0, what="test"):
    """(X_a, y_a, X_b, y_b): a stratified random ``size`` fraction of the rows held out as part b
    (``size=0``: part b is empty)."""
    if not 0.0 <= size < 1.0:
        raise BpnnError(f"{what} size must be in [0, 1), got {size}")
    if size == 0:
        return X, y, X[:0], y[:0]
    from sklearn.model_selection import train_test_split

    try:
        X_a, X_b, y_a, y_b = train_test_split(X, y, test_size=size, random_state=seed, stratify=y)
    except ValueError as error:
        raise BpnnError(f"cannot hold out {size} of {len(y)} examples as {what} data: {error}") from None
    return X_a, y_a, X_b, y_b


def split(dataset, test_size=0.2, seed=0):
    """(X_train, y_train, X_test, y_test): the source's own split if it has one, else ``holdout``."""
    if dataset.X_test is not None:
        return dataset.X, dataset.y, dataset.X_test, dataset.y_test
    return holdout(dataset.X, dataset.y, test_size, seed)


def _text_dataset(train, test, name):
    X, y = train
    X_test, y_test = test if test is not None else (None, None)
    return Dataset(X, y, name, 10, (32, 32), "C", X_test, y_test, kind="text digits")


def _load_folder(folder, dtype):
    if find_idx_files(folder):
        X, y, X_test, y_test, shape = load_idx_folder(folder, dtype)
        return Dataset(X, y, f"MNIST IDX files in {folder}", 10, shape, "C", X_test, y_test, kind="mnist idx")
    two = split_folders(folder)
    if two:
        return _text_dataset(text_digits_in_folder(two[0], dtype), text_digits_in_folder(two[1], dtype),
                             f"32×32 text digits in {folder} (trainingDigits/ + testDigits/)")
    return _text_dataset(text_digits_in_folder(folder, dtype), None, f"32×32 text digits in {folder}")
