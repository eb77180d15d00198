"""Write any supported source as a course-layout .mat file (ex4: 20×20 column-major, labels 1..10) or a CSV table.

    python scripts/make_mat.py data/trainingDigits digits32.mat
    python scripts/make_mat.py data/mnist data/ex4data1.mat          # MNIST IDX folder → course layout
"""

if __name__ == "__main__":
    try:
        from bpnn.cli import launch  # light: the command's heavy imports happen inside launch
    except KeyboardInterrupt:  # Ctrl-C in the first milliseconds
        raise SystemExit(130) from None
    launch("bpnn.cli.convert")
