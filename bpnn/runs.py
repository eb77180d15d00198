"""A training or evaluation run as the scripts perform it: split, train, report, write the run folder.

A run folder (``--out``, default ``runs/<timestamp>/``) receives ``weights.mat``, ``hidden_units.png``,
``samples.png`` and ``metrics.json``. Before anything is computed, the run checks that none of those files
exists yet, and each is then created exclusively: a run never overwrites a file it did not create.
"""

import json
import sys
from datetime import datetime
from pathlib import Path

import numpy as np
from sklearn.model_selection import train_test_split

from .errors import BpnnError
from .files import write_atomically
from .network import cost_and_grad, one_hot
from .optimize import train
from .params import pack, sizes_of, unpack
from .plots import save_image_grid
from .report import evaluate
from .weights import load_weights, save_weights

__all__ = ["prepare_out_dir", "split", "progress_printer", "train_run", "evaluate_weights_run"]

TRAIN_OUTPUTS = ("weights.mat", "hidden_units.png", "samples.png", "metrics.json")
EVALUATE_OUTPUTS = ("hidden_units.png", "metrics.json")


def prepare_out_dir(out, names):
    """Create the run folder (``runs/<timestamp>`` when ``out`` is None) after checking that none of
    ``names`` exists in it; returns its path."""
    if out is None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        out, k = Path("runs") / stamp, 1
        while out.exists():
            out, k = Path("runs") / f"{stamp}-{k}", k + 1
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise BpnnError(f"--out {out} is a file, not a folder")
    taken = [name for name in names if (out / name).exists()]
    if taken:
        raise BpnnError(f"{out} already holds {', '.join(taken)}; choose another --out (nothing was overwritten)")
    out.mkdir(parents=True, exist_ok=True)
    return out


def split(dataset, test_size=0.2, seed=0):
    """(X_train, y_train, X_test, y_test): the source's own split if it has one, else a stratified random
    split with ``test_size`` held out (``test_size=0``: everything is training data, the test part empty)."""
    if dataset.X_test is not None:
        return dataset.X, dataset.y, dataset.X_test, dataset.y_test
    if not 0.0 <= test_size < 1.0:
        raise BpnnError(f"test size must be in [0, 1), got {test_size}")
    if test_size == 0:
        return dataset.X, dataset.y, dataset.X[:0], dataset.y[:0]
    try:
        return tuple(train_test_split(dataset.X, dataset.y, test_size=test_size, random_state=seed,
                                      stratify=dataset.y)[i] for i in (0, 2, 1, 3))
    except ValueError as error:
        raise BpnnError(f"cannot hold out {test_size} of {len(dataset.y)} examples: {error}") from None


def progress_printer(stream=None, every_seconds=1.0):
    """A ``progress`` callback printing iteration, cost, evaluations and elapsed time at most once per
    ``every_seconds`` (and always for iteration 1)."""
    last = [-np.inf]

    def show(record):
        if record["iteration"] == 1 or record["seconds"] - last[0] >= every_seconds:
            last[0] = record["seconds"]
            print(f"  iteration {record['iteration']:5d}   cost {record['cost']:.6f}   "
                  f"evaluations {record['n_evaluations']:6d}   {record['seconds']:6.1f} s",
                  file=stream or sys.stdout, flush=True)

    return show


def _write_json(path, payload):
    text = json.dumps(payload, indent=2).encode()
    write_atomically(path, lambda stream: stream.write(text), overwrite=False)


def _save_hidden_units(dataset, thetas, path):
    """Θ⁽¹⁾'s rows without the bias, drawn as images of the input's shape; skipped when X rows are not images."""
    if dataset.image_shape is None:
        print(f"(no {path.name}: inputs of {dataset.X.shape[1]} values are not images)")
        return
    save_image_grid(dataset.images(thetas[0][:, 1:]), path, f"{thetas[0].shape[0]} hidden units, first layer")


def _print_report(title, result):
    print(f"\n{title}: accuracy {result['accuracy']:.4f}\n{result['report']}")


def train_run(dataset, hidden=(25,), lam=1.0, method="TNC", maxiter=400, test_size=0.2, seed=0,
              out=None, quiet=False):
    """Train on ``dataset`` as ``scripts/train_tnc.py`` does, print the reports, write the run folder."""
    X_train, y_train, X_test, y_test = split(dataset, test_size, seed)
    print(f"Split: {len(y_train)} training, {len(y_test)} held-out examples (test size {test_size}, seed {seed})")
    out = prepare_out_dir(out, TRAIN_OUTPUTS)
    print(f"Training {[X_train.shape[1], *hidden, dataset.n_classes]} with {method}, λ = {lam}, "
          f"maxiter = {maxiter} …")
    result = train(X_train, y_train, hidden, lam, method, maxiter, n_classes=dataset.n_classes, rng=seed,
                   progress=None if quiet else progress_printer())
    print(f"Stopped after {result.n_iterations} iterations, {result.n_evaluations} evaluations, "
          f"{result.seconds:.1f} s: {result.stop_reason}; cost {result.cost:.6f}")

    sizes = result.layer_sizes
    train_eval = evaluate(result.theta, sizes, X_train, y_train)
    _print_report("Training set", train_eval)
    test_eval = evaluate(result.theta, sizes, X_test, y_test) if len(y_test) else None
    if test_eval:
        _print_report("Held-out set", test_eval)

    thetas = unpack(result.theta, sizes)
    save_weights(out / "weights.mat", thetas)
    _save_hidden_units(dataset, thetas, out / "hidden_units.png")
    if dataset.image_shape is not None:
        picks = np.random.default_rng(seed).choice(len(X_train), size=min(100, len(X_train)), replace=False)
        save_image_grid(dataset.images(X_train[picks]), out / "samples.png", "random training images")
    _write_json(out / "metrics.json", {
        "dataset": dataset.name, "layer_sizes": sizes, "lambda": lam, "method": result.method,
        "maxiter": maxiter, "seed": seed, "test_size": test_size,
        "n_train": len(y_train), "n_test": len(y_test),
        "n_iterations": result.n_iterations, "n_evaluations": result.n_evaluations,
        "seconds": result.seconds, "stop_reason": result.stop_reason, "interrupted": result.interrupted,
        "final_cost": result.cost,
        "train_accuracy": train_eval["accuracy"], "test_accuracy": test_eval["accuracy"] if test_eval else None,
        "confusion_matrix": (test_eval or train_eval)["confusion_matrix"],
        "history": result.history,
    })
    print(f"\nWrote {', '.join(TRAIN_OUTPUTS)} to {out}/")
    return out


def evaluate_weights_run(dataset, weights_path, out=None):
    """Evaluate saved weights on every example of ``dataset``: costs at λ = 0 and 1, accuracy, report."""
    thetas = load_weights(weights_path)
    sizes = sizes_of(thetas)
    if sizes[0] != dataset.X.shape[1] or sizes[-1] != dataset.n_classes:
        raise BpnnError(f"{weights_path}: weights are for {sizes[0]} inputs and {sizes[-1]} classes, but the data "
                        f"has {dataset.X.shape[1]} features and {dataset.n_classes} classes")
    out = prepare_out_dir(out, EVALUATE_OUTPUTS)
    theta = pack(thetas)
    Y = one_hot(dataset.y, dataset.n_classes)
    costs = {lam: cost_and_grad(theta, sizes, dataset.X, Y, lam)[0] for lam in (0.0, 1.0)}
    result = evaluate(theta, sizes, dataset.X, dataset.y)
    print(f"Weights {weights_path}: layer sizes {sizes}")
    print(f"Cost at λ = 0: {costs[0.0]:.6f}\nCost at λ = 1: {costs[1.0]:.6f}")
    _print_report(f"All {len(dataset.y)} examples", result)
    _save_hidden_units(dataset, thetas, out / "hidden_units.png")
    _write_json(out / "metrics.json", {
        "dataset": dataset.name, "weights": str(weights_path), "layer_sizes": sizes,
        "cost_lambda0": costs[0.0], "cost_lambda1": costs[1.0], "accuracy": result["accuracy"],
        "n_examples": len(dataset.y), "confusion_matrix": result["confusion_matrix"],
    })
    print(f"\nWrote {', '.join(EVALUATE_OUTPUTS)} to {out}/")
    return out
