"""bpnn.book's SGD against the book's own per-example update (network2.py's update_mini_batch), one epoch each.

    python -m benchmarks.bench_book [--hidden 30] [--batch 10] [--repeat 3]

Both train [400, hidden, 10] on the embedded digits (1797 images, 20×20) from the same weights and in the
same mini-batch order, cross-entropy, η = 0.5, λ = 5; the per-example code is the tests' reference
(tests/support/book_reference.py), which gives the same numbers to 1e-12. Prints seconds per epoch and
the ratio, both measured in this run.
"""

import argparse
import copy
import time

import numpy as np

from benchmarks.common import machine
from bpnn.book import Network
from bpnn.data.loading import embedded_digits
from tests.support.book_reference import update_mini_batch


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hidden", type=int, default=30)
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    X, y = embedded_digits()
    data = [(x.reshape(-1, 1), np.eye(10)[:, [label]]) for x, label in zip(X, y)]
    print(machine())
    best = {"bpnn.book": np.inf, "per-example (network2.py)": np.inf}
    for _ in range(args.repeat):
        net = Network([400, args.hidden, 10], seed=0)
        weights, biases = [w.copy() for w in net.weights], [b.copy() for b in net.biases]
        order = copy.deepcopy(net.rng).permutation(len(data))
        start = time.perf_counter()
        net.SGD(data, 1, args.batch, 0.5, lmbda=5.0)
        best["bpnn.book"] = min(best["bpnn.book"], time.perf_counter() - start)
        shuffled = [data[i] for i in order]
        start = time.perf_counter()
        for first in range(0, len(shuffled), args.batch):
            weights, biases = update_mini_batch(weights, biases, shuffled[first:first + args.batch], 0.5, 5.0, len(data))
        best["per-example (network2.py)"] = min(best["per-example (network2.py)"], time.perf_counter() - start)
        assert np.allclose(net.weights[0], weights[0], rtol=1e-10, atol=1e-12)
    for name, seconds in best.items():
        print(f"  {name:28s} {seconds:8.3f} s per epoch")
    print(f"  bpnn.book is {best['per-example (network2.py)'] / best['bpnn.book']:.1f}× faster (batch {args.batch})")


if __name__ == "__main__":
    main()
