"""Cross-validated grid search over two hyper-parameters, in parallel, with the tutorial's accuracy map.

    python scripts/grid_search.py                                          # hidden units × λ, TNC
    python scripts/grid_search.py --method sgd                             # mini-batch size × η
    python scripts/grid_search.py --param hidden=10,25,50 --param lambda=0.1,1,3 --cv 5 --n-jobs 2
"""

import argparse

from . import (Parser, add_class_weight_argument, add_data_argument, add_network_arguments, fraction,
               nonnegative_float, nonnegative_int, path, positive_float, positive_int, probability, run_inputs, seed)
from ..errors import BpnnError
from ..training.scipy import METHODS
from ..training.updates import UPDATES

TEARDOWN = True  # joblib's worker processes are stopped by its exit handlers (see bpnn.cli.launch)

DEFAULT_GRIDS = {
    "tnc": ["hidden=10,25,50", "lambda=0.1,1,3"],
    "sgd": ["batch-size=10,50,100", "eta=0.05,0.1,0.2,0.5"],
}


def folds(text):
    value = positive_int(text)
    if value < 2:
        raise argparse.ArgumentTypeError(f"{text!r}: cross-validation needs at least 2 folds")
    return value


def jobs(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value == 0:
        raise argparse.ArgumentTypeError("0 workers would do nothing: give a positive number, or -1 for all cores")
    return value


# Command-line names of the searchable parameters → (BPNNClassifier parameter, value type, the methods that take
# it: "minibatch" for the update rules, "scipy" for the SciPy methods, None for both).
PARAMETERS = {
    "hidden": ("hidden_layer_sizes", positive_int, None),
    "lambda": ("alpha", nonnegative_float, None),
    "maxiter": ("max_iter", nonnegative_int, "scipy"),
    "eta": ("learning_rate_init", positive_float, "minibatch"),
    "batch-size": ("batch_size", positive_int, "minibatch"),
    "epochs": ("max_iter", nonnegative_int, "minibatch"),
    "momentum": ("momentum", fraction, "minibatch"),
    "dropout": ("dropout", probability, "minibatch"),
}
KINDS = {"minibatch": f"the mini-batch methods ({', '.join(UPDATES)})", "scipy": "the SciPy methods"}


def parse_param(text):
    """'hidden=10,25,50' → ('hidden', [10, 25, 50]); BpnnError naming the problem otherwise."""
    name, equals, values = text.partition("=")
    name = name.strip().replace("_", "-")
    if name not in PARAMETERS or not equals:
        raise BpnnError(f"--param {text!r}: expected NAME=V1,V2,… with NAME one of {', '.join(PARAMETERS)}")
    kind = PARAMETERS[name][1]
    try:
        parsed = [kind(v.strip()) for v in values.split(",") if v.strip()]
    except argparse.ArgumentTypeError as error:
        what = str(error).partition(" is not ")[2]
        raise BpnnError(f"--param {text!r}: each value of {name} must be {what}") from None
    if not parsed:
        raise BpnnError(f"--param {text!r}: no values (give one or more, separated by commas)")
    if len(set(parsed)) < len(parsed):
        raise BpnnError(f"--param {text!r}: a value is given twice")
    return name, parsed


def check_axes(names, method):
    """BpnnError unless the two axes differ and each applies to ``method`` (TNC has no η or epochs: its budget
    is maxiter; the update rules have no maxiter: theirs is epochs)."""
    if names[0] == names[1]:
        raise BpnnError(f"the two --param axes must differ, got {names[0]} twice")
    kind = "minibatch" if method in UPDATES else "scipy"
    for name in names:
        takes = PARAMETERS[name][2]
        if takes not in (None, kind):
            raise BpnnError(f"--param {name}: applies only to {KINDS[takes]}, not to --method {method}")


def parse_args(argv=None):
    parser = Parser(
        description="Cross-validate BPNNClassifier at every point of a two-parameter grid, in parallel "
                    "(joblib), showing points done / total; print the best point and write grid.png (mean "
                    "accuracy over the two axes, best point outlined) and grid.csv (params, mean, std, seconds). "
                    "Ctrl-C stops the search: the points whose folds all finished are written (the others are "
                    "marked 'not run'; nothing is written when none finished), and the exit status is 130.",
    )
    add_data_argument(parser)
    parser.add_argument("--param", action="append", metavar="NAME=V1,V2,…",
                        help=f"a grid axis, given twice; NAME one of {', '.join(PARAMETERS)} (default: hidden × "
                             "lambda for SciPy methods, batch-size × eta for sgd)")
    parser.add_argument("--method", default=METHODS[0], type=str.lower,
                        choices=[m.lower() for m in METHODS] + list(UPDATES),
                        help="a SciPy method, or a mini-batch update rule")
    parser.add_argument("--maxiter", type=nonnegative_int, default=200, help="iterations of a SciPy method at each fit")
    parser.add_argument("--epochs", type=nonnegative_int, default=15, help="SGD epochs at each fit")
    parser.add_argument("--cv", type=folds, default=3, help="folds (stratified, seeded)")
    parser.add_argument("--n-jobs", type=jobs, default=-1, help="parallel workers (-1: all cores)")
    parser.add_argument("--seed", type=seed, default=0, help="seed for the folds and every fit")
    parser.add_argument("--out", metavar="DIR", type=path, help="run folder (default: runs/<timestamp>/)")
    add_network_arguments(parser, None)
    add_class_weight_argument(parser)
    args = parser.parse_args(argv)
    if args.param is None:
        args.param = DEFAULT_GRIDS["sgd" if args.method in UPDATES else "tnc"]
    if len(args.param) != 2:
        parser.error("give --param exactly twice (two grid axes)")
    return args


def main(argv=None):
    args = parse_args(argv)
    parsed = [parse_param(text) for text in args.param]
    check_axes([name for name, _ in parsed], args.method)
    grid = [(PARAMETERS[name][0], values) for name, values in parsed]
    minibatch = args.method in UPDATES
    network, dataset = run_inputs(args)
    params = {"solver": args.method, "max_iter": args.epochs if minibatch else args.maxiter, "init": args.init,
              "class_weight": args.class_weight, **network}
    from .runs import grid_run

    return grid_run(dataset, grid, labels=[name for name, _ in parsed], out=args.out, cv=args.cv, n_jobs=args.n_jobs,
                    seed=args.seed, **params)

