"""Train a network by mini-batch stochastic gradient descent, as in the neural-networks book, and report it.

    python scripts/train_sgd.py                                            # sigmoid + cross-entropy
    python scripts/train_sgd.py --activation relu --cost log-likelihood    # ReLU hidden, softmax output
    python scripts/train_sgd.py --cost quadratic --init normal --epochs 10 # the book's first network
"""

import argparse

from bpnn import load_dataset
from bpnn.cli import add_data_argument, add_network_arguments, describe, network_options, run_script
from bpnn.runs import sgd_run


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description="Train a backpropagation network by mini-batch SGD, monitoring a validation split every "
                    "epoch ('Epoch j: correct / n'), then print the classification reports and write "
                    "weights.mat, weights.npz, hidden_units.png, learning_curves.png and metrics.json.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    add_data_argument(parser)
    parser.add_argument("--hidden", type=int, nargs="+", default=[100], metavar="UNITS", help="hidden layer sizes")
    parser.add_argument("--epochs", type=int, default=30, help="passes over the training data")
    parser.add_argument("--batch-size", type=int, default=10, help="examples per mini-batch")
    parser.add_argument("--eta", type=float, default=0.2, metavar="η", help="learning rate")
    parser.add_argument("--lambda", dest="lam", type=float, default=1.0, metavar="λ",
                        help="L2 regularization: weight decay η·λ/n per mini-batch, n = training examples")
    parser.add_argument("--momentum", type=float, default=0.0, metavar="μ", help="momentum coefficient in [0, 1)")
    parser.add_argument("--early-stop", type=int, metavar="N",
                        help="stop after N epochs without a better validation accuracy (keeps the best epoch)")
    parser.add_argument("--dropout", type=float, default=0.0, metavar="P",
                        help="probability of dropping each hidden unit while training (inverted dropout)")
    parser.add_argument("--test-size", type=float, default=0.2, help="fraction held out for the final report")
    parser.add_argument("--validation-size", type=float, default=0.1,
                        help="fraction of the training part monitored every epoch (0: none)")
    parser.add_argument("--seed", type=int, default=0, help="seed for splits, θ₀, shuffling and dropout")
    parser.add_argument("--out", metavar="DIR", help="run folder (default: runs/<timestamp>/); existing files "
                                                     "are never overwritten")
    parser.add_argument("--quiet", action="store_true", help="no per-epoch lines")
    add_network_arguments(parser, init="scaled-normal")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    dataset = load_dataset(args.data, args.dtype)
    print(describe(dataset))
    sgd_run(dataset, args.hidden, args.epochs, args.batch_size, args.eta, args.lam, args.momentum, args.early_stop,
            args.dropout, args.init, args.test_size, args.validation_size, args.seed, args.out, args.quiet,
            **network_options(args))


if __name__ == "__main__":
    run_script(main)
