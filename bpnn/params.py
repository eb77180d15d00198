"""Layer shapes, the flat parameter vector θ, and its initialization.

A network with layer sizes ``[s_1, s_2, …, s_L]`` has one weight matrix per pair of consecutive layers,
Θ⁽ˡ⁾ of shape ``(s_{l+1}, s_l + 1)`` with the bias in column 0 (the course layout). θ is the
concatenation of every Θ⁽ˡ⁾ flattened in C order, so its length is Σ_l s_{l+1} (s_l + 1).

``unpack`` returns views into θ: writing into a Θ it returns writes into θ, and no memory is copied.
"""

from functools import lru_cache

import numpy as np

from .errors import BpnnError
from .limits import check_fits

__all__ = ["check_layer_sizes", "slices", "layer_shapes", "n_params", "pack", "sizes_of", "unpack", "views", "INITIALIZERS", "as_generator",
           "empty_theta", "init_weights", "is_integer"]


def check_layer_sizes(layer_sizes):
    """Return ``layer_sizes`` as a tuple of ints, or raise BpnnError if it is not ≥ 2 positive ints."""
    try:
        sizes = tuple(int(s) for s in layer_sizes)
    except (TypeError, ValueError):
        raise BpnnError(f"layer sizes must be a list of positive integers, got {layer_sizes!r}") from None
    if len(sizes) < 2 or any(s < 1 for s in sizes) or any(s != t for s, t in zip(sizes, layer_sizes)):
        raise BpnnError(
            f"layer sizes must be at least two positive integers (input, …, output), got {list(layer_sizes)!r}"
        )
    return sizes


@lru_cache(maxsize=64)
def slices(sizes):
    """(start, stop, shape) of each Θ⁽ˡ⁾ inside θ, computed once per layer-size tuple."""
    out, start = [], 0
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        shape = (fan_out, fan_in + 1)
        stop = start + shape[0] * shape[1]
        out.append((start, stop, shape))
        start = stop
    return tuple(out)


def layer_shapes(layer_sizes):
    """Shapes ``(s_{l+1}, s_l + 1)`` of the weight matrices of a network with these layer sizes."""
    return [shape for _, _, shape in slices(check_layer_sizes(layer_sizes))]


def n_params(layer_sizes):
    """Length of θ for these layer sizes: Σ_l s_{l+1} (s_l + 1)."""
    return slices(check_layer_sizes(layer_sizes))[-1][1]


def pack(thetas):
    """Concatenate weight matrices Θ⁽¹⁾, Θ⁽²⁾, … (each flattened in C order) into one float64 vector θ."""
    thetas = [np.asarray(t, dtype=np.float64) for t in thetas]
    if not thetas or any(t.ndim != 2 for t in thetas):
        raise BpnnError("pack needs a non-empty list of 2-D weight matrices")
    for i, (a, b) in enumerate(zip(thetas[:-1], thetas[1:]), start=1):
        if b.shape[1] != a.shape[0] + 1:
            raise BpnnError(
                f"Theta{i + 1} has {b.shape[1]} columns but Theta{i} has {a.shape[0]} rows: "
                f"Theta{i + 1} needs {a.shape[0]} + 1 (bias) columns"
            )
    return np.concatenate([t.ravel() for t in thetas])


def sizes_of(thetas):
    """Layer sizes ``[s_1, …, s_L]`` of a list of weight matrices (after ``pack`` has checked they chain)."""
    return [thetas[0].shape[1] - 1] + [t.shape[0] for t in thetas]


def unpack(theta, layer_sizes):
    """Split θ into the weight matrices Θ⁽¹⁾, Θ⁽²⁾, … as views (reshaped slices) of θ.

    Raises BpnnError when θ is not a 1-D vector of exactly ``n_params(layer_sizes)`` numbers.
    """
    sizes = check_layer_sizes(layer_sizes)
    return views(theta, slices(sizes), sizes)


def views(theta, parts, sizes):
    """``unpack`` for layer sizes already checked, given their ``slices``: what ``Network.unpack`` calls on
    every evaluation."""
    theta = np.asarray(theta)
    if theta.dtype.kind not in "iuf":
        raise BpnnError(f"parameter vector must hold real numbers, got dtype {theta.dtype}")
    expected = parts[-1][1]
    if theta.ndim != 1 or theta.shape[0] != expected:
        raise BpnnError(
            f"parameter vector has shape {theta.shape}, but layer sizes {list(sizes)} "
            f"need a 1-D vector of {expected} numbers"
        )
    return [theta[start:stop].reshape(shape) for start, stop, shape in parts]


INITIALIZERS = ("uniform", "normal", "scaled-normal")


def is_integer(value):
    """True for a Python or NumPy integer (not a bool, not a float that happens to be whole)."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def as_generator(seed):
    """A ``numpy.random.Generator`` from a seed (an integer ≥ 0), None (fresh entropy), a Generator, or a
    legacy ``RandomState`` (which scikit-learn's ``random_state`` allows: a seed is drawn from it)."""
    if isinstance(seed, np.random.Generator) or seed is None:
        return np.random.default_rng(seed)
    if isinstance(seed, np.random.RandomState):
        return np.random.default_rng(seed.randint(2**32 - 1))
    if not is_integer(seed) or seed < 0:
        raise BpnnError(f"seed must be an integer ≥ 0 (or a numpy Generator), got {seed!r}")
    return np.random.default_rng(seed)


def empty_theta(layer_sizes):
    """An uninitialized θ for these layer sizes, or BpnnError, before allocating, if it cannot fit in memory."""
    sizes = check_layer_sizes(layer_sizes)
    check_fits(f"the network {list(sizes)}'s {n_params(sizes)} weights", 8 * n_params(sizes))
    return np.empty(n_params(sizes))


def init_weights(layer_sizes, rng=None, method="uniform"):
    """Random θ for these layer sizes; ``rng`` is a ``numpy.random.Generator`` or a seed.

    ``method``:
      ``uniform``        every Θ⁽ˡ⁾ (biases too) uniform in [−ε_l, ε_l], ε_l = √6 / √(s_l + s_{l+1}) (the course);
      ``normal``         weights and biases N(0, 1) (the tutorials' first, "large" initialization);
      ``scaled-normal``  weights N(0, 1/s_l), biases N(0, 1) (the tutorials' improved one: a unit's input
                         sum then has variance about 1 + 1, so sigmoid units start unsaturated).
    """
    sizes = check_layer_sizes(layer_sizes)
    if method not in INITIALIZERS:
        raise BpnnError(f"unknown initializer {method!r}; choose one of {', '.join(INITIALIZERS)}")
    rng = as_generator(rng)
    theta = empty_theta(sizes)
    for Theta, fan_in, fan_out in zip(unpack(theta, sizes), sizes[:-1], sizes[1:]):
        if method == "uniform":
            eps = np.sqrt(6.0) / np.sqrt(fan_in + fan_out)
            Theta[...] = rng.uniform(-eps, eps, size=Theta.shape)
        else:
            Theta[...] = rng.standard_normal(Theta.shape)
            if method == "scaled-normal":
                Theta[:, 1:] /= np.sqrt(fan_in)
    return theta
