"""The exceptions bpnn raises.

``BpnnError`` is every problem with the caller's input: the message names the input and what is wrong
with it. It subclasses ``ValueError`` so code that already catches ``ValueError`` keeps working. The
scripts turn it into one ``error: …`` line and exit status 2.

``DivergedError`` is the one problem that is not the input's: the cost became infinite or NaN at weights
the optimizer reached (a learning rate too large, weights past what the dtype holds). Only the
finite-cost checks raise it, and only trainers that can say what diverged catch it.

``ClusterLostError`` is not the input's either: the Dask cluster can no longer evaluate the objective (the
client was closed, no worker came back in time, a shard made on a lost worker cannot be sent again). The
trainers catch it as they catch Ctrl-C and return the best θ so far, its message as the stop reason.
"""

__all__ = ["BpnnError", "DivergedError", "ClusterLostError"]


class BpnnError(ValueError):
    """Input that bpnn cannot use: the message names the input and what is wrong with it.

    A ``ValueError``, so code that catches ``ValueError`` keeps working; the ``bpnn`` command prints it as one
    ``error: …`` line and exits with status 2.

    Parameters
    ----------
    message : str
        What is wrong, and with which input.

    Raises
    ------
    BpnnError
        Raised by bpnn's functions, never by making one.

    Examples
    --------
    >>> import bpnn
    >>> try:
    ...     bpnn.Network((400, 0, 10))
    ... except ValueError as error:
    ...     print(type(error).__name__, isinstance(error, bpnn.BpnnError))
    BpnnError True
    """


class DivergedError(BpnnError):
    """The cost is not finite at these weights: they grew past what the computation's dtype can hold.

    The one ``BpnnError`` that is not the input's fault: a learning rate too large, or weights past what
    float32 holds. The trainers that can say what diverged (``train_sgd``) name the remedy in the message.

    Parameters
    ----------
    message : str
        What diverged, and what to change.

    Raises
    ------
    DivergedError
        Raised by the finite-cost checks, never by making one.

    Examples
    --------
    >>> import bpnn
    >>> network = bpnn.Network((3, 5, 3))
    >>> theta, X, Y = bpnn.debug_problem()
    >>> bpnn.cost(network, theta * 1e300, X, Y, lam=1.0)
    Traceback (most recent call last):
        ...
    bpnn.errors.DivergedError: ...
    """


class ClusterLostError(BpnnError):
    """The Dask cluster cannot go on evaluating the objective: the message says why."""
