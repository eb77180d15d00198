"""MNIST from OpenML (``mnist_784``) through scikit-learn's ``fetch_openml``, for users who are online.

The first fetch is cached twice under the data folder: scikit-learn's own cache (``openml/``) and a
compact ``mnist_784.npz`` (uint8 pixels, labels) that later runs load in a fraction of a second without
the network. The standard split is kept: the first 60,000 rows train, the last 10,000 test. Offline, the
download fails at once (one retry after 0.1 s) with a message saying how to supply the files instead.
"""

import warnings
from pathlib import Path

import numpy as np

from ..dataset import Dataset
from ...errors import BpnnError
from ..files import CORRUPT_ARCHIVE, write_atomically

__all__ = ["load_openml_mnist", "N_TRAIN"]

N_TRAIN = 60_000
CACHE = "mnist_784.npz"
OFFLINE_HELP = ("supply MNIST as files instead: a folder holding the four IDX files "
                "(train-images-idx3-ubyte[.gz], …) or the file mnist.pkl.gz")


def _fetch(data_home):
    from sklearn.datasets import fetch_openml

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "network error … Retrying": the error itself is reported
        return fetch_openml("mnist_784", version=1, as_frame=False, data_home=str(data_home), n_retries=1,
                            delay=0.1, parser="liac-arff")


def _checked(pixels, labels, source, advice=""):
    """The pixels (70000 × 784 real numbers) and the labels as int64 0..9 (OpenML's are text), or BpnnError
    naming ``source``, what it holds instead, and ending with ``advice``."""
    try:
        labels = labels.astype(np.int64) if labels.dtype.kind in "iuUS" else labels
    except ValueError:  # text that is no integer
        pass
    integers = labels.dtype == np.int64 and labels.size > 0
    found = f"labels {labels.min()}..{labels.max()}" if integers else f"{labels.dtype} labels"
    if (pixels.shape != (70_000, 784) or pixels.dtype.kind not in "iuf" or labels.shape != (70_000,)
            or not integers or labels.min() < 0 or labels.max() > 9):
        raise BpnnError(f"{source} holds {pixels.dtype} pixels of shape {pixels.shape} and {found} of shape "
                        f"{labels.shape}; expected 70000 × 784 pixels and 70000 integer labels 0..9{advice}")
    return pixels, labels


def load_openml_mnist(folder, dtype=np.float64, fetch=_fetch):
    """MNIST as a ``Dataset`` (60,000 training, 10,000 test), from ``folder/mnist_784.npz`` or fetched and
    cached there.

    ``fetch(data_home)`` returns an object with ``data`` (70000 × 784) and ``target`` (labels as strings or
    ints); tests pass a stand-in so that nothing is downloaded.
    """
    folder = Path(folder)
    cache = folder / CACHE
    if not cache.is_file():
        try:
            bunch = fetch(folder / "openml")
        except BpnnError:
            raise
        except Exception as error:  # URLError, HTTPError, socket and SSL errors, OpenML errors …
            raise BpnnError(f"cannot download MNIST from OpenML ({error}); {OFFLINE_HELP}") from None
        pixels, labels = _checked(np.asarray(bunch.data), np.asarray(bunch.target), "OpenML's mnist_784")
        payload = {"pixels": np.clip(pixels, 0, 255).astype(np.uint8), "labels": labels}
        write_atomically(cache, lambda stream: np.savez_compressed(stream, **payload))
    try:
        with np.load(cache, allow_pickle=False) as archive:
            pixels, labels = archive["pixels"], archive["labels"]
    except (ValueError, KeyError, MemoryError, *CORRUPT_ARCHIVE) as error:
        raise BpnnError(f"{cache}: unreadable cache ({str(error) or type(error).__name__}); delete it to download "
                        "again") from None
    if pixels.dtype != np.uint8:
        raise BpnnError(f"{cache}: the cached pixels are {pixels.dtype}, not uint8; delete it to download again")
    pixels, labels = _checked(pixels, labels, f"the cache {cache}", "; delete it to download again")
    X = pixels.astype(dtype)
    X /= 255.0
    return Dataset(X=X[:N_TRAIN], y=labels[:N_TRAIN], name=f"MNIST from OpenML (cached in {folder})", n_classes=10,
                   image_shape=(28, 28), X_test=X[N_TRAIN:], y_test=labels[N_TRAIN:], kind="openml mnist_784")
