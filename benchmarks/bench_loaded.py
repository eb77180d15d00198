"""cost_and_grad on a busy machine: bpnn's and scikit-learn's slowdowns when other jobs share the cores.

    python -m benchmarks.bench_loaded [--m 5000] [--hidden 25] [--repeat 9]

For each load, this benchmark starts its own neighbours as separate processes, lets them run for a second,
then times one evaluation of the 400-25-10 cost and gradient on m examples (the embedded digits drawn with
replacement), round-robin, for
  * bpnn ``cost_and_grad`` with the threading training uses (``blocks=RowBlocks()``: row blocks on as many
    threads as BLAS has),
  * bpnn held at one thread (the same call with BLAS at one thread, which its row blocks follow),
  * scikit-learn's ``MLPClassifier._loss_grad_lbfgs`` (BLAS as it is),
and stops the neighbours. Loads: none; one busy core (a Python loop); both cores busy; a neighbour doing
2-thread BLAS products; a second bpnn training (TNC, default threading); and the last two together
(several multithreaded jobs side by side). A time is the median of the rounds, not the best: under load
the best round shows what the neighbours happened to leave free, the median what a user waits for.
"""

import argparse
import os
import subprocess
import sys
import time

import numpy as np
from threadpoolctl import threadpool_limits

from benchmarks.common import best_times, machine
from tests.support.competitors import SklearnObjective
from bpnn import Network, cost_and_grad, one_hot
from bpnn.data.loading import embedded_digits
from bpnn.speed import RowBlocks

NEIGHBOURS = {
    "busy core": "while True: pass",
    "BLAS job (2 threads)": "import numpy as np\na = np.random.default_rng(0).random((800, 800))\nwhile True: a @ a",
    "bpnn training": ("import bpnn\nX, y = bpnn.load_dataset().X, bpnn.load_dataset().y\n"
                      "network = bpnn.Network((X.shape[1], 25, int(y.max()) + 1))\n"
                      "while True: bpnn.train(network, X, y, stopping=bpnn.Stopping(max_iter=50, tol=0))"),
}
LOADS = {
    "quiet": [],
    "one busy core": ["busy core"],
    "both cores busy": ["busy core", "busy core"],
    "BLAS job (2 threads)": ["BLAS job (2 threads)"],
    "second bpnn training": ["bpnn training"],
    "BLAS job + bpnn training": ["BLAS job (2 threads)", "bpnn training"],
}


def start(names):
    environment = {**os.environ, "OPENBLAS_NUM_THREADS": "2", "OMP_NUM_THREADS": "2"}
    return [subprocess.Popen([sys.executable, "-c", NEIGHBOURS[name]], env=environment, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL) for name in names]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--m", type=int, default=5000)
    parser.add_argument("--hidden", type=int, default=25)
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args(argv)

    rng = np.random.default_rng(0)
    X_all, y_all = embedded_digits()
    rows = rng.integers(0, len(y_all), size=args.m)
    X, Y = np.ascontiguousarray(X_all[rows]), one_hot(y_all[rows], 10)
    network, lam = Network((X.shape[1], args.hidden, 10)), 1.0
    theta = network.init(0)
    sk = SklearnObjective(list(network.sizes), X, Y, lam)
    packed = sk.to_sklearn(theta)

    blocks = RowBlocks()  # follows BLAS's threads at each call

    def one_thread():
        with threadpool_limits(1, user_api="blas"):
            return cost_and_grad(network, theta, X, Y, lam, blocks=blocks)

    contenders = {"bpnn default": lambda: cost_and_grad(network, theta, X, Y, lam, blocks=blocks),
                  "bpnn one thread": one_thread,
                  "scikit-learn": lambda: sk(packed)}
    print(f"cost_and_grad, {'-'.join(map(str, network.sizes))}, m = {args.m}, float64, median of {args.repeat} "
          f"rounds; machine: {machine()}\n")
    print(f"  {'load':<26} " + " ".join(f"{name + ' ms':>18}" for name in contenders)
          + f" {'bpnn slowdown':>14} {'sklearn slowdown':>17}  default ≤ one thread?")
    quiet = None
    for load, names in LOADS.items():
        neighbours = start(names)
        try:
            time.sleep(1.0 if names else 0.0)
            times = best_times(contenders, repeat=args.repeat, statistic=np.median)
        finally:
            for process in neighbours:
                process.kill()
                process.wait()
        ms = {name: seconds * 1e3 for name, seconds in times.items()}
        quiet = quiet or ms
        verdict = "yes" if ms["bpnn default"] <= ms["bpnn one thread"] * 1.05 else "NO"
        print(f"  {load:<26} " + " ".join(f"{value:18.2f}" for value in ms.values())
              + f" {ms['bpnn default'] / quiet['bpnn default']:13.2f}× "
              f"{ms['scikit-learn'] / quiet['scikit-learn']:16.2f}×  {verdict}", flush=True)
    print("\nslowdown: the load's median over the quiet one, for bpnn's default threading and for scikit-learn; "
          "'default ≤ one thread': within 5 %")


if __name__ == "__main__":
    main()
