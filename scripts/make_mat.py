"""Write any supported digits source as a course-layout .mat file (ex4: 20×20 column-major, labels 1..10).

    python scripts/make_mat.py data/trainingDigits digits32.mat
    python scripts/make_mat.py data/mnist data/ex4data1.mat          # MNIST IDX folder → course layout
"""

from bpnn.cli import launch

if __name__ == "__main__":
    launch("bpnn.cli.convert")
