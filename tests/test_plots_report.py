import matplotlib.image
import numpy as np
import pytest
from sklearn.metrics import classification_report

from bpnn import BpnnError, Network, evaluate
from bpnn.params import pack
from bpnn.plots import grid_shape, save_image_grid, tile_images


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


def test_save_image_grid_writes_a_png_and_never_overwrites(tmp_path):
    rng = np.random.default_rng(0)
    path = save_image_grid(rng.random((25, 20, 20)), tmp_path / "units.png", "title")
    picture = matplotlib.image.imread(path)
    assert picture.shape[0] > 100 and picture.shape[1] > 100
    with pytest.raises(BpnnError, match="already exists"):
        save_image_grid(rng.random((4, 8, 8)), path)


def test_evaluate_matches_scikit_learn():
    theta = pack([np.array([[0.0, 1.0], [0.0, -1.0], [0.5, 0.0]])])  # 1 input, 3 classes
    X = np.array([[2.0], [-3.0], [0.1], [0.2], [-0.1]])
    y = np.array([0, 1, 2, 0, 2])
    result = evaluate(Network([1, 3]), theta, X, y)
    predicted = [0, 1, 2, 2, 2]  # z = (x, −x, ½): class 2 wins while |x| < ½
    assert result["accuracy"] == pytest.approx(0.8)
    assert result["confusion_matrix"] == [[1, 0, 1], [0, 1, 0], [0, 0, 2]]
    assert result["report"] == classification_report(y, predicted, labels=[0, 1, 2], digits=4, zero_division=0)
