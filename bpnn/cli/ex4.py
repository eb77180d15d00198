"""The course's ex4, step by step: each part of ex4.m in order, printed the way the exercise prints it.

    python scripts/ex4.py                             # the course's files from the data home, else the embedded digits
    python scripts/ex4.py --data ex4data1.mat --weights ex4weights.mat
    bpnn ex4 --method CG                              # train as the course's fmincg does (CG, 50 iterations)

With the course's ``ex4data1.mat`` and ``ex4weights.mat`` (``--data``/``--weights``, or in the data home) each
checkpoint is printed beside the value ex4.m says to expect. Without them it says so, uses the embedded
digits and a freshly trained network instead, and prints no expected value where the course's does not
apply. Figures: the data grid (displayData of 100 random rows) and the hidden units (displayData of Θ⁽¹⁾).

The data must fit ex4's 400-25-10 network (20×20 images of 10 classes); that is checked as soon as they
are read. Ctrl-C while the weights of part 2 are trained stops the run after writing the data grid; Ctrl-C
in part 9 goes on to parts 10 and 11 with the best weights reached. Either way the exit status is 130.
"""

import sys
from pathlib import Path

from . import Parser, add_run_arguments, nonnegative_int, path
from ..errors import BpnnError

__all__ = ["main", "EXPECTED", "matlab_order"]

# What ex4.m prints as its expected values, for its own data and weights.
EXPECTED = {"cost_lambda0": 0.287629, "cost_lambda1": 0.383770, "cost_lambda3": 0.576051,
            "sigmoid_gradient": (0.196612, 0.235004, 0.250000, 0.235004, 0.196612), "accuracy": 95.3}
OUTPUTS = ("data.png", "hidden_units.png")


def parse_args(argv=None):
    parser = Parser(description="The course's ex4 (neural network learning), part by part, with the exercise's "
                                "expected values beside bpnn's where the course's files are used.")
    parser.add_argument("--data", metavar="FILE", type=path,
                        help="ex4data1.mat (default: the data home's, else the embedded digits)")
    parser.add_argument("--weights", metavar="FILE", type=path,
                        help="ex4weights.mat (default: the data home's, else weights trained here first)")
    parser.add_argument("--method", default="TNC", type=str.upper, choices=["TNC", "CG", "L-BFGS-B"],
                        help="training method (the course's fmincg is closest to CG)")
    parser.add_argument("--max-iter", dest="max_iter", type=nonnegative_int, default=50,
                        help="training iterations (the course's 50)")
    add_run_arguments(parser, "seed for θ₀ and the sample of images", "no per-iteration progress lines")
    return parser.parse_args(argv)


def _course_file(given, name):
    """The file the user named, else the data home's ``name`` when it exists, else None."""
    from ..data.loading import data_dir

    if given is not None:
        return Path(given)
    candidate = data_dir() / name
    return candidate if candidate.is_file() else None


def matlab_order(network):
    """Positions in θ (bpnn's order: each Θ row by row) in the course's order: each Θ unrolled column by
    column, as MATLAB's Theta1(:) does."""
    import numpy as np

    positions = np.arange(network.n_params)
    return np.concatenate([T.ravel(order="F") for T in network.unpack(positions)])


def _check_fits(network, dataset):
    """BpnnError unless the data fit ex4's network: as many features as its inputs, as many classes as its
    outputs."""
    if dataset.X.shape[1] != network.sizes[0] or dataset.n_classes != network.n_classes:
        raise BpnnError(f"{dataset.name}: {dataset.X.shape[1]} features and {dataset.n_classes} classes, but ex4's "
                        f"network {'-'.join(map(str, network.sizes))} takes 20×20 images ({network.sizes[0]} "
                        f"features) of {network.n_classes} classes (bpnn train takes any data)")


def _interrupted(where):
    """The line that says Ctrl-C ended ``where`` early, and the exit status that goes with it."""
    from .runs import INTERRUPTED

    print(f"Interrupted (Ctrl-C) {where}", file=sys.stderr)
    return INTERRUPTED


def _part(number, title):
    print(f"\nPart {number}: {title}")


def _expect(value, key, course, fmt="{:.6f}"):
    """'value' and, when the course's own files are in use, '(this value should be about …)'."""
    text = fmt.format(value)
    return f"{text} (this value should be about {fmt.format(EXPECTED[key])})" if course else text


def main(argv=None):
    args = parse_args(argv)
    import numpy as np

    from ..data.formats.table import SUFFIXES as TABLES
    from ..data.loading import load_dataset
    from ..data.weights import load_weights
    from ..model.checking import check_gradients, debug_problem
    from ..model.network import Network, cost
    from ..model.network import accuracy as model_accuracy
    from ..model.units import sigmoid_gradient
    from ..model.validate import one_hot
    from ..plots import image_grid_figure, save_figure
    from ..training.options import Stopping
    from ..training.scipy import train
    from .rundir import RunFolder
    from .runs import progress_printer

    data_file, weights_file = _course_file(args.data, "ex4data1.mat"), _course_file(args.weights, "ex4weights.mat")
    if data_file is not None and data_file.suffix.lower() in TABLES:
        raise BpnnError(f"{data_file}: ex4 takes the course's 20×20 images; a table's rows are no images (bpnn train "
                        "--data FILE --target COLUMN trains on a table)")
    folder = RunFolder(args.out, OUTPUTS)
    rng = np.random.default_rng(args.seed)

    _part(1, "Loading and Visualizing Data")
    dataset = load_dataset(data_file) if data_file else load_dataset()
    if data_file is None:
        print("No ex4data1.mat (give --data, or put it in the data home): using the embedded digits instead, "
              "so the course's expected values do not apply and are not shown.")
    network = Network((400, 25, 10))
    _check_fits(network, dataset)
    X, y = dataset.X, dataset.y
    print(f"{dataset.name}: {X.shape[0]} examples × {X.shape[1]} pixels")
    picks = rng.choice(X.shape[0], size=min(100, X.shape[0]), replace=False)
    print(f"displayData: {len(picks)} random examples as a 10×10 grid, in data.png")
    figures = {"data.png": lambda path: save_figure(image_grid_figure(
        dataset.images(X[picks]), f"{len(picks)} random training images"), path)}

    _part(2, "Loading Saved Neural Network Parameters")
    if weights_file is not None:
        saved = load_weights(weights_file)
        if saved.network.sizes != network.sizes:
            raise BpnnError(f"{weights_file}: a network {list(saved.network.sizes)}, not ex4's {list(network.sizes)}")
        theta = saved.theta
        print(f"Loaded Theta1, Theta2 from {weights_file}")
    else:
        print("No ex4weights.mat (give --weights, or put it in the data home): training 400-25-10 weights here "
              f"first ({args.method}, λ = 1, {args.max_iter} iterations); the course's expected values do not apply.")
        pretrained = train(network, X, y, lam=1.0, method=args.method, stopping=Stopping(max_iter=args.max_iter),
                           seed=args.seed, progress=None if args.quiet else progress_printer())
        if pretrained.interrupted:
            _write(folder, figures)
            return _interrupted("while training the weights of part 2: stopped there (the later parts would "
                                "use barely trained weights)")
        theta = pretrained.theta
    course = data_file is not None and weights_file is not None
    where = "loaded from ex4weights" if weights_file is not None else "trained here"
    Y = one_hot(y, 10)

    _part(3, "Compute Cost (Feedforward)")
    print(f"Cost at parameters ({where}): {_expect(cost(network, theta, X, Y, 0.0), 'cost_lambda0', course)}")
    _part(4, "Implement Regularization")
    print(f"Cost at parameters ({where}): {_expect(cost(network, theta, X, Y, 1.0), 'cost_lambda1', course)}")

    _part(5, "Sigmoid Gradient")
    values = sigmoid_gradient(np.array([-1.0, -0.5, 0.0, 0.5, 1.0]))
    print("Sigmoid gradient evaluated at [-1 -0.5 0 0.5 1]:")
    print("  " + " ".join(f"{v:.6f}" for v in values))
    print("  expected: " + " ".join(f"{v:.6f}" for v in EXPECTED["sigmoid_gradient"]))

    _part(6, "Initializing Parameters")
    initial = network.init(rng, "uniform")
    print(f"randInitializeWeights: θ₀ of {network.n_params} numbers, uniform in ±√6/√(s_l + s_l+1)")

    for number, title, lam in ((7, "Implement Backpropagation", 0.0), (8, "Implement Regularization", 3.0)):
        _part(number, title)
        debug = Network((3, 5, 3))
        result = check_gradients(debug, *debug_problem(debug.sizes), lam)
        print(f"Checking Backpropagation (lambda = {lam:g}) on the course's 3-5-3 debug network:")
        print(f"{'numerical':>16} {'analytic':>16}   (in the course's order: Theta1(:), then Theta2(:))")
        for row in matlab_order(debug):
            print(f"{result.numerical[row]:16.10f} {result.analytic[row]:16.10f}")
        print("The above two columns you get should be very similar.")
        print(f"Relative Difference: {result.relative_difference:.6g} (should be less than 1e-9)")
    print(f"\nCost at parameters ({where}) (w/ lambda = 3): "
          f"{_expect(cost(network, theta, X, Y, 3.0), 'cost_lambda3', course)}")

    _part(9, "Training NN")
    print(f"Training 400-25-10 from θ₀ with {args.method} (the course: fmincg, 50 iterations), λ = 1 …")
    from ..objective.local import LocalObjective
    from ..training.scipy import minimize

    objective = LocalObjective(network, X, Y, 1.0)
    trained = minimize(objective, initial, method=args.method, stopping=Stopping(max_iter=args.max_iter),
                       progress=None if args.quiet else progress_printer())
    objective.close()
    print(f"{trained.n_steps} iterations: cost {trained.final_cost:.6f} ({trained.stop_reason})")

    _part(10, "Visualize Weights")
    print("displayData(Theta1(:, 2:end)): the 25 hidden units as 20×20 images, in hidden_units.png")
    _part(11, "Implement Predict")
    accuracy = 100.0 * model_accuracy(network, trained.theta, X, y)
    print(f"Training Set Accuracy: {_expect(accuracy, 'accuracy', course, '{:.1f}')}"
          + (" (it varies with the random initialization, ±1%)" if course else ""))

    figures["hidden_units.png"] = lambda path: save_figure(image_grid_figure(
        dataset.images(trained.thetas[0][:, 1:]), f"25 hidden units after {args.method}"), path)
    _write(folder, figures)
    if trained.interrupted:
        return _interrupted(f"in part 9, after {trained.n_steps} iterations: parts 10 and 11 and hidden_units.png "
                            "are from the best weights reached")
    return 0


def _write(folder, figures):
    """Save ``figures`` (output name → function writing it) in the run folder and say so."""
    with folder.writing():
        for name, save in figures.items():
            folder.save(name, save)
    print(f"\nWrote {', '.join(figures)} to {folder.path}/ (the data grid of part 1"
          + (" and the hidden units of part 10)" if len(figures) > 1 else ")"))
