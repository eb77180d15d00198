"""What every bpnn script shares: clean exits on bad input or Ctrl-C, common options, the data banner.

Scripts are thin argparse front ends; ``run_script`` turns a BpnnError or OSError into one line on
stderr and exit status 2 (no traceback), and Ctrl-C outside training into exit status 130.
"""

import sys

from .datasets import DTYPES
from .errors import BpnnError
from .functions import COSTS, HIDDEN_ACTIVATIONS, OUTPUTS
from .params import INITIALIZERS

__all__ = ["run_script", "describe", "add_data_argument", "add_network_arguments", "network_options"]


def add_data_argument(parser):
    """``--data SOURCE`` and ``--dtype``: the data set (default: the course file or the embedded digits)."""
    parser.add_argument("--data", metavar="SOURCE",
                        help="a course .mat file; a folder of 32×32 text digits <label>_<index>.txt (or one with "
                             "trainingDigits/ and testDigits/), or a .zip of either; a folder with the four MNIST "
                             "IDX files (plain or .gz); mnist.pkl.gz; or 'mnist' (OpenML, cached in the data "
                             "folder). Default: data/ex4data1.mat if it exists, else the embedded digits (made in "
                             "data/ on first use; $BPNN_DATA_DIR moves the data folder)")
    parser.add_argument("--dtype", default="float64", choices=DTYPES,
                        help="type X is stored and computed in (float32 halves memory; θ stays float64)")


def add_network_arguments(parser, init="uniform"):
    """``--activation``, ``--cost``, ``--output`` and ``--init``: the network's options."""
    group = parser.add_argument_group("network")
    group.add_argument("--activation", default="sigmoid", choices=list(HIDDEN_ACTIVATIONS),
                       help="hidden-unit activation")
    group.add_argument("--cost", default="cross-entropy", choices=COSTS,
                       help="cost function (log-likelihood goes with softmax outputs)")
    group.add_argument("--output", choices=OUTPUTS,
                       help="output activation (default: the cost's own: sigmoid, or softmax for log-likelihood)")
    group.add_argument("--init", default=init, choices=INITIALIZERS,
                       help="initial weights: uniform ±√6/√(s_l+s_{l+1}); normal N(0,1); scaled-normal N(0,1/n_in)")


def network_options(args):
    """The ``cost_and_grad`` options chosen on the command line."""
    return {"activation": args.activation, "cost": args.cost, "output": args.output}


def describe(dataset):
    """One line naming the data set, its shape and its classes."""
    parts = "".join(f", own {what} part of {len(labels)}" for what, labels in
                    (("validation", dataset.y_valid), ("test", dataset.y_test)) if labels is not None)
    return (f"Data: {dataset.name} [{dataset.kind}]: {dataset.X.shape[0]} examples × {dataset.X.shape[1]} "
            f"features ({dataset.X.dtype}), {dataset.n_classes} classes{parts}")


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
