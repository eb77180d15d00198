"""The one exception type bpnn raises for bad input.

``BpnnError`` subclasses ``ValueError`` so code that already catches ``ValueError`` keeps working.
The scripts catch it (and ``OSError``) and print its message instead of a traceback.
"""


class BpnnError(ValueError):
    """Input that bpnn cannot use: the message names the input and what is wrong with it."""
