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

import dataclasses
import os
from pathlib import Path

import numpy as np

from ..errors import BpnnError
from .dataset import Dataset
from .formats import find_format
from .formats.mat import load_mat, save_mat
from .formats.openml import load_openml_mnist

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


def data_dir():
    """The data home: ``$BPNN_DATA_DIR`` if set; else the checkout's top-level ``data/`` when bpnn runs from
    its source tree (where a course user puts ``ex4data1.mat``); else ``~/bpnn_data`` (as scikit-learn's
    ``get_data_home`` keeps ``~/scikit_learn_data``). Never the folder the caller happens to stand in."""
    if os.environ.get("BPNN_DATA_DIR"):
        return Path(os.environ["BPNN_DATA_DIR"])
    checkout = Path(__file__).resolve().parents[2]  # bpnn/data/loading.py → the checkout
    if (checkout / "setup.cfg").is_file() and (checkout / "scripts").is_dir():
        return checkout / "data"
    return Path.home() / "bpnn_data"


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
    try:
        name = np.dtype(dtype).name
    except (TypeError, ValueError):  # "bogus", 2.5, …: not a NumPy type at all
        name = None
    if name not in DTYPES:
        raise BpnnError(f"data type must be one of {', '.join(DTYPES)}, got {dtype!r}")
    return np.dtype(dtype)


def load_dataset(source=None, dtype=np.float64):
    """Load a data set as a ``Dataset``, its format recognized from ``source``.

    The formats are the registry ``bpnn.data.formats.FORMATS``: the course's ``.mat``, folders (or ``.zip``) of
    32×32 text digits, MNIST's IDX files (Fashion-MNIST too), the book's ``mnist.pkl.gz``, and ``"mnist"`` from
    OpenML. See :doc:`/howto/read-data`.

    Parameters
    ----------
    source : str or path-like, optional
        A file or folder, ``"mnist"`` (OpenML, downloaded once and cached in the data home), or None: the data
        home's ``ex4data1.mat`` if it is there, else the embedded digits (written once to the data home).
    dtype : {float64, float32}, default float64
        The type X is stored in (float32 halves the memory and runs the passes in float32).

    Returns
    -------
    Dataset

    Raises
    ------
    BpnnError
        A source that does not exist, is of no known format, or holds data that is not what its format says.

    Examples
    --------
    >>> import numpy as np, bpnn
    >>> data = bpnn.load_dataset(dtype="float32")
    >>> data.X.dtype, data.y[:10]
    (dtype('float32'), array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]))
    >>> bpnn.load_dataset("no-such-folder")
    Traceback (most recent call last):
        ...
    bpnn.errors.BpnnError: no-such-folder: no such file or folder
    """
    dtype = _check_dtype(dtype)
    if source is not None and (not isinstance(source, (str, os.PathLike)) or not os.fspath(source)):
        raise BpnnError(f"the data source must be a path or 'mnist' (or None for the default), got {source!r}")
    if source is not None and str(source).lower() == "mnist" and not Path(source).exists():
        return load_openml_mnist(data_dir(), dtype)
    path = default_data_path() if source is None else Path(source)
    if not path.exists():
        raise BpnnError(f"{path}: no such file or folder")
    if not (path.is_dir() or path.is_file()):
        raise BpnnError(f"{path}: not a regular file or folder")
    dataset = find_format(path).read(path, dtype)
    if path.name == DEFAULT_FILE and source is None:
        dataset = dataclasses.replace(dataset, name=f"embedded digits (scikit-learn load_digits, 20×20) {path}")
    return dataset


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
