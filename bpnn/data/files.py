"""Reading and writing files safely: inputs that are regular files, outputs that are files (not folders),
written whole or not at all and never over a file the caller did not mean to replace."""

import lzma
import os
import tempfile
import zipfile
import zlib
from pathlib import Path

from ..errors import BpnnError

__all__ = ["CORRUPT_ARCHIVE", "check_regular_file", "check_output_path", "check_writable_folder", "refuse_existing",
           "write_atomically"]

# What reading a zip member or a gzip stream raises for damaged bytes: deflate (zlib.error), bzip2
# (OSError), LZMA (LZMAError), a truncated stream (EOFError), a bad CRC or header (BadZipFile).
CORRUPT_ARCHIVE = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, OSError)


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def check_regular_file(path):
    """BpnnError unless ``path`` is an existing regular file (a folder, FIFO or device would fail to read,
    or block forever)."""
    path = Path(path)
    if not path.exists():
        raise BpnnError(f"{path}: no such file")
    if not path.is_file():
        raise BpnnError(f"{path}: not a regular file")
    return path


def check_output_path(path, suffix=None):
    """BpnnError unless ``path`` can name a file to write: it must not end in a path separator or be an
    existing folder (a file named after the folder would appear, or the rename would fail), and must end in
    ``suffix`` (any case) when one is given."""
    text = os.fspath(path)
    if text.endswith(tuple(filter(None, (os.sep, os.altsep)))) or Path(text).is_dir():
        raise BpnnError(f"{text}: is a folder; the output must be a file name")
    if suffix is not None and Path(text).suffix.lower() != suffix:
        raise BpnnError(f"{text}: the output must be a {suffix} file (its name must end in {suffix})")
    return Path(text)


def check_writable_folder(folder):
    """BpnnError unless files can be written in ``folder``, checked before long work: it is a folder, or its
    nearest existing ancestor is one, and a probe file can be made in it. The missing folders are created
    for the probe and removed with it again: nothing is left behind."""
    folder, missing = Path(folder), []
    while not os.path.lexists(folder):
        missing.append(folder)
        folder = folder.parent
    if not folder.is_dir():
        raise BpnnError(f"{missing[0]}: cannot create it, {folder} is not a folder" if missing else
                        f"{folder} is not a folder")
    created = []
    try:
        for each in reversed(missing):
            each.mkdir()
            created.append(each)
        handle, probe = tempfile.mkstemp(dir=missing[0] if missing else folder, prefix=".bpnn-probe-")
        os.close(handle)
        os.unlink(probe)
    except OSError as error:
        raise BpnnError(f"{error.filename or folder}: cannot write there ({error.strerror or error})") from None
    finally:
        for each in reversed(created):
            each.rmdir()


def refuse_existing(path):
    """BpnnError if ``path`` exists (a dangling symbolic link counts) or could not be written (see
    ``check_writable_folder``): for checking, before long work, that an output will not replace anything
    and will not fail."""
    if os.path.lexists(path):
        raise BpnnError(f"{path} already exists; not overwriting it")
    check_writable_folder(Path(path).parent)


def write_atomically(path, write, overwrite=True):
    """Call ``write(stream)`` on a temporary file beside ``path``, then rename it to ``path``.

    A failed or interrupted write leaves no partial file and leaves an existing ``path`` as it was. With
    ``overwrite=False`` an existing ``path`` is an error (BpnnError), checked before anything is written,
    as is a ``path`` that names a folder (``check_output_path``).
    """
    path = check_output_path(path)
    if not overwrite:
        refuse_existing(path)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600 files; give the usual permissions
        with os.fdopen(handle, "wb") as stream:
            write(stream)
        if overwrite:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)  # fails if path appeared meanwhile: never replaces someone else's file
            os.unlink(tmp)
    except FileExistsError:
        raise BpnnError(f"{path} already exists; not overwriting it") from None
    except OSError as error:  # a full disk, a folder that is not writable, …
        raise BpnnError(f"{path}: cannot write it ({error.strerror or error})") from None
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
    return path
