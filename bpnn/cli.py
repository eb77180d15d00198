"""What every bpnn script shares: clean exits on bad input or Ctrl-C, common options, the data banner.

Scripts are thin argparse front ends; ``run_script`` turns a BpnnError or OSError into one line on
stderr and exit status 2 (no traceback), and Ctrl-C outside training into exit status 130.
"""

import sys

from .errors import BpnnError
from .functions import COSTS, HIDDEN_ACTIVATIONS, OUTPUTS
from .params import INITIALIZERS

__all__ = ["run_script", "describe", "add_data_argument", "add_network_arguments", "network_options"]


def add_data_argument(parser):
    """``--data PATH``: the data set (default: the course file or the embedded digits)."""
    parser.add_argument("--data", metavar="PATH",
                        help="course-layout .mat file (X: m×400, y: 1..10). Default: data/ex4data1.mat if it "
                             "exists, else the embedded digits (made in data/ on first use; $BPNN_DATA_DIR "
                             "moves the data folder)")


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
