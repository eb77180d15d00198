"""Check backprop's gradient against central differences; exit 1 if the relative difference is ≥ 1e-9.

    python scripts/gradcheck.py                      # the course's 3-5-3 debug problem, λ = 0
    python scripts/gradcheck.py --lambda 3
    python scripts/gradcheck.py --full --k 200       # 200 random coordinates of a 400-25-10 network
    python scripts/gradcheck.py --activation relu --cost log-likelihood --dropout 0.5 --threshold 1e-7
"""

from . import (Parser, add_network_arguments, add_table_arguments, network_options, nonnegative_float, nonnegative_int,
               path, positive_float, positive_int, probability, seed, table_options)

THRESHOLD = 1e-9  # the gradient check's; the Hessian check's below (differences of gradients lose digits)
HESSIAN_THRESHOLD = 1e-7
M, K = 5, 200  # examples in the debug problem; coordinates checked with --full


def parse_args(argv=None):
    parser = Parser(
        description="Compare cost_and_grad's backprop gradient with a central-difference estimate. Prints "
                    "both side by side (first rows), the relative difference ‖num − ana‖ / ‖num + ana‖ and the "
                    "largest error per weight matrix; exits 1 unless the difference is below --threshold.",
    )
    parser.add_argument("--lambda", dest="lam", type=nonnegative_float, default=0.0, metavar="λ", help="regularization")
    parser.add_argument("--sizes", type=positive_int, nargs="+", metavar="UNITS",
                        help="layer sizes, input to output (default: 3 5 3; with --full: 400 25 10)")
    parser.add_argument("--m", type=positive_int, help=f"examples in the debug problem (default: {M})")
    parser.add_argument("--full", action="store_true",
                        help="check a full-size network, random θ₀, on the default data (or --data)")
    parser.add_argument("--data", metavar="PATH", type=path,
                        help="with --full: the data (any source --data of train accepts)")
    add_table_arguments(parser)
    parser.add_argument("--k", type=positive_int, help=f"with --full: how many random coordinates to check (default: "
                                                       f"{K}; every coordinate when the network has fewer)")
    parser.add_argument("--seed", type=seed, default=0,
                        help="seed for θ₀ and the coordinates (--full), the dropout mask and the Hessian's v")
    parser.add_argument("--rows", type=nonnegative_int, default=10, help="how many gradient rows to print")
    parser.add_argument("--dropout", type=probability, default=0.0, metavar="P",
                        help="check with a fixed inverted-dropout mask dropping each hidden unit with probability P")
    parser.add_argument("--hessian", action="store_true",
                        help="check exact Hessian-vector products H·v (bpnn.model.curvature) against central "
                             "differences of the gradient along a random v instead (threshold 1e-7 unless "
                             "--threshold; without dropout, on the whole vector: not with --dropout or --k)")
    parser.add_argument("--threshold", type=positive_float,
                        help=f"exit 1 unless the relative difference is below this (default: {THRESHOLD:g}, "
                             f"with --hessian {HESSIAN_THRESHOLD:g})")
    add_network_arguments(parser, "uniform")
    args = parser.parse_args(argv)
    _refuse_ignored(parser, args)
    return args


def _refuse_ignored(parser, args):
    """A parser error for an option the chosen check would ignore, instead of a check that silently differs
    from the one asked for."""
    ignored = {"--data without --full": args.data is not None and not args.full,
               "--k without --full": args.k is not None and not args.full,
               "--target or --fill without --full": (args.target or args.fill) is not None and not args.full,
               "--m with --full (the data set's examples are used)": args.m is not None and args.full,
               "--dropout with --hessian": args.hessian and args.dropout > 0,
               "--k with --hessian": args.hessian and args.k is not None}
    for what, given in ignored.items():
        if given:
            parser.error(f"{what} would be ignored; leave it out")


def main(argv=None):
    args = parse_args(argv)
    from ..data.loading import load_dataset
    from ..model.checking import check_gradients, debug_problem, full_size_problem
    from ..model.network import Network, dropout_masks

    if args.full:
        network = Network(tuple(args.sizes or (400, 25, 10)), **network_options(args))
        theta, X, Y = full_size_problem(network, load_dataset(args.data, **table_options(args)), args.seed, args.init)
    else:
        network = Network(tuple(args.sizes or (3, 5, 3)), **network_options(args))
        theta, X, Y = debug_problem(network.sizes, args.m or M)
    if args.hessian:
        return _check_hessian(network, theta, X, Y, args)
    masks = dropout_masks(network, X.shape[0], args.dropout, args.seed) if args.dropout else None
    result = check_gradients(network, theta, X, Y, args.lam, k=args.k or K if args.full else None, seed=args.seed,
                             masks=masks)
    sizes = list(network.sizes)
    what = (f"Network {sizes} on {X.shape[0]} examples, {len(result.indices)} random coordinates" if args.full
            else f"Debug problem {sizes}, m = {args.m or M}")
    print(f"{what}, λ = {args.lam}, {network.activation} hidden units, {network.cost} cost"
          + (f", dropout {args.dropout} (fixed mask)" if args.dropout else ""))
    print(f"{'index':>8} {'numerical':>16} {'analytic':>16}")
    for index, num, ana in result.rows(args.rows):
        print(f"{index:8d} {_cell(num)} {_cell(ana)}")
    print("Largest |numerical − analytic| per weight matrix: "
          + ", ".join(f"Theta{i}: {e:.3g}" for i, e in enumerate(result.max_abs_error_per_layer, start=1)))
    print(f"Relative difference: {result.relative_difference:.3e}")
    return 0 if result.relative_difference < (args.threshold or THRESHOLD) else 1


def _check_hessian(network, theta, X, Y, args):
    """H·v against (∇J(θ + εv) − ∇J(θ − εv)) / 2ε, printed side by side like the gradient check."""
    from ..model.checking import check_hessian

    difference, exact, numerical = check_hessian(network, theta, X, Y, args.lam, seed=args.seed)
    print(f"Hessian-vector product on {list(network.sizes)}, {X.shape[0]} examples, λ = {args.lam}, "
          f"{network.activation} hidden units, {network.cost} cost, random v (seed {args.seed})")
    print(f"{'index':>8} {'numerical':>16} {'exact H·v':>16}")
    for index in range(min(args.rows, len(exact))):
        print(f"{index:8d} {_cell(numerical[index])} {_cell(exact[index])}")
    print(f"Relative difference (H·v): {difference:.3e}")
    return 0 if difference < (args.threshold or HESSIAN_THRESHOLD) else 1


def _cell(value):
    """A derivative in a 16-character column: ten decimals, or the exponent form for a huge one (λ = 1e300)."""
    return f"{value:16.10f}" if abs(value) < 1e6 else f"{value:16.9e}"
