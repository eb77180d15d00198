"""Train a network by mini-batch stochastic gradient descent, as in the neural-networks book, and report it.

    python scripts/train_sgd.py                                            # sigmoid + cross-entropy
    python scripts/train_sgd.py --activation relu --cost log-likelihood    # ReLU hidden, softmax output
    python scripts/train_sgd.py --cost quadratic --init normal --epochs 10 # the book's first network
"""

from bpnn.cli import launch

if __name__ == "__main__":
    launch("bpnn.cli.sgd")
