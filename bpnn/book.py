"""The neural-networks book's ``network2.py``, in its own vocabulary, on bpnn's one backprop.

    net = Network([784, 30, 10], cost=CrossEntropyCost)        # or QuadraticCost; seed= makes it repeatable
    evaluation_cost, evaluation_accuracy, training_cost, training_accuracy = net.SGD(
        training_data, 30, 10, 0.5, lmbda=5.0, evaluation_data=validation_data,
        monitor_evaluation_accuracy=True)
    net.save("net.json");  net = load("net.json")

The data are the book's: lists (or any iterables) of ``(x, y)`` pairs with x an n × 1 column vector, y a
one-hot K × 1 column for training data and an integer label for evaluation data. Either form is accepted in
either data set and read from y's shape, so ``convert`` (the book's flag) is accepted and not needed.
``weights`` and ``biases`` are the book's lists (w: s_{l+1} × s_l, b: s_{l+1} × 1), and they are views into
one flat θ: each mini-batch is one call of ``bpnn.cost_and_grad`` on the whole batch, with the book's L2
weight decay,

  w ← (1 − ηλ/n) w − (η/m) Σ ∇w C_x,     b ← b − (η/m) Σ ∇b C_x,

which is bpnn's gradient step with λ stated per the n training examples. Costs and accuracies are the book's
(``total_cost`` divides the L2 term by the size of the data set it scores; accuracies are counts). Unlike the
book it prints nothing: ``SGD`` returns the four lists. Randomness comes from ``numpy.random.default_rng(seed)``
(the book uses NumPy's and Python's global generators), so runs repeat with a seed.
"""

import json
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from .data.files import check_regular_file, write_atomically
from .errors import BpnnError
from .model.network import Network as _Network
from .model.network import accuracy, cost, forward
from .model.params import empty_theta
from .model.validate import as_generator, check_data, check_integer, check_lambda, check_one_hot, one_hot
from .training.minibatch import train_sgd
from .training.options import MiniBatches, Stopping
from .training.updates import SGD, decay_grows_weights

__all__ = ["QuadraticCost", "CrossEntropyCost", "Network", "load"]


class QuadraticCost:
    """C = ½ ‖a − y‖², δ = (a − y) σ'(z): bpnn's sigmoid outputs with the quadratic cost."""

    name = "quadratic"

    @staticmethod
    def fn(a, y):
        return 0.5 * np.linalg.norm(a - y) ** 2

    @staticmethod
    def delta(z, a, y):
        return (a - y) * a * (1 - a)


class CrossEntropyCost:
    """C = −Σ [y ln a + (1 − y) ln(1 − a)], δ = a − y: bpnn's sigmoid outputs with cross-entropy."""

    name = "cross-entropy"

    @staticmethod
    def fn(a, y):
        return float(np.sum(np.nan_to_num(-y * np.log(a) - (1 - y) * np.log(1 - a))))

    @staticmethod
    def delta(z, a, y):
        return a - y


COSTS = {cls.__name__: cls for cls in (QuadraticCost, CrossEntropyCost)}


@contextmanager
def _named(name):
    """Prefix each BpnnError raised inside with ``name``, the input (argument, data set, file) it is about."""
    try:
        yield
    except BpnnError as error:
        raise type(error)(f"{name}: {error}") from None


def _vector(value, size, what):
    """``value`` as a float vector of ``size`` numbers (a ``size`` × 1 column or ``size`` numbers), or BpnnError
    naming ``what``."""
    try:
        vector = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise BpnnError(f"{what} is not an array of numbers") from None
    if vector.size != size or vector.ndim > 2 or (vector.ndim == 2 and vector.shape[1] != 1):
        raise BpnnError(f"{what} has shape {vector.shape}; the network needs a {size} × 1 column")
    return vector.ravel()


def _targets(ys, n_outputs):
    """The one-hot m × K targets of the y's, each a one-hot K × 1 column or an integer label (one number,
    when K > 1)."""
    Y = np.empty((len(ys), n_outputs))
    labels = {}
    for i, y in enumerate(ys):
        if n_outputs > 1 and np.size(y) == 1:
            labels[i] = np.ravel(y)[0]
        else:
            Y[i] = _vector(y, n_outputs, f"y of pair {i}")
    if labels:
        Y[list(labels)] = one_hot(list(labels.values()), n_outputs)
    return check_one_hot(Y, len(ys), n_outputs)


def _matrices(data, name, sizes):
    """X (m × n) and one-hot Y (m × K) from the book's (x, y) pairs, or BpnnError naming ``name`` and what is
    wrong. Each y may be a one-hot K × 1 column (the book's training data) or an integer label (its
    evaluation data): the form is read from y, so neither is mistaken for the other."""
    with _named(name):
        try:
            pairs = [tuple(pair) for pair in data]
        except TypeError:
            raise BpnnError(f"not a list of (x, y) pairs but a {type(data).__name__}") from None
        if not pairs:
            raise BpnnError("no (x, y) pairs: at least one is needed")
        odd = [i for i, pair in enumerate(pairs) if len(pair) != 2]
        if odd:
            raise BpnnError(f"item {odd[0]} is not an (x, y) pair")
        xs, ys = zip(*pairs)
        X = check_data(np.array([_vector(x, sizes[0], f"x of pair {i}") for i, x in enumerate(xs)]))
        return X, _targets(ys, sizes[-1])


class Network:
    """The book's ``Network(sizes, cost=CrossEntropyCost)`` with sigmoid units, on a flat θ."""

    def __init__(self, sizes, cost=CrossEntropyCost, seed=None):
        if cost not in COSTS.values():
            raise BpnnError(f"cost must be QuadraticCost or CrossEntropyCost, got {cost!r}")
        self.network = _Network(tuple(sizes), "sigmoid", cost.name)
        self.num_layers, self.sizes, self.cost = len(sizes), list(self.network.sizes), cost
        self.rng = as_generator(seed)
        self.theta = empty_theta(self.sizes)
        self.default_weight_initializer()

    # The book's weights and biases, as views into θ; assigning them checks shapes and values first.
    @property
    def weights(self):
        return [Theta[:, 1:] for Theta in self.network.unpack(self.theta)]

    @weights.setter
    def weights(self, values):
        _assign(self.weights, values, "weights")

    @property
    def biases(self):
        return [Theta[:, :1] for Theta in self.network.unpack(self.theta)]

    @biases.setter
    def biases(self, values):
        _assign(self.biases, values, "biases")

    def default_weight_initializer(self):
        """Weights N(0, 1/n_in), biases N(0, 1): a unit's input sum starts unsaturated."""
        self.biases = [self.rng.standard_normal((y, 1)) for y in self.sizes[1:]]
        self.weights = [self.rng.standard_normal((y, x)) / np.sqrt(x) for x, y in zip(self.sizes[:-1], self.sizes[1:])]

    def large_weight_initializer(self):
        """Weights and biases N(0, 1): the book's first networks."""
        self.biases = [self.rng.standard_normal((y, 1)) for y in self.sizes[1:]]
        self.weights = [self.rng.standard_normal((y, x)) for x, y in zip(self.sizes[:-1], self.sizes[1:])]

    def feedforward(self, a):
        """The output for one input column a (n × 1), or for the columns of an n × m matrix."""
        with _named("feedforward's input a"):
            try:
                a = np.asarray(a, dtype=np.float64)
            except (TypeError, ValueError):
                raise BpnnError("not an array of numbers") from None
            if a.ndim not in (1, 2) or a.shape[0] != self.sizes[0]:
                n = self.sizes[0]
                raise BpnnError(f"shape {a.shape}, but the network needs {n} × 1 (or {n} × m) columns")
            X = check_data(a.reshape(self.sizes[0], -1).T)
        _, z = forward(self.network, self.theta, X)
        return self.network.output_cost.output(z).T

    def SGD(self, training_data, epochs, mini_batch_size, eta, lmbda=0.0, evaluation_data=None,
            monitor_evaluation_cost=False, monitor_evaluation_accuracy=False, monitor_training_cost=False,
            monitor_training_accuracy=False, early_stopping_n=0):
        """Mini-batch SGD as the book's; returns (evaluation_cost, evaluation_accuracy, training_cost,
        training_accuracy), each a list with one entry per epoch where monitored (accuracies as counts).

        The epochs are bpnn's ``train_sgd`` with plain SGD, the book's monitoring after each one (its progress
        callback) and the book's early stopping, which stops after ``early_stopping_n`` epochs without a
        better evaluation accuracy and keeps the last θ. Every argument is checked before training
        (BpnnError naming it). If the weights diverge (η too large for the cost, or for the decay factor
        1 − ηλ/n), SGD raises DivergedError naming the epoch and leaves θ as it was."""
        epochs = check_integer("epochs", epochs, 0)
        mini_batch_size = check_integer("mini_batch_size", mini_batch_size, 1)
        early_stopping_n = check_integer("early_stopping_n", early_stopping_n, 0)
        rule = SGD(eta)
        with _named("lmbda"):
            lmbda = check_lambda(lmbda)
        X, Y = _matrices(training_data, "training_data", self.sizes)
        _check_decay(rule.eta, lmbda, X.shape[0])
        evaluation = None if evaluation_data is None else _matrices(evaluation_data, "evaluation_data", self.sizes)
        if (monitor_evaluation_cost or monitor_evaluation_accuracy or early_stopping_n) and evaluation is None:
            raise BpnnError("monitoring or early stopping on evaluation data needs evaluation_data")
        lists = {"evaluation_cost": [], "evaluation_accuracy": [], "training_cost": [], "training_accuracy": []}
        best = {"accuracy": 0, "since": 0}

        def monitor(record):
            """The book's monitoring of the epoch just ended; True stops training (its early stopping)."""
            theta = record["theta"]
            if monitor_training_cost:
                lists["training_cost"].append(self._total_cost(theta, X, Y, lmbda))
            if monitor_training_accuracy:
                lists["training_accuracy"].append(self._accuracy(theta, X, Y))
            if monitor_evaluation_cost:
                lists["evaluation_cost"].append(self._total_cost(theta, *evaluation, lmbda))
            if monitor_evaluation_accuracy or early_stopping_n:
                accuracy = self._accuracy(theta, *evaluation)
                if monitor_evaluation_accuracy:
                    lists["evaluation_accuracy"].append(accuracy)
                if accuracy > best["accuracy"]:
                    best["accuracy"], best["since"] = accuracy, 0
                else:
                    best["since"] += 1
                return early_stopping_n > 0 and best["since"] == early_stopping_n
            return False

        result = train_sgd(self.network, X, np.argmax(Y, axis=1), update=rule, lam=lmbda,
                           batches=MiniBatches(mini_batch_size, monitor_training=False),
                           stopping=Stopping(max_iter=epochs, tol=0.0), theta0=self.theta, seed=self.rng,
                           progress=monitor)
        self.theta[...] = result.theta
        return tuple(lists[key] for key in ("evaluation_cost", "evaluation_accuracy", "training_cost",
                                            "training_accuracy"))

    def _total_cost(self, theta, X, Y, lmbda):
        return float(cost(self.network, theta, X, Y, lmbda))

    def _accuracy(self, theta, X, Y):
        return int(round(accuracy(self.network, theta, X, np.argmax(Y, axis=1)) * len(X)))

    def total_cost(self, data, lmbda, convert=False):
        """The book's total cost: mean cost over ``data`` plus ½ (λ/len(data)) Σ ‖w‖². Each y may be a
        one-hot column or an integer label, recognized by its shape; ``convert`` is the book's flag for
        integer labels, accepted and not needed."""
        with _named("lmbda"):
            lmbda = check_lambda(lmbda)
        return self._total_cost(self.theta, *_matrices(data, "data", self.sizes), lmbda)

    def accuracy(self, data, convert=False):
        """How many inputs in ``data`` the network classifies right. Each y may be a one-hot column or an
        integer label, recognized by its shape; ``convert`` is the book's flag for one-hot columns, accepted
        and not needed."""
        return self._accuracy(self.theta, *_matrices(data, "data", self.sizes))

    def save(self, filename):
        """The book's JSON file: sizes, weights, biases and the cost's class name."""
        data = {"sizes": self.sizes, "weights": [w.tolist() for w in self.weights],
                "biases": [b.tolist() for b in self.biases], "cost": self.cost.__name__}
        text = json.dumps(data).encode()
        write_atomically(Path(filename), lambda stream: stream.write(text))


def _assign(views, values, name):
    """Write ``values`` into ``views`` (the book's weights or biases, one per layer), after checking them all:
    BpnnError naming ``name`` and the layer unless each is a finite array of its view's shape."""
    try:
        arrays = [np.asarray(value, dtype=np.float64) for value in values]
    except (TypeError, ValueError):
        raise BpnnError(f"{name} must be a list of arrays of numbers, one per layer") from None
    if len(arrays) != len(views):
        raise BpnnError(f"{name} holds {len(arrays)} arrays; the network has {len(views)} layers of them")
    for layer, (view, array) in enumerate(zip(views, arrays)):
        if array.shape != view.shape:
            raise BpnnError(f"{name}[{layer}] has shape {array.shape}; the network needs {view.shape}")
        if not np.all(np.isfinite(array)):
            raise BpnnError(f"{name}[{layer}] contains NaN or inf")
    for view, array in zip(views, arrays):
        view[...] = array


def _check_decay(eta, lmbda, n):
    """BpnnError when the weight decay factor 1 − ηλ/n is below −1: every mini-batch would then multiply the
    weights by more than 1 in size, and SGD would diverge."""
    if decay_grows_weights(eta, lmbda, n):
        raise BpnnError(f"eta={eta!r} and lmbda={lmbda!r} on {n} training examples give the weight decay factor "
                        f"1 − eta·lmbda/n = {1 - eta * lmbda / n:.3g}, which grows the weights at every mini-batch; "
                        "lower eta or lmbda so that eta·lmbda/n ≤ 2")


_KEYS = ("sizes", "weights", "biases", "cost")


def load(filename):
    """A ``Network`` from a file written by ``save`` (the book's layout); BpnnError naming the file and the
    problem for anything else."""
    path = check_regular_file(Path(filename))
    with _named(path):
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError) as error:  # unreadable, not text, or not JSON
            raise BpnnError(f"not a network saved in the book's JSON layout ({error})") from None
        if not isinstance(data, dict) or not all(key in data for key in _KEYS):
            raise BpnnError(f"not a network saved in the book's JSON layout: it needs the keys {', '.join(_KEYS)}")
        if not isinstance(data["cost"], str) or data["cost"] not in COSTS:
            raise BpnnError(f"unknown cost {data['cost']!r}; the book's are {', '.join(COSTS)}")
        net = Network(data["sizes"], cost=COSTS[data["cost"]])
        net.weights, net.biases = data["weights"], data["biases"]
    return net
