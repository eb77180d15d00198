import matplotlib.image
import numpy as np
import pytest
from sklearn.metrics import classification_report

from bpnn import BpnnError, Network, evaluate
from bpnn.model.params import pack
from bpnn.plots import (confusion_matrix_figure, grid_shape, image_grid_figure, learning_curves_figure,
                        misclassified_figure, regression_figure, save_figure, tile_images)


@pytest.mark.parametrize("n, shape", [(25, (5, 5)), (100, (10, 10)), (10, (3, 4)), (1, (1, 1)), (16, (4, 4))])
def test_grid_shape(n, shape):
    assert grid_shape(n) == shape


def test_tiles_are_normalized_and_placed_row_by_row():
    images = np.zeros((3, 2, 3))
    images[0, 0, 0] = 4.0
    images[1, 1, 2] = -2.0
    canvas = tile_images(images, pad=1)
    assert canvas.shape == (1 + 1 * (2 + 1), 1 + 3 * (3 + 1))  # 3 tiles of 2×3 → 1 row × 3 columns
    assert canvas[1, 1] == 1.0  # first tile, top left: 4 / max|4|
    assert canvas[2, 1 + 4 + 2] == -1.0  # second tile, bottom right: −2 / max|−2|
    assert np.all(canvas[1:3, 9:12] == 0.0)  # third tile: all zero stays zero
    assert canvas[0, 0] == -1.0 and np.all(canvas[:, 4] == -1.0)  # padding between tiles


def test_image_grid_figure_is_saved_as_a_png_and_never_over_a_file(tmp_path):
    rng = np.random.default_rng(0)
    path = save_figure(image_grid_figure(rng.random((25, 20, 20)), "title", labels=range(25)), tmp_path / "units.png")
    picture = matplotlib.image.imread(path)
    assert picture.shape[0] > 100 and picture.shape[1] > 100
    with pytest.raises(BpnnError, match="already exists"):
        save_figure(image_grid_figure(rng.random((4, 8, 8))), path)


def test_result_figures(tmp_path):
    """Each figure function returns a Figure (drawn again on every call) with the labels it promises."""
    rng = np.random.default_rng(1)
    y_true = rng.integers(0, 4, 30)
    y_pred = np.where(np.arange(30) < 5, (y_true + 1) % 4, y_true)  # the first five wrong
    confusion = confusion_matrix_figure(y_true, y_pred, labels=[0, 1, 2, 3], title="held-out data: TNC")
    texts = [t.get_text() for t in confusion.axes[0].texts]
    assert sum(int(t) for t in texts) == 30 and confusion.axes[0].get_title() == "held-out data: TNC"
    wrong = misclassified_figure(rng.random((30, 8, 8)), y_true, y_pred, "Misclassified")
    (grid,) = wrong.axes
    assert [text.get_text() for text in grid.texts] == [f"{t} → {p}" for t, p in zip(y_true[:5], y_pred[:5])]
    assert "5 of 30" in grid.get_title()
    right = misclassified_figure(rng.random((30, 8, 8)), y_true, y_true, "Misclassified")
    assert not right.axes and "0 of 30" in right._suptitle.get_text()
    scipy_run = learning_curves_figure({"step": [1, 2, 3], "cost": [3.0, 2.0, 1.5]}, "TNC")
    assert len(scipy_run.axes) == 1 and scipy_run.axes[0].get_xlabel() == "iteration"
    epochs = learning_curves_figure({"step": [1, 2], "training_cost": [1.0, 0.5], "evaluation_cost": [1.1, 0.6],
                                     "training_accuracy": [0.5, 0.8], "evaluation_accuracy": [0.4, 0.7]}, "SGD")
    assert len(epochs.axes) == 2 and epochs.axes[0].get_xlabel() == "epoch"
    ticks = epochs.axes[0].get_xticks()
    assert np.all(ticks == np.round(ticks))  # integer epoch ticks
    for name, figure in (("c", confusion), ("w", wrong), ("s", scipy_run), ("e", epochs)):
        assert matplotlib.image.imread(save_figure(figure, tmp_path / f"{name}.png")).shape[1] > 300


def test_the_regression_figure_draws_each_95_percent_interval_and_counts_the_targets_inside(tmp_path):
    y_true = np.array([[0.0, 10.0], [1.0, 11.0], [2.0, 12.0], [3.0, 13.0]])
    y_pred = np.array([[0.5, 10.0], [1.0, 12.0], [2.5, 12.0], [1.0, 13.0]])
    std = np.array([[0.3, 1.0], [0.1, 0.5], [0.3, 1.0], [0.5, 1.0]])  # |true − ŷ| ≤ 1.96 σ: rows 1–3, then 1, 3, 4
    figure = regression_figure(y_true, y_pred, "held-out data", std)
    for k, axes in enumerate(figure.axes[::2]):
        (bars,) = axes.containers
        segments = bars.lines[2][0].get_segments()
        assert np.allclose([segment[:, 1] for segment in segments],
                           np.column_stack([y_pred[:, k] - 1.96 * std[:, k], y_pred[:, k] + 1.96 * std[:, k]]))
        assert "95 % intervals cover 75.0% of the targets" in axes.get_title()
    plain = regression_figure(y_true[:, 0], y_pred[:, 0])
    assert not plain.axes[0].containers and "cover" not in plain.axes[0].get_title()
    assert matplotlib.image.imread(save_figure(figure, tmp_path / "r.png")).shape[1] > 300


def test_evaluate_matches_scikit_learn():
    theta = pack([np.array([[0.0, 1.0], [0.0, -1.0], [0.5, 0.0]])])  # 1 input, 3 classes
    X = np.array([[2.0], [-3.0], [0.1], [0.2], [-0.1]])
    y = np.array([0, 1, 2, 0, 2])
    result = evaluate(Network([1, 3]), theta, X, y)
    predicted = [0, 1, 2, 2, 2]  # z = (x, −x, ½): class 2 wins while |x| < ½
    assert result["accuracy"] == pytest.approx(0.8)
    assert result["confusion_matrix"] == [[1, 0, 1], [0, 1, 0], [0, 0, 2]]
    assert result["report"] == classification_report(y, predicted, labels=[0, 1, 2], digits=4, zero_division=0)
