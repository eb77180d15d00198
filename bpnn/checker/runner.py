"""Finding the learner's function and calling it so that a call can be abandoned.

``load_target("path/to/ex4.py:nnCostFunction")`` imports the file as Python imports a module (its top-level
code runs; code under ``if __name__ == "__main__":`` does not), with the file's folder first on ``sys.path``
so that it finds its own helper modules. ``call`` runs one call of the learner's code on a daemon thread and
waits at most ``timeout`` seconds: a call that hangs is abandoned (the thread is left to itself, and ends
with the process), anything it prints is kept off the checker's output, and whatever it raises becomes one
``CheckError`` naming the call, the exception and the learner's line.
"""

import importlib.util
import io
import sys
import threading
import traceback
from pathlib import Path

from ..errors import BpnnError

__all__ = ["CheckError", "CallTimeout", "load_target", "call"]


class CheckError(BpnnError):
    """The learner's function cannot be checked: missing, raising, hanging, or returning the wrong shapes."""


class CallTimeout(CheckError):
    """A call of the learner's code did not return in time (and was abandoned: no more calls are made)."""


def load_target(target, timeout):
    """The object ``target`` ("file.py:name" or "file.py:Class.method") names, after importing the file
    within ``timeout`` seconds."""
    path_text, colon, name = str(target).rpartition(":")
    if not colon or not path_text or not name:
        raise CheckError(f"{target!r} names no function: write path/to/file.py:nnCostFunction or "
                         "path/to/network.py:Network.backprop")
    path = Path(path_text)
    if not path.is_file():
        raise CheckError(f"{path}: no such file")
    spec = importlib.util.spec_from_file_location(f"_bpnn_checked_{path.stem}", path)
    if spec is None:
        raise CheckError(f"{path}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # as an import does: the file's classes and functions can find their module
    folder = str(path.resolve().parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    try:
        call(spec.loader.exec_module, (module,), timeout, f"importing {path}")
    except CheckError:
        sys.modules.pop(spec.name, None)
        raise
    value = module
    for part in name.split("."):
        if not hasattr(value, part):
            where = path if value is module else f"{path}:{name.rpartition('.')[0]}"
            raise CheckError(f"{where} has no {part!r}")
        value = getattr(value, part)
    if not callable(value):
        raise CheckError(f"{path}:{name} is a {type(value).__name__}, not a function")
    return value


class _Discard(io.TextIOBase):
    """Where the learner's prints go while it runs."""

    def write(self, text):
        return len(text)


def call(function, args, timeout, what):
    """``function(*args)`` on a daemon thread, waited for at most ``timeout`` seconds; its prints discarded.

    Raises CheckError when it raises (naming ``what``, the exception and the learner's deepest line) or does
    not return in time (the thread is abandoned)."""
    box = {}

    def run():
        try:
            box["value"] = function(*args)
        except BaseException as error:  # SystemExit and KeyboardInterrupt from the learner's code too
            box["error"] = error

    thread = threading.Thread(target=run, name="bpnn-check", daemon=True)
    streams = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = _Discard()
    try:
        thread.start()
        thread.join(timeout)
    finally:
        sys.stdout, sys.stderr = streams
    if thread.is_alive():
        raise CallTimeout(f"{what} did not return within {timeout:g} s (an endless loop, input() or a plot "
                         "window waiting?); raise --timeout if it is only slow")
    if "error" in box:
        raise CheckError(f"{what} raised {_describe(box['error'])}")
    return box["value"]


def _describe(error):
    """``Type: message (at file:line)``, the line being the deepest one in the learner's files."""
    frames = [frame for frame in traceback.extract_tb(error.__traceback__) if _learners(frame.filename)]
    where = f" (at {Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
    text = str(error).splitlines()[0] if str(error) else ""
    return f"{type(error).__name__}{': ' + text if text else ''}{where}"


_NOT_THE_LEARNERS = tuple(str(Path(folder).resolve()) for folder in
                          {sys.prefix, sys.base_prefix, Path(__file__).resolve().parents[1]})


def _learners(filename):
    """Whether ``filename`` is one of the learner's files: not Python's, an installed package's or bpnn's."""
    return not filename.startswith("<") and not str(Path(filename).resolve()).startswith(_NOT_THE_LEARNERS)
