"""Train a backprop network on digits with scipy.optimize.minimize (TNC by default) and report it.

    python scripts/train_tnc.py                       # embedded digits, 400-25-10, λ = 1, TNC
    python scripts/train_tnc.py --data data/ex4data1.mat --test-size 0
    python scripts/train_tnc.py --weights runs/…/weights.mat   # evaluate saved weights instead
"""

if __name__ == "__main__":
    try:
        from bpnn.cli import launch  # light: the command's heavy imports happen inside launch
    except KeyboardInterrupt:  # Ctrl-C in the first milliseconds
        raise SystemExit(130) from None
    launch("bpnn.cli.train")
