"""bpnn check: learners' own nnCostFunction and Network.backprop, written here as a learner writes them (plain
numpy, course and book style), right in each convention and broken one known mistake (or a few) at a time.
Each broken file must be diagnosed by its mistakes' names and nothing else; unusable ones exit 2."""

import json
import os
import re
import signal
import subprocess
import sys
import time
import warnings

import numpy as np
import pytest

import bpnn
from bpnn.checker import CheckError
from bpnn.checker.course import CASES, model
from bpnn.checker.mistakes import NAMES
from bpnn.cli import run_script
from bpnn.cli.check import main as check_main
from bpnn.cli.check import report as check_report
from tests.conftest import ROOT

# The course's ex4 in Python, labels 1..K and θ column by column (Theta1(:)), as a learner writes it.
COURSE = '''
import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def nnCostFunction(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_):
    n, h, K = input_layer_size, hidden_layer_size, num_labels
    Theta1 = nn_params[:h * (n + 1)].reshape((h, n + 1), order="F")
    Theta2 = nn_params[h * (n + 1):].reshape((K, h + 1), order="F")
    m = X.shape[0]
    Y = np.eye(K)[y - 1]
    a1 = np.column_stack([np.ones(m), X])
    z2 = a1 @ Theta1.T
    a2 = np.column_stack([np.ones(m), sigmoid(z2)])
    hx = sigmoid(a2 @ Theta2.T)
    W1, W2 = Theta1[:, 1:], Theta2[:, 1:]
    J = np.sum(-Y * np.log(hx) - (1 - Y) * np.log(1 - hx)) / m
    J += lambda_ / (2 * m) * (np.sum(W1 ** 2) + np.sum(W2 ** 2))
    d3 = hx - Y
    d2 = (d3 @ Theta2[:, 1:]) * sigmoid(z2) * (1 - sigmoid(z2))
    G1, G2 = d2.T @ a1 / m, d3.T @ a2 / m
    G1[:, 1:] += lambda_ / m * Theta1[:, 1:]
    G2[:, 1:] += lambda_ / m * Theta2[:, 1:]
    return J, np.concatenate([G1.ravel(order="F"), G2.ravel(order="F")])
'''
LABELS_0 = [("[y - 1]", "[y]")]
ORDER_C = [('order="F"', 'order="C"')]

# Each known mistake as the edit a learner makes to the right file, and how the diagnosis says it was made.
BROKEN = {
    "label-mapping": ([("Y = np.eye(K)[y - 1]", "Y = np.eye(K)[y % K]  # 10 means 0")], "label k at unit k + 1"),
    "output-order": ([("Y = np.eye(K)[y - 1]", "Y = np.eye(K)[:, y - 1].reshape(m, K)")], "Y reshaped row by row"),
    "unrolling-order": ([('G1.ravel(order="F"), G2.ravel(order="F")', "G1.ravel(), G2.ravel()")],
                        "the gradient unrolled in the other order"),
    "bias-regularized": ([("W1, W2 = Theta1[:, 1:], Theta2[:, 1:]", "W1, W2 = Theta1, Theta2")], "in the cost"),
    "penalty-scale": ([("lambda_ / (2 * m) *", "lambda_ / m *")], "λ/m in the cost"),
    "penalty-missing-in-gradient": ([("G1[:, 1:] += lambda_ / m * Theta1[:, 1:]", ""),
                                     ("G2[:, 1:] += lambda_ / m * Theta2[:, 1:]", "")], ""),
    "missing-1/m": ([("d2.T @ a1 / m, d3.T @ a2 / m", "d2.T @ a1, d3.T @ a2")], "in the gradient"),
    "sigmoid-gradient": ([("sigmoid(z2) * (1 - sigmoid(z2))", "sigmoid(a2[:, 1:]) * (1 - sigmoid(a2[:, 1:]))")],
                         "sigmoidGradient(a⁽²⁾)"),
    "bias-gradient": ([("d2.T @ a1 / m, d3.T @ a2 / m", "np.column_stack([np.zeros(h), d2.T @ X]) / m, "
                                                        "np.column_stack([np.zeros(K), d3.T @ a2[:, 1:]]) / m")],
                      "Θ⁽¹⁾'s and Θ⁽²⁾'s"),
    "integer-labels": ([("Y = np.eye(K)[y - 1]", "Y = np.eye(K, dtype=y.dtype)[y - 1]")], ""),
}

def learner_file(tmp_path, source, edits=(), name="ex4.py"):
    for old, new in edits:
        assert old in source, old
        source = source.replace(old, new)
    path = tmp_path / name
    path.write_text(source)
    return path


def test_every_stable_name_has_a_broken_file():
    assert sorted(BROKEN) == sorted(NAMES)


def test_the_model_without_mistakes_is_bpnns_cost_and_grad():
    for case in CASES:
        for order in "FC":
            J, grad = model(case, order, {})
            J_bpnn, grad_bpnn = case.reference(order)
            assert J == pytest.approx(J_bpnn, rel=1e-12) and np.allclose(grad, grad_bpnn, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("labels, order", [("1..K", "F"), ("1..K", "C"), ("0..K-1", "F"), ("0..K-1", "C")])
def test_a_right_function_passes_in_its_convention(tmp_path, labels, order):
    edits = (LABELS_0 if labels == "0..K-1" else []) + (ORDER_C if order == "C" else [])
    result = bpnn.check(f"{learner_file(tmp_path, COURSE, edits)}:nnCostFunction")
    assert result.right and not result.mistakes and all(check.passed for check in result.checks)
    assert (result.convention["labels"], result.convention["order"]) == (labels, order)
    first = result.checks[0]  # the course's debug problem at λ = 0: ex4's checkNNGradients cost
    assert (first.what, round(first.learner, 6)) == ("cost", 2.100951)


def test_a_function_for_loadmats_column_y_is_called_with_one(tmp_path):
    result = bpnn.check(f"{learner_file(tmp_path, COURSE, [('[y - 1]', '[y[:, 0] - 1]')])}:nnCostFunction")
    assert result.right and result.convention["y"] == "m × 1" and "m × 1 column" in result.convention["text"]


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_each_known_mistake_is_diagnosed_by_its_name_and_nothing_else(tmp_path, name):
    # "10 means 0" is right for labels 0..K-1 (label K read as 0): a mistake only where 1..K is stated
    labels = "1..K" if name == "label-mapping" else "auto"
    edits, how = BROKEN[name]
    result = bpnn.check(f"{learner_file(tmp_path, COURSE, edits)}:nnCostFunction", labels=labels)
    assert not result.right
    assert result.explanations == [{name: how}] and result.mistakes == [name] and result.how(name) == how
    assert result.findings()[0].name == name and result.findings()[0].fix
    told = json.loads(json.dumps(result.to_dict()))  # what --json prints
    assert [(mistake["name"], mistake["how"]) for mistake in told["mistakes"]] == [(name, how)]


@pytest.mark.parametrize("name, edits, how", [
    ("bias-regularized", [("G1[:, 1:] += lambda_ / m * Theta1[:, 1:]", "G1 += lambda_ / m * Theta1"),
                          ("G2[:, 1:] += lambda_ / m * Theta2[:, 1:]", "G2 += lambda_ / m * Theta2")],
     "in the gradient"),
    ("missing-1/m", [("lambda_ / m * Theta1[:, 1:]", "lambda_ * Theta1[:, 1:]"),
                     ("lambda_ / m * Theta2[:, 1:]", "lambda_ * Theta2[:, 1:]")], "in the gradient's penalty: λ Θ"),
    ("sigmoid-gradient", [("sigmoid(z2) * (1 - sigmoid(z2))", "z2 * (1 - z2)")], "z⁽²⁾(1 − z⁽²⁾)"),
    ("bias-gradient", [("d3.T @ a2 / m", "np.column_stack([np.zeros(K), d3.T @ a2[:, 1:]]) / m")], "Θ⁽²⁾'s"),
    ("output-order", [("Y = np.eye(K)[y - 1]", 'Y = np.eye(K)[:, y - 1].reshape((m, K), order="F")')],
     "Y reshaped column by column"),
    ("unrolling-order", [('Theta1 = nn_params[:h * (n + 1)].reshape((h, n + 1), order="F")',
                          "Theta1 = nn_params[:h * (n + 1)].reshape((h, n + 1))"),
                         ('Theta2 = nn_params[h * (n + 1):].reshape((K, h + 1), order="F")',
                          "Theta2 = nn_params[h * (n + 1):].reshape((K, h + 1))")], "θ reshaped in the other order"),
])
def test_other_ways_of_making_a_mistake_are_told_apart(tmp_path, name, edits, how):
    result = bpnn.check(f"{learner_file(tmp_path, COURSE, edits)}:nnCostFunction")
    assert result.explanations == [{name: how}]


@pytest.mark.parametrize("names", [("bias-regularized", "missing-1/m"),
                                   ("penalty-missing-in-gradient", "sigmoid-gradient"),
                                   ("unrolling-order", "bias-gradient"),
                                   ("output-order", "penalty-scale", "sigmoid-gradient")])
def test_combined_mistakes_are_diagnosed_together(tmp_path, names):
    edits = [edit for name in names for edit in BROKEN[name][0]]
    result = bpnn.check(f"{learner_file(tmp_path, COURSE, edits)}:nnCostFunction")
    assert [set(names_) for names_ in result.explanations] == [set(names)]


def test_ten_means_zero_is_right_for_labels_0_to_k_minus_1_unless_1_to_k_is_stated(tmp_path):
    path = learner_file(tmp_path, COURSE, BROKEN["label-mapping"][0])
    found = bpnn.check(f"{path}:nnCostFunction")
    assert found.right and found.convention["labels"] == "0..K-1" and "10 means 0" in found.notes[0]
    assert not bpnn.check(f"{learner_file(tmp_path, COURSE, LABELS_0, 'ports.py')}:nnCostFunction").notes
    stated = bpnn.check(f"{path}:nnCostFunction", labels="1..K")
    assert stated.convention["labels"] == "1..K" and stated.mistakes == ["label-mapping"]


@pytest.mark.parametrize("stated, edits, how", [
    ("1..K", [("np.eye(K)[y - 1]", "(y[:, None] == np.arange(K)).astype(float)")],
     "label k at unit k + 1, the last label at none"),
    ("0..K-1", LABELS_0 + [("np.eye(K)[y]", "((y - 1)[:, None] == np.arange(K)).astype(float)")],
     "label k at unit k − 1, the first label at none"),
])
def test_labels_compared_one_unit_off_with_one_label_at_no_unit_are_label_mapping(tmp_path, stated, edits, how):
    result = bpnn.check(f"{learner_file(tmp_path, COURSE, edits)}:nnCostFunction", labels=stated)
    assert result.convention["labels"] == stated and result.explanations == [{"label-mapping": how}]


def test_labels_1_to_k_indexing_past_the_last_unit_suggest_label_mapping(tmp_path):
    path = learner_file(tmp_path, COURSE, LABELS_0)  # np.eye(K)[y]: right for labels 0..K-1
    with pytest.raises(CheckError, match=r"raised IndexError.*It runs with labels 0\.\.K−1: label-mapping\?"):
        bpnn.check(f"{path}:nnCostFunction", labels="1..K")
    broken = learner_file(tmp_path, COURSE, [("np.eye(K)[y - 1]", "np.eye(K)[y + 1]")], "both.py")
    with pytest.raises(CheckError, match="raised IndexError") as raised:  # fails with labels 0..K-1 too
        bpnn.check(f"{broken}:nnCostFunction", labels="1..K")
    assert "label-mapping" not in str(raised.value)


def test_a_stated_order_makes_the_other_one_a_mistake_in_words_of_its_own(tmp_path):
    path = learner_file(tmp_path, COURSE, ORDER_C)
    result = bpnn.check(f"{path}:nnCostFunction", order="F")
    assert result.mistakes == ["unrolling-order"] and result.convention["order"] == "F"
    finding = result.findings()[0]
    assert "consistently, row by row (order C), but order F (column by column) was stated" in finding.explanation
    assert "one order and the gradient unrolled in the other" not in finding.explanation
    assert "--order C" in finding.fix and json.loads(json.dumps(result.to_dict()))["mistakes"][0] == {
        "name": "unrolling-order", "explanation": finding.explanation, "math": finding.math, "fix": finding.fix,
        "how": "θ and the gradient both in the other order"}
    mixed = bpnn.check(f"{learner_file(tmp_path, COURSE, BROKEN['unrolling-order'][0], 'mixed.py')}:nnCostFunction")
    assert "in one order and the gradient unrolled in the other" in mixed.findings()[0].explanation


def test_a_cost_that_is_not_a_number_is_wrong_and_its_json_strict():
    def nnCostFunction(nn_params, n, h, K, X, y, lambda_):
        return float("nan"), np.zeros_like(nn_params)

    result = bpnn.check(nnCostFunction, labels="0..K-1", order="C")
    assert not result.right and result.checks[0].what == "cost" and not result.checks[0].passed
    assert json.loads(json.dumps(result.to_dict(), allow_nan=False))["checks"][0]["learner"] is None


def test_outputs_near_the_largest_float_are_wrong_without_numpys_warnings():
    def nnCostFunction(nn_params, n, h, K, X, y, lambda_):
        network = bpnn.Network((n, h, K))
        _, grad = bpnn.cost_and_grad(network, nn_params, X, bpnn.one_hot(y, K), lambda_)
        return 1e308, grad * 1e308  # ‖grad − bpnn's‖² overflows

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = bpnn.check(nnCostFunction, labels="0..K-1", order="C")
    assert not result.right and result.checks[0].learner == 1e308
    assert result.checks[1].learner == pytest.approx(1.0, abs=1e-12)  # ‖a − b‖/‖a + b‖ with b ≈ 1e-308 a
    assert "J = 1e+308, bpnn's 2.100951" in "\n".join(check_report(result, {True: "ok", False: "FAIL"}))


@pytest.mark.parametrize("timeout", [float("inf"), True, 0, "10"])
def test_a_timeout_that_is_no_finite_number_of_seconds_is_refused(timeout):
    with pytest.raises(CheckError, match="timeout must be a finite number of seconds > 0"):
        bpnn.check(lambda *args: None, timeout=timeout)


def test_a_mistake_no_model_explains_names_the_wrong_blocks():
    def nnCostFunction(nn_params, n, h, K, X, y, lambda_):
        network = bpnn.Network((n, h, K))
        J, grad = bpnn.cost_and_grad(network, nn_params, X, bpnn.one_hot(y, K), lambda_)
        Theta1_grad, _ = network.unpack(grad)
        Theta1_grad[:, 1:] *= 1.5  # only Θ⁽¹⁾'s weights: no known mistake does that
        return J, grad

    result = bpnn.check(nnCostFunction, labels="0..K-1", order="C")
    assert not result.right and result.explanations == [] and result.mistakes == []
    assert result.unexplained == ["Θ⁽¹⁾ weights is 1.5 × bpnn's (on 3-5-3, m = 5, λ = 0)"]


# Nielsen's network2.py backprop (Python 3), cross-entropy by default; network.py's has the quadratic cost.
BOOK = '''
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    return sigmoid(z) * (1 - sigmoid(z))


class CrossEntropyCost:
    @staticmethod
    def delta(z, a, y):
        return a - y


class Network:
    def __init__(self, sizes, cost=CrossEntropyCost):
        self.num_layers = len(sizes)
        self.sizes = sizes
        self.biases = [np.random.randn(y, 1) for y in sizes[1:]]
        self.weights = [np.random.randn(y, x) / np.sqrt(x) for x, y in zip(sizes[:-1], sizes[1:])]
        self.cost = cost

    def backprop(self, x, y):
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        activation = x
        activations = [x]
        zs = []
        for b, w in zip(self.biases, self.weights):
            z = np.dot(w, activation) + b
            zs.append(z)
            activation = sigmoid(z)
            activations.append(activation)
        delta = (self.cost).delta(zs[-1], activations[-1], y)
        nabla_b[-1] = delta
        nabla_w[-1] = np.dot(delta, activations[-2].transpose())
        for l in range(2, self.num_layers):
            z = zs[-l]
            sp = sigmoid_prime(z)
            delta = np.dot(self.weights[-l + 1].transpose(), delta) * sp
            nabla_b[-l] = delta
            nabla_w[-l] = np.dot(delta, activations[-l - 1].transpose())
        return (nabla_b, nabla_w)
'''
QUADRATIC = [("        self.cost = cost\n", ""),
             ("(self.cost).delta(zs[-1], activations[-1], y)", "(activations[-1] - y) * sigmoid_prime(zs[-1])")]
BOOK_BROKEN = {
    "sigmoid-gradient": ([("sp = sigmoid_prime(z)", "sp = sigmoid_prime(activations[-l])")],
                         "σ'(a) in the hidden layer"),
    "bias-gradient": ([("            nabla_b[-l] = delta\n", "")], "the hidden layer's"),
    "output-order": ([("np.dot(delta, activations[-2].transpose())", "np.dot(activations[-2], delta.transpose())"),
                      ("np.dot(delta, activations[-l - 1].transpose())",
                       "np.dot(activations[-l - 1], delta.transpose())")], "transposed"),
}


@pytest.mark.parametrize("cost", ["cross-entropy", "quadratic"])
def test_the_books_backprop_passes_with_its_cost(tmp_path, cost):
    path = learner_file(tmp_path, BOOK, QUADRATIC if cost == "quadratic" else [], "network.py")
    result = bpnn.check(f"{path}:Network.backprop")
    assert result.kind == "book" and result.right and result.convention["cost"] == cost
    assert [check.what for check in result.checks[:2]] == ["nabla_b", "nabla_w"]


@pytest.mark.parametrize("name", sorted(BOOK_BROKEN))
def test_each_book_mistake_is_diagnosed_by_its_name(tmp_path, name):
    edits, how = BOOK_BROKEN[name]
    result = bpnn.check(f"{learner_file(tmp_path, BOOK, edits, 'network.py')}:Network.backprop")
    assert not result.right and result.explanations == [{name: how}]
    assert "BP" in result.findings()[0].math  # in the book's words


def test_a_bound_backprop_from_a_notebook_and_a_mistake_no_model_explains():
    namespace = {}
    exec(BOOK.replace("nabla_w[-1] = np.dot(delta, activations[-2].transpose())",
                      "nabla_w[-1] = 2 * np.dot(delta, activations[-2].transpose())"), namespace)
    net = namespace["Network"]([3, 5, 3])
    result = bpnn.check(net.backprop)
    assert result.kind == "book" and not result.right and result.explanations == []
    assert result.unexplained == ["nabla_w[1] is 2 × bpnn's (on example 1)"]


def test_a_backprop_that_is_no_method_is_refused():
    def backprop(x, y):
        return [], []

    with pytest.raises(CheckError, match="not a method of a class"):
        bpnn.check(backprop)


def test_a_subclass_inheriting_backprop_is_checked_as_the_class_named(tmp_path):
    learner_file(tmp_path, BOOK, name="network.py")
    child = learner_file(tmp_path, "from network import Network\n\n\nclass DoubledCrossEntropyCost:\n"
                                   "    @staticmethod\n    def delta(z, a, y):\n        return 2 * (a - y)\n\n\n"
                                   "class MyNetwork(Network):\n    def __init__(self, sizes):\n"
                                   "        super().__init__(sizes, cost=DoubledCrossEntropyCost)\n", name="child.py")
    assert bpnn.check(f"{child}:Network.backprop").right  # the base class, imported into child.py, is right
    result = bpnn.check(f"{child}:MyNetwork.backprop")  # its subclass's δᴸ is twice the cross-entropy's
    assert result.kind == "book" and not result.right and result.convention["cost"] == "cross-entropy"
    assert "nabla_b[1] is 2 × bpnn's (on example 1)" in result.unexplained
    namespace = {}
    exec(BOOK + "\n\nclass MyNetwork(Network):\n    def __init__(self, sizes):\n        super().__init__(sizes)\n"
                "        self.cost = type('DoubledCrossEntropyCost', (), {'delta': staticmethod(lambda z, a, y: "
                "2 * (a - y))})\n", namespace)
    assert not bpnn.check(namespace["MyNetwork"]([3, 5, 3]).backprop).right  # a bound method: its object's class


def test_a_course_style_function_named_backprop_is_checked_as_nnCostFunction(tmp_path):
    path = learner_file(tmp_path, COURSE.replace("def nnCostFunction(", "def backprop("), LABELS_0 + ORDER_C)
    result = bpnn.check(f"{path}:backprop")
    assert result.kind == "course" and result.right and result.convention["labels"] == "0..K-1"
    broken = learner_file(tmp_path, COURSE.replace("def nnCostFunction(", "def backprop("),
                          LABELS_0 + ORDER_C + BROKEN["penalty-scale"][0], "broken.py")
    assert bpnn.check(f"{broken}:backprop").mistakes == ["penalty-scale"]


def test_a_quadratic_network_without_sigma_prime_at_the_output_is_not_called_right(tmp_path):
    edits = [QUADRATIC[0], (QUADRATIC[1][0], "(activations[-1] - y)")]
    result = bpnn.check(f"{learner_file(tmp_path, BOOK, edits, 'network.py')}:Network.backprop")
    assert not result.right and result.convention["cost"] == "quadratic"


@pytest.mark.parametrize("body, message", [
    ("raise ValueError('not yet')", "raised ValueError: not yet (at ex4.py:"),
    ("return 1.0, nn_params[:-1]", "returned a gradient of shape (37,)"),
    ("return 1.0", "nnCostFunction returns (J, grad)"),
    ("return 1.0, [nn_params[:20].reshape(5, 4), nn_params[20:].reshape(3, 6)]", "the gradient as two matrices"),
    ("import time; time.sleep(30)  # abandoned: it ends with the tests", "did not return within 0.3 s"),
    ("return 10 ** 400, nn_params", "numpy cannot read a int and a ndarray as float64 (raised OverflowError"),
    ("return 1.0, Tensor()", "numpy cannot read a float and a Tensor as float64 (raised RuntimeError: Can't call "
                             "numpy() on Tensor that requires grad"),
    ("import os; os._exit(3)", "called os._exit(3), which would end Python at once (at ex4.py:"),
    ("input('J? ')", "raised EOFError"),
])
def test_unusable_functions_exit_2_with_a_clear_message(tmp_path, capsys, body, message):
    tensor = ("class Tensor:\n    def __array__(self, *args, **kwargs):\n        raise RuntimeError(\"Can't call "
              "numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.\")\n\n\n")
    path = learner_file(tmp_path, f"{tensor}def nnCostFunction(nn_params, n, h, K, X, y, lambda_):\n    {body}\n")
    with pytest.raises(SystemExit) as done:
        run_script(check_main, [f"{path}:nnCostFunction", "--timeout", "0.3"])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err


@pytest.mark.parametrize("edits, message", [
    ([("return (nabla_b, nabla_w)", "return nabla_w")], "returned a list of ndarray, ndarray; backprop returns"),
    ([("nabla_b[-1] = delta", "nabla_b[-1] = delta.ravel()")], "nabla_b[1] has shape (3,), bpnn's (3, 1)"),
    ([("def __init__(self, sizes, cost=CrossEntropyCost):", "def __init__(self, sizes, cost):")],
     "Network([3, 5, 3]) raised TypeError"),
    ([("return (nabla_b, nabla_w)", "return ([Tensor(), Tensor()], nabla_w)")],
     "returned a nabla_b of Tensor, Tensor, which numpy cannot read as numbers (raised RuntimeError: requires grad"),
    ([("    def backprop(self, x, y):", "    @property\n    def weights(self):\n        return self._weights\n\n"
                                        "    @weights.setter\n    def weights(self, weights):\n"
                                        "        if hasattr(self, '_weights'):\n"
                                        "            raise ValueError('the weights are set once')\n"
                                        "        self._weights = weights\n\n    def backprop(self, x, y):")],
     "could not be checked: raised ValueError: the weights are set once (at network.py:"),
])
def test_an_unusable_backprop_is_named(tmp_path, edits, message):
    tensor = ("\n\nclass Tensor:\n    def __array__(self, *args, **kwargs):\n"
              "        raise RuntimeError('requires grad')\n")
    with pytest.raises(CheckError, match=re.escape(message)):
        bpnn.check(f"{learner_file(tmp_path, BOOK + tensor, edits, 'network.py')}:Network.backprop")


@pytest.mark.parametrize("source, target, message", [
    (None, "missing.py:nnCostFunction", "missing.py: no such file"),
    ("x = 1\n", "ex4.py:nnCostFunction", "has no 'nnCostFunction'"),
    ("import no_such_module_here\n", "ex4.py:nnCostFunction", "raised ModuleNotFoundError"),
    ("x = 1\n", "ex4.py", "names no function"),
    ("x = 1\n", "", "is a folder: name the file in it and the function"),
    ("{}", "ex4.ipynb:nnCostFunction", "is a notebook: check the function from the notebook itself, with "
                                       "bpnn.check(nnCostFunction)"),
    ("{}", "ex4.ipynb", "ex4.ipynb is a notebook"),
    ("class A:\n    def __getattr__(self, name):\n        raise RuntimeError('no ' + name)\n\n\nnet = A()\n",
     "ex4.py:net.backprop", "ex4.py:net raised RuntimeError: no backprop (at ex4.py:3)"),
])
def test_missing_files_and_functions_are_named(tmp_path, source, target, message):
    if source is not None:
        learner_file(tmp_path, source, name=target.partition(":")[0] if target.startswith("ex4.") else "ex4.py")
    with pytest.raises(CheckError, match=re.escape(message)):
        bpnn.check(str(tmp_path / target))


def test_a_recheck_reads_the_learners_helper_modules_afresh_and_leaves_no_trace(tmp_path):
    source = COURSE.replace("import numpy as np\n", "import numpy as np\nfrom helper import slope\n")
    path = learner_file(tmp_path, source.replace("sigmoid(z2) * (1 - sigmoid(z2))", "slope(z2)"))
    helper = tmp_path / "helper.py"
    helper.write_text("def slope(z):\n    return z * (1 - z)\n")
    path_before, modules_before = list(sys.path), set(sys.modules)
    assert bpnn.check(f"{path}:nnCostFunction").mistakes == ["sigmoid-gradient"]
    assert sys.path == path_before and set(sys.modules) == modules_before
    helper.write_text("import numpy as np\n\n\ndef slope(z):\n    return np.exp(-z) / (1 + np.exp(-z)) ** 2\n")
    assert bpnn.check(f"{path}:nnCostFunction").right  # the learner fixed helper.py: checked again, it is right


def test_learners_modules_named_like_pythons_or_scipys_shadow_none_of_bpnns(tmp_path):
    folder = tmp_path / "ex4"
    folder.mkdir()
    for name in ("copy", "random", "dataclasses", "scipy", "inspect"):
        (folder / f"{name}.py").write_text(f"raise RuntimeError('the learner\\'s {name}.py')\n")
    path = learner_file(folder, COURSE)
    done = run_command(tmp_path, f"{path}:nnCostFunction")
    assert done.returncode == 0 and "Right: every output is bpnn's." in done.stdout and not done.stderr


def test_python_m_bpnn_run_inside_the_learners_folder_imports_none_of_its_modules(tmp_path):
    for name in ("numpy", "random"):
        (tmp_path / f"{name}.py").write_text(f"raise RuntimeError('the learner\\'s {name}.py')\n")
    learner_file(tmp_path, COURSE)
    done = subprocess.run([sys.executable, "-m", "bpnn", "check", "ex4.py:nnCostFunction"], capture_output=True,
                          text=True, cwd=tmp_path, timeout=60, env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert done.returncode == 0 and "Right: every output is bpnn's." in done.stdout, done.stderr


def test_os_exit_while_importing_the_file_exits_2_with_one_error_line(tmp_path):
    path = learner_file(tmp_path, "import os\nos._exit(3)\n")
    done = run_command(tmp_path, f"{path}:nnCostFunction")
    assert done.returncode == 2 and done.stderr.startswith("error: importing ")
    assert "called os._exit(3)" in done.stderr and len(done.stderr.splitlines()) == 1


def run_command(tmp_path, *args, encoding="utf-8"):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": encoding}
    return subprocess.run([sys.executable, str(ROOT / "scripts" / "check.py"), *args], capture_output=True,
                          text=True, env=env, cwd=tmp_path, timeout=60)


def test_the_command_prints_ascii_marks_and_the_diagnosis(tmp_path):
    path = learner_file(tmp_path, COURSE, BROKEN["bias-regularized"][0])
    done = run_command(tmp_path, f"{path}:nnCostFunction", encoding="ascii")
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert lines[1].startswith("ok ") and any(line.startswith("FAIL ") for line in lines)
    assert "Diagnosis: bias-regularized (in the cost):" in done.stdout and "Traceback" not in done.stderr
    assert "?" not in done.stdout.replace("?)", ")")  # only the learner's own "?" would be left (none here)
    assert "(column 0 of each Theta(l))" in done.stdout and "sum_l sum_i sum_{j>=1} (Theta(l)_ij)^2" in done.stdout


@pytest.mark.parametrize("text, ascii_", [
    ("Θ⁽¹⁾'s weights", "Theta(1)'s weights"), ("x²", "x^2"), ("δ⁽ˡ⁺¹⁾ᵀ", "delta(l+1)^T"),
    ("((wˡ⁺¹)ᵀ δˡ⁺¹) ⊙ σ'(zˡ)", "((w^(l+1))^T delta^(l+1)) * sigma'(z^l)"), ("∂C/∂bˡⱼ = δˡⱼ", "dC/db^l_j = delta^l_j"),
    ("Σₗ ‖W⁽ˡ⁾‖²", "sum_l ||W(l)||^2"), ("∇J, Σw, ΣΘ", "grad J, sum w, sum Theta"), ("X (n × s₁)", "X (n x s_1)"),
    ("y⁽ⁱ⁾ₖ (ex4 §1.3)", "y(i)_k (ex4 section 1.3)"), ("Δ⁽ˡ⁾ = (1/m) Δ", "Delta(l) = (1/m) Delta"),
])
def test_a_console_without_unicode_reads_the_math_in_ascii(text, ascii_):
    import codecs

    from bpnn.cli import _ascii_fallback

    codecs.register_error("bpnn-ascii", _ascii_fallback)
    assert text.encode("ascii", errors="bpnn-ascii").decode() == ascii_


def test_the_command_json_and_a_hang_that_ends_cleanly(tmp_path):
    right = run_command(tmp_path, f"{learner_file(tmp_path, COURSE)}:nnCostFunction", "--json")
    assert right.returncode == 0, right.stderr
    result = json.loads(right.stdout)
    assert result["right"] and result["convention"]["labels"] == "1..K" and len(result["checks"]) == 2 * len(CASES)
    hang = learner_file(tmp_path, "import time\ndef nnCostFunction(*args):\n    time.sleep(600)\n", name="slow.py")
    done = run_command(tmp_path, f"{hang}:nnCostFunction", "--timeout", "0.2")
    assert done.returncode == 2 and "did not return within 0.2 s" in done.stderr


def test_ctrl_c_during_a_call_exits_130(tmp_path):
    started = tmp_path / "started"
    path = learner_file(tmp_path, "import pathlib, time\ndef nnCostFunction(*args):\n"
                                  f"    pathlib.Path({str(started)!r}).touch()\n    time.sleep(600)\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-m", "bpnn", "check", f"{path}:nnCostFunction", "--timeout", "600"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
    deadline = time.monotonic() + 60
    while not started.exists() and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert started.exists() and process.returncode == 130 and err.strip() == "interrupted"
