"""Finding the learner's function and calling it so that a call can be abandoned.

``learners_file("path/to/ex4.py:nnCostFunction")`` imports the file as Python imports a module (its top-level
code runs; code under ``if __name__ == "__main__":`` does not), with the file's folder first on ``sys.path``
so that it finds its own helper modules, for as long as the check runs; afterwards ``sys.path`` is as it was
and the modules imported from that folder are forgotten (each check imports them afresh, so a helper module
the learner has fixed since is read again, and a ``copy.py`` or ``random.py`` there is no one else's).
``call`` runs one call of the learner's code on a daemon thread and waits at most ``timeout`` seconds: a call
that hangs is abandoned (the thread is left to itself, and ends with the process), anything it prints is kept
off the checker's output, it reads an empty stdin, ``os._exit`` raises instead of ending the process, and
whatever it raises becomes one ``CheckError`` naming the call, the exception and the learner's line.
"""

import importlib.util
import io
import os
import sys
import threading
import traceback
from contextlib import contextmanager
from pathlib import Path

from ..errors import BpnnError

__all__ = ["CheckError", "CallTimeout", "learners_file", "call", "describe"]


class CheckError(BpnnError):
    """The learner's function cannot be checked: missing, raising, hanging, or returning the wrong shapes."""


class CallTimeout(CheckError):
    """A call of the learner's code did not return in time (and was abandoned: no more calls are made)."""


@contextmanager
def learners_file(target, timeout):
    """While the check runs: (owner, value), the object ``target`` ("file.py:name" or "file.py:Class.method")
    names and the one before its last dotted part (the file's module, or the class named), after importing
    the file within ``timeout`` seconds."""
    path_text, colon, name = str(target).rpartition(":")
    folder = next((Path(text) for text in (target, path_text) if text and Path(text).is_dir()), None)
    if folder is not None:
        raise CheckError(f"{folder} is a folder: name the file in it and the function, as in "
                         f"{folder / 'ex4.py'}:nnCostFunction")
    if Path(path_text or target).suffix == ".ipynb":
        raise CheckError(f"{path_text or target} is a notebook: check the function from the notebook itself, with "
                         f"bpnn.check({name if colon else 'nnCostFunction'}) in a cell after the one that defines it")
    if not colon or not path_text or not name:
        raise CheckError(f"{target!r} names no function: write path/to/file.py:nnCostFunction or "
                         "path/to/network.py:Network.backprop")
    path = Path(path_text)
    if not path.is_file():
        raise CheckError(f"{path}: no such file")
    spec = importlib.util.spec_from_file_location(f"_bpnn_checked_{path.stem}", path)
    if spec is None:
        raise CheckError(f"{path}: not a Python file")
    folders = str(path.resolve().parent), str(path.absolute().parent)
    saved_path = list(sys.path)
    earlier = {name_: module for name_, module in list(sys.modules.items()) if _imported_from(module, folders)}
    for name_ in earlier:  # imported afresh, as the files now are
        sys.modules.pop(name_, None)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # as an import does: the file's classes and functions can find their module
    sys.path.insert(0, folders[0])
    try:
        call(spec.loader.exec_module, (module,), timeout, f"importing {path}")
        yield _lookup(module, name, path)
    finally:
        sys.path[:] = saved_path
        for name_ in [name_ for name_, module in list(sys.modules.items())  # a thread left running may import
                      if name_ == spec.name or _imported_from(module, folders)]:
            sys.modules.pop(name_, None)
        sys.modules.update(earlier)


def _lookup(module, name, path):
    """(owner, value): ``module``'s attribute path ``name`` and the object it is an attribute of."""
    owner, value = None, module
    for part in name.split("."):
        where = path if value is module else f"{path}:{name.rpartition('.')[0]}"
        try:
            owner, value = value, getattr(value, part)
        except AttributeError:
            raise CheckError(f"{where} has no {part!r}") from None
        except Exception as error:  # a learner's __getattr__ or property
            raise CheckError(f"getting {part!r} of {where} {describe(error)}") from error
    if not callable(value):
        raise CheckError(f"{path}:{name} is a {type(value).__name__}, not a function")
    return owner, value


def _imported_from(module, folders):
    """Whether ``module`` is a module or package file of the learner's directly in one of ``folders`` (the
    learner's folder, resolved and as given)."""
    file, name = getattr(module, "__file__", None), getattr(module, "__name__", None)
    if not (isinstance(file, str) and isinstance(name, str) and file.startswith(folders)):
        return False
    top, file, folder = name.partition(".")[0], Path(file).resolve(), Path(folders[0])
    return ((file.parent == folder and file.name.partition(".")[0] == top) or file.is_relative_to(folder / top)) \
        and _learners(str(file))


class _Discard(io.TextIOBase):
    """Where the learner's prints go while it runs."""

    def write(self, text):
        return len(text)


class _Exit(BaseException):
    """The learner's code called ``os._exit(status)``: raised instead of ending the process."""


def _exit(status):
    raise _Exit(status)


def call(function, args, timeout, what):
    """``function(*args)`` on a daemon thread, waited for at most ``timeout`` seconds; its prints discarded,
    its stdin empty, ``os._exit`` raising.

    Raises CheckError when it raises (naming ``what``, the exception and the learner's deepest line) or does
    not return in time (the thread is abandoned)."""
    box = {}

    def run():
        try:
            box["value"] = function(*args)
        except BaseException as error:  # SystemExit and KeyboardInterrupt from the learner's code too
            box["error"] = error

    thread = threading.Thread(target=run, name="bpnn-check", daemon=True)
    saved = sys.stdin, sys.stdout, sys.stderr, os._exit
    sys.stdout = sys.stderr = _Discard()
    sys.stdin, os._exit = io.StringIO(), _exit
    try:
        thread.start()
        thread.join(timeout)
    finally:
        sys.stdin, sys.stdout, sys.stderr, os._exit = saved
    if thread.is_alive():
        raise CallTimeout(f"{what} did not return within {timeout:g} s (an endless loop, or a plot window "
                          "waiting?); raise --timeout if it is only slow")
    if "error" in box:
        raise CheckError(f"{what} {describe(box['error'])}") from box["error"]
    return box["value"]


def describe(error):
    """``raised Type: message (at file:line)`` (or ``called os._exit(3) (at …)``), the line being the deepest
    one in the learner's files."""
    frames = [frame for frame in traceback.extract_tb(error.__traceback__) if _learners(frame.filename)]
    where = f" (at {Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
    if isinstance(error, _Exit):
        return f"called os._exit({error.args[0]!r}), which would end Python at once{where}"
    text = str(error).splitlines()[0] if str(error) else ""
    return f"raised {type(error).__name__}{': ' + text if text else ''}{where}"


_NOT_THE_LEARNERS = tuple(str(Path(folder).resolve()) for folder in
                          {sys.prefix, sys.base_prefix, Path(__file__).resolve().parents[1]})


def _learners(filename):
    """Whether ``filename`` is one of the learner's files: not Python's, an installed package's or bpnn's."""
    return not filename.startswith("<") and not str(Path(filename).resolve()).startswith(_NOT_THE_LEARNERS)
