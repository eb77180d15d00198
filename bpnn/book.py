"""The neural-networks book's ``network2.py``, in its own vocabulary, on bpnn's one backprop.

    net = Network([784, 30, 10], cost=CrossEntropyCost)        # or QuadraticCost; seed= makes it repeatable
    evaluation_cost, evaluation_accuracy, training_cost, training_accuracy = net.SGD(
        training_data, 30, 10, 0.5, lmbda=5.0, evaluation_data=validation_data,
        monitor_evaluation_accuracy=True)
    net.save("net.json");  net = load("net.json")

The data are the book's: lists (or any iterables) of ``(x, y)`` pairs with x an n × 1 column vector, y a
one-hot K × 1 column for training data and an integer label for evaluation data (``convert`` as in the
book). ``weights`` and ``biases`` are the book's lists (w: s_{l+1} × s_l, b: s_{l+1} × 1), and they are
views into one flat θ: each mini-batch is one call of ``bpnn.cost_and_grad`` on the whole batch, with the
book's L2 weight decay,

  w ← (1 − ηλ/n) w − (η/m) Σ ∇w C_x,     b ← b − (η/m) Σ ∇b C_x,

which is bpnn's gradient step with λ stated per the n training examples. Costs and accuracies are the book's
(``total_cost`` divides the L2 term by the size of the data set it scores; accuracies are counts). Unlike the
book it prints nothing: ``SGD`` returns the four lists. Randomness comes from ``numpy.random.default_rng(seed)``
(the book uses NumPy's and Python's global generators), so runs repeat with a seed.
"""

import json
from pathlib import Path

import numpy as np

from .model.validate import one_hot
from .errors import BpnnError
from .data.files import check_regular_file, write_atomically
from .model.network import Network as _Network
from .model.network import cost, cost_and_grad, forward, predict
from .model.validate import as_generator

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


def _matrices(data, n_outputs, convert):
    """The book's (x, y) pairs as X (m × n) and one-hot Y (m × K); ``convert``: y are integer labels."""
    pairs = list(data)
    if not pairs:
        raise BpnnError("the data set is empty")
    try:
        X = np.hstack([np.asarray(x, dtype=np.float64).reshape(-1, 1) for x, _ in pairs]).T
        if convert:
            Y = one_hot(np.array([int(np.asarray(y).ravel()[0]) for _, y in pairs]), n_outputs)
        else:
            Y = np.hstack([np.asarray(y, dtype=np.float64).reshape(-1, 1) for _, y in pairs]).T
    except (TypeError, ValueError) as error:
        raise BpnnError(f"the data must be (x, y) pairs of column vectors (and labels): {error}") from None
    if Y.shape[1] != n_outputs:
        raise BpnnError(f"the targets have {Y.shape[1]} entries but the network has {n_outputs} outputs")
    return X, Y


class Network:
    """The book's ``Network(sizes, cost=CrossEntropyCost)`` with sigmoid units, on a flat θ."""

    def __init__(self, sizes, cost=CrossEntropyCost, seed=None):
        if cost not in COSTS.values():
            raise BpnnError(f"cost must be QuadraticCost or CrossEntropyCost, got {cost!r}")
        self.network = _Network(tuple(sizes), "sigmoid", cost.name)
        self.num_layers, self.sizes, self.cost = len(sizes), list(self.network.sizes), cost
        self.rng = as_generator(seed)
        self.theta = np.empty(self.network.n_params)
        self.default_weight_initializer()

    # The book's weights and biases, as views into θ.
    @property
    def weights(self):
        return [Theta[:, 1:] for Theta in self.network.unpack(self.theta)]

    @weights.setter
    def weights(self, values):
        for w, value in zip(self.weights, values, strict=True):
            w[...] = value

    @property
    def biases(self):
        return [Theta[:, :1] for Theta in self.network.unpack(self.theta)]

    @biases.setter
    def biases(self, values):
        for b, value in zip(self.biases, values, strict=True):
            b[...] = np.reshape(value, b.shape)

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
        a = np.asarray(a, dtype=np.float64)
        _, z = forward(self.network, self.theta, a.reshape(self.sizes[0], -1).T)
        return (1.0 / (1.0 + np.exp(-z))).T

    def SGD(self, training_data, epochs, mini_batch_size, eta, lmbda=0.0, evaluation_data=None,
            monitor_evaluation_cost=False, monitor_evaluation_accuracy=False, monitor_training_cost=False,
            monitor_training_accuracy=False, early_stopping_n=0):
        """Mini-batch SGD as the book's; returns (evaluation_cost, evaluation_accuracy, training_cost,
        training_accuracy), each a list with one entry per epoch where monitored (accuracies as counts)."""
        X, Y = _matrices(training_data, self.sizes[-1], convert=False)
        evaluation = None if evaluation_data is None else _matrices(evaluation_data, self.sizes[-1], convert=True)
        if (monitor_evaluation_cost or monitor_evaluation_accuracy or early_stopping_n) and evaluation is None:
            raise BpnnError("monitoring or early stopping on evaluation data needs evaluation_data")
        n = X.shape[0]
        evaluation_cost, evaluation_accuracy, training_cost, training_accuracy = [], [], [], []
        best_accuracy, no_accuracy_change = 0, 0
        for _ in range(epochs):
            order = self.rng.permutation(n)
            for first in range(0, n, mini_batch_size):
                rows = order[first:first + mini_batch_size]
                _, grad = cost_and_grad(self.network, self.theta, X[rows], Y[rows], lmbda, train_size=n)
                self.theta -= eta * grad
            if monitor_training_cost:
                training_cost.append(self._total_cost(X, Y, lmbda))
            if monitor_training_accuracy:
                training_accuracy.append(self._accuracy(X, Y))
            if monitor_evaluation_cost:
                evaluation_cost.append(self._total_cost(*evaluation, lmbda))
            if monitor_evaluation_accuracy or early_stopping_n:
                accuracy = self._accuracy(*evaluation)
                if monitor_evaluation_accuracy:
                    evaluation_accuracy.append(accuracy)
                if early_stopping_n > 0:
                    if accuracy > best_accuracy:
                        best_accuracy, no_accuracy_change = accuracy, 0
                    else:
                        no_accuracy_change += 1
                    if no_accuracy_change == early_stopping_n:
                        break
        return evaluation_cost, evaluation_accuracy, training_cost, training_accuracy

    def _total_cost(self, X, Y, lmbda):
        return float(cost(self.network, self.theta, X, Y, lmbda))

    def _accuracy(self, X, Y):
        return int(np.sum(predict(self.network, self.theta, X) == np.argmax(Y, axis=1)))

    def total_cost(self, data, lmbda, convert=False):
        """The book's total cost: mean cost over ``data`` plus ½ (λ/len(data)) Σ ‖w‖²; ``convert`` when the
        labels are integers (evaluation data)."""
        return self._total_cost(*_matrices(data, self.sizes[-1], convert), lmbda)

    def accuracy(self, data, convert=False):
        """How many inputs in ``data`` the network classifies right; ``convert`` when the labels are one-hot
        columns (training data), as in the book."""
        return self._accuracy(*_matrices(data, self.sizes[-1], not convert))

    def save(self, filename):
        """The book's JSON file: sizes, weights, biases and the cost's class name."""
        data = {"sizes": self.sizes, "weights": [w.tolist() for w in self.weights],
                "biases": [b.tolist() for b in self.biases], "cost": self.cost.__name__}
        text = json.dumps(data).encode()
        write_atomically(Path(filename), lambda stream: stream.write(text))


def load(filename):
    """A ``Network`` from a file written by ``save`` (the book's layout)."""
    path = check_regular_file(Path(filename))
    try:
        data = json.loads(path.read_text())
        net = Network(data["sizes"], cost=COSTS[data["cost"]])
        net.weights = [np.array(w, dtype=np.float64) for w in data["weights"]]
        net.biases = [np.array(b, dtype=np.float64) for b in data["biases"]]
    except BpnnError:
        raise
    except (ValueError, KeyError, TypeError) as error:
        raise BpnnError(f"{path}: not a network saved in the book's JSON layout ({type(error).__name__}: {error})") from None
    return net
