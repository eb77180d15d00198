"""bpnn.book: the book's network2.py vocabulary on bpnn's backprop, against a per-example reference."""

import copy
import json

import numpy as np
import pytest

from bpnn import BpnnError
from bpnn.book import CrossEntropyCost, Network, QuadraticCost, load
from tests.support.book_reference import update_mini_batch


def book_data(rng, n, sizes, labels_as_int=False):
    """The book's format: (x column, one-hot y column) pairs, or (x column, int label) for evaluation data."""
    data = []
    for _ in range(n):
        x = rng.random((sizes[0], 1))
        label = int(rng.integers(0, sizes[-1]))
        y = label if labels_as_int else np.eye(sizes[-1])[:, [label]]
        data.append((x, y))
    return data


@pytest.mark.parametrize("cost, quadratic", [(CrossEntropyCost, False), (QuadraticCost, True)])
def test_first_epoch_equals_the_per_example_reference(cost, quadratic):
    rng = np.random.default_rng(0)
    sizes = [12, 7, 4]
    training = book_data(rng, 53, sizes)
    net = Network(sizes, cost=cost, seed=3)
    weights, biases = [w.copy() for w in net.weights], [b.copy() for b in net.biases]
    order = copy.deepcopy(net.rng).permutation(len(training))  # the order SGD's first epoch will use
    net.SGD(training, 1, 10, 0.5, lmbda=2.0)
    shuffled = [training[i] for i in order]
    for first in range(0, len(shuffled), 10):
        weights, biases = update_mini_batch(weights, biases, shuffled[first:first + 10], 0.5, 2.0, len(training),
                                            quadratic)
    for ours, theirs in zip(net.weights + net.biases, weights + biases):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


def test_sgd_returns_the_four_lists_as_the_book_does():
    rng = np.random.default_rng(1)
    sizes = [10, 8, 3]
    training, evaluation = book_data(rng, 60, sizes), book_data(rng, 20, sizes, labels_as_int=True)
    net = Network(sizes, seed=0)
    lists = net.SGD(training, 4, 10, 0.5, lmbda=1.0, evaluation_data=evaluation, monitor_evaluation_cost=True,
                    monitor_evaluation_accuracy=True, monitor_training_cost=True, monitor_training_accuracy=True)
    evaluation_cost, evaluation_accuracy, training_cost, training_accuracy = lists
    assert [len(values) for values in lists] == [4, 4, 4, 4]
    assert all(isinstance(count, int) and 0 <= count <= 20 for count in evaluation_accuracy)
    assert all(isinstance(count, int) and 0 <= count <= 60 for count in training_accuracy)
    # the book's total_cost, by hand: mean of CrossEntropyCost.fn plus ½ (λ/len(data)) Σ‖w‖², per data set
    by_hand = sum(CrossEntropyCost.fn(net.feedforward(x), np.eye(3)[:, [y]]) for x, y in evaluation) / 20
    by_hand += 0.5 * (1.0 / 20) * sum(np.linalg.norm(w) ** 2 for w in net.weights)
    assert evaluation_cost[-1] == pytest.approx(by_hand, rel=1e-12)
    assert net.accuracy(evaluation) == evaluation_accuracy[-1]
    assert net.accuracy(training, convert=True) == training_accuracy[-1]
    assert net.total_cost(training, 1.0) == pytest.approx(training_cost[-1], rel=1e-12)


def test_early_stopping_and_initializers():
    rng = np.random.default_rng(2)
    sizes = [10, 5, 3]
    training, evaluation = book_data(rng, 40, sizes), book_data(rng, 15, sizes, labels_as_int=True)
    net = Network(sizes, seed=1)
    net.large_weight_initializer()
    assert np.std(np.concatenate([w.ravel() for w in net.weights])) > 0.6  # N(0, 1), not N(0, 1/n)
    _, accuracies, _, _ = net.SGD(training, 50, 10, 0.5, evaluation_data=evaluation, monitor_evaluation_accuracy=True,
                                  early_stopping_n=3)
    best = int(np.argmax(accuracies))
    assert len(accuracies) < 50 and len(accuracies) - 1 - best <= 3


def test_feedforward_save_and_load(tmp_path):
    net = Network([6, 4, 2], cost=QuadraticCost, seed=4)
    x = np.linspace(0, 1, 6).reshape(6, 1)
    a = x
    for w, b in zip(net.weights, net.biases):  # the book's feedforward, by hand
        a = 1 / (1 + np.exp(-(w @ a + b)))
    np.testing.assert_allclose(net.feedforward(x), a, rtol=1e-14)
    net.save(tmp_path / "net.json")
    data = json.loads((tmp_path / "net.json").read_text())
    assert set(data) == {"sizes", "weights", "biases", "cost"} and data["cost"] == "QuadraticCost"
    back = load(tmp_path / "net.json")
    assert back.cost is QuadraticCost and back.sizes == [6, 4, 2]
    np.testing.assert_array_equal(back.feedforward(x), net.feedforward(x))
    (tmp_path / "bad.json").write_text('{"sizes": [6, 4, 2]}')
    with pytest.raises(BpnnError, match="book's JSON layout"):
        load(tmp_path / "bad.json")
