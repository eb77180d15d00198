"""32×32 text digits, as in the classic kNN tutorial's ``trainingDigits/`` and ``testDigits/`` folders.

One file per image, named ``<label>_<index>.txt``, holding 32 lines of 32 characters ``0`` or ``1``
(line ends LF or CRLF). A source is a folder of such files, or a ``.zip`` holding them; each file's bytes
are checked and decoded with numpy as a whole (no per-pixel Python loop).
"""

import re
import zipfile
from pathlib import Path, PurePosixPath

import numpy as np

from ..dataset import Dataset
from ...errors import BpnnError
from ..files import CORRUPT_ARCHIVE, check_regular_file

__all__ = ["DESCRIPTION", "recognizes", "read", "SIDE", "read_text_digit_files", "text_digits_in_folder", "text_digits_in_zip", "split_folders"]

SIDE = 32
DESCRIPTION = ("a folder of 32×32 text digits <label>_<index>.txt, one holding trainingDigits/ and testDigits/, "
               "or a .zip of either")
_NAME = re.compile(r"^(\d+)_(\d+)\.txt$")
MAX_BYTES = SIDE * (SIDE + 2)  # 32 lines of 32 characters and CRLF: a longer file is no text digit
TRAIN_FOLDER, TEST_FOLDER = "trainingDigits", "testDigits"


def _decode(name, data):
    """The 32×32 uint8 image in one file's bytes, or BpnnError naming the file, line and problem."""
    lines = data.replace(b"\r\n", b"\n").split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    if len(lines) != SIDE:
        raise BpnnError(f"{name}: expected {SIDE} lines of {SIDE} characters, found {len(lines)} lines")
    for number, line in enumerate(lines, start=1):
        if len(line) != SIDE:
            raise BpnnError(f"{name}: line {number} has {len(line)} characters, expected {SIDE}")
    joined = b"".join(lines)
    pixels = np.frombuffer(joined, dtype=np.uint8) - ord("0")  # '0' → 0, '1' → 1, anything else wraps above 1
    if pixels.max() > 1:
        bad = int(np.argmax(pixels > 1))
        raise BpnnError(f"{name}: line {bad // SIDE + 1} has the character {chr(joined[bad])!r}; "
                        "only 0 and 1 are allowed")
    return pixels


def _check_size(name, n_bytes):
    """BpnnError for a file too long to be a text digit, before it is read (a zip member may inflate to
    gigabytes)."""
    if n_bytes > MAX_BYTES:
        raise BpnnError(f"{name}: {n_bytes} bytes, more than a 32×32 text digit can hold ({MAX_BYTES})")


def _label(name, file_name, n_classes=10):
    match = _NAME.match(file_name)
    if not match:
        raise BpnnError(f"{name}: file name has no label; expected <label>_<index>.txt, e.g. 7_12.txt")
    label = int(match.group(1))
    if label >= n_classes:
        raise BpnnError(f"{name}: label {label} out of range 0..{n_classes - 1}")
    return label


def read_text_digit_files(files, where, dtype=np.float64):
    """X (m × 1024, rows in reading order) and y from (name shown in errors, file name, bytes) triples of
    ``<label>_<index>.txt`` files."""
    files = list(files)
    if not files:
        raise BpnnError(f"{where}: no <label>_<index>.txt files")
    X = np.empty((len(files), SIDE * SIDE), dtype=dtype)
    y = np.empty(len(files), dtype=np.int64)
    for row, (name, file_name, data) in enumerate(files):
        y[row] = _label(name, file_name)
        X[row] = _decode(name, data)
    return X, y


def _txt_files(folder):
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix == ".txt")


def split_folders(folder):
    """(trainingDigits, testDigits) paths when ``folder`` holds both, else None."""
    train, test = Path(folder) / TRAIN_FOLDER, Path(folder) / TEST_FOLDER
    return (train, test) if train.is_dir() and test.is_dir() else None


def text_digits_in_folder(folder, dtype=np.float64):
    """X, y from the ``.txt`` digit files directly in ``folder`` (other files are an error if no .txt exists)."""
    folder = Path(folder)
    files = _txt_files(folder)
    if not files:
        contents = sorted(p.name for p in folder.iterdir())
        detail = "it is empty" if not contents else f"it holds {', '.join(contents[:5])}{' …' if len(contents) > 5 else ''}"
        raise BpnnError(f"{folder}: no <label>_<index>.txt digit files ({detail})")
    return read_text_digit_files(((str(p), p.name, _file_bytes(p)) for p in files), folder, dtype)


def _file_bytes(path):
    _check_size(path, path.stat().st_size)
    return path.read_bytes()


def _member_bytes(archive, path, member):
    """A zip member's bytes, or BpnnError naming the member (bad CRC, damaged deflate, bzip2 or LZMA data,
    encrypted, unsupported compression)."""
    _check_size(f"{path}:{member.filename}", member.file_size)
    try:
        return archive.read(member)
    except NotImplementedError as error:  # (a RuntimeError too, so first)
        raise BpnnError(f"{path}:{member.filename}: unsupported compression ({error})") from None
    except RuntimeError as error:  # zipfile's word for an encrypted member
        raise BpnnError(f"{path}:{member.filename}: cannot read it ({error})") from None
    except CORRUPT_ARCHIVE as error:
        raise BpnnError(f"{path}:{member.filename}: corrupt zip member ({error})") from None


def text_digits_in_zip(path, dtype=np.float64):
    """{'train': (X, y), 'test': (X, y)} for a zip of the two-folder layout, else {'all': (X, y)}."""
    check_regular_file(path)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise BpnnError(f"{path}: not a readable zip file ({error})") from None
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir() and m.filename.endswith(".txt")
                   and not PurePosixPath(m.filename).name.startswith(".")]
        parts = {}
        for key, folder in (("train", TRAIN_FOLDER), ("test", TEST_FOLDER)):
            chosen = [m for m in members if folder in PurePosixPath(m.filename).parts[:-1]]
            if chosen:
                parts[key] = chosen
        if set(parts) != {"train", "test"}:
            parts = {"all": members}

        def read(selected, where):
            selected = sorted(selected, key=lambda m: m.filename)
            return read_text_digit_files(
                ((f"{path}:{m.filename}", PurePosixPath(m.filename).name, _member_bytes(archive, path, m))
                 for m in selected),
                where, dtype)

        return {key: read(selected, f"{path} ({key})") for key, selected in parts.items()}


def recognizes(path):
    path = Path(path)
    return path.is_dir() or (path.is_file() and path.suffix.lower() == ".zip")


def _dataset(train, test, name):
    X, y = train
    X_test, y_test = test if test is not None else (None, None)
    return Dataset(X=X, y=y, name=name, n_classes=10, image_shape=(SIDE, SIDE), X_test=X_test, y_test=y_test,
                   kind="text digits")


def read(path, dtype=np.float64):
    """The ``Dataset`` of a folder or zip of text digits (with its test part for the two-folder layout)."""
    path = Path(path)
    if path.is_file():
        parts = text_digits_in_zip(path, dtype)
        return _dataset(parts.get("train", parts.get("all")), parts.get("test"), f"32×32 text digits in {path}")
    two = split_folders(path)
    if two:
        return _dataset(text_digits_in_folder(two[0], dtype), text_digits_in_folder(two[1], dtype),
                        f"32×32 text digits in {path} (trainingDigits/ + testDigits/)")
    return _dataset(text_digits_in_folder(path, dtype), None, f"32×32 text digits in {path}")
