"""Refusing work that cannot fit in memory before allocating it, with a message that names the culprit.

NumPy raises ``MemoryError`` (or, worse, starts swapping) only once an allocation is attempted; a
network with 10⁹ hidden units or labels up to 10¹⁰ should instead be refused at once, saying what is too
large and how large it is.
"""

import os

from .errors import BpnnError

__all__ = ["physical_memory", "check_fits"]


def physical_memory():
    """Bytes of physical memory on this machine (None where the OS does not say)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def _human(n_bytes):
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n_bytes < 1024 or unit == "PiB":
            return f"{n_bytes:.0f} {unit}" if unit == "bytes" else f"{n_bytes:.1f} {unit}"
        n_bytes /= 1024


def check_fits(what, n_bytes):
    """BpnnError unless ``n_bytes`` fit in this machine's physical memory; ``what`` names the array."""
    total = physical_memory()
    if total is not None and n_bytes > total:
        raise BpnnError(f"{what} needs {_human(n_bytes)}, more than this machine's {_human(total)} of memory")
