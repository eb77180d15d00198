"""Figures: image grids (hidden units, sample inputs), learning curves and grid-search maps, as PNG files.

The figures are built on ``matplotlib.figure.Figure`` with the Agg canvas directly, so they need no
display and no pyplot state. Images arrive upright, shape (k, h, w): turning rows into images is the data
set's job (``Dataset.images``), because only the data set knows its pixel order.
"""

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from .files import write_atomically

__all__ = ["grid_shape", "tile_images", "save_image_grid", "save_learning_curves", "save_grid_plot"]


def _save(figure, path):
    """Write the figure as a new PNG at ``path`` (never over an existing file)."""
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


def save_image_grid(images, path, title=None):
    """Write the images as one grid (gray, [−1, 1]) to a new PNG at ``path``; returns the path."""
    figure = Figure(figsize=(6, 6))
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.imshow(tile_images(images), cmap="gray", vmin=-1.0, vmax=1.0, interpolation="nearest")
    axes.set_axis_off()
    if title:
        axes.set_title(title)
    figure.tight_layout()
    return _save(figure, path)


def save_learning_curves(history, path, title="Learning curves"):
    """Two panels against epoch: cost and accuracy, each for the training and (when recorded) evaluation
    data; written to a new PNG at ``path``."""
    figure = Figure(figsize=(10, 4))
    FigureCanvasAgg(figure)
    epochs = history["step"]
    for position, quantity in enumerate(("cost", "accuracy"), start=1):
        axes = figure.add_subplot(1, 2, position)
        for split, style in (("training", "-"), ("evaluation", "--")):
            values = history[f"{split}_{quantity}"]
            if values and values[0] is not None:
                axes.plot(epochs, values, style, marker="o", markersize=3, label=f"{split} data")
        axes.set_xlabel("epoch")
        axes.set_ylabel(quantity)
        axes.set_title(f"{quantity.capitalize()} per epoch")
        axes.grid(True, alpha=0.3)
        axes.legend()
    figure.suptitle(title)
    figure.tight_layout()
    return _save(figure, path)


def save_grid_plot(result, path, title="Cross-validated accuracy"):
    """Heat map of the mean CV accuracy over the two grid parameters, with a colour bar, every point's
    value written in its cell and the best point outlined; written to a new PNG at ``path``."""
    figure = Figure(figsize=(7, 5.5))
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    image = axes.imshow(result.mean, cmap="viridis", origin="lower", aspect="auto")
    figure.colorbar(image, ax=axes, label=f"mean accuracy, {result.cv}-fold CV")
    (name_a, name_b), (values_a, values_b) = result.names, result.values
    axes.set_yticks(range(len(values_a)), [str(v) for v in values_a])
    axes.set_xticks(range(len(values_b)), [str(v) for v in values_b])
    axes.set_ylabel(name_a)
    axes.set_xlabel(name_b)
    low, high = float(result.mean.min()), float(result.mean.max())
    for i in range(len(values_a)):
        for j in range(len(values_b)):
            bright = high > low and result.mean[i, j] > (low + high) / 2
            axes.text(j, i, f"{result.mean[i, j]:.3f}", ha="center", va="center", fontsize=8,
                      color="black" if bright else "white")
    best_a, best_b, best = result.best
    i, j = values_a.index(best_a), values_b.index(best_b)
    axes.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="red", linewidth=2.5))
    axes.set_title(f"{title}\nbest {best:.4f} at {name_a} = {best_a}, {name_b} = {best_b}")
    figure.tight_layout()
    return _save(figure, path)
