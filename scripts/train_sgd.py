"""Train a network by mini-batch stochastic gradient descent, as in the neural-networks book, and report it.

    python scripts/train_sgd.py                                            # sigmoid + cross-entropy
    python scripts/train_sgd.py --activation relu --cost log-likelihood    # ReLU hidden, softmax output
    python scripts/train_sgd.py --cost quadratic --init normal --epochs 10 # the book's first network
"""

if __name__ == "__main__":
    try:
        from bpnn.cli import launch  # light: the command's heavy imports happen inside launch
    except KeyboardInterrupt:  # Ctrl-C in the first milliseconds
        raise SystemExit(130) from None
    launch("bpnn.cli.sgd")
