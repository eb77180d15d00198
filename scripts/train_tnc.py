"""Train a backprop network on digits with scipy.optimize.minimize (TNC by default) and report it.

    python scripts/train_tnc.py                       # embedded digits, 400-25-10, λ = 1, TNC
    python scripts/train_tnc.py --data data/ex4data1.mat --test-size 0
    python scripts/train_tnc.py --weights runs/…/weights.mat   # evaluate saved weights instead
"""

import argparse

from bpnn import METHODS, load_dataset
from bpnn.cli import add_data_argument, add_network_arguments, describe, network_options, run_script
from bpnn.runs import evaluate_weights_run, train_run


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description="Train a backpropagation network on a digits data set (any format --data accepts), print the "
                    "training and held-out classification reports, and write weights.mat, "
                    "hidden_units.png, samples.png and metrics.json to the run folder.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    add_data_argument(parser)
    parser.add_argument("--hidden", type=int, nargs="+", default=[25], metavar="UNITS",
                        help="hidden layer sizes, one number per hidden layer")
    parser.add_argument("--lambda", dest="lam", type=float, default=1.0, metavar="λ",
                        help="L2 regularization strength (bias weights are not regularized)")
    parser.add_argument("--maxiter", type=int, default=400,
                        help="most optimizer iterations (TNC: truncated-Newton steps; L-BFGS-B, CG, BFGS: line "
                             "searches), enforced for every method; each iteration takes one or more "
                             "cost/gradient evaluations")
    parser.add_argument("--method", default="TNC", choices=METHODS, type=str.upper,
                        help="scipy.optimize.minimize method (BFGS keeps an n×n matrix: small networks only)")
    parser.add_argument("--test-size", type=float, default=0.2,
                        help="fraction held out, stratified (0: train on everything, the course's report)")
    parser.add_argument("--seed", type=int, default=0, help="seed for the split, θ₀ and the sample figure")
    parser.add_argument("--out", metavar="DIR", help="run folder (default: runs/<timestamp>/); existing files "
                                                     "are never overwritten")
    parser.add_argument("--weights", metavar="FILE",
                        help="evaluate these weights (.mat/.npz with Theta1, Theta2, …) on all examples "
                             "instead of training")
    parser.add_argument("--blas-threads", type=int, metavar="N",
                        help="BLAS threads for the optimizer's own work (default: 1 for L-BFGS-B and CG, whose "
                             "small vector operations slow the evaluations down with more; unchanged for TNC "
                             "and BFGS); cost and gradient evaluations use every thread BLAS had")
    parser.add_argument("--quiet", action="store_true", help="no per-iteration progress lines")
    add_network_arguments(parser)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    dataset = load_dataset(args.data, args.dtype)
    print(describe(dataset))
    if args.weights:
        evaluate_weights_run(dataset, args.weights, args.out, **network_options(args))
    else:
        train_run(dataset, args.hidden, args.lam, args.method, args.maxiter, args.test_size, args.seed,
                  args.out, args.quiet, args.init, args.blas_threads or "auto", **network_options(args))


if __name__ == "__main__":
    run_script(main)
