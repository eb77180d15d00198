"""MNIST's IDX files: ``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte``,
``t10k-labels-idx1-ubyte``, each plain or gzipped (``.gz``).

An IDX file starts with a magic number (two zero bytes, the data type, 0x08 for unsigned bytes, and the
number of dimensions: 0x00000803 for images, 0x00000801 for labels), then one big-endian 32-bit size per
dimension (count, rows, columns for images; count for labels), then the data bytes. They are decoded with ``numpy.frombuffer`` and converted once to the target
dtype, so loading peaks near the size of the final float array plus the raw bytes (1/8 of it in float64).
"""

import gzip
import math
from pathlib import Path

import numpy as np

from ..dataset import Dataset
from ...errors import BpnnError
from ..files import CORRUPT_ARCHIVE, check_regular_file

__all__ = ["DESCRIPTION", "recognizes", "read", "IDX_FILES", "find_idx_files", "read_idx", "load_idx_folder"]

DESCRIPTION = "a folder with the four MNIST IDX files (plain or .gz)"

IDX_FILES = {
    ("train", "images"): "train-images-idx3-ubyte",
    ("train", "labels"): "train-labels-idx1-ubyte",
    ("test", "images"): "t10k-images-idx3-ubyte",
    ("test", "labels"): "t10k-labels-idx1-ubyte",
}
_MAGIC = {"images": 0x00000803, "labels": 0x00000801}


def _candidates(folder, name):
    dotted = name.replace("-idx", ".idx")  # the common variant train-images.idx3-ubyte
    return [folder / f"{base}{ending}" for base in (name, dotted) for ending in ("", ".gz")]


def find_idx_files(folder):
    """{(part, kind): path} for the IDX files present in ``folder`` (plain or .gz names)."""
    found = {}
    for key, name in IDX_FILES.items():
        for path in _candidates(Path(folder), name):
            if path.is_file():
                found[key] = path
                break
    return found


def _read_bytes(path):
    check_regular_file(path)
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as stream:
                return stream.read()
        return path.read_bytes()
    except CORRUPT_ARCHIVE as error:
        raise BpnnError(f"{path}: cannot read the gzipped IDX data ({error})") from None


def read_idx(path, kind):
    """The array in one IDX file: images (count × rows × columns, uint8) or labels (count, uint8)."""
    path = Path(path)
    data = _read_bytes(path)
    if len(data) < 4:
        raise BpnnError(f"{path}: truncated IDX file ({len(data)} bytes, no header)")
    magic = int.from_bytes(data[:4], "big")
    if magic != _MAGIC[kind]:
        raise BpnnError(f"{path}: wrong magic number 0x{magic:08x} for IDX {kind} (expected 0x{_MAGIC[kind]:08x})")
    n_dims = magic & 0xFF
    header = 4 + 4 * n_dims
    if len(data) < header:
        raise BpnnError(f"{path}: truncated IDX header")
    dims = tuple(int(d) for d in np.frombuffer(data, dtype=">u4", count=n_dims, offset=4))
    if 0 in dims:
        raise BpnnError(f"{path}: IDX {kind} header has a zero dimension ({' × '.join(map(str, dims))}): no data")
    expected = math.prod(dims)  # Python integers: 2³¹ × 2³¹ × 4 does not wrap around
    if len(data) - header != expected:
        raise BpnnError(f"{path}: truncated or padded IDX file: header promises {' × '.join(map(str, dims))} = "
                        f"{expected} bytes of data, found {len(data) - header}")
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(dims)


def _part(files, part, dtype):
    images, labels = read_idx(files[(part, "images")], "images"), read_idx(files[(part, "labels")], "labels")
    if images.shape[0] != labels.shape[0]:
        raise BpnnError(f"{files[(part, 'images')]} has {images.shape[0]} images but "
                        f"{files[(part, 'labels')]} has {labels.shape[0]} labels")
    if labels.size and labels.max() > 9:
        raise BpnnError(f"{files[(part, 'labels')]}: labels out of range 0..9 (found {int(labels.max())})")
    X = images.reshape(images.shape[0], -1).astype(dtype)
    X /= 255.0
    return X, labels.astype(np.int64), images.shape[1:]


def load_idx_folder(folder, dtype=np.float64):
    """(X_train, y_train, X_test, y_test, image_shape) from the four IDX files in ``folder``."""
    files = find_idx_files(folder)
    missing = [name for key, name in IDX_FILES.items() if key not in files]
    if missing:
        raise BpnnError(f"{folder}: missing IDX files {', '.join(missing)} (plain or .gz)")
    X_train, y_train, shape = _part(files, "train", dtype)
    X_test, y_test, test_shape = _part(files, "test", dtype)
    if test_shape != shape:
        raise BpnnError(f"{folder}: training images are {shape}, test images {test_shape}")
    return X_train, y_train, X_test, y_test, shape


def recognizes(path):
    return Path(path).is_dir() and bool(find_idx_files(path))


def read(path, dtype=np.float64):
    """The ``Dataset`` of an IDX folder: its training and test parts."""
    X, y, X_test, y_test, shape = load_idx_folder(path, dtype)
    return Dataset(X=X, y=y, name=f"MNIST IDX files in {path}", n_classes=10, image_shape=shape, X_test=X_test,
                   y_test=y_test, kind="mnist idx")
