"""The learner's checker: what is wrong with your own nnCostFunction or backprop, and why.

``check`` calls the learner's function on small problems whose answers bpnn knows (``course``: the course's
nnCostFunction; ``book``: the book's ``Network.backprop``), compares the cost and each block of the gradient
with bpnn's, finds the conventions it uses, and diagnoses it by model: for each known mistake
(``mistakes.MISTAKES``, by stable name) it computes what a function with that mistake would return, and reports
the fewest mistakes whose prediction reproduces every output. ``runner`` imports a learner's file and calls
its code on a thread that can be abandoned.
"""

import inspect
import math
import sys
from pathlib import Path

import numpy as np

from ..errors import BpnnError
from .book import check_book  # and all bpnn needs, imported before a learner's folder (its copy.py…) comes first
from .course import LABELS as _LABEL_OFFSETS
from .course import ORDERS as _ORDER_WORDS
from .course import check_course
from .runner import CheckError, describe, learners_file

__all__ = ["check", "CheckError", "LABELS", "ORDERS", "DEFAULT_TIMEOUT"]

LABELS = ("auto", *_LABEL_OFFSETS)
ORDERS = ("auto", *_ORDER_WORDS)
DEFAULT_TIMEOUT = 10.0


def check(function, *, labels="auto", order="auto", timeout=DEFAULT_TIMEOUT):
    """Check a learner's own ``nnCostFunction`` or ``Network.backprop`` against bpnn, and diagnose it.

    The course's ``nnCostFunction(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_)``
    → (J, grad) is called on the course's debug problem (3 inputs, 5 hidden units, 3 labels, m = 5,
    ``debugInitializeWeights``' weights) at λ = 0, 1 and 3, with ten labels, and with y as uint8; a method
    ``backprop`` of a class (the book's ``Network.backprop(x, y)`` → (nabla_b, nabla_w)) on a [3, 5, 3] network
    of that class, on the debug problem's five examples: the class named (``"child.py:MyNetwork.backprop"``,
    even where MyNetwork inherits backprop), a bound method's object's class (``net.backprop``), or the class
    a function's qualified name names (``Network.backprop``). A plain function is an nnCostFunction, whatever
    its name. y is given as m labels (as an m × 1 column, loadmat's
    shape, to a function that fails with that). Each known mistake is modelled, and the fewest mistakes
    (up to three) whose model reproduces every output are the diagnosis. A file given by name runs as
    importing it would: its top-level code runs, code under ``if __name__ == "__main__":`` does not; its
    folder is first on ``sys.path`` until the check ends, and the modules imported from there are forgotten
    then.

    Parameters
    ----------
    function : callable or str
        The learner's function, or ``"path/to/file.py:nnCostFunction"`` / ``"path/to/network.py:Network.backprop"``.
    labels : {"auto", "1..K", "0..K-1"}, default "auto"
        The labels y the function expects: the course's 1..K (label k is output unit k, 10 the digit 0), the
        Python ports' 0..K−1, or whichever it is right with ("auto"). Stated, the other one is a mistake.
    order : {"auto", "F", "C"}, default "auto"
        How the function unrolls θ: column by column like MATLAB's ``Theta1(:)`` (F), row by row like
        numpy's default (C), or whichever it is right with.
    timeout : float, default 10
        Seconds each call (and importing a file) may take, finite; a call that takes longer is abandoned.

    Returns
    -------
    CheckResult
        ``right``; ``checks`` (one per case and output, with bpnn's number and the learner's);
        ``convention`` (the labels and order found, or the book's cost); ``mistakes`` (stable names),
        ``findings()`` (each with its explanation, the math it breaks and the fix), ``explanations``;
        ``unexplained`` (which blocks are wrong, and by how much, when no known mistake explains them);
        ``to_dict()`` for JSON.

    Raises
    ------
    BpnnError
        (``CheckError``) A file or function that is not there or cannot be imported, a function that raises
        (or calls ``os._exit``), returns the wrong shapes or what numpy cannot read as numbers, or does not
        return within ``timeout`` in every convention; bad options.

    Examples
    --------
    >>> import bpnn
    >>> def nnCostFunction(nn_params, n, h, K, X, y, lambda_):      # labels 0..K-1, θ unrolled row by row
    ...     network = bpnn.Network((n, h, K))
    ...     J, grad = bpnn.cost_and_grad(network, nn_params, X, bpnn.one_hot(y, K), lambda_)
    ...     W = [Theta[:, 1:] for Theta in network.unpack(nn_params)]
    ...     return J + lambda_ / (2 * len(X)) * sum((w ** 2).sum() for w in W), grad   # λ/m: one λ/(2m) too many
    >>> result = bpnn.check(nnCostFunction)
    >>> result.right, result.convention["labels"], result.convention["order"], result.mistakes
    (False, '0..K-1', 'C', ['penalty-scale'])
    >>> print(result.findings()[0].fix)
    λ/(2m) in the cost, λ/m in the gradient
    """
    from ..model.validate import check_choice

    check_choice("labels", labels, LABELS)
    check_choice("order", order, ORDERS)
    if isinstance(timeout, bool) or not (isinstance(timeout, (int, float)) and 0 < timeout < math.inf):
        raise CheckError(f"timeout must be a finite number of seconds > 0, got {timeout!r}")
    if not isinstance(function, str):
        if not callable(function):
            raise CheckError(f"{function!r} is not a function")
        name = getattr(function, "__qualname__", getattr(function, "__name__", repr(function)))
        return _check(function, _class_of(function), name, labels=labels, order=order, timeout=timeout)
    name = f"{Path(function.rpartition(':')[0]).name}:{function.rpartition(':')[2]}"
    with learners_file(function, timeout) as (owner, value):
        cls = owner if isinstance(owner, type) else _class_of(value, qualname=False)
        return _check(value, cls, name, labels=labels, order=order, timeout=timeout)


def _class_of(function, qualname=True):
    """The class whose method ``function`` is: a bound method's (its object's class), or with ``qualname`` the
    class its qualified name names in its module; None for a plain function."""
    if inspect.ismethod(function):
        owner = function.__self__
        return owner if isinstance(owner, type) else type(owner)
    path = getattr(function, "__qualname__", "").split(".")[:-1] if qualname else []
    owner = sys.modules.get(getattr(function, "__module__", None)) if path else None
    for part in path:
        owner = getattr(owner, part, None)
    return owner if isinstance(owner, type) else None


def _check(function, cls, name, *, labels, order, timeout):
    """The book's check for a method ``backprop`` of a class, the course's for anything else; whatever the
    learner's code does or returns, a CheckError rather than any other exception."""
    if cls is None and getattr(function, "__name__", None) == "backprop" and not _takes(function, 7):
        raise CheckError(f"{name} is not a method of a class bpnn can find and make, nor a function taking "
                         "nnCostFunction's seven arguments: give the class's method (network.py:Network.backprop, "
                         "Network.backprop) or a network's (net.backprop)")
    try:  # numbers near 1e308 overflow when compared: they are wrong, and say so without numpy's warnings
        with np.errstate(all="ignore"):  # this thread's: the learner's code runs on another one
            if cls is not None and getattr(function, "__name__", None) == "backprop":
                return check_book(cls, name, timeout=timeout)
            return check_course(function, name, labels=labels, order=order, timeout=timeout)
    except BpnnError:
        raise
    except Exception as error:  # the learner's code can change anything (numpy itself, the class bpnn makes…)
        raise CheckError(f"{name} could not be checked: {describe(error)} (in bpnn, on what the function "
                         "returned or changed)") from error


def _takes(function, n):
    """Whether ``function`` can be called with ``n`` positional arguments (True when Python cannot tell)."""
    try:
        inspect.signature(function).bind(*range(n))
    except TypeError:
        return False
    except ValueError:
        return True
    return True
