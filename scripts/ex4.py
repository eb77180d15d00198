"""The course's ex4 (neural network learning), part by part, as ex4.m runs it.

    python scripts/ex4.py                                          # the course's files from data/, else the embedded digits
    python scripts/ex4.py --data ex4data1.mat --weights ex4weights.mat
    python scripts/ex4.py --method CG                              # train as fmincg does
"""

if __name__ == "__main__":
    try:
        from bpnn.cli import launch  # light: the command's heavy imports happen inside launch
    except KeyboardInterrupt:  # Ctrl-C in the first milliseconds
        raise SystemExit(130) from None
    launch("bpnn.cli.ex4")
