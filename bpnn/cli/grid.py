"""Cross-validated grid search over two hyper-parameters, in parallel, with the tutorial's accuracy map.

    python scripts/grid_search.py                                          # hidden units × λ, TNC
    python scripts/grid_search.py --method sgd                             # mini-batch size × η
    python scripts/grid_search.py --param hidden=10,25,50 --param lambda=0.1,1,3 --cv 5 --n-jobs 2
"""

import argparse

from . import Parser, add_data_argument, add_network_arguments, describe, network_options, nonnegative_int, positive_int

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


def parse_args(argv=None):
    from ..search import PARAMETERS

    parser = Parser(
        description="Cross-validate BPNNClassifier at every point of a two-parameter grid, in parallel "
                    "(joblib), showing points done / total; print the best point and write grid.png (mean "
                    "accuracy over the two axes, best point outlined) and grid.csv (params, mean, std, seconds).",
    )
    add_data_argument(parser)
    parser.add_argument("--param", action="append", metavar="NAME=V1,V2,…",
                        help=f"a grid axis, given twice; NAME one of {', '.join(PARAMETERS)} (default: hidden × "
                             "lambda for SciPy methods, batch-size × eta for sgd)")
    parser.add_argument("--method", default="TNC", help="TNC, L-BFGS-B, CG, BFGS or sgd")
    parser.add_argument("--maxiter", type=nonnegative_int, default=200, help="iterations of a SciPy method at each fit")
    parser.add_argument("--epochs", type=nonnegative_int, default=15, help="SGD epochs at each fit")
    parser.add_argument("--cv", type=folds, default=3, help="folds (stratified, seeded)")
    parser.add_argument("--n-jobs", type=jobs, default=-1, help="parallel workers (-1: all cores)")
    parser.add_argument("--seed", type=nonnegative_int, default=0, help="seed for the folds and every fit")
    parser.add_argument("--out", metavar="DIR", help="run folder (default: runs/<timestamp>/)")
    add_network_arguments(parser)
    args = parser.parse_args(argv)
    if args.param is None:
        args.param = DEFAULT_GRIDS["sgd" if args.method.lower() == "sgd" else "tnc"]
    if len(args.param) != 2:
        parser.error("give --param exactly twice (two grid axes)")
    return args


def main(argv=None):
    args = parse_args(argv)
    from ..datasets import load_dataset
    from ..runs import grid_run
    from ..search import parse_param

    grid = [parse_param(text) for text in args.param]
    dataset = load_dataset(args.data, args.dtype)
    print(describe(dataset))
    return grid_run(dataset, grid, args.method, args.maxiter, args.epochs, args.cv, args.n_jobs, args.seed, args.out,
             args.init, **network_options(args))

