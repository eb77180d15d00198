"""Convert any supported data set to the course's ex4 ``.mat`` layout (``scripts/make_mat.py``).

Images of another size are brought to size × size the way the course's 20×20 digits were made from
MNIST: each image is cropped to the box of its non-blank pixels, padded to a square around that box,
and resampled by linear interpolation. Images already size × size are kept as they are. Rows are then
written column-major with labels 1..10 (10 for the digit 0), so ``load_mat`` of the result gives the
same images back.
"""

import numpy as np
from scipy.ndimage import zoom

from ..errors import BpnnError
from ..model.validate import check_fits, check_integer
from .formats.mat import save_mat

__all__ = ["crop_and_resample", "check_size", "write_course_mat"]


def check_size(size, m, name="size"):
    """BpnnError naming ``name`` unless ``size`` is an integer ≥ 1 whose m images of size × size pixels fit in
    memory: twice m · size² float64 numbers, the resampled images and their rows in column-major order."""
    check_integer(f"{name} (the image side)", size, 1)
    check_fits(f"{name} {size}: {m} images of {size} × {size} pixels", 2 * 8 * m * size * size)
    return size


def crop_and_resample(images, size=20):
    """Each (h × w) image cropped to its digit's box, squared, and resampled to size × size, in [0, 1]."""
    images = np.asarray(images, dtype=np.float64)
    out = np.zeros((images.shape[0], size, size))
    for k, image in enumerate(images):  # one scipy call per image: a one-off conversion, not a hot path
        rows, cols = np.flatnonzero(image.max(axis=1) > 0), np.flatnonzero(image.max(axis=0) > 0)
        if rows.size == 0:
            continue  # a blank image stays blank
        box = image[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
        side = max(box.shape)
        square = np.zeros((side, side))
        top, left = (side - box.shape[0]) // 2, (side - box.shape[1]) // 2
        square[top:top + box.shape[0], left:left + box.shape[1]] = box
        out[k] = zoom(square, size / side, order=1, grid_mode=True, mode="grid-constant")[:size, :size]
    return np.clip(out, 0.0, 1.0)


def write_course_mat(dataset, path, size=20, overwrite=False):
    """Write every example of ``dataset`` (all its parts) to ``path`` in the course layout; returns (m, path)."""
    if dataset.image_shape is None:
        raise BpnnError(f"the course layout holds images; the rows of {dataset.name} ({dataset.X.shape[1]} values) "
                        "are not images of a known shape: write it as a .csv table instead")
    if dataset.n_classes != 10:
        raise BpnnError(f"the course layout holds digits 0..9; {dataset.name} has {dataset.n_classes} classes")
    X, y = dataset.all_examples()
    check_size(size, X.shape[0])
    images = dataset.images(X)
    if images.shape[1:] != (size, size):
        images = crop_and_resample(images, size)
    rows = images.transpose(0, 2, 1).reshape(images.shape[0], size * size)  # column-major, as MATLAB stores
    return rows.shape[0], save_mat(path, rows, y, overwrite=overwrite)
