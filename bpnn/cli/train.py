"""Train a backprop network on digits with scipy.optimize.minimize (TNC by default) and report it.

    python scripts/train_tnc.py                       # embedded digits, 400-25-10, λ = 1, TNC
    python scripts/train_tnc.py --data data/ex4data1.mat --test-size 0
    python scripts/train_tnc.py --weights runs/…/weights.mat   # evaluate saved weights instead
    bpnn train --data houses.csv --target price --task regression
    bpnn train --lambda auto                          # λ from the evidence (MacKay), re-estimated each round
"""

from . import (Parser, add_class_weight_argument, add_data_argument, add_network_arguments, add_run_arguments,
               add_task_argument, defaults, method_name, nonnegative_float, nonnegative_int, path, positive_int,
               run_inputs)
from ..errors import BpnnError
from ..training.options import CURVATURE_KINDS
from ..training.scipy import HESSP_METHODS, HIDDEN, INIT, METHODS, default_method, train

DEFAULTS = defaults(train)
STOPPING, CURVATURE = DEFAULTS["stopping"], DEFAULTS["curvature"]


def lambda_or_auto(text):
    """--lambda: a finite number ≥ 0, or "auto"."""
    return "auto" if text.strip().lower() == "auto" else nonnegative_float(text)


def parse_args(argv=None):
    parser = Parser(
        description="Train a backpropagation network on a digits data set (any format --data accepts), print the "
                    "training and held-out classification reports, and write weights.mat, metrics.json and the "
                    "figures (hidden units, labelled samples, confusion matrix, misclassified examples, cost per "
                    "iteration) to the run folder.",
    )
    add_data_argument(parser)
    add_task_argument(parser)
    parser.add_argument("--hidden", type=positive_int, nargs="+", metavar="UNITS",
                        help="hidden layer sizes, one number per hidden layer (default: "
                             f"{' '.join(map(str, HIDDEN))})")
    parser.add_argument("--lambda", dest="lam", type=lambda_or_auto, default=DEFAULTS["lam"], metavar="λ",
                        help="L2 regularization strength (bias weights are not regularized), or auto: λ set from "
                             "the evidence (MacKay's Bayesian regularization: train, re-estimate, retrain from the "
                             "weights reached, each round printed and recorded in metrics.json)")
    parser.add_argument("--max-iter", "--maxiter", dest="max_iter", type=nonnegative_int, default=STOPPING.max_iter,
                        help="most optimizer iterations (TNC: truncated-Newton steps; L-BFGS-B, CG, BFGS: line "
                             "searches), enforced for every method; each iteration takes one or more "
                             "cost/gradient evaluations")
    parser.add_argument("--tol", type=nonnegative_float, default=STOPPING.tol,
                        help="stop once the last --n-iter-no-change iterations together lowered the cost by less "
                             "than this fraction of it (0: only the method's own test and --max-iter)")
    parser.add_argument("--n-iter-no-change", type=positive_int, default=STOPPING.n_iter_no_change,
                        help="the window of iterations the --tol rule looks at")
    parser.add_argument("--method", metavar="METHOD", type=method_name,
                        help=f"scipy.optimize.minimize method: {', '.join(METHODS)} (default: {default_method(None)}, "
                             f"{default_method('regression')} with --task regression; BFGS keeps an n×n matrix: small "
                             f"networks only; {', '.join(HESSP_METHODS)} get exact curvature products)")
    parser.add_argument("--curvature", default=CURVATURE.kind, choices=CURVATURE_KINDS,
                        help=f"the curvature products {', '.join(HESSP_METHODS)} get: Gauss-Newton (positive "
                             "semi-definite) or the exact Hessian")
    parser.add_argument("--curvature-rows", type=positive_int, default=CURVATURE.rows, metavar="N",
                        help="training rows in each curvature product, a sample drawn anew at every step (the cost "
                             "and gradient use every row); more rows than the training set: all of them")
    parser.add_argument("--weights", metavar="FILE", type=path,
                        help="evaluate these weights (.mat/.npz with Theta1, Theta2, …, and the network they "
                             "record) on every part of the data instead of training")
    parser.add_argument("--blas-threads", type=positive_int, metavar="N",
                        help="BLAS threads for the optimizer's own work (default: 1 for L-BFGS-B, CG, Newton-CG, "
                             "trust-ncg and trust-krylov, whose vector operations slow the evaluations down with "
                             "more; unchanged for TNC and BFGS); cost and gradient evaluations use every thread "
                             "BLAS had")
    parser.add_argument("--certify", action="store_true",
                        help="after training, certify θ: the Hessian's extreme eigenvalues (Lanczos on exact H·v "
                             "products), the gradient norm and a verdict (minimum, saddle, flat, not converged), "
                             "printed and recorded in metrics.json")
    add_run_arguments(parser, "seed for the split, θ₀ and the sample figure", "no per-iteration progress lines")
    add_class_weight_argument(parser)
    add_network_arguments(parser, INIT)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.weights and args.certify:
        raise BpnnError("--certify certifies the θ a run trains; --weights trains none (leave one of them out)")
    network, dataset = run_inputs(args)
    from .runs import evaluate_weights_run, train_run

    if args.weights:
        given = {key: getattr(args, key) for key in ("activation", "cost", "output", "hidden")}
        return evaluate_weights_run(dataset, args.weights, out=args.out, given=given)
    return train_run(dataset, out=args.out, test_size=args.test_size, seed=args.seed, quiet=args.quiet,
                     hidden=tuple(args.hidden or HIDDEN), lam=args.lam,
                     method=args.method or default_method(dataset.task), max_iter=args.max_iter,
                     tol=args.tol, n_iter_no_change=args.n_iter_no_change, curvature=args.curvature,
                     curvature_rows=args.curvature_rows, init=args.init, class_weight=args.class_weight,
                     blas_threads=args.blas_threads or DEFAULTS["parallel"].blas_threads, certify=args.certify,
                     **network)

