"""Time bpnn's cost_and_grad on m = 5000 examples of a 400-25-10 network against the competition.

    python -m benchmarks.bench_costgrad [--m 5000] [--hidden 25] [--repeat 15]

Measured in this run, on the same data and θ:
  * scikit-learn's MLPClassifier loss-gradient routine (the function its L-BFGS solver calls), same network;
  * a per-example-loop backprop (the course's for-loop over examples);
  * the floor: the three largest matrix products cost_and_grad has to do, on the same operands;
and the same cost_and_grad on float32 X and Y (float32 passes, float64 θ, J and gradient).
The goals printed are the project's: ≥ 1.6× scikit-learn in float64 and ≥ 2.5× in float32, within 1.3×
of the floor, ≥ 25× the per-example loop.
The data are the embedded digits (scikit-learn's load_digits, 20×20) drawn with replacement to m rows.
"""

import argparse

import numpy as np

from benchmarks.common import best_times, machine, ratio_line
from tests.support.competitors import LoopBackprop, SklearnObjective
from bpnn import Network, cost_and_grad, one_hot
from bpnn.params import init_weights, unpack
from bpnn.datasets import embedded_digits
from bpnn.functions import sigmoid


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--m", type=int, default=5000, help="examples")
    parser.add_argument("--hidden", type=int, default=25, help="hidden units")
    parser.add_argument("--repeat", type=int, default=15,
                        help="timing rounds (the best is kept; fewer rounds leave more of the machine's noise in)")
    args = parser.parse_args(argv)

    rng = np.random.default_rng(0)
    X_all, y_all = embedded_digits()
    rows = rng.integers(0, len(y_all), size=args.m)
    X, Y = np.ascontiguousarray(X_all[rows]), one_hot(y_all[rows], 10)
    sizes, lam = [X.shape[1], args.hidden, 10], 1.0
    theta = init_weights(sizes, rng)

    sk = SklearnObjective(sizes, X, Y, lam)
    packed = sk.to_sklearn(theta)
    loop = LoopBackprop(sizes)

    Theta1, Theta2 = unpack(theta, sizes)
    W1, W2 = Theta1[:, 1:], Theta2[:, 1:]
    A2 = sigmoid(X @ W1.T)
    D2 = rng.standard_normal(A2.shape)

    def three_largest_products():
        X @ W1.T        # m × n × h: hidden pre-activations
        D2.T @ X        # h × m × n: first-layer weight gradient
        A2 @ W2.T       # m × h × K: output pre-activations

    X32, Y32 = X.astype(np.float32), Y.astype(np.float32)
    times = best_times({
        "bpnn cost_and_grad": lambda: cost_and_grad(Network(sizes), theta, X, Y, lam),
        "bpnn cost_and_grad, float32 X": lambda: cost_and_grad(Network(sizes), theta, X32, Y32, lam),
        "scikit-learn MLP _loss_grad_lbfgs": lambda: sk(packed),
        "per-example loop backprop": lambda: loop(theta, X, Y, lam),
        "floor: its three largest matrix products": three_largest_products,
    }, args.repeat)
    ours, ours32, sklearn_time, loop_time, floor = times.values()

    print(f"cost_and_grad, {'-'.join(map(str, sizes))} network, m = {args.m}, λ = {lam}, float64")
    print(f"machine: {machine()}\n")
    print(f"  {'implementation':<46} {'ms/call':>9}")
    for name, seconds in times.items():
        print(f"  {name:<46} {seconds * 1e3:9.3f}")
    print("\n  ratio (how many times faster bpnn is)")
    print(ratio_line("vs scikit-learn", ours, sklearn_time, 1.6))
    print(ratio_line("float32 vs scikit-learn (float64)", ours32, sklearn_time, 2.5))
    print(ratio_line("vs per-example loop", ours, loop_time, 25))
    print("  ratio to the floor (bpnn time / floor time)")
    print(ratio_line("vs three largest matrix products", floor, ours, 1.3, faster=False))


if __name__ == "__main__":
    main()
