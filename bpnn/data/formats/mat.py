"""The course's ex4 ``.mat`` layout: ``X`` m × 400 (each row a 20×20 image stored column-major, as MATLAB
writes it), ``y`` m × 1 with labels 1..10 where 10 stands for the digit 0.

Labels become 0..9 here and nowhere else; ``save_mat`` writes them back as 1..10.
"""

from pathlib import Path

import numpy as np
import scipy.io

from ...errors import BpnnError
from ...model.validate import check_data
from ..dataset import Dataset, square_image_shape
from ..files import check_output_path, check_regular_file, write_atomically

__all__ = ["DESCRIPTION", "recognizes", "read", "load_mat", "save_mat"]

DESCRIPTION = "a course .mat file (X, y)"


def load_mat(path):
    """Read a course-layout ``.mat`` file: returns X (m × n float64) and y (m int64 labels 0..9).

    Raises BpnnError naming the file and the problem: missing file, not a ``.mat``, no ``X`` or ``y``,
    shapes that do not match, NaN/inf in X, labels that are not integers 1..10.
    """
    path = check_regular_file(Path(path))
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
    if X.shape[0] == 0:
        raise BpnnError(f"{path}: X has no rows: the file holds no examples")
    X, y = X.astype(np.float64), y.ravel()
    if not np.all(np.isfinite(X)):
        raise BpnnError(f"{path}: X contains NaN or inf")
    if y.dtype.kind not in "iubf" or not np.all(np.isin(y, np.arange(1, 11))):
        bad = np.unique(y[~np.isin(y, np.arange(1, 11))])[:5] if y.dtype.kind in "iubf" else y.dtype
        raise BpnnError(f"{path}: labels must be integers 1..10 (10 for the digit 0), found {bad}")
    return X, y.astype(np.int64) % 10


def save_mat(path, X, y, overwrite=True):
    """Write X (rows already in the course's column-major pixel order) and labels 0..9 as a course ``.mat``
    (y stored as 1..10, 10 for the digit 0). The file appears whole or not at all; with
    ``overwrite=False`` an existing file is an error.

    What ``load_mat`` would refuse is refused before anything is written (BpnnError): a path that does not
    end in ``.mat``, X that is not m × n finite real numbers with m ≥ 1, labels that are not m integers
    0..9."""
    check_output_path(path, ".mat")
    try:
        X, y = check_data(X, y, n_classes=10)
    except BpnnError as error:
        raise BpnnError(f"{path}: cannot save it in the course layout: {error}") from None
    labels = np.where(y == 0, 10, y).astype(np.float64).reshape(-1, 1)
    data = {"X": np.asarray(X, dtype=np.float64), "y": labels}
    return write_atomically(path, lambda stream: scipy.io.savemat(stream, data, do_compression=True), overwrite)


def recognizes(path):
    return Path(path).is_file() and Path(path).suffix.lower() == ".mat"


def read(path, dtype=np.float64):
    """The ``Dataset`` of a course-layout ``.mat`` file (rows are column-major images when square)."""
    X, y = load_mat(path)
    return Dataset(X=X.astype(dtype, copy=False), y=y, name=f"course .mat {path}", n_classes=10,
                   image_shape=square_image_shape(X.shape[1]), image_order="F", kind="course .mat")
