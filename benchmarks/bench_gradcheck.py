"""Peak memory of a full gradient check of the 400-25-10 network: bpnn's O(n) check against the n×n one.

    python -m benchmarks.bench_gradcheck [--m 200] [--hidden 25]

bpnn perturbs one coordinate of θ at a time in place, so beyond the data and the network's own
activations it holds a few vectors of n numbers. A check that builds every perturbation at once (the n×n
matrix ε·I, as vectorized tutorial code does) needs n² floats: that figure is computed, not run. Memory is
traced with tracemalloc (numpy reports its allocations to it); the check runs on m examples.
"""

import argparse
import time
import tracemalloc

from bpnn import Network, one_hot
from bpnn.data.loading import embedded_digits
from bpnn.model.checking import check_gradients
from bpnn.model.params import init_weights


def mib(n_bytes):
    return f"{n_bytes / 2**20:,.1f} MiB"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--m", type=int, default=200, help="examples")
    parser.add_argument("--hidden", type=int, default=25)
    args = parser.parse_args(argv)
    X, y = embedded_digits()
    X, Y = X[:args.m], one_hot(y[:args.m], 10)
    sizes = [400, args.hidden, 10]
    n = Network(sizes).n_params
    theta = init_weights(sizes, 0)

    tracemalloc.start()
    start = time.perf_counter()
    result = check_gradients(Network(sizes), theta, X, Y, 1.0)
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    print(f"full gradient check, {'-'.join(map(str, sizes))} (n = {n:,} parameters), m = {args.m}: "
          f"relative difference {result.relative_difference:.2e} in {seconds:.1f} s\n")
    print(f"  bpnn, one coordinate at a time       peak {mib(peak):>12}   (X itself: {mib(X.nbytes)})")
    print(f"  n × n perturbation matrix (computed) peak {mib(8 * n * n):>12}   ({8 * n * n / peak:,.0f}× more)")


if __name__ == "__main__":
    main()
