"""Save and load lists of weight matrices Θ⁽¹⁾, Θ⁽²⁾, … as ``Theta1``, ``Theta2``, ….

``.mat`` files use the course's layout (``ex4weights.mat``: ``Theta1`` 25 × 401, ``Theta2`` 10 × 26, bias in
column 0) and load in Octave/MATLAB; ``.npz`` files hold the same keys. A file is written whole or not at
all, and never over an existing file unless ``overwrite=True``.
"""

import re
from pathlib import Path

import numpy as np
import scipy.io

from .errors import BpnnError
from .files import write_atomically
from .params import pack

__all__ = ["save_weights", "load_weights"]

_KEY = re.compile(r"^Theta(\d+)$")


def _check_suffix(path):
    if path.suffix.lower() not in (".mat", ".npz"):
        raise BpnnError(f"{path}: weights files must end in .mat or .npz")


def save_weights(path, thetas, overwrite=False):
    """Write Θ⁽¹⁾, Θ⁽²⁾, … to ``path`` (``.mat`` or ``.npz``) under the keys Theta1, Theta2, …"""
    path = Path(path)
    _check_suffix(path)
    pack(thetas)  # checks that the matrices chain: Θ⁽ˡ⁺¹⁾ has 1 + rows(Θ⁽ˡ⁾) columns
    named = {f"Theta{i}": np.asarray(t, dtype=np.float64) for i, t in enumerate(thetas, start=1)}

    def write(stream):
        if path.suffix.lower() == ".mat":
            scipy.io.savemat(stream, named)
        else:
            np.savez(stream, **named)

    return write_atomically(path, write, overwrite)


def load_weights(path):
    """Read Theta1, Theta2, … from a ``.mat`` or ``.npz`` file; returns the list of float64 matrices.

    Raises BpnnError when the file is missing or unreadable, has no Theta keys, skips a number, or holds
    matrices that do not chain into one network.
    """
    path = Path(path)
    _check_suffix(path)
    if not path.is_file():
        raise BpnnError(f"{path}: no such file")
    try:
        if path.suffix.lower() == ".mat":
            contents = scipy.io.loadmat(path)
        else:
            with np.load(path, allow_pickle=False) as archive:
                contents = {key: archive[key] for key in archive.files}
    except Exception as error:  # unreadable bytes: scipy/numpy raise several types
        raise BpnnError(f"{path}: cannot read weights ({error})") from None
    numbered = {int(m.group(1)): key for key in contents if (m := _KEY.match(key))}
    if not numbered:
        raise BpnnError(f"{path}: no Theta1, Theta2, … matrices in the file")
    if sorted(numbered) != list(range(1, len(numbered) + 1)):
        raise BpnnError(f"{path}: weight matrices must be numbered Theta1..ThetaL without gaps, found "
                        f"{', '.join(numbered[i] for i in sorted(numbered))}")
    thetas = [np.asarray(contents[numbered[i]], dtype=np.float64) for i in range(1, len(numbered) + 1)]
    try:
        pack(thetas)
    except BpnnError as error:
        raise BpnnError(f"{path}: {error}") from None
    return thetas
