"""Figures: image grids, learning curves, confusion matrices, misclassified examples, grid-search maps and
a regression's fit.

Each ``*_figure`` function returns a ``matplotlib.figure.Figure`` built on the Agg canvas directly, with no
pyplot state: a notebook shows it as it is and calling it again draws it again. ``save_figure`` writes one
as a new PNG (whole or not at all, never over an existing file). Images arrive upright, shape (k, h, w):
turning rows into images is the data set's job (``Dataset.images``), because only it knows the pixel order.
"""

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

from .data.files import write_atomically

__all__ = ["grid_shape", "tile_images", "image_grid_figure", "learning_curves_figure", "confusion_matrix_figure",
           "misclassified_figure", "grid_search_figure", "regression_figure", "save_figure"]


def _figure(size):
    figure = Figure(figsize=size)
    FigureCanvasAgg(figure)
    return figure


def _tighten(figure):
    """Lay the figure out once, tightly (``tight_layout``), then drop the layout engine that call leaves
    behind: with it, every ``savefig`` would draw the whole figure an extra time to lay it out again."""
    figure.tight_layout()
    figure.set_layout_engine(None)


def save_figure(figure, path):
    """Write ``figure`` as a new PNG at ``path`` (never over an existing file); returns the path."""
    return write_atomically(path, lambda stream: figure.savefig(stream, format="png", dpi=100), overwrite=False)


def grid_shape(n):
    """(rows, columns) for n tiles: rows = ⌊√n⌋, columns = ⌈n / rows⌉ (25 → 5×5, 100 → 10×10)."""
    rows = max(1, int(np.floor(np.sqrt(n))))
    return rows, int(np.ceil(n / rows))


def tile_images(images, pad=1):
    """One 2-D array holding the images on a grid, each divided by its largest |value| (so in [−1, 1]),
    separated by ``pad`` pixels of −1, as the course's ``displayData`` draws them."""
    images = np.asarray(images, dtype=np.float64)
    n, h, w = images.shape
    rows, cols = grid_shape(n)
    canvas = -np.ones((pad + rows * (h + pad), pad + cols * (w + pad)))
    scale = np.abs(images).reshape(n, -1).max(axis=1)
    scale[scale == 0] = 1.0
    for k in range(n):
        r, c = divmod(k, cols)
        top, left = pad + r * (h + pad), pad + c * (w + pad)
        canvas[top:top + h, left:left + w] = images[k] / scale[k]
    return canvas


def image_grid_figure(images, title=None, labels=None):
    """The images as one grid (gray, each scaled to [−1, 1]), as the course's ``displayData`` draws them;
    with ``labels``, each image's label in its corner."""
    images = np.asarray(images)
    tiles = tile_images(images)
    title_lines = str(title).count("\n") + 1 if title else 0
    figure = _figure((6, 6 * tiles.shape[0] / tiles.shape[1] + 0.3 * title_lines + 0.2))  # the grid's own shape
    axes = figure.add_subplot()
    axes.imshow(tiles, cmap="gray", vmin=-1.0, vmax=1.0, interpolation="nearest")
    if labels is not None:
        rows, cols = grid_shape(len(images))
        h, w = images.shape[1:]
        for k, label in enumerate(labels):
            r, c = divmod(k, cols)
            axes.text(1 + c * (w + 1) + 1, 1 + r * (h + 1) + 1, str(label), color="yellow",
                      fontsize=min(12, max(7, 60 / cols)), va="top")
    axes.set_axis_off()
    if title:
        axes.set_title(title)
    _tighten(figure)
    return figure


def learning_curves_figure(history, title="Learning curves"):
    """Cost, and accuracy where recorded, per step (epoch or iteration: ``history["step"]``) for the training
    and evaluation/validation data; SciPy runs record the cost only (one panel)."""
    steps = history["step"]
    unit = "epoch" if "training_cost" in history else "iteration"
    series = {"cost": [("training", history.get("training_cost", history.get("cost"))),
                       ("evaluation", history.get("evaluation_cost"))],
              "accuracy": [("training", history.get("training_accuracy")),
                           ("evaluation", history.get("evaluation_accuracy"))]}
    panels = [(name, lines) for name, lines in series.items()
              if any(values and values[0] is not None for _, values in lines)]
    figure = _figure((5 * len(panels), 4))
    for position, (quantity, lines) in enumerate(panels, start=1):
        axes = figure.add_subplot(1, len(panels), position)
        for (split, values), style in zip(lines, ("-", "--")):
            if values and values[0] is not None:
                axes.plot(steps, values, style, marker="o" if len(steps) <= 60 else None, markersize=3,
                          label=f"{split} data")
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_xlabel(unit)
        axes.set_ylabel(quantity)
        axes.set_title(f"{quantity.capitalize()} per {unit}")
        axes.grid(True, alpha=0.3)
        axes.legend()
    figure.suptitle(title)
    _tighten(figure)
    return figure


def confusion_matrix_figure(y_true, y_pred, labels, title="Confusion matrix", names=None):
    """scikit-learn's ``ConfusionMatrixDisplay`` of true against predicted labels, counts in the cells; the
    axes name each label by ``names`` (``Dataset.classes``) when given."""
    from sklearn.metrics import ConfusionMatrixDisplay

    figure = _figure((6.5, 5.5))
    axes = figure.add_subplot()
    ConfusionMatrixDisplay.from_predictions(y_true, y_pred, labels=labels, display_labels=names, ax=axes,
                                            colorbar=True, cmap="Blues")
    axes.set_title(title)
    _tighten(figure)
    return figure


def misclassified_figure(images, y_true, y_pred, title="Misclassified examples", limit=36):
    """Up to ``limit`` misclassified images on one grid, each labelled 'true → predicted' in its corner
    (one image, not one axes per example: the figure costs the same however many examples are wrong)."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    wrong = np.flatnonzero(y_true != y_pred)
    shown = f", the first {limit}" if len(wrong) > limit else ""
    caption = f"{title}\n{len(wrong)} of {len(y_true)}{shown}, true → predicted"
    wrong = wrong[:limit]
    if len(wrong):
        return image_grid_figure(np.asarray(images)[wrong], caption, [f"{y_true[k]} → {y_pred[k]}" for k in wrong])
    figure = _figure((4.5, 2.5))
    figure.text(0.5, 0.45, "no misclassified examples", ha="center", va="center")
    figure.suptitle(caption)
    return figure


def grid_search_figure(result, title="Cross-validated accuracy"):
    """Heat map of the mean CV accuracy over the two grid parameters, with a colour bar, every point's
    value written in its cell ("not run" where an interrupted search did not finish it) and the best point
    outlined."""
    figure = _figure((7, 5.5))
    axes = figure.add_subplot()
    image = axes.imshow(result.mean, cmap="viridis", origin="lower", aspect="auto")
    figure.colorbar(image, ax=axes, label=f"mean accuracy, {result.cv}-fold CV")
    (name_a, name_b), (values_a, values_b) = result.names, result.values
    axes.set_yticks(range(len(values_a)), [str(v) for v in values_a])
    axes.set_xticks(range(len(values_b)), [str(v) for v in values_b])
    axes.set_ylabel(name_a)
    axes.set_xlabel(name_b)
    low, high = float(np.nanmin(result.mean)), float(np.nanmax(result.mean))
    for i in range(len(values_a)):
        for j in range(len(values_b)):
            value = result.mean[i, j]
            bright = high > low and value > (low + high) / 2
            axes.text(j, i, "not run" if np.isnan(value) else f"{value:.3f}", ha="center", va="center", fontsize=8,
                      color="black" if bright or np.isnan(value) else "white")
    best_a, best_b, best = result.best
    i, j = values_a.index(best_a), values_b.index(best_b)
    axes.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="red", linewidth=2.5))
    axes.set_title(f"{title}\nbest {best:.4f} at {name_a} = {best_a}, {name_b} = {best_b}")
    _tighten(figure)
    return figure


def regression_figure(y_true, y_pred, title="Predicted against true", std=None):
    """A regression's fit: predicted against true values with the line y = x, and the residuals (true −
    predicted) against the predicted values; one pair of panels per target (columns of y). With ``std`` (the
    predictive standard deviations, shaped like y; ``predict(X, return_std=True)``), each prediction carries its
    95 % interval ŷ ± 1.96 σ as an error bar, the residuals panel shows the band ±1.96 σ, and the titles say
    how many targets the intervals cover."""
    y_true, y_pred = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    y_true, y_pred = y_true.reshape(len(y_true), -1), y_pred.reshape(len(y_pred), -1)
    half = None if std is None else 1.96 * np.asarray(std, dtype=float).reshape(y_pred.shape)
    outputs = y_true.shape[1]
    figure = _figure((10, 4 * outputs))
    for k in range(outputs):
        truth, predicted = y_true[:, k], y_pred[:, k]
        name = f"target {k + 1}: " if outputs > 1 else ""
        axes = figure.add_subplot(outputs, 2, 2 * k + 1)
        covered = ""
        if half is None:
            axes.scatter(truth, predicted, s=8, alpha=0.5)
        else:
            axes.errorbar(truth, predicted, yerr=half[:, k], fmt="o", markersize=3, alpha=0.5, elinewidth=0.8,
                          label="95 % interval")
            covered = f"\n95 % intervals cover {np.mean(np.abs(truth - predicted) <= half[:, k]):.1%} of the targets"
        low, high = min(truth.min(), predicted.min()), max(truth.max(), predicted.max())
        axes.plot([low, high], [low, high], "k--", linewidth=1, label="predicted = true")
        axes.set_xlabel("true")
        axes.set_ylabel("predicted")
        axes.set_title(f"{name}predicted against true{covered}")
        axes.legend()
        axes = figure.add_subplot(outputs, 2, 2 * k + 2)
        axes.scatter(predicted, truth - predicted, s=8, alpha=0.5)
        if half is not None:
            order = np.argsort(predicted)
            axes.fill_between(predicted[order], -half[order, k], half[order, k], color="C1", alpha=0.25, zorder=0)
        axes.axhline(0.0, color="k", linestyle="--", linewidth=1)
        axes.set_xlabel("predicted")
        axes.set_ylabel("residual (true − predicted)")
        axes.set_title(f"{name}residuals" + ("" if half is None else "\nshaded: ±1.96 σ, the 95 % interval"))
        for each in figure.axes[-2:]:
            each.grid(True, alpha=0.3)
    figure.suptitle(title)
    _tighten(figure)
    return figure
