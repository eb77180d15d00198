"""Weights files: Θ⁽¹⁾, Θ⁽²⁾, … as ``Theta1``, ``Theta2``, …, together with the network they belong to.

Output-unit order, which each format states in a ``classes`` variable (the label of each output row):

* ``.mat`` speaks the course's convention, so that files go both ways between bpnn and the course's
  Octave/MATLAB code: for a 10-class network (digits), output row k (1-based) is the digit k and row 10 is
  the digit 0, as in ``ex4weights.mat`` and ``predict.m`` (``classes`` = 1 2 … 9 0). For another number of
  classes K, row k is label k − 1.
* ``.npz`` keeps bpnn's own order: row k (0-based) is label k (``classes`` = 0 1 … K−1).

Inside bpnn, row k of the last Θ is always label k; the reordering happens here and nowhere else.

Beside the Θs a file records the network: ``layer_sizes``, ``activation`` (hidden units), ``output``,
``cost``, ``task`` (classification, multilabel or regression), ``classes`` (the label of each output row) and
``bpnn_version``, and, when given, ``class_names`` (what each label stands for: a table's class values or label
columns, as JSON text) (extra variables load fine in Octave/MATLAB). A file with the Θs
only (the course's own ``ex4weights.mat``) means the course's network: sigmoid hidden units, sigmoid
outputs, cross-entropy, and the course's order in a ``.mat`` (bpnn's in an ``.npz``).

A file is written whole or not at all, and never over an existing file unless ``overwrite=True``.
"""

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.io

from ..errors import BpnnError
from .files import check_regular_file, write_atomically
from ..model.network import Network
from ..model.params import pack

__all__ = ["SavedWeights", "save_weights", "load_weights", "course_order"]

_KEY = re.compile(r"^Theta(\d+)$")
_TEXT = ("activation", "output", "cost", "task", "bpnn_version")
COURSE_NETWORK = {"activation": "sigmoid", "cost": "cross-entropy"}  # sigmoid outputs: the cost's own


@dataclass(frozen=True)
class SavedWeights:
    """What a weights file holds: the network, θ in bpnn's order (row k of the last Θ is label k), the
    bpnn version that wrote it (None for a file that records no network: the course's) and the class names it
    records (a tuple, or None)."""

    network: Network
    theta: np.ndarray
    bpnn_version: str = None
    class_names: tuple = None

    @property
    def thetas(self):
        return self.network.unpack(self.theta)


def course_order(n_classes):
    """The label (0..K−1) of each output row in a ``.mat`` file: 1, 2, …, 9, 0 for ten classes (the course's
    digits), 0..K−1 otherwise."""
    labels = np.arange(n_classes)
    return np.roll(labels, -1) if n_classes == 10 else labels


def _check_suffix(path):
    if path.suffix.lower() not in (".mat", ".npz"):
        raise BpnnError(f"{path}: weights files must end in .mat or .npz")


def save_weights(path, network, theta, *, class_names=None, overwrite=False):
    """Write the network's Θ⁽¹⁾, Θ⁽²⁾, … and the network itself to a ``.mat`` or ``.npz`` file.

    A ``.mat`` file of a classification network orders the output rows as the course does (for ten classes
    row 10 is the digit 0), an ``.npz`` file (and a multilabel or regression network's) as bpnn does; see
    :doc:`/howto/weights`. The file is written whole or not at all.

    Parameters
    ----------
    path : str or path-like
        The file, ending in ``.mat`` or ``.npz``.
    network : Network
    theta : ndarray of shape (n_params,)
        θ in bpnn's order.
    class_names : sequence of str or numbers, optional
        What each label 0..K−1 stands for (``Dataset.classes``), recorded so that evaluating the weights on
        other data can check that the labels mean the same.
    overwrite : bool, default False
        Replace an existing file.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    BpnnError
        Another suffix, an existing file without ``overwrite``, a folder that cannot be written.

    Examples
    --------
    >>> import pathlib, tempfile, bpnn
    >>> network = bpnn.Network((3, 5, 3))
    >>> theta, _, _ = bpnn.debug_problem()
    >>> path = bpnn.save_weights(pathlib.Path(tempfile.mkdtemp()) / "weights.mat", network, theta)
    >>> path.name
    'weights.mat'
    >>> bpnn.save_weights(path, network, theta)
    Traceback (most recent call last):
        ...
    bpnn.errors.BpnnError: ...weights.mat already exists; not overwriting it
    """
    from .. import __version__

    path = Path(path)
    _check_suffix(path)
    thetas = [np.array(T, dtype=np.float64) for T in network.unpack(theta)]
    n_classes = network.n_classes
    course = path.suffix.lower() == ".mat" and network.task == "classification"
    classes = course_order(n_classes) if course else np.arange(n_classes)
    thetas[-1] = thetas[-1][classes]
    named = {f"Theta{i}": t for i, t in enumerate(thetas, start=1)}
    named.update(layer_sizes=np.array(network.sizes, dtype=np.float64), classes=classes.astype(np.float64),
                 bpnn_version=__version__, **network.names)
    if class_names is not None:
        named["class_names"] = _names_text(path, class_names, network.n_classes)

    def write(stream):
        if path.suffix.lower() == ".mat":
            scipy.io.savemat(stream, named)
        else:
            np.savez(stream, **named)

    return write_atomically(path, write, overwrite)


def _names_text(path, class_names, n_classes):
    """The class names as JSON text (numbers stay numbers), or BpnnError unless there is one per output."""
    names = [name.item() if isinstance(name, np.generic) else name for name in class_names]
    if len(names) != n_classes or not all(isinstance(name, (str, int, float)) for name in names):
        raise BpnnError(f"{path}: class_names must give one name (text or a number) per output, {n_classes}; got "
                        f"{names[:5]!r}")
    return json.dumps(names)


def _read(path):
    check_regular_file(path)
    try:
        if path.suffix.lower() == ".mat":
            return scipy.io.loadmat(path)
        with np.load(path, allow_pickle=False) as archive:
            return {key: archive[key] for key in archive.files}
    except NotImplementedError:
        raise BpnnError(f"{path}: MATLAB v7.3 (HDF5) files are not supported; save it with -v7") from None
    except Exception as error:  # unreadable bytes: scipy/numpy raise several types
        raise BpnnError(f"{path}: cannot read weights ({error})") from None


def _matrix(path, key, value):
    value = np.asarray(value)
    if value.dtype.kind not in "iuf" or value.ndim != 2 or value.size == 0:
        what = {"U": "text", "S": "text", "O": "a cell array or struct", "c": "complex numbers"}.get(
            value.dtype.kind, f"{value.dtype} of shape {value.shape}")
        raise BpnnError(f"{path}: {key} must be a non-empty matrix of real numbers, found {what}")
    if not np.all(np.isfinite(value)):
        raise BpnnError(f"{path}: {key} contains NaN or inf")
    return value.astype(np.float64)


def _text(path, contents, key):
    if key not in contents:
        return None
    value = np.asarray(contents[key]).ravel()
    if value.dtype.kind != "U" or value.size != 1:
        raise BpnnError(f"{path}: {key} must be a text value, found {value.dtype} of shape {value.shape}")
    return str(value[0])


def _numbers(path, contents, key):
    value = np.asarray(contents[key]).ravel()
    if value.dtype.kind not in "iuf" or not np.all(np.isfinite(value)) or np.any(value != np.round(value)):
        raise BpnnError(f"{path}: {key} must be a list of integers")
    return value.astype(np.int64)


def load_weights(path):
    """Read a weights file written by :func:`save_weights`, or the course's ``ex4weights.mat``.

    A file with the Θs only means the course's network (sigmoid units, cross-entropy), in the course's output
    order in a ``.mat`` file.

    Parameters
    ----------
    path : str or path-like
        A ``.mat`` or ``.npz`` file.

    Returns
    -------
    SavedWeights
        ``network`` (the one the file records), ``theta`` in bpnn's order (row k of the last Θ is label k),
        ``thetas`` (views) and ``bpnn_version`` (None for a file that records no network).

    Raises
    ------
    BpnnError
        The file is missing or unreadable, has no Theta matrices, skips a number, holds anything but real
        finite matrices that chain into one network, or records a network that contradicts its Θs (layer
        sizes, classes) or that bpnn does not know (activation, output, cost).

    Examples
    --------
    >>> import pathlib, tempfile, numpy as np, bpnn
    >>> network = bpnn.Network((3, 5, 3), activation="tanh")
    >>> theta, _, _ = bpnn.debug_problem()
    >>> path = bpnn.save_weights(pathlib.Path(tempfile.mkdtemp()) / "weights.npz", network, theta)
    >>> saved = bpnn.load_weights(path)
    >>> saved.network == network, np.array_equal(saved.theta, theta)
    (True, True)
    """
    path = Path(path)
    _check_suffix(path)
    contents = _read(path)
    numbered = {int(m.group(1)): key for key in contents if (m := _KEY.match(key))}
    if not numbered:
        raise BpnnError(f"{path}: no Theta1, Theta2, … matrices in the file")
    if sorted(numbered) != list(range(1, len(numbered) + 1)):
        raise BpnnError(f"{path}: weight matrices must be numbered Theta1..ThetaL without gaps, found "
                        f"{', '.join(numbered[i] for i in sorted(numbered))}")
    thetas = [_matrix(path, numbered[i], contents[numbered[i]]) for i in range(1, len(numbered) + 1)]
    try:
        sizes = list(Network.of(thetas).sizes)
    except BpnnError as error:
        raise BpnnError(f"{path}: {error}") from None
    if "layer_sizes" in contents and _numbers(path, contents, "layer_sizes").tolist() != sizes:
        raise BpnnError(f"{path}: layer_sizes {_numbers(path, contents, 'layer_sizes').tolist()} do not match the "
                        f"Theta matrices, which make {sizes}")
    n_classes = sizes[-1]
    if "classes" in contents:
        classes = _numbers(path, contents, "classes")
        if sorted(classes.tolist()) != list(range(n_classes)):
            raise BpnnError(f"{path}: classes must list the labels 0..{n_classes - 1} once each in output order, "
                            f"found {classes.tolist()}")
    else:
        classes = course_order(n_classes) if path.suffix.lower() == ".mat" else np.arange(n_classes)
    thetas[-1] = thetas[-1][np.argsort(classes)]  # row k ← the row that stands for label k

    text = {key: _text(path, contents, key) for key in _TEXT}
    names = {key: text[key] or default for key, default in COURSE_NETWORK.items()}
    try:
        network = Network(tuple(sizes), output=text["output"], task=text["task"], **names)
    except BpnnError as error:
        raise BpnnError(f"{path}: {error}") from None
    return SavedWeights(network, pack(thetas), text["bpnn_version"], _class_names(path, contents, network.n_classes))


def _class_names(path, contents, n_classes):
    """The recorded class names as a tuple (None when the file has none); BpnnError for text that is not a JSON
    list of one name per output."""
    text = _text(path, contents, "class_names")
    if text is None:
        return None
    try:
        names = json.loads(text)
    except ValueError:
        names = None
    if not isinstance(names, list) or len(names) != n_classes:
        raise BpnnError(f"{path}: class_names must be a JSON list of {n_classes} names, found {text[:60]!r}")
    return tuple(names)
