"""What every bpnn script shares: clean exits on bad input or Ctrl-C, and the data-set banner.

Scripts are thin argparse front ends; ``run_script`` turns a BpnnError or OSError into one line on
stderr and exit status 2 (no traceback), and Ctrl-C outside training into exit status 130.
"""

import sys

from .errors import BpnnError

__all__ = ["run_script", "describe"]


def describe(dataset):
    """One line naming the data set, its shape and its classes."""
    split = f", own test split of {len(dataset.y_test)}" if dataset.X_test is not None else ""
    return (f"Data: {dataset.name}: {dataset.X.shape[0]} examples × {dataset.X.shape[1]} features, "
            f"{dataset.n_classes} classes{split}")


def run_script(main):
    """Call ``main()`` and exit with its return code (0 for None); errors become one message, exit 2."""
    try:
        code = main()
    except (BpnnError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        code = 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        code = 130
    sys.exit(code or 0)
