"""A run's output folder: checked before any work, written file by file, and left as it was found if the
run fails.

``RunFolder(out, names)`` checks at once that ``out`` is a folder or can be created, that files can be
written in it (``check_writable_folder``: a probe made and removed again), and that none of the output
``names`` exists in it (a dangling symbolic link counts); it leaves nothing behind. The folder (and its missing parents)
is created when the first output is written. If anything fails while writing (an error, a full disk,
Ctrl-C), every file this run wrote and every folder it created are removed, with Ctrl-C ignored while
that happens, and the error goes on: a failed run leaves no half-written folder.
"""

import json
import math
import os
import signal
import threading
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from ..errors import BpnnError
from ..data.files import check_writable_folder, write_atomically

__all__ = ["RunFolder", "json_safe"]


def _default_folder():
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    out, k = Path("runs") / stamp, 1
    while os.path.lexists(out):
        out, k = Path("runs") / f"{stamp}-{k}", k + 1
    return out


def json_safe(value):
    """``value`` with every NaN or infinite float replaced by None (JSON has no NaN), recursively."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(item) for item in value]
    return value


@contextmanager
def _sigint_ignored():
    """Ctrl-C does nothing inside the block (only the main thread may change signal handlers)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class RunFolder:
    """The output folder of one run (``runs/<timestamp>/`` when ``out`` is None); see the module docstring."""

    def __init__(self, out, names):
        self.path = Path(out) if out is not None else _default_folder()
        self.names = tuple(names)
        check_writable_folder(self.path)
        taken = [name for name in self.names if os.path.lexists(self.path / name)]
        if taken:
            raise BpnnError(f"{self.path} already holds {', '.join(taken)}; choose another output folder "
                            "(nothing was overwritten)")
        self._created_folders, self._written = [], []

    def _make_folder(self):
        missing = []
        folder = self.path
        while not folder.exists():
            missing.append(folder)
            folder = folder.parent
        for folder in reversed(missing):
            try:
                folder.mkdir()
            except OSError as error:
                raise BpnnError(f"{folder}: cannot create the folder ({error.strerror or error})") from None
            self._created_folders.append(folder)

    @property
    def written(self):
        """The paths this run has written so far, in order."""
        return list(self._written)

    def save(self, name, write):
        """Call ``write(path)`` for the output ``name`` (which must create that one new file); returns the path."""
        assert name in self.names, name
        self._make_folder()
        path = self.path / name
        write(path)
        self._written.append(path)
        return path

    def save_json(self, name, payload):
        """Write ``payload`` as indented JSON (NaN and inf as null) to the output ``name``."""
        text = json.dumps(json_safe(payload), indent=2, allow_nan=False).encode()
        return self.save(name, lambda path: write_atomically(path, lambda stream: stream.write(text),
                                                             overwrite=False))

    def rollback(self):
        """Remove what this run wrote and the folders it created (deepest first)."""
        with _sigint_ignored():
            for path in reversed(self._written):
                if os.path.lexists(path):
                    os.unlink(path)
            for folder in reversed(self._created_folders):
                try:
                    folder.rmdir()
                except OSError:
                    pass  # not empty: something else wrote there meanwhile; leave it
            self._written, self._created_folders = [], []

    @contextmanager
    def writing(self):
        """A block that writes the outputs: on any failure in it (Ctrl-C too), roll back and re-raise."""
        try:
            yield self
        except BaseException:
            self.rollback()
            raise
