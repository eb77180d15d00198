"""``mnist.pkl.gz`` as the neural-networks book's code uses it: a gzipped pickle of the tuple
(training, validation, test), each an (images, labels) pair of numpy arrays (50,000 / 10,000 / 10,000
rows of 784 floats in [0, 1]).

Unpickling can run arbitrary code, so the file is read with an unpickler that admits only what such a
file needs: tuples (built by the pickle machinery itself), numpy arrays and dtypes, and ``_codecs.encode``
(bytes in protocol-2 pickles). Anything else is refused before it is built.
"""

import gzip
import pickle
from pathlib import Path

import numpy as np

from ..dataset import Dataset, square_image_shape
from ...errors import BpnnError
from ..files import check_regular_file

__all__ = ["DESCRIPTION", "recognizes", "read", "load_mnist_pickle"]

DESCRIPTION = "the book's mnist.pkl.gz (or a .pkl)"

_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.numeric", "_frombuffer"), ("numpy._core.numeric", "_frombuffer"),
    ("numpy", "ndarray"), ("numpy", "dtype"),
    ("_codecs", "encode"),  # how protocol-2 pickles written by Python 3 carry raw bytes: str → bytes only
}


class _ArraysOnly(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) not in _ALLOWED:
            raise BpnnError(f"refusing to unpickle {module}.{name}: only numpy arrays and tuples are allowed")
        target = module.replace("numpy.core", "numpy._core") if module.startswith("numpy.core") else module
        return getattr(__import__(target, fromlist=[name]), name)


def _check_pair(path, part, pair):
    if not (isinstance(pair, tuple) and len(pair) == 2 and all(isinstance(a, np.ndarray) for a in pair)):
        raise BpnnError(f"{path}: the {part} part must be an (images, labels) pair of arrays")
    images, labels = pair
    if images.ndim != 2 or labels.shape != (images.shape[0],):
        raise BpnnError(f"{path}: {part} images are {images.shape} and labels {labels.shape}; expected "
                        "m × pixels and m labels")
    if labels.dtype.kind not in "iu" or (labels.size and (labels.min() < 0 or labels.max() > 9)):
        raise BpnnError(f"{path}: {part} labels must be integers 0..9")
    if images.dtype.kind not in "iuf" or not np.all(np.isfinite(images)):
        raise BpnnError(f"{path}: {part} images must be finite numbers")
    return images, labels.astype(np.int64)


def _scaled(images, dtype, path):
    X = images.astype(dtype)
    if images.dtype.kind in "iu":
        X /= 255.0
    elif X.size and (X.min() < 0 or X.max() > 1):
        raise BpnnError(f"{path}: pixel values must be in [0, 1]")
    return X


def load_mnist_pickle(path, dtype=np.float64):
    """{'train': (X, y), 'validation': (X, y), 'test': (X, y)} from ``mnist.pkl.gz`` (or a plain ``.pkl``)."""
    path = Path(path)
    check_regular_file(path)
    try:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rb") as stream:
            contents = _ArraysOnly(stream, encoding="latin1").load()  # latin1: the file was written by Python 2
    except BpnnError as error:
        raise BpnnError(f"{path}: {error}") from None
    except MemoryError:
        raise BpnnError(f"{path}: the pickle asks for arrays larger than this machine's memory") from None
    except Exception as error:  # bytes that are no pickle, or objects put together wrongly (AttributeError, …)
        raise BpnnError(f"{path}: not a readable pickle of the MNIST arrays ({type(error).__name__}: {error})") from None
    if not (isinstance(contents, tuple) and len(contents) == 3):
        raise BpnnError(f"{path}: expected a (training, validation, test) tuple")
    parts = {}
    for part, pair in zip(("train", "validation", "test"), contents):
        images, labels = _check_pair(path, part, pair)
        parts[part] = (_scaled(images, dtype, path), labels)
    widths = {X.shape[1] for X, _ in parts.values()}
    if len(widths) != 1:
        raise BpnnError(f"{path}: the three parts have different image sizes {sorted(widths)}")
    return parts


def recognizes(path):
    return Path(path).is_file() and Path(path).name.lower().endswith((".pkl.gz", ".pkl"))


def read(path, dtype=np.float64):
    """The ``Dataset`` of ``mnist.pkl.gz``: its training, validation and test parts."""
    parts = load_mnist_pickle(path, dtype)
    (X, y), (X_valid, y_valid), (X_test, y_test) = parts["train"], parts["validation"], parts["test"]
    return Dataset(X=X, y=y, name=f"MNIST pickle {path}", n_classes=10, image_shape=square_image_shape(X.shape[1]),
                   X_test=X_test, y_test=y_test, X_valid=X_valid, y_valid=y_valid, kind="mnist.pkl.gz")
