"""``Dataset``: examples and labels with the source's own parts (by name) and how a row becomes an image.

Every format reader (``bpnn.data.formats``) builds one with keywords; ``Dataset.images`` is the only place outside
the readers that knows pixel order (the course's 20×20 images are stored column-major: ``image_order="F"``).
"""

from dataclasses import dataclass

import numpy as np

from ..errors import BpnnError

__all__ = ["Dataset", "square_image_shape"]


@dataclass(frozen=True, kw_only=True)
class Dataset:
    """Examples X (m × n finite floats), labels y (0..K−1), the source's own parts, and the image layout.

    Made by :func:`load_dataset`; every field is keyword-only.

    Parameters
    ----------
    X : ndarray of shape (m, n)
        The training examples (the whole source when it has no parts of its own): pixels in [0, 1] for the
        image formats, a table's feature columns as they are in the file (not scaled: that is the user's
        business).
    y : ndarray of shape (m,)
        Their labels, 0..K−1 (for regression, the real target values).
    name : str
        Where the data came from, as the commands print it.
    n_classes : int
        K.
    image_shape : tuple of int, optional
        (height, width) of the images the rows hold, None when they are not images.
    image_order : {"C", "F"}, default "C"
        How a row is reshaped to an image ("F": the course's column-major 20×20 images).
    X_test, y_test, X_valid, y_valid : ndarray, optional
        The source's own test and validation parts when it defines them (else None).
    kind : str
        The format's name.
    classes : tuple, optional
        The class label of each code 0..K−1 (a table's target values, sorted); None for the image formats,
        whose labels are the digits 0..K−1 themselves.
    features : tuple of str, optional
        The names of a table's feature columns.
    task : {"classification", "multilabel", "regression"}, default "classification"
        "multilabel" for a table whose target columns are labels: y is the m × K matrix of 0 and 1,
        ``n_classes`` is K and ``classes`` the columns' names; "regression" for a table whose target columns
        were read as real values: y holds them (m, or m × K), ``n_classes`` is K (one output each) and
        ``classes`` None.

    Attributes
    ----------
    parts : dict
        {"training": (X, y), "validation": …, "test": …}: the parts the source has.

    Raises
    ------
    BpnnError
        ``images`` of rows that are not images of a known shape.

    Examples
    --------
    >>> import bpnn
    >>> data = bpnn.load_dataset()  # the embedded digits in an empty data home
    >>> data.X.shape, data.n_classes, data.kind, list(data.parts)
    ((1797, 400), 10, 'course .mat', ['training'])
    >>> data.images(data.X[:2]).shape  # upright 20×20 images
    (2, 20, 20)
    """

    X: np.ndarray
    y: np.ndarray
    name: str
    n_classes: int
    image_shape: tuple = None
    image_order: str = "C"
    X_test: np.ndarray = None
    y_test: np.ndarray = None
    X_valid: np.ndarray = None
    y_valid: np.ndarray = None
    kind: str = ""
    classes: tuple = None
    features: tuple = None
    task: str = "classification"

    def images(self, rows):
        """Rows of X (or of Θ⁽¹⁾ without its bias column) as upright images, shape (k, h, w)."""
        if self.image_shape is None:
            raise BpnnError(f"{self.name}: rows of {self.X.shape[1]} values are not images of a known shape")
        rows = np.asarray(rows)
        return rows.reshape((rows.shape[0], *self.image_shape), order=self.image_order)

    def all_examples(self):
        """(X, y) of every part (training, validation, test) stacked: what a format conversion writes."""
        parts = [(self.X, self.y), (self.X_valid, self.y_valid), (self.X_test, self.y_test)]
        parts = [(X, y) for X, y in parts if X is not None]
        return np.concatenate([X for X, _ in parts]), np.concatenate([y for _, y in parts])

    @property
    def parts(self):
        """{'training': (X, y), 'validation': …, 'test': …}: the parts the source has, by name."""
        named = {"training": (self.X, self.y), "validation": (self.X_valid, self.y_valid),
                 "test": (self.X_test, self.y_test)}
        return {name: part for name, part in named.items() if part[0] is not None}


def square_image_shape(n):
    """(side, side) when n pixels make a square image, else None."""
    side = int(round(np.sqrt(n)))
    return (side, side) if side * side == n else None
