"""Every check of the caller's input, in one place: data, labels, one-hot targets, numbers, names, memory.

Each returns the value in the form bpnn computes with, or raises ``BpnnError`` naming the input and the
problem. The cheap ones (``as_matrix``, ``check_one_hot``, ``check_lambda``) run on every evaluation; the
scan for NaN/inf over X runs once per data set (``check_data``). ``check_fits`` refuses work that cannot fit
in memory before allocating it: NumPy would raise ``MemoryError`` (or start swapping) only once an
allocation is attempted.
"""

import os

import numpy as np

from ..errors import BpnnError

__all__ = ["one_hot", "check_n_classes", "check_labels", "check_lambda", "check_sample_weight", "check_vector",
           "check_step", "as_matrix", "check_data", "check_one_hot", "check_indicator", "compute_dtype", "is_integer",
           "check_integer",
           "check_number", "check_choice", "as_generator", "check_layer_sizes", "check_hidden", "physical_memory",
           "check_fits"]


def is_integer(value):
    """True for a Python or NumPy integer (not a bool, not a float that happens to be whole)."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def check_integer(name, value, low=None, none=False):
    """``value`` as an int ≥ ``low`` (None allowed with ``none``), or BpnnError naming ``name``."""
    if value is None and none:
        return None
    if not is_integer(value) or (low is not None and value < low):
        bound = "" if low is None else f" ≥ {low}"
        raise BpnnError(f"{name} must be an integer{bound}{' (or None)' if none else ''}, got {value!r}")
    return int(value)


def check_number(name, value, low=None, high=None, *, low_open=False, high_open=True):
    """``value`` as a finite float within the bounds (``low`` included unless ``low_open``, ``high``
    excluded unless not ``high_open``), or BpnnError naming ``name``."""
    try:
        number = None if isinstance(value, (bool, np.bool_, str, bytes)) else float(value)
    except (TypeError, ValueError):
        number = None
    inside = number is not None and np.isfinite(number)
    if inside and low is not None:
        inside = number > low if low_open else number >= low
    if inside and high is not None:
        inside = number < high if high_open else number <= high
    if not inside:
        bounds = [f"{'>' if low_open else '≥'} {low:g}" if low is not None else "",
                  f"{'<' if high_open else '≤'} {high:g}" if high is not None else ""]
        bounds = " and ".join(bound for bound in bounds if bound)
        raise BpnnError(f"{name} must be a finite number{' ' + bounds if bounds else ''}, got {value!r}")
    return number


def check_choice(name, value, choices):
    """``value`` if it is one of ``choices`` (BpnnError naming ``name`` and the choices otherwise)."""
    if not isinstance(value, str) or value not in choices:
        raise BpnnError(f"unknown {name} {value!r}; choose one of {', '.join(choices)}")
    return value


def as_generator(seed):
    """A ``numpy.random.Generator`` from a seed (an integer ≥ 0), None (fresh entropy), a Generator, or a
    legacy ``RandomState`` (which scikit-learn's ``random_state`` allows: a seed is drawn from it)."""
    if isinstance(seed, np.random.Generator) or seed is None:
        return np.random.default_rng(seed)
    if isinstance(seed, np.random.RandomState):
        return np.random.default_rng(seed.randint(2**32 - 1))
    if not is_integer(seed) or seed < 0:
        raise BpnnError(f"seed must be an integer ≥ 0 (or a numpy Generator), got {seed!r}")
    return np.random.default_rng(seed)


def check_layer_sizes(layer_sizes):
    """Return ``layer_sizes`` as a tuple of ints, or raise BpnnError if it is not ≥ 2 positive ints."""
    try:
        sizes = tuple(int(s) for s in layer_sizes)
    except (TypeError, ValueError):
        raise BpnnError(f"layer sizes must be a list of positive integers, got {layer_sizes!r}") from None
    if len(sizes) < 2 or any(s < 1 for s in sizes) or any(s != t for s, t in zip(sizes, layer_sizes)):
        raise BpnnError(
            f"layer sizes must be at least two positive integers (input, …, output), got {list(layer_sizes)!r}"
        )
    return sizes


def check_hidden(hidden):
    """Hidden layer sizes as a tuple of positive ints (BpnnError for 2.5, 0, −3, "ten", …): what callers that
    build a network from a hidden-layer option (the estimator) check before the network's own sizes."""
    sizes = tuple(np.atleast_1d(np.asarray(hidden, dtype=object)).tolist())
    if not all((is_integer(h) or (isinstance(h, float) and h.is_integer())) and h >= 1 for h in sizes):
        raise BpnnError(f"hidden layer sizes must be positive integers, got {list(sizes)!r}")
    return tuple(int(h) for h in sizes)


def physical_memory():
    """Bytes of physical memory on this machine (None where the OS does not say)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def _human(n_bytes):
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n_bytes < 1024 or unit == "PiB":
            return f"{n_bytes:.0f} {unit}" if unit == "bytes" else f"{n_bytes:.1f} {unit}"
        n_bytes /= 1024


def check_fits(what, n_bytes):
    """BpnnError unless ``n_bytes`` fit in this machine's physical memory; ``what`` names the array."""
    total = physical_memory()
    if total is not None and n_bytes > total:
        raise BpnnError(f"{what} needs {_human(n_bytes)}, more than this machine's {_human(total)} of memory")


def one_hot(y, n_classes, dtype=np.float64):
    """The m × K matrix Y with Y[i, y[i]] = 1 and zeros elsewhere.

    Parameters
    ----------
    y : array_like of shape (m,)
        Labels 0..K−1.
    n_classes : int
        K.
    dtype : numpy dtype, default float64
        The type of Y.

    Returns
    -------
    ndarray of shape (m, n_classes)

    Raises
    ------
    BpnnError
        Labels that are not integers in 0..K−1, or K not an integer ≥ 1.

    Examples
    --------
    >>> import bpnn
    >>> bpnn.one_hot([0, 2, 1], 3)
    array([[1., 0., 0.],
           [0., 0., 1.],
           [0., 1., 0.]])
    >>> bpnn.one_hot([3], 3)
    Traceback (most recent call last):
        ...
    bpnn.errors.BpnnError: labels out of range: expected 0..2, found [3]
    """
    y = check_labels(y, n_classes)
    check_fits(f"the one-hot targets of {y.shape[0]} examples × {n_classes} classes",
               y.shape[0] * int(n_classes) * np.dtype(dtype).itemsize)
    Y = np.zeros((y.shape[0], n_classes), dtype=dtype)
    Y[np.arange(y.shape[0]), y] = 1.0
    return Y


def check_n_classes(n_classes):
    """K, or BpnnError unless it is an integer ≥ 1 (not a bool, not 2.5, not "10")."""
    return check_integer("n_classes", n_classes, 1)


def check_labels(y, n_classes):
    """Return y as a 1-D int array, or raise BpnnError unless every label is an integer in 0..K−1."""
    n_classes = check_n_classes(n_classes)
    y = np.asarray(y)
    if y.ndim == 2 and 1 in y.shape:
        y = y.ravel()
    if y.ndim != 1:
        raise BpnnError(f"labels must be a 1-D vector, got an array of shape {y.shape}")
    if y.dtype.kind not in "iub":
        if y.dtype.kind != "f" or not np.all(np.isfinite(y)) or np.any(y != np.round(y)):
            raise BpnnError("labels must be integers 0..K-1; found non-integer values")
    y = y.astype(np.int64)
    if y.size and (y.min() < 0 or y.max() >= n_classes):
        bad = y[(y < 0) | (y >= n_classes)]
        raise BpnnError(
            f"labels out of range: expected 0..{n_classes - 1}, found {np.unique(bad)[:5].tolist()}"
        )
    return y


def check_lambda(lam):
    """λ as a float, or BpnnError unless it is a finite number ≥ 0 (a negative λ rewards large weights)."""
    try:
        value = float(lam)
    except (TypeError, ValueError):
        raise BpnnError(f"lambda (regularization) must be a number ≥ 0, got {lam!r}") from None
    if not np.isfinite(value) or value < 0:
        raise BpnnError(f"lambda (regularization) must be a finite number ≥ 0, got {lam!r}")
    return value


def check_sample_weight(sample_weight, m):
    """Per-example weights as m float64 numbers ≥ 0 with a positive sum (None stays None: every weight 1)."""
    if sample_weight is None:
        return None
    try:
        w = np.asarray(sample_weight, dtype=np.float64)
    except (TypeError, ValueError):
        raise BpnnError("sample weights must be numbers, one per example") from None
    if w.shape != (m,):
        raise BpnnError(f"sample weights must be a vector of {m} numbers (one per example), got shape {w.shape}")
    if not np.all(np.isfinite(w)) or np.any(w < 0) or not w.sum() > 0:
        raise BpnnError("sample weights must be finite numbers ≥ 0, not all zero")
    return w


def check_vector(v, n, name):
    """``v`` as n finite float64 numbers (a direction, a θ), or BpnnError naming it: text, complex numbers
    (whose imaginary part a cast would drop), NaN or inf, another length."""
    try:
        v = np.asarray(v)
    except (TypeError, ValueError) as error:
        raise BpnnError(f"{name} cannot be read as an array of numbers ({error})") from None
    if v.dtype.kind not in "iuf":
        raise BpnnError(f"{name} must hold real numbers, got dtype {v.dtype}")
    if v.shape != (n,):
        raise BpnnError(f"{name} has shape {v.shape}; it must be a vector of {n} numbers, shaped like θ")
    if not np.all(np.isfinite(v)):
        raise BpnnError(f"{name} contains NaN or inf")
    return v.astype(np.float64, copy=False)


def check_step(eps, name="eps"):
    """A finite-difference step as a float, or BpnnError unless it is a finite real number > 0."""
    try:
        value = None if isinstance(eps, (bool, np.bool_, complex)) else float(eps)
    except (TypeError, ValueError):
        value = None
    if value is None or not (np.isfinite(value) and value > 0):
        raise BpnnError(f"{name} (the finite-difference step) must be a finite number > 0, got {eps!r}")
    return value


def as_matrix(X, name="X"):
    """``X`` as a 2-D numeric array with at least one row, or BpnnError naming what it is instead.

    Cheap (no pass over the values): the hot paths call it on every evaluation; ``check_data`` adds the
    NaN/inf scan once per data set."""
    if type(X).__module__.startswith("scipy.sparse"):  # without importing scipy.sparse to ask
        raise BpnnError(f"{name} is a scipy.sparse matrix; bpnn needs a dense array ({name}.toarray())")
    try:
        X = np.asarray(X)
    except (TypeError, ValueError) as error:
        raise BpnnError(f"{name} cannot be read as an array of numbers ({error})") from None
    if X.ndim != 2:
        raise BpnnError(f"{name} must be a 2-D array (one row per example), got shape {X.shape}")
    if X.dtype.kind not in "iubf":
        raise BpnnError(f"{name} must hold real numbers, got dtype {X.dtype}")
    if X.shape[0] == 0:
        raise BpnnError(f"{name} has no rows: at least one example is needed")
    return X


def check_data(X, y=None, n_features=None, n_classes=None):
    """Validate a data set once, before training: X m×n finite floats (m ≥ 1), y m labels in 0..K−1.

    Returns ``X`` as float64, or float32 if it is float32 (and ``y`` as int64 when given). Errors name the
    problem: shape, type, no rows, NaN/inf, a row count that does not match the labels, labels out of range.
    """
    X = as_matrix(X)
    X = np.asarray(X, dtype=compute_dtype(X))
    if n_features is not None and X.shape[1] != n_features:
        raise BpnnError(f"X has {X.shape[1]} columns but the network's input layer has {n_features} units")
    _check_finite_rows(X, "X contains")
    if y is None:
        return X
    y = check_labels(y, n_classes if n_classes is not None else np.iinfo(np.int64).max)
    if y.shape[0] != X.shape[0]:
        raise BpnnError(f"X has {X.shape[0]} rows but y has {y.shape[0]} labels")
    return X, y


def compute_dtype(X):
    """float32 for float32 data, else float64: the precision the passes over X run in."""
    return np.float32 if np.asarray(X).dtype == np.float32 else np.float64


def check_values(Y, m, n_out):
    """Y itself, or BpnnError unless it is m × K finite numbers: the real-valued targets of regression."""
    if Y.shape != (m, n_out):
        raise BpnnError(f"Y has shape {Y.shape}; the network needs {m} × {n_out} (one target value per output unit)")
    _check_finite_rows(Y, "the targets contain")
    return Y


def _check_finite_rows(A, what):
    """BpnnError ("``what`` NaN or inf", with how many rows and the first) unless every entry of A is finite."""
    if not np.all(np.isfinite(A)):
        rows = np.unique(np.nonzero(~np.isfinite(A))[0])
        raise BpnnError(f"{what} NaN or inf (in {rows.size} rows, first row {rows[0]})")


def check_indicator(Y, m, n_out):
    """Y itself, or BpnnError unless it is m × K of 0 and 1 only: the labels of multilabel examples (any number
    of 1s per row)."""
    if Y.shape != (m, n_out):
        raise BpnnError(f"Y has shape {Y.shape}; the network needs {m} × {n_out} (one 0/1 column per label)")
    if np.count_nonzero(Y) != np.count_nonzero(Y == 1):
        raise BpnnError("multilabel targets must be 0 or 1 (1: the example has that label)")
    return Y


def check_one_hot(Y, m, n_out):
    """Y itself, or BpnnError unless it is m × K with one 1 per row and zeros elsewhere (a single output
    unit, K = 1, takes 0 or 1 per row: the binary case).

    Cheap reductions: every row sums to 1 and there are exactly m non-zero entries, so each row holds a
    single non-zero, which is its sum, 1."""
    if Y.shape != (m, n_out):
        raise BpnnError(f"Y has shape {Y.shape}; the network needs {m} × {n_out} (one-hot rows, see one_hot)")
    if n_out == 1:
        valid = np.count_nonzero(Y) == np.count_nonzero(Y == 1)
    else:
        valid = np.count_nonzero(Y) == m and np.all(np.einsum("ij->i", Y) == 1)
    if not valid:
        raise BpnnError("Y must be one-hot: one 1 per row and zeros elsewhere (see one_hot)")
    return Y
