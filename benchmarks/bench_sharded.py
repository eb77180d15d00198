"""Per-evaluation cost of the data-parallel objective (bpnn.objective.sharded) against in-process cost_and_grad.

    python -m benchmarks.bench_sharded [--workers 2] [--hidden 25] [--sizes 250 1000 4000 16000 64000]

Starts a dask.distributed LocalCluster (worker processes on this machine, one thread each; needs the
``dask`` extra), cuts m rows (the embedded digits drawn with replacement, 400 features) into one shard per
worker and times one (J, ∇J) evaluation through the cluster against ``cost_and_grad`` on all m rows in
this process as training runs it (``LocalObjective``: row blocks on every core too), best of --repeat
rounds, for each m. The difference is what a round trip to the workers costs (sending θ, returning each
shard's gradient, scheduling); it stays about the same as m grows, so the larger the shards, the smaller
its share.
"""

import argparse

import numpy as np

from benchmarks.common import best_times, machine
from bpnn import Network, one_hot
from bpnn.data.loading import embedded_digits
from bpnn.objective.local import LocalObjective
from bpnn.objective.sharded import ShardedObjective


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--hidden", type=int, default=25)
    parser.add_argument("--sizes", type=int, nargs="+", default=[250, 1000, 4000, 16000, 64000],
                        help="rows in all (split over the workers)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    from dask.distributed import Client, LocalCluster

    rng = np.random.default_rng(0)
    X_all, y_all = embedded_digits()
    network = Network((X_all.shape[1], args.hidden, 10))
    theta = network.init(0)
    print(f"network {list(network.sizes)} ({network.n_params} parameters), {args.workers} worker processes; "
          f"machine: {machine()}\n")
    print(f"  {'rows':>7} {'rows per shard':>15} {'in-process ms':>14} {'sharded ms':>11} {'overhead ms':>12} "
          f"{'ratio':>7}")
    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=40) as cluster, Client(cluster) as client:
        for m in args.sizes:
            rows = rng.integers(0, len(y_all), size=m)
            X, Y = np.ascontiguousarray(X_all[rows]), one_hot(y_all[rows], 10)
            with ShardedObjective.scatter(client, network, X, Y, 1.0) as objective:
                local_objective = LocalObjective(network, X, Y, 1.0)
                times = best_times({"local": lambda: local_objective(theta),
                                    "sharded": lambda: objective(theta)}, repeat=args.repeat)
            local, sharded = times["local"] * 1e3, times["sharded"] * 1e3
            print(f"  {m:>7} {m // args.workers:>15} {local:14.2f} {sharded:11.2f} {sharded - local:12.2f} "
                  f"{sharded / local:6.2f}×", flush=True)


if __name__ == "__main__":
    main()
