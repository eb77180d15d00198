"""One reader per data format, in a registry.

Each format module has ``recognizes(path)`` (a cheap look at the name or the folder's contents) and
``read(path, dtype)`` (the whole ``Dataset``, or BpnnError naming the file and the problem). ``FORMATS`` is
the order they are asked in; adding a format is one module and one entry here. A table (``table``: CSV,
parquet) is the one format whose reading takes more than a path: ``read_table(path, target, …)`` gives the
features and the raw target column, and ``bpnn.data.loading`` makes the ``Dataset``. OpenML's MNIST
(``openml``) is fetched by name, not recognized from a path.
"""

from ...errors import BpnnError
from . import idx, mat, mnist_pickle, table, text_digits

__all__ = ["FORMATS", "find_format"]

FORMATS = (idx, text_digits, mat, mnist_pickle, table)


def find_format(path):
    """The first format module in ``FORMATS`` that recognizes ``path``; BpnnError naming them all if none does."""
    for module in FORMATS:
        if module.recognizes(path):
            return module
    raise BpnnError(f"{path}: unknown data format; expected one of: "
                    + "; ".join(module.DESCRIPTION for module in FORMATS))
