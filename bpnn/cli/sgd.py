"""Train a network by mini-batch stochastic gradient descent, as in the neural-networks book, and report it.

    python scripts/train_sgd.py                                            # sigmoid + cross-entropy
    python scripts/train_sgd.py --activation relu --cost log-likelihood    # ReLU hidden, softmax output
    python scripts/train_sgd.py --cost quadratic --init normal --epochs 10 # the book's first network
"""

from . import (Parser, add_class_weight_argument, add_data_argument, add_network_arguments, add_run_arguments,
               add_task_argument, fraction, nonnegative_float, nonnegative_int, positive_float, positive_int,
               probability, run_inputs)
from ..training.minibatch import EPOCHS, HIDDEN, INIT
from ..training.options import MiniBatches
from ..training.setup import LAMBDA
from ..training.updates import ETA, MOMENTUM, NESTEROV_MOMENTUM, UPDATES

BATCHES = MiniBatches()


def parse_args(argv=None):
    parser = Parser(
        description="Train a backpropagation network by mini-batch SGD, monitoring a validation split every "
                    "epoch ('Epoch j: correct / n'), then print the classification reports and write "
                    "weights.mat, weights.npz, metrics.json and the figures (hidden units, confusion matrix, "
                    "misclassified examples, learning curves) to the run folder.",
    )
    add_data_argument(parser)
    add_task_argument(parser)
    parser.add_argument("--hidden", type=positive_int, nargs="+", default=list(HIDDEN), metavar="UNITS",
                        help="hidden layer sizes")
    parser.add_argument("--epochs", type=nonnegative_int, default=EPOCHS.max_iter,
                        help="passes over the training data")
    parser.add_argument("--batch-size", type=positive_int, default=BATCHES.size,
                        help="examples per mini-batch")
    parser.add_argument("--eta", type=positive_float, default=ETA, metavar="η", help="learning rate")
    parser.add_argument("--update", default=UPDATES[0], choices=UPDATES,
                        help="update rule: SGD with --momentum, SGD with Nesterov momentum, or Adam (step size --eta)")
    parser.add_argument("--lambda", dest="lam", type=nonnegative_float, default=LAMBDA, metavar="λ",
                        help="L2 regularization: weight decay η·λ/n per mini-batch, n = training examples")
    parser.add_argument("--momentum", type=fraction, metavar="μ",
                        help=f"momentum coefficient in [0, 1) (default: {MOMENTUM} for sgd, {NESTEROV_MOMENTUM} for "
                             "nesterov)")
    parser.add_argument("--patience", type=positive_int, metavar="N",
                        help="stop after N epochs without a better validation accuracy (keeps the best epoch)")
    parser.add_argument("--dropout", type=probability, default=BATCHES.dropout, metavar="P",
                        help="probability of dropping each hidden unit while training (inverted dropout)")
    parser.add_argument("--validation-size", type=fraction, default=0.1,
                        help="fraction of the training part monitored every epoch (0: none)")
    add_run_arguments(parser, "seed for splits, θ₀, shuffling and dropout", "no per-epoch lines")
    add_class_weight_argument(parser)
    add_network_arguments(parser, INIT)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    network, dataset = run_inputs(args)
    from .runs import sgd_run

    return sgd_run(dataset, out=args.out, test_size=args.test_size, validation_size=args.validation_size,
                   seed=args.seed, quiet=args.quiet, hidden=tuple(args.hidden), epochs=args.epochs,
                   batch_size=args.batch_size, eta=args.eta, update=args.update, lam=args.lam, momentum=args.momentum,
                   patience=args.patience, dropout=args.dropout, init=args.init, class_weight=args.class_weight,
                   **network)

