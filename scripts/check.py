"""Check your own nnCostFunction or Network.backprop against bpnn: what is wrong, and why.

    python scripts/check.py ex4.py:nnCostFunction            # the course's ex4
    python scripts/check.py network.py:Network.backprop      # the book's chapter 2
    python scripts/check.py ex4.py:nnCostFunction --labels 1..K --json
"""

if __name__ == "__main__":
    try:
        from bpnn.cli import launch  # light: the command's heavy imports happen inside launch
    except KeyboardInterrupt:  # Ctrl-C in the first milliseconds
        raise SystemExit(130) from None
    launch("bpnn.cli.check")
