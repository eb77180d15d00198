"""Writers for small files in every supported format, made by the tests (nothing is downloaded)."""

import gzip
import pickle
import zipfile

import numpy as np


def text_digit(image, crlf=False):
    """The bytes of a 32×32 text digit file for a 0/1 image."""
    end = "\r\n" if crlf else "\n"
    return "".join("".join(str(int(v)) for v in row) + end for row in image).encode()


def digit_images(n, rng):
    """n random 32×32 binary images with labels 0..9 in turn."""
    images = (rng.random((n, 32, 32)) > 0.7).astype(np.uint8)
    return images, np.arange(n) % 10


def write_text_digits(folder, images, labels, crlf=False):
    folder.mkdir(parents=True, exist_ok=True)
    for k, (image, label) in enumerate(zip(images, labels)):
        (folder / f"{label}_{k}.txt").write_bytes(text_digit(image, crlf))
    return folder


def idx_bytes(array, magic):
    header = magic.to_bytes(4, "big") + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    return header + np.ascontiguousarray(array, dtype=np.uint8).tobytes()


def write_idx_folder(folder, rng, n_train=30, n_test=10, side=28, gz=False):
    """The four MNIST IDX files with random images; returns (images_train, labels_train, images_test, labels_test)."""
    folder.mkdir(parents=True, exist_ok=True)
    parts = {}
    for part, n in (("train", n_train), ("t10k", n_test)):
        images = rng.integers(0, 256, size=(n, side, side), dtype=np.uint8)
        labels = rng.integers(0, 10, size=n).astype(np.uint8)
        for kind, array, magic in (("images-idx3", images, 0x803), ("labels-idx1", labels, 0x801)):
            name = f"{part}-{kind}-ubyte" + (".gz" if gz else "")
            data = idx_bytes(array, magic)
            (folder / name).write_bytes(gzip.compress(data) if gz else data)
        parts[part] = (images, labels)
    return (*parts["train"], *parts["t10k"])


def write_mnist_pickle(path, rng, sizes=(20, 8, 6), protocol=2):
    parts = tuple((rng.random((n, 784)).astype(np.float32), rng.integers(0, 10, n)) for n in sizes)
    with gzip.open(path, "wb") as stream:
        pickle.dump(parts, stream, protocol=protocol)
    return parts


def zip_folder(folder, path, prefix=""):
    with zipfile.ZipFile(path, "w") as archive:
        for file in sorted(folder.rglob("*")):
            if file.is_file():
                archive.write(file, prefix + file.relative_to(folder).as_posix())
    return path
