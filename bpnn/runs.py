"""Training and evaluation runs as the scripts perform them: split, train, report, write the run folder.

A run folder (``--out``, default ``runs/<timestamp>/``) receives the run's files (weights, figures,
``metrics.json``). Everything is validated before any work; the folder is checked then (none of the run's
files may exist) and created only when the outputs are written; a run that fails while writing removes
what it wrote (``bpnn.rundir``). An interrupted run (Ctrl-C) still writes its outputs and returns exit
status 130.
"""

import csv
import io
import sys

import numpy as np
from sklearn.model_selection import train_test_split

from .errors import BpnnError
from .estimator import BPNNClassifier
from .files import write_atomically
from .functions import get_activation, output_of
from .network import cost, one_hot
from .optimize import train
from .params import unpack
from .plots import save_grid_plot, save_image_grid, save_learning_curves
from .report import evaluate
from .rundir import RunFolder
from .search import grid_search
from .sgd import train_sgd
from .weights import load_weights, save_weights

__all__ = ["holdout", "split", "progress_printer", "epoch_printer", "train_run", "sgd_run",
           "evaluate_weights_run", "grid_run", "INTERRUPTED"]

TNC_OUTPUTS = ("weights.mat", "hidden_units.png", "samples.png", "metrics.json")
SGD_OUTPUTS = ("weights.mat", "weights.npz", "hidden_units.png", "learning_curves.png", "metrics.json")
EVALUATE_OUTPUTS = ("hidden_units.png", "metrics.json")
GRID_OUTPUTS = ("grid.png", "grid.csv")
INTERRUPTED = 130  # the exit status of a run ended by Ctrl-C (128 + SIGINT), after it wrote its outputs


def holdout(X, y, size, seed=0, what="test"):
    """(X_a, y_a, X_b, y_b): a stratified random ``size`` fraction of the rows held out as part b
    (``size=0``: part b is empty)."""
    if not 0.0 <= size < 1.0:
        raise BpnnError(f"{what} size must be in [0, 1), got {size}")
    if size == 0:
        return X, y, X[:0], y[:0]
    try:
        X_a, X_b, y_a, y_b = train_test_split(X, y, test_size=size, random_state=seed, stratify=y)
    except ValueError as error:
        raise BpnnError(f"cannot hold out {size} of {len(y)} examples as {what} data: {error}") from None
    return X_a, y_a, X_b, y_b


def split(dataset, test_size=0.2, seed=0):
    """(X_train, y_train, X_test, y_test): the source's own split if it has one, else ``holdout``."""
    if dataset.X_test is not None:
        return dataset.X, dataset.y, dataset.X_test, dataset.y_test
    return holdout(dataset.X, dataset.y, test_size, seed)


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


def epoch_printer(n_evaluation, stream=None):
    """An SGD ``progress`` callback printing the book's 'Epoch j: correct / n' line with the costs."""
    def show(record):
        if record["evaluation_accuracy"] is not None:
            correct = round(record["evaluation_accuracy"] * n_evaluation)
            line = f"Epoch {record['epoch']}: {correct} / {n_evaluation}   evaluation cost {record['evaluation_cost']:.4f}"
        else:
            line = f"Epoch {record['epoch']}: training accuracy {record['training_accuracy']:.4f}"
        print(f"{line}   training cost {record['training_cost']:.4f}   {record['seconds']:.1f} s",
              file=stream or sys.stdout, flush=True)

    return show


def _save_hidden_units(dataset, thetas, folder):
    """Θ⁽¹⁾'s rows without the bias, drawn as images of the input's shape; skipped when X rows are not images."""
    if dataset.image_shape is None:
        print(f"(no hidden_units.png: inputs of {dataset.X.shape[1]} values are not images)")
        return
    title = f"{thetas[0].shape[0]} hidden units, first layer"
    folder.save("hidden_units.png", lambda path: save_image_grid(dataset.images(thetas[0][:, 1:]), path, title))


def _print_report(title, result):
    print(f"\n{title}: accuracy {result['accuracy']:.4f}\n{result['report']}")


def _trained(result):
    """Whether training produced weights: False when Ctrl-C came before any evaluation (SciPy) or before the
    first whole epoch (SGD), where the cost is NaN."""
    return bool(np.isfinite(result.cost))


def _finish(dataset, result, X_train, y_train, X_test, y_test, folder, network, metrics):
    """Print the training and held-out reports; write weights.mat, hidden_units.png and metrics.json (only
    metrics.json when nothing was trained). Returns the Θ list (None when nothing was trained)."""
    unit = "epochs" if result.method == "sgd" else "iterations"
    if not _trained(result):
        print(f"Interrupted before any {'whole epoch' if result.method == 'sgd' else 'evaluation'}: nothing was "
              "trained, no weights written")
        folder.save_json("metrics.json", {
            "dataset": dataset.name, "layer_sizes": result.layer_sizes, **network, **metrics,
            "method": result.method, "n_train": len(y_train), "n_test": len(y_test), "n_iterations": 0,
            "n_evaluations": result.n_evaluations, "seconds": result.seconds,
            "stop_reason": result.stop_reason, "interrupted": True, "final_cost": None,
            "train_accuracy": None, "test_accuracy": None, "history": result.history})
        return None
    print(f"Stopped after {result.n_iterations} {unit}, {result.n_evaluations} gradient evaluations, "
          f"{result.seconds:.1f} s: {result.stop_reason}; cost {result.cost:.6f}")
    sizes, activation = result.layer_sizes, network["activation"]
    train_eval = evaluate(result.theta, sizes, X_train, y_train, activation)
    _print_report("Training set", train_eval)
    test_eval = evaluate(result.theta, sizes, X_test, y_test, activation) if len(y_test) else None
    if test_eval:
        _print_report("Held-out set", test_eval)
    thetas = unpack(result.theta, sizes)
    folder.save("weights.mat", lambda path: save_weights(path, thetas, **network))
    _save_hidden_units(dataset, thetas, folder)
    folder.save_json("metrics.json", {
        "dataset": dataset.name, "layer_sizes": sizes, **network, **metrics, "method": result.method,
        "n_train": len(y_train), "n_test": len(y_test),
        "n_iterations": result.n_iterations, "n_evaluations": result.n_evaluations,
        "seconds": result.seconds, "stop_reason": result.stop_reason, "interrupted": result.interrupted,
        "final_cost": result.cost,
        "train_accuracy": train_eval["accuracy"], "test_accuracy": test_eval["accuracy"] if test_eval else None,
        "confusion_matrix": (test_eval or train_eval)["confusion_matrix"],
        "history": result.history,
    })
    return thetas


def _wrote(folder, result=None):
    """The closing line, and the exit status: INTERRUPTED after Ctrl-C, else 0."""
    written = [path.name for path in folder.written]
    print(f"\nWrote {', '.join(written)} to {folder.path}/")
    if result is not None and result.interrupted:
        print("Interrupted (Ctrl-C): the outputs above are from the weights reached so far", file=sys.stderr)
        return INTERRUPTED
    return 0


def _network(activation="sigmoid", output=None, cost="cross-entropy"):
    """The network options, validated (before any work) and with the output activation resolved."""
    get_activation(activation)
    return {"activation": activation, "output": output_of(cost, output), "cost": cost}


def train_run(dataset, hidden_layer_sizes=(25,), lam=1.0, method="TNC", maxiter=400, test_size=0.2, seed=0,
              out=None, quiet=False, init="uniform", blas_threads="auto", **network):
    """Train on ``dataset`` as ``scripts/train_tnc.py`` does, print the reports, write the run folder; returns
    the exit status (0, or INTERRUPTED after Ctrl-C)."""
    network = _network(**network)
    X_train, y_train, X_test, y_test = split(dataset, test_size, seed)
    print(f"Split: {len(y_train)} training, {len(y_test)} held-out examples (test size {test_size}, seed {seed})")
    folder = RunFolder(out, TNC_OUTPUTS)
    print(f"Training {[X_train.shape[1], *hidden_layer_sizes, dataset.n_classes]} with {method}, λ = {lam}, "
          f"maxiter = {maxiter} …")
    result = train(X_train, y_train, hidden_layer_sizes, lam, method, maxiter, n_classes=dataset.n_classes, rng=seed,
                   progress=None if quiet else progress_printer(), init=init, blas_threads=blas_threads, **network)
    with folder.writing():
        thetas = _finish(dataset, result, X_train, y_train, X_test, y_test, folder, network,
                         {"lambda": lam, "maxiter": maxiter, "init": init, "seed": seed, "test_size": test_size})
        if thetas is not None and dataset.image_shape is not None:
            picks = np.random.default_rng(seed).choice(len(X_train), size=min(100, len(X_train)), replace=False)
            folder.save("samples.png", lambda path: save_image_grid(dataset.images(X_train[picks]), path,
                                                                    "random training images"))
        return _wrote(folder, result)


def sgd_run(dataset, hidden_layer_sizes=(100,), epochs=30, batch_size=10, eta=0.2, lam=1.0, momentum=0.0, early_stop=None,
            dropout=0.0, init="scaled-normal", test_size=0.2, validation_size=0.1, seed=0, out=None, quiet=False,
            **network):
    """Train by mini-batch SGD as ``scripts/train_sgd.py`` does: monitor a validation part each epoch (the
    source's own, else ``validation_size`` of the training part), print the reports, write the run folder
    with learning_curves.png; returns the exit status (0, or INTERRUPTED after Ctrl-C)."""
    network = _network(**network)
    X_train, y_train, X_test, y_test = split(dataset, test_size, seed)
    if dataset.X_valid is not None:
        X_fit, y_fit, X_val, y_val = X_train, y_train, dataset.X_valid, dataset.y_valid
    else:
        X_fit, y_fit, X_val, y_val = holdout(X_train, y_train, validation_size, seed, "validation")
    print(f"Split: {len(y_fit)} training, {len(y_val)} validation, {len(y_test)} held-out examples")
    folder = RunFolder(out, SGD_OUTPUTS)
    evaluation = (X_val, y_val) if len(y_val) else None
    print(f"SGD on {[X_fit.shape[1], *hidden_layer_sizes, dataset.n_classes]}: {epochs} epochs, mini-batch {batch_size}, "
          f"η = {eta}, λ = {lam}, momentum {momentum}, dropout {dropout}, {init} init …")
    result = train_sgd(X_fit, y_fit, hidden_layer_sizes, epochs, batch_size, eta, lam, momentum, evaluation, early_stop, dropout,
                 init, dataset.n_classes, seed, None if quiet else epoch_printer(len(y_val)), **network)
    with folder.writing():
        thetas = _finish(dataset, result, X_fit, y_fit, X_test, y_test, folder, network, {
            "epochs": epochs, "batch_size": batch_size, "eta": eta, "lambda": lam, "momentum": momentum,
            "early_stop": early_stop, "dropout": dropout, "init": init, "seed": seed, "test_size": test_size,
            "n_validation": len(y_val)})
        if thetas is not None:
            folder.save("weights.npz", lambda path: save_weights(path, thetas, **network))
            folder.save("learning_curves.png", lambda path: save_learning_curves(
                result.history, path, f"SGD, {network['activation']} hidden units, {result.layer_sizes}"))
        return _wrote(folder, result)


def _parts(dataset):
    """(name, X, y) of every part the source has: its training, validation and test parts, or all examples."""
    if dataset.X_test is None and dataset.X_valid is None:
        return [(f"all {len(dataset.y)} examples", dataset.X, dataset.y)]
    parts = [("training part", dataset.X, dataset.y), ("validation part", dataset.X_valid, dataset.y_valid),
             ("test part", dataset.X_test, dataset.y_test)]
    return [(f"{name} ({len(y)} examples)", X, y) for name, X, y in parts if X is not None]


def evaluate_weights_run(dataset, weights_path, out=None, given=None):
    """Evaluate saved weights with the network their file records, on every part of ``dataset`` (named):
    costs at λ = 0 and 1, accuracy, report. ``given`` holds the network options and hidden sizes the user
    typed; one that contradicts the file is an error. Returns the exit status."""
    saved = load_weights(weights_path)
    sizes = saved.layer_sizes
    recorded = {**saved.options, "hidden": sizes[1:-1]}
    for key, value in (given or {}).items():
        if value is not None and (key != "output" or value != recorded["output"]) and value != recorded[key]:
            flag = f"--{key} {' '.join(map(str, value)) if key == 'hidden' else value}"
            raise BpnnError(f"{flag} contradicts {weights_path}, which holds a network with {key} "
                            f"{recorded[key]}; leave the option out (the file says what the network is)")
    if sizes[0] != dataset.X.shape[1] or sizes[-1] != dataset.n_classes:
        raise BpnnError(f"{weights_path}: weights are for {sizes[0]} inputs and {sizes[-1]} classes, but the data "
                        f"has {dataset.X.shape[1]} features and {dataset.n_classes} classes")
    folder = RunFolder(out, EVALUATE_OUTPUTS)
    origin = f"bpnn {saved.bpnn_version}" if saved.bpnn_version else "no network recorded: the course's network"
    print(f"Weights {weights_path}: layer sizes {sizes}, {saved.activation} hidden units, {saved.output} outputs, "
          f"{saved.cost} cost ({origin})")
    theta, parts = saved.theta, {}
    for name, X, y in _parts(dataset):
        Y = one_hot(y, dataset.n_classes, X.dtype)
        costs = {lam: cost(theta, sizes, X, Y, lam, **saved.options) for lam in (0.0, 1.0)}
        result = evaluate(theta, sizes, X, y, saved.activation)
        print(f"\n{name[0].upper()}{name[1:]}: cost at λ = 0: {costs[0.0]:.6f}, at λ = 1: {costs[1.0]:.6f}")
        _print_report(f"{name[0].upper()}{name[1:]}", result)
        parts[name.split(" (")[0]] = {"n_examples": len(y), "cost_lambda0": costs[0.0], "cost_lambda1": costs[1.0],
                                      "accuracy": result["accuracy"], "confusion_matrix": result["confusion_matrix"]}
    main = parts.get("test part") or next(iter(parts.values()))
    with folder.writing():
        _save_hidden_units(dataset, saved.thetas, folder)
        folder.save_json("metrics.json", {
            "dataset": dataset.name, "weights": str(weights_path), "layer_sizes": sizes, **saved.options,
            "bpnn_version": saved.bpnn_version, "evaluated": next(k for k, v in parts.items() if v is main),
            **main, "parts": parts})
        return _wrote(folder)


def grid_run(dataset, grid, method="TNC", maxiter=200, epochs=15, cv=3, n_jobs=-1, seed=0, out=None, init=None,
             **network):
    """Grid search as ``scripts/grid_search.py`` does, on the training part of ``dataset`` (all of it when
    the source has no own test part): progress, the best point, grid.png and grid.csv."""
    network = _network(**network)
    folder = RunFolder(out, GRID_OUTPUTS)
    estimator = BPNNClassifier(method=method, maxiter=maxiter, epochs=epochs, init=init, random_state=seed, **network)
    (name_a, values_a), (name_b, values_b) = grid
    print(f"Grid: {name_a} ∈ {values_a} × {name_b} ∈ {values_b}, {cv}-fold CV, {method}, on {len(dataset.y)} examples")

    overwrite = sys.stdout.isatty()  # one line redrawn on a terminal, a line per fit in a log

    def show(done, total, seconds):
        print(f"{chr(13) if overwrite else ''}  {done} / {total} fits, {seconds:.1f} s",
              end="\n" if done == total or not overwrite else "", flush=True)

    result = grid_search(dataset.X, dataset.y, grid, estimator, cv, n_jobs, seed, show)
    best_a, best_b, best = result.best
    print(f"Best: {name_a} = {best_a}, {name_b} = {best_b}: mean accuracy {best:.4f}")
    table = io.StringIO()
    writer = csv.DictWriter(table, fieldnames=[name_a, name_b, "mean", "std", "seconds"])
    writer.writeheader()
    writer.writerows(result.rows())
    data = table.getvalue().encode()
    with folder.writing():
        folder.save("grid.png", lambda path: save_grid_plot(result, path,
                                                            f"{method}, {dataset.kind}, {len(dataset.y)} examples"))
        folder.save("grid.csv", lambda path: write_atomically(path, lambda stream: stream.write(data),
                                                              overwrite=False))
        return _wrote(folder)
