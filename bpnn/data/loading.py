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
| ``*.csv``, ``*.parquet`` with ``target=``  | ``formats.table``                   | none           | none        |

A ``Dataset`` carries X (one row per image, floats in [0, 1]; for a table its feature columns), y (0..K−1),
the source's own test and validation parts when it has them, and how a row becomes an upright image
(``Dataset.images``): the only place outside the readers that knows pixel order. A table's target column
becomes the labels here (``encode_classes``), so that the reader keeps it as it was read.

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
from ..model.units import TASKS  # what a table's targets are read as; the first is the default
from ..model.validate import check_choice
from .dataset import Dataset
from .formats import find_format, table
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
    "encode_classes",
    "TASKS",
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


def encode_classes(values):
    """Class codes for a target column: each value's place among the column's distinct values, sorted.

    Parameters
    ----------
    values : array
        The target column as read (``Table.target_values``): numbers, or text.

    Returns
    -------
    codes : array of int64
        0..K−1, one per value.
    classes : tuple
        The K distinct values in sorted order (numbers by value, whole ones as int; text alphabetically): the
        class label of each code.
    """
    classes, codes = np.unique(values, return_inverse=True)
    if classes.dtype.kind == "f" and np.all(classes == np.round(classes)):
        classes = classes.astype(np.int64)
    return codes.astype(np.int64), tuple(classes.tolist())




def load_dataset(source=None, dtype=np.float64, *, target=None, fill=None, task=TASKS[0]):
    """Load a data set as a ``Dataset``, its format recognized from ``source``.

    The formats are the registry ``bpnn.data.formats.FORMATS``: the course's ``.mat``, folders (or ``.zip``) of
    32×32 text digits, MNIST's IDX files (Fashion-MNIST too), the book's ``mnist.pkl.gz``, tables (``.csv``,
    ``.parquet`` with pandas) and ``"mnist"`` from OpenML. See :doc:`/howto/read-data`.

    Parameters
    ----------
    source : str or path-like, optional
        A file or folder, ``"mnist"`` (OpenML, downloaded once and cached in the data home), or None: the data
        home's ``ex4data1.mat`` if it is there, else the embedded digits (written once to the data home).
    dtype : {float64, float32}, default float64
        The type X is stored in (float32 halves the memory and runs the passes in float32).
    target : str or sequence of str, optional
        For a table: the column holding the class of each row (numbers or text; classes are coded 0..K−1 in
        sorted order, ``Dataset.classes`` keeps them); for multilabel or regression, one column or several.
        Required for a table, an error for any other source.
        Every other column is a numeric feature, used as it is: scale the features yourself if their ranges
        differ widely.
    fill : {None, "mean", "zero"}, optional
        For a table: how to fill missing feature values (the column's mean, or 0); None refuses them.
    task : {"classification", "multilabel", "regression"}, default "classification"
        For a table: "multilabel" reads the target columns as labels, 0 or 1 each (``Dataset.y`` the m × K
        matrix, ``Dataset.classes`` the columns' names); "regression" reads them as real values (``Dataset.y``,
        m or m × K), which must be numbers. The image formats' labels are classes.

    Returns
    -------
    Dataset

    Raises
    ------
    BpnnError
        A source that does not exist, is of no known format, or holds data that is not what its format says;
        a table's missing column, text in a feature, a missing value (see ``fill``).

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
    target = _check_target(target, check_choice("task", task, TASKS))
    fill = table.check_fill(fill)
    if task != TASKS[0] and target is None:
        raise BpnnError(f"task={task!r} reads a table's target columns: give the table and its target columns "
                        "(target=, --target)")
    if source is not None and (not isinstance(source, (str, os.PathLike)) or not os.fspath(source)):
        raise BpnnError(f"the data source must be a path or 'mnist' (or None for the default), got {source!r}")
    if source is not None and str(source).lower() == "mnist" and not Path(source).exists():
        _refuse_table_options("mnist", "MNIST from OpenML", target, fill)
        return load_openml_mnist(data_dir(), dtype)
    path = default_data_path() if source is None else Path(source)
    if not path.exists():
        raise BpnnError(f"{path}: no such file or folder")
    if not (path.is_dir() or path.is_file()):
        raise BpnnError(f"{path}: not a regular file or folder")
    module = find_format(path)
    if module is table:
        return _table_dataset(path, table.read_table(path, target, dtype=dtype, fill=fill), task)
    _refuse_table_options(path, module.DESCRIPTION, target, fill)
    dataset = module.read(path, dtype)
    if path.name == DEFAULT_FILE and source is None:
        dataset = dataclasses.replace(dataset, name=f"embedded digits (scikit-learn load_digits, 20×20) {path}")
    return dataset


def _check_target(target, task):
    """``target`` as ``read_table`` takes it: None, one column's name, or for multilabel (always) and regression
    a tuple of names; BpnnError for anything else."""
    if target is None or isinstance(target, str):
        return (target,) if task == "multilabel" and target is not None else target
    names = tuple(target) if isinstance(target, (list, tuple, np.ndarray)) else None
    if names is not None:
        names = tuple(str(name) if isinstance(name, np.str_) else name for name in names)
    if not names or not all(isinstance(name, str) for name in names):
        raise BpnnError(f"target must be a column name (a str), or for multilabel and regression a list of names, "
                        f"got {target!r}")
    if len(set(names)) < len(names):
        raise BpnnError(f"target names a column twice: {list(names)}")
    if len(names) > 1 and task == "classification":
        raise BpnnError(f"classification takes one target column, got {len(names)} ({', '.join(names)}); several "
                        "are the labels of task='multilabel' (or the values of task='regression')")
    return names[0] if len(names) == 1 and task == "classification" else names


def _refuse_table_options(source, description, target, fill):
    """BpnnError when a table's ``target`` or ``fill`` is given for ``source``, which is no table."""
    if target is not None or fill is not None:
        given = f"target {target!r}" if target is not None else f"fill {fill!r}"
        raise BpnnError(f"{source}: a {given} applies to a table (.csv, .parquet) only; this is {description}, "
                        "whose labels come with it")


def _table_dataset(path, read, task):
    """The ``Dataset`` of a table ``read`` from ``path``: its target column coded as classes, for multilabel
    its 0/1 label columns, for regression its real values."""
    kind = f"{path.suffix.lower().lstrip('.')} table"
    several = not isinstance(read.target, str)
    shown = ", ".join(map(repr, read.target)) if several else repr(read.target)
    name = f"{path} (target{'s' if several and len(read.target) > 1 else ''} {shown})"
    if task != "classification":
        if read.target_values.dtype.kind not in "iuf":
            raise BpnnError(f"{path}: the target column {read.target!r} holds text; {task} needs numbers")
        y = read.target_values.astype(np.float64)
        outputs = y.shape[1] if y.ndim == 2 else 1
        if task == "multilabel":
            wrong = (y != 0) & (y != 1)
            if wrong.any():
                row, column = np.argwhere(wrong)[0]
                raise BpnnError(f"{path}: column {read.target[column]!r}, example {row + 1}: {y[row, column]:g} is no "
                                "label; multilabel targets are 0 or 1 (1: the example has that label)")
            return Dataset(X=read.X, y=y.astype(np.int64), name=name, n_classes=outputs, kind=kind,
                           classes=tuple(read.target), features=read.features, task=task)
        if several and outputs == 1:
            y = y[:, 0]
        return Dataset(X=read.X, y=y, name=name, n_classes=outputs, kind=kind, features=read.features, task=task)
    y, classes = encode_classes(read.target_values)
    return Dataset(X=read.X, y=y, name=name, n_classes=len(classes), kind=kind, classes=classes,
                   features=read.features)


def holdout(X, y, size, seed=0, what="test", stratify=True):
    """(X_a, y_a, X_b, y_b): a random ``size`` fraction of the rows held out as part b, stratified by the
    labels y unless ``stratify`` is False (``size=0``: part b is empty)."""
    if not 0.0 <= size < 1.0:
        raise BpnnError(f"{what} size must be in [0, 1), got {size}")
    if size == 0:
        return X, y, X[:0], y[:0]
    from sklearn.model_selection import train_test_split

    try:
        X_a, X_b, y_a, y_b = train_test_split(X, y, test_size=size, random_state=seed,
                                              stratify=y if stratify else None)
    except ValueError as error:
        raise BpnnError(f"cannot hold out {size} of {len(y)} examples as {what} data: {error}") from None
    return X_a, y_a, X_b, y_b


def split(dataset, test_size=0.2, seed=0):
    """(X_train, y_train, X_test, y_test): the source's own split if it has one, else ``holdout`` (stratified
    by class; at random for regression)."""
    if dataset.X_test is not None:
        return dataset.X, dataset.y, dataset.X_test, dataset.y_test
    return holdout(dataset.X, dataset.y, test_size, seed, stratify=dataset.task == "classification")
