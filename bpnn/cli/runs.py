"""Training, evaluation and search runs as the commands perform them: split, train, print, write the run folder.

A run folder (``--out``, default ``runs/<timestamp>/``) receives the run's files (weights, figures,
``metrics.json``). Everything is validated before any work; the folder is checked then (none of the run's
files may exist) and created only when the outputs are written; a run that fails while writing removes
what it wrote (``rundir``). An interrupted run (Ctrl-C) still writes its outputs and returns exit status
130. Each run returns its exit status.
"""

import csv
import io
import sys
from dataclasses import replace
from functools import partial

import numpy as np

from ..bayes.certificate import certify
from ..data.files import write_atomically
from ..data.loading import holdout, split
from ..data.weights import load_weights, save_weights
from ..errors import BpnnError
from ..model.network import Network, cost, predict
from ..model.validate import as_generator
from ..plots import (confusion_matrix_figure, grid_search_figure, image_grid_figure, learning_curves_figure,
                     misclassified_figure, regression_figure, save_figure)
from ..report import evaluate, evaluate_regression
from ..training.minibatch import train_sgd
from ..training.options import CurvatureProducts, MiniBatches, Parallel, Stopping
from ..training.scipy import train
from ..training.setup import LAMBDA, targets
from ..training.updates import make_update
from .rundir import RunFolder

__all__ = ["progress_printer", "epoch_printer", "train_run", "sgd_run", "evaluate_weights_run", "grid_run",
           "INTERRUPTED"]

FIGURES = ("hidden_units.png", "confusion_matrix.png", "misclassified.png", "regression.png", "learning_curves.png")
TNC_OUTPUTS = ("weights.mat", *FIGURES, "samples.png", "metrics.json")
SGD_OUTPUTS = ("weights.mat", "weights.npz", *FIGURES, "metrics.json")
EVALUATE_OUTPUTS = ("hidden_units.png", "metrics.json")
GRID_OUTPUTS = ("grid.png", "grid.csv")
INTERRUPTED = 130  # the exit status of a run ended by Ctrl-C (128 + SIGINT), after it wrote its outputs


def progress_printer(stream=None, every_seconds=1.0):
    """A ``progress`` callback printing iteration, cost, evaluations and elapsed time at most once per
    ``every_seconds`` (and always for iteration 1)."""
    last = [-np.inf]

    def show(record):
        if record["step"] == 1 or record["seconds"] - last[0] >= every_seconds:
            last[0] = record["seconds"]
            print(f"  iteration {record['step']:5d}   cost {record['cost']:.6f}   "
                  f"evaluations {record['n_evaluations']:6d}   {record['seconds']:6.1f} s",
                  file=stream or sys.stdout, flush=True)

    return show


def evidence_printer(stream=None):
    """A ``report`` callback of ``fit_evidence``: one line per re-estimation of α (and β) from the evidence."""
    def show(record):
        noise = f"   β {record['beta']:.4g}" if record["beta"] != 1 else ""
        spread = f" ± {record['gamma_se']:.1f}" if record["n_probes"] else ""
        following = record["alpha"] / record["beta"]  # the next λ of the fixed point; the same λ in a search
        step = "" if np.isclose(following, record["lam"], rtol=1e-9) else f"   → λ = {following:.4g}"
        print(f"  evidence round {record['round']}: trained at λ = {record['lam']:.4g}   α {record['alpha']:.4g}{noise}"
              f"   γ {record['gamma']:.1f}{spread}   ln evidence {record['log_evidence']:.2f}{step}",
              file=stream or sys.stdout, flush=True)

    return show


def epoch_printer(n_evaluation, stream=None, regression=False):
    """A mini-batch ``progress`` callback printing the book's 'Epoch j: correct / n' line with the costs (for
    a ``regression``, the validation part's R²)."""
    def show(record):
        if record["evaluation_accuracy"] is not None and regression:
            line = (f"Epoch {record['step']}: validation R² {record['evaluation_accuracy']:.4f}   evaluation cost "
                    f"{record['evaluation_cost']:.4f}")
        elif record["evaluation_accuracy"] is not None:
            correct = round(record["evaluation_accuracy"] * n_evaluation)
            line = (f"Epoch {record['step']}: {correct} / {n_evaluation}   evaluation cost "
                    f"{record['evaluation_cost']:.4f}")
        else:
            score = "training R²" if regression else "training accuracy"
            line = f"Epoch {record['step']}: {score} {record['training_accuracy']:.4f}"
        print(f"{line}   training cost {record['training_cost']:.4f}   {record['seconds']:.1f} s",
              file=stream or sys.stdout, flush=True)

    return show


def _save_hidden_units(dataset, thetas, folder):
    """Θ⁽¹⁾'s rows without the bias, drawn as images of the input's shape; skipped when X rows are not images."""
    if dataset.image_shape is None:
        print(f"(no hidden_units.png: inputs of {dataset.X.shape[1]} values are not images)")
        return
    title = f"{thetas[0].shape[0]} hidden units, first layer"
    folder.save("hidden_units.png", lambda path: save_figure(image_grid_figure(dataset.images(thetas[0][:, 1:]), title),
                                                             path))


def _print_report(title, result):
    if "accuracy" in result:
        headline = f"accuracy {result['accuracy']:.4f}"
    else:
        headline = "R² n/a (one example)" if result["r2"] is None else f"R² {result['r2']:.4f}"
    print(f"\n{title}: {headline}\n{result['report']}")


def _scores(network, theta, X, y, classes):
    """The report of θ on (X, y): ``evaluate``, or ``evaluate_regression`` for a regression network."""
    if network.task == "regression":
        return evaluate_regression(network, theta, X, y)
    return evaluate(network, theta, X, y, classes)


def _metrics(part, scores):
    """metrics.json's entries for one part ("train", "test") of a run: its accuracy, or R², RMSE and MAE."""
    if scores is None or "accuracy" in scores:
        return {f"{part}_accuracy": None if scores is None else scores["accuracy"]}
    return {f"{part}_{key}": scores[key] for key in ("r2", "rmse", "mae")}


def _finish(dataset, result, X_train, y_train, X_test, y_test, folder, settings, certifier=None):
    """Print the training and held-out reports; write weights.mat, hidden_units.png and metrics.json (only
    metrics.json when nothing was trained). ``settings`` are the run's options, for metrics.json. ``certifier``
    (``bpnn train --certify``): θ ↦ its Certificate, run after the stop line and recorded in metrics.json. A
    regression trained with ``--lambda auto`` also gets its 95 % predictive intervals on the part shown
    (``_error_bars``). metrics.json's "interrupted" says whether Ctrl-C stopped the training, the certificate or
    the error bars. Returns whether anything was trained, the certificate (None without a certifier), and what
    Ctrl-C stopped after the training ("certifying", "computing the error bars"; None)."""
    network = result.network
    common = {"dataset": dataset.name, "classes": dataset.classes, "layer_sizes": list(network.sizes),
              **network.names, **settings, "method": result.method, "n_train": len(y_train), "n_test": len(y_test),
              "step_unit": result.step_unit, "n_steps": result.n_steps, "n_evaluations": result.n_evaluations,
              "seconds": result.seconds, "status": result.status.value, "stop_reason": result.stop_reason,
              "interrupted": result.interrupted,
              "final_cost": result.final_cost, "history": result.history, **_evidence(result.evidence),
              **({"certificate": None} if certifier is not None else {})}
    if not result.trained:
        print(f"Interrupted before any {'whole epoch' if result.step_unit == 'epochs' else 'evaluation'}: nothing "
              "was trained, no weights written")
        folder.save_json("metrics.json", {**common, **_metrics("train", None), **_metrics("test", None)})
        return False, None, None
    print(f"Stopped after {result.n_steps} {result.step_unit}, {result.n_evaluations} gradient evaluations, "
          f"{result.seconds:.1f} s: {result.stop_reason}; cost {result.final_cost:.6f}")
    certificate, stopped = None, None
    if certifier is not None and not result.interrupted:
        print("Certifying θ: Lanczos on exact Hessian-vector products …", flush=True)
        certificate = certifier(result.theta)
        common.update(certificate=certificate.as_dict(), interrupted=certificate.interrupted)
        stopped = "certifying" if certificate.interrupted else None
    train_eval = _scores(network, result.theta, X_train, y_train, dataset.classes)
    _print_report("Training set", train_eval)
    test_eval = _scores(network, result.theta, X_test, y_test, dataset.classes) if len(y_test) else None
    if test_eval:
        _print_report("Held-out set", test_eval)
    X_shown, y_shown, part = (X_test, y_test, "held-out") if len(y_test) else (X_train, y_train, "training")
    std = None
    if network.task == "regression" and result.evidence is not None and not (result.interrupted or stopped):
        std, entries = _error_bars(result, X_shown, y_shown, part, "test" if len(y_test) else "train")
        if std is None:
            stopped = "computing the error bars"
            common["interrupted"] = True
        else:
            common.update(entries)
    folder.save("weights.mat", lambda path: save_weights(path, network, result.theta, class_names=dataset.classes))
    _save_hidden_units(dataset, result.thetas, folder)
    _save_result_figures(dataset, result, X_shown, y_shown, part, folder, settings, std)
    shown = test_eval or train_eval
    folder.save_json("metrics.json", {**common, **_metrics("train", train_eval), **_metrics("test", test_eval),
                                      **({"confusion_matrix": shown["confusion_matrix"]} if "confusion_matrix" in shown
                                         else {})})
    return True, certificate, stopped


def _error_bars(result, X, y, part, prefix):
    """(σ, metrics.json's entries): the predictive standard deviation of each of X's targets from the posterior
    at θ* (``bpnn.bayes.predictive``; on the stochastic path its eigenvectors are computed here, and σ is their
    upper bound), and the share of y inside ŷ ± 1.96 σ, over all targets and per target, printed; (None, None)
    when Ctrl-C stops it. One noise level β serves every target."""
    print("Error bars: the posterior's predictive standard deviations …", flush=True)
    posterior = result.evidence.posterior
    try:
        std = posterior.predictive_std(X)
    except KeyboardInterrupt:
        print("Interrupted (Ctrl-C) while computing the error bars: regression.png is drawn without them",
              file=sys.stderr)
        return None, None
    predicted = predict(result.network, result.theta, X)
    inside = np.abs(y.reshape(predicted.shape) - predicted) <= 1.96 * std
    coverage, by_target = float(inside.mean()), inside.mean(axis=0).tolist()
    kind = "exact" if posterior.complete else "upper bound"
    how = ("σ exact" if posterior.complete else
           f"σ an upper bound: the posterior keeps G's {len(posterior.eigenvalues)} largest eigenvectors")
    each = "" if len(by_target) == 1 else " (" + ", ".join(f"target {k + 1}: {share:.1%}"
                                                          for k, share in enumerate(by_target)) + ")"
    print(f"95 % predictive intervals ŷ ± 1.96 σ ({how}) cover {coverage:.1%} of the {part} targets{each}")
    return std, {f"{prefix}_interval_coverage": coverage, f"{prefix}_interval_coverage_by_target": by_target,
                 "interval_std": kind}


def _evidence(evidence):
    """metrics.json's "evidence" entry for a ``--lambda auto`` run: the estimates and every round."""
    if evidence is None:
        return {}
    names = ("alpha", "beta", "gamma", "log_evidence", "lam", "converged", "exact", "history")
    return {"evidence": {name: getattr(evidence, name) for name in names}}


def _headline(result, settings):
    """'TNC, λ = 1, 400-25-10': the method and the main hyper-parameters, for figure titles."""
    parts = [result.method] + [f"{'λ' if key == 'lambda' else key} = {settings[key]}"
                               for key in ("lambda", "eta", "batch_size") if key in settings]
    return ", ".join(parts) + ", " + "-".join(map(str, result.network.sizes))


def _save_result_figures(dataset, result, X, y, part, folder, settings, std=None):
    """confusion_matrix.png and misclassified.png on ``part`` (the held-out data, else the training data), or
    for a regression regression.png (predicted against true, residuals; with ``std``, the 95 % intervals), and
    learning_curves.png: per iteration for SciPy runs, per epoch for mini-batch ones."""
    headline = _headline(result, settings)
    predicted = predict(result.network, result.theta, X)
    if result.network.task == "regression":
        folder.save("regression.png", lambda path: save_figure(
            regression_figure(y, predicted, f"{part} data: {headline}", std), path))
    elif result.network.task == "multilabel":
        print("(no confusion_matrix.png: each label has its own line in the report)")
    else:
        labels = list(range(result.network.n_classes))
        folder.save("confusion_matrix.png", lambda path: save_figure(
            confusion_matrix_figure(y, predicted, labels, f"{part} data: {headline}", dataset.classes), path))
        if dataset.image_shape is not None:
            folder.save("misclassified.png", lambda path: save_figure(
                misclassified_figure(dataset.images(X), y, predicted, f"Misclassified {part} examples"), path))
    if not result.history["step"]:
        print(f"(no learning_curves.png: no whole {result.step_unit[:-1]} was run)")
        return
    folder.save("learning_curves.png", lambda path: save_figure(learning_curves_figure(result.history, headline), path))


def _wrote(folder, result=None, reached="weights reached"):
    """The closing line, and the exit status: INTERRUPTED after Ctrl-C (a ``result`` that says so, whose
    outputs are from the ``reached`` so far), else 0."""
    print(f"\nWrote {', '.join(path.name for path in folder.written)} to {folder.path}/")
    if result is not None and result.interrupted:
        print(f"Interrupted (Ctrl-C): the outputs above are from the {reached} so far", file=sys.stderr)
        return INTERRUPTED
    return 0


def train_run(dataset, *, out, test_size, seed, quiet, **options):
    """Train on ``dataset`` with a SciPy method (``options``: the ``train`` command's), print the reports,
    write the run folder; returns the exit status."""
    X_train, y_train, X_test, y_test = split(dataset, test_size, seed)
    print(f"Split: {len(y_train)} training, {len(y_test)} held-out examples (test size {test_size}, seed {seed})")
    folder = RunFolder(out, TNC_OUTPUTS)
    shown = {key: options[key] for key in ("method", "lam", "max_iter", "tol") if key in options}
    print(f"Training {[X_train.shape[1], *options.get('hidden', ()), dataset.n_classes]} with "
          + ", ".join(f"{'λ' if key == 'lam' else key} = {value}" for key, value in shown.items()) + " …")
    network, theta0, rng = _start(dataset, X_train, seed, options)
    weights = _class_weights(options["class_weight"], y_train)
    parallel = Parallel(blas_threads=options["blas_threads"])
    trainer, lam = train, options["lam"]
    if lam == "auto":  # λ from the evidence, from λ₀ = 1, each round printed
        from ..bayes.evidence import fit_evidence
        trainer, lam = partial(fit_evidence, report=evidence_printer()), LAMBDA
    result = trainer(network, X_train, y_train, method=options["method"], lam=lam,
                     stopping=Stopping(max_iter=options["max_iter"], tol=options["tol"],
                                       n_iter_no_change=options["n_iter_no_change"]),
                     curvature=CurvatureProducts(options["curvature"], options["curvature_rows"]),
                     sample_weight=weights, theta0=theta0, seed=rng, parallel=parallel,
                     progress=None if quiet else progress_printer())

    def certifier(theta):
        final_lam = lam if result.evidence is None else result.evidence.lam  # --lambda auto: the λ found
        return certify(network, theta, X_train, y_train, lam=final_lam, sample_weight=weights, theta0=theta0,
                       parallel=parallel)

    with folder.writing():
        trained, certificate, stopped = _finish(dataset, result, X_train, y_train, X_test, y_test, folder,
                                                {**_settings(options), "seed": seed, "test_size": test_size},
                                                certifier if options.get("certify") else None)
        if certificate is not None:
            print(f"\n{certificate}")
        if trained and dataset.image_shape is not None:
            picks = np.random.default_rng(seed).choice(len(X_train), size=min(100, len(X_train)), replace=False)
            folder.save("samples.png", lambda path: save_figure(image_grid_figure(
                dataset.images(X_train[picks]), "random training images and their labels", y_train[picks]), path))
        status = _wrote(folder, result)
    if stopped == "certifying":
        print("Interrupted (Ctrl-C) while certifying: metrics.json records the certificate as interrupted",
              file=sys.stderr)
    return INTERRUPTED if stopped else status


def _start(dataset, X, seed, options):
    """The network the options name for data shaped like X, its θ₀ drawn by ``options["init"]`` from the
    seed's generator, and that generator (training goes on drawing from it)."""
    names = {key: options[key] for key in ("activation", "cost", "output", "task") if key in options}
    network = Network((X.shape[1], *options["hidden"], dataset.n_classes), **names)
    rng = as_generator(seed)
    return network, network.init(rng, options["init"]), rng


def _class_weights(class_weight, y):
    """The training examples' weights for ``--class-weight`` (None: every example counts once)."""
    if class_weight is None:
        return None
    from sklearn.utils.class_weight import compute_sample_weight

    return compute_sample_weight(class_weight, y)


def _settings(options):
    """The run's options as metrics.json names them (λ as "lambda", the network names come separately)."""
    renamed = {"lam": "lambda"}
    return {renamed.get(key, key): (list(value) if isinstance(value, tuple) else value)
            for key, value in options.items() if key not in ("activation", "cost", "output", "task", "progress")}


def sgd_run(dataset, *, out, test_size, validation_size, seed, quiet, **options):
    """Train by mini-batches (``options``: the ``sgd`` command's): monitor a validation part each
    epoch (the source's own, else ``validation_size`` of the training part), print the reports, write the
    run folder with learning_curves.png; returns the exit status."""
    X_train, y_train, X_test, y_test = split(dataset, test_size, seed)
    if dataset.X_valid is not None:
        X_fit, y_fit, X_val, y_val = X_train, y_train, dataset.X_valid, dataset.y_valid
    else:
        X_fit, y_fit, X_val, y_val = holdout(X_train, y_train, validation_size, seed, "validation",
                                             stratify=dataset.task == "classification")
    print(f"Split: {len(y_fit)} training, {len(y_val)} validation, {len(y_test)} held-out examples")
    folder = RunFolder(out, SGD_OUTPUTS)
    print(f"{options.get('update', 'sgd')} on {[X_fit.shape[1], *options.get('hidden', ()), dataset.n_classes]}: "
          + ", ".join(f"{'λ' if key == 'lam' else key} {value}" for key, value in _settings(options).items()) + " …")
    network, theta0, rng = _start(dataset, X_fit, seed, options)
    update = make_update(options["update"], options["eta"], options["momentum"])
    result = train_sgd(network, X_fit, y_fit, update=update,
                       lam=options["lam"], batches=MiniBatches(options["batch_size"], options["dropout"]),
                       stopping=Stopping(max_iter=options["epochs"], tol=0.0, patience=options["patience"]),
                       evaluation=(X_val, y_val) if len(y_val) else None,
                       sample_weight=_class_weights(options["class_weight"], y_fit), theta0=theta0, seed=rng,
                       progress=None if quiet else epoch_printer(len(y_val), regression=dataset.task == "regression"))
    with folder.writing():
        trained, _, _ = _finish(dataset, result, X_fit, y_fit, X_test, y_test, folder,
                          {**_settings(options), "seed": seed, "test_size": test_size, "n_validation": len(y_val)})
        if trained:
            folder.save("weights.npz", lambda path: save_weights(path, result.network, result.theta,
                                                                 class_names=dataset.classes))
        return _wrote(folder, result)


def _parts(dataset):
    """(name, X, y) of every part the source has: its training, validation and test parts, or all examples."""
    parts = dataset.parts
    if len(parts) == 1:
        return [(f"all {len(dataset.y)} examples", dataset.X, dataset.y)]
    return [(f"{name} part ({len(y)} examples)", X, y) for name, (X, y) in parts.items()]


def evaluate_weights_run(dataset, weights_path, *, out=None, given=None):
    """Evaluate saved weights with the network their file records, on every part of ``dataset`` (named):
    costs at λ = 0 and 1, accuracy and report (a regression network: R², RMSE, MAE and their table). ``given``
    holds the network options and hidden sizes the user typed; one that contradicts the file is an error. When
    the file records its class names, the data's labels are read as those (``_in_the_weights_classes``).
    Returns the exit status."""
    saved = load_weights(weights_path)
    network = saved.network
    recorded = {**network.names, "hidden": list(network.sizes[1:-1])}
    for key, value in (given or {}).items():
        if value is not None and value != recorded[key]:
            flag = f"--{key} {' '.join(map(str, value)) if key == 'hidden' else value}"
            raise BpnnError(f"{flag} contradicts {weights_path}, which holds a network with {key} "
                            f"{recorded[key]}; leave the option out (the file says what the network is)")
    if network.task != dataset.task:
        raise BpnnError(f"{weights_path} holds a {network.task} network, but the data are read for {dataset.task} "
                        f"(--task {network.task} reads them for it)")
    dataset = _in_the_weights_classes(dataset, saved.class_names, weights_path)
    if network.sizes[0] != dataset.X.shape[1] or network.n_classes != dataset.n_classes:
        unit = "classes" if dataset.task == "classification" else "targets"
        raise BpnnError(f"{weights_path}: weights are for {network.sizes[0]} inputs and {network.n_classes} {unit}, "
                        f"but the data has {dataset.X.shape[1]} features and {dataset.n_classes} {unit}")
    folder = RunFolder(out, EVALUATE_OUTPUTS)
    origin = f"bpnn {saved.bpnn_version}" if saved.bpnn_version else "no network recorded: the course's network"
    print(f"Weights {weights_path}: layer sizes {list(network.sizes)}, {network.activation} hidden units, "
          f"{network.output} outputs, {network.cost} cost ({origin})")
    parts = {}
    for name, X, y in _parts(dataset):
        _, Y = targets(network, X, y)
        costs = {lam: cost(network, saved.theta, X, Y, lam) for lam in (0.0, 1.0)}
        result = _scores(network, saved.theta, X, y, dataset.classes)
        title = name[0].upper() + name[1:]
        print(f"\n{title}: cost at λ = 0: {costs[0.0]:.6f}, at λ = 1: {costs[1.0]:.6f}")
        _print_report(title, result)
        scores = {key: value for key, value in result.items() if key != "report"}
        parts[name.split(" (")[0]] = {"n_examples": len(y), "cost_lambda0": costs[0.0], "cost_lambda1": costs[1.0],
                                      **scores}
    main = "test part" if "test part" in parts else next(iter(parts))
    with folder.writing():
        _save_hidden_units(dataset, saved.thetas, folder)
        folder.save_json("metrics.json", {
            "dataset": dataset.name, "classes": dataset.classes, "weights": str(weights_path),
            "layer_sizes": list(network.sizes),
            **network.names, "bpnn_version": saved.bpnn_version, "evaluated": main, **parts[main], "parts": parts})
        return _wrote(folder)


def _in_the_weights_classes(dataset, names, weights_path):
    """``dataset`` with its labels coded as the weights' classes ``names`` (a table's classes are coded by their
    sorted values, so data holding fewer of them, or others, would otherwise be scored against the wrong output
    units); BpnnError for a class the weights do not know, or multilabel columns other than theirs. Unchanged
    where either side names no classes."""
    if names is None or dataset.classes is None or tuple(dataset.classes) == tuple(names):
        return dataset
    if dataset.task == "multilabel":
        raise BpnnError(f"{weights_path} was trained on the labels {', '.join(map(str, names))}; the data's are "
                        f"{', '.join(map(str, dataset.classes))} (give --target the same columns, in that order)")
    unknown = [name for name in dataset.classes if name not in names]
    if unknown:
        raise BpnnError(f"{weights_path} was trained on the classes {', '.join(map(str, names))}; the data also "
                        f"hold {', '.join(map(str, unknown[:5]))}")
    codes = np.array([list(names).index(name) for name in dataset.classes])
    recoded = {part: None if labels is None else codes[labels]
               for part, labels in (("y", dataset.y), ("y_valid", dataset.y_valid), ("y_test", dataset.y_test))}
    return replace(dataset, classes=tuple(names), n_classes=len(names), **recoded)


def grid_run(dataset, grid, *, labels, out, cv, n_jobs, seed, **params):
    """Grid search as ``grid_search.py`` does, on the training part of ``dataset`` (all of it when the source
    has no own test part): progress, the best point, grid.png and grid.csv. ``grid`` names estimator
    parameters, ``labels`` the command-line names shown for them; ``params`` are the estimator's other
    parameters."""
    from ..estimator import BPNNClassifier
    from ..search import grid_search

    folder = RunFolder(out, GRID_OUTPUTS)
    estimator = BPNNClassifier(random_state=seed, **params)
    (_, values_a), (_, values_b) = grid
    print(f"Grid: {labels[0]} ∈ {values_a} × {labels[1]} ∈ {values_b}, {cv}-fold CV, "
          f"{params.get('solver') or 'TNC'}, on {len(dataset.y)} examples")
    overwrite = sys.stdout.isatty()  # one line redrawn on a terminal, a line per fit in a log

    def show(done, total, seconds):
        print(f"{chr(13) if overwrite else ''}  {done} / {total} fits, {seconds:.1f} s",
              end="\n" if done == total or not overwrite else "", flush=True)

    result = grid_search(dataset.X, dataset.y, grid, estimator=estimator, cv=cv, n_jobs=n_jobs, seed=seed,
                         progress=show).relabelled(labels)
    if not result.finished.any():
        print("\nInterrupted (Ctrl-C) before any grid point finished all its folds: nothing written",
              file=sys.stderr)
        return INTERRUPTED
    best_a, best_b, best = result.best
    finished = ""
    if result.interrupted:
        finished = f" of the {int(result.finished.sum())} / {result.finished.size} points finished"
    print(f"\nBest{finished}: {labels[0]} = {best_a}, {labels[1]} = {best_b}: mean accuracy {best:.4f}")
    table = io.StringIO()
    writer = csv.DictWriter(table, fieldnames=[*labels, "mean", "std", "seconds"])
    writer.writeheader()
    writer.writerows(result.rows())
    data = table.getvalue().encode()
    with folder.writing():
        folder.save("grid.png", lambda path: save_figure(grid_search_figure(
            result, f"{params.get('solver') or 'TNC'}, {dataset.kind}, {len(dataset.y)} examples"), path))
        folder.save("grid.csv", lambda path: write_atomically(path, lambda stream: stream.write(data),
                                                              overwrite=False))
        return _wrote(folder, result, "grid points finished")
