"""Checking the book's ``Network.backprop(x, y)`` → (nabla_b, nabla_w) against bpnn's per-example gradient,
and diagnosing it by model.

A network of the learner's class is made with sizes [3, 5, 3] (``Network(sizes)``, as network.py and
network2.py make it), its ``biases`` and ``weights`` are set to the course's debug weights
(``debugInitializeWeights``' sines: bᵢ = Θᵢ₀, w = Θ[:, 1:]) before each call, and ``backprop`` is called on the
debug problem's five examples, x a 3 × 1 column and y a one-hot 3 × 1 column. bpnn's answer is the gradient of
one example's cost, for the quadratic cost (network.py) or cross-entropy (network2.py): the cost a
``cost`` attribute names (network2's ``CrossEntropyCost``, ``QuadraticCost``), the quadratic cost without one.

The model, with one switch per mistake the book's backprop can make (``VARIANTS``):

  δᴸ = (aᴸ − y) [⊙ σ'(zᴸ) for the quadratic cost],   δ² = ((w³)ᵀ δᴸ) ⊙ σ'(z²),
  σ'(z) taken right, or of the activation (σ'(a)), or as z(1 − z), in the hidden layer or everywhere,
  nabla_b = [δ², δᴸ] (or one left at zero),  nabla_w = [δ² xᵀ, δᴸ (a²)ᵀ] (or transposed, or reversed).
"""

import numpy as np

from ..model.checking import debug_problem
from ..model.network import Network, cost_and_grad, forward
from ..model.units import sigmoid
from .mistakes import explain, slope
from .result import Check, CheckResult, blocks_off, close, relative, unexplained
from .runner import CheckError, call, describe

__all__ = ["SIZES", "COSTS", "VARIANTS", "model", "check_book"]

SIZES = (3, 5, 3)
COSTS = {"quadratic": "the quadratic cost (network.py's)", "cross-entropy": "the cross-entropy cost (network2.py's)"}

_RIGHT = {"slope": "z", "slope_output": False, "drop_bias": (), "transpose": False, "reverse": False}

VARIANTS = {
    "sigmoid-gradient": [(f"{text} {where}", {"slope": slope, "slope_output": everywhere})
                         for slope, text in (("a", "σ'(a)"), ("z(1-z)", "z(1 − z)"))
                         for everywhere, where in ((False, "in the hidden layer"), (True, "in every layer"))],
    "bias-gradient": [("every layer's", {"drop_bias": (0, 1)}), ("the hidden layer's", {"drop_bias": (0,)}),
                      ("the output layer's", {"drop_bias": (1,)})],
    "output-order": [("transposed", {"transpose": True}), ("in reverse layer order", {"reverse": True}),
                     ("transposed and in reverse layer order", {"transpose": True, "reverse": True})],
}


def model(cost, settings):
    """(nabla_b, nabla_w) per example of a backprop with the mistakes ``settings`` turns on, for ``cost``."""
    s = {**_RIGHT, **settings}
    network = Network(SIZES)
    theta, X, Y = debug_problem(SIZES)
    T1, T2 = network.unpack(theta)
    (_, a2), z3 = forward(network, theta, X)
    z2 = X @ T1[:, 1:].T + T1[:, 0]
    a3 = sigmoid(z3)
    d3 = a3 - Y
    if cost == "quadratic":
        d3 = d3 * slope(s["slope"] if s["slope_output"] else "z", z3, a3)
    d2 = (d3 @ T2[:, 1:]) * slope(s["slope"], z2, a2)
    out = []
    for i in range(len(X)):
        nabla_b = [d2[i][:, None], d3[i][:, None]]
        nabla_w = [np.outer(d2[i], X[i]), np.outer(d3[i], a2[i])]
        for layer in s["drop_bias"]:
            nabla_b[layer] = np.zeros_like(nabla_b[layer])
        if s["transpose"]:
            nabla_w = [w.T for w in nabla_w]
        if s["reverse"]:
            nabla_b, nabla_w = nabla_b[::-1], nabla_w[::-1]
        out.append((nabla_b, nabla_w))
    return out


def _reference(cost):
    """bpnn's gradient of each example's cost, as (nabla_b, nabla_w)."""
    network = Network(SIZES, cost=cost)
    theta, X, Y = debug_problem(SIZES)
    out = []
    for i in range(len(X)):
        grads = network.unpack(cost_and_grad(network, theta, X[i:i + 1], Y[i:i + 1])[1])
        out.append(([G[:, :1] for G in grads], [G[:, 1:] for G in grads]))
    return out


def _outputs(value, what):
    """(nabla_b, nabla_w) as lists of float arrays, or CheckError saying what is wrong with what was returned."""
    layers = len(SIZES) - 1
    expected = f"backprop returns (nabla_b, nabla_w), two lists of {layers} arrays (one per layer)"
    if not (isinstance(value, (tuple, list)) and len(value) == 2
            and all(isinstance(part, (tuple, list)) for part in value)):
        raise CheckError(f"{what} returned a {type(value).__name__} of {_kinds(value)}; {expected}")
    lists = []
    for part, kind in zip(value, ("nabla_b", "nabla_w")):
        try:
            lists.append([np.asarray(array, dtype=np.float64) for array in part])
        except Exception as error:  # anything a learner's object raises when asked for its numbers
            raise CheckError(f"{what} returned a {kind} of {_kinds(part)}, which numpy cannot read as numbers "
                             f"({describe(error)}); {expected}") from None
    if any(len(part) != layers for part in lists):
        raise CheckError(f"{what} returned lists of {' and '.join(str(len(part)) for part in lists)} arrays; "
                         f"{expected}")
    return lists


def _kinds(value):
    """What a returned value holds, in a few words: "2 ndarray", "list, list"."""
    try:
        return ", ".join(type(part).__name__ for part in value) or "nothing"
    except TypeError:
        return "one value"


def _costs(net):
    """The costs the learner's network may use: the one its ``cost`` attribute names, the quadratic cost
    (network.py) without one, both when the name says neither."""
    if not hasattr(net, "cost"):
        return ["quadratic"]
    name = getattr(net.cost, "__name__", type(net.cost).__name__).lower()
    named = [cost for cost in COSTS if cost.replace("-", "") in name]
    return named or list(COSTS)


def _same(observed, predicted):
    return all(close(a, b) for got, want in zip(observed, predicted) for part in (0, 1)
               for a, b in zip(got[part], want[part]))


def _checks(observed, cost):
    checks = []
    for i, (got, want) in enumerate(zip(observed, _reference(cost)), start=1):
        for part, what in enumerate(("nabla_b", "nabla_w")):
            names = [f"{what}[{layer}]" for layer in range(len(SIZES) - 1)]
            shapes = [f"{name} has shape {a.shape}, bpnn's {b.shape}" for name, a, b in
                      zip(names, got[part], want[part]) if a.shape != b.shape]
            off = tuple(shapes or blocks_off(got[part], want[part], names))
            a, b = (np.concatenate([x.ravel() for x in lists]) for lists in (got[part], want[part]))
            checks.append(Check(f"example {i}", what, not off, relative(a, b), 0.0, off))
    return checks


def check_book(owner, name, *, timeout):
    """Make a [3, 5, 3] network of the class ``owner``, call its ``backprop`` on the five debug examples,
    compare with bpnn and diagnose (a ``CheckResult``); CheckError when it cannot be called or returns
    unusable values."""
    theta, X, Y = debug_problem(SIZES)
    T1, T2 = Network(SIZES).unpack(theta)
    net = call(owner, (list(SIZES),), timeout, f"{owner.__name__}({list(SIZES)})")
    observed = []
    for i in range(len(X)):
        try:
            net.biases, net.weights = [T1[:, :1].copy(), T2[:, :1].copy()], [T1[:, 1:].copy(), T2[:, 1:].copy()]
        except AttributeError as error:
            raise CheckError(f"{owner.__name__}'s biases and weights cannot be set ({error})") from None
        what = f"{name} on example {i + 1} of the debug problem"
        value = call(net.backprop, (X[i][:, None].copy(), Y[i][:, None].copy()), timeout, what)
        observed.append(_outputs(value, what))
    costs = _costs(net)
    predictions = {cost: {} for cost in costs}

    def matcher(cost):
        def matches(settings):
            key = tuple(sorted(settings.items()))
            if key not in predictions[cost]:
                predictions[cost][key] = model(cost, settings)
            return _same(observed, predictions[cost][key])
        return matches

    cost, explanations = explain(VARIANTS, {c: matcher(c) for c in costs})
    checks = _checks(observed, cost or costs[0])
    right = all(check.passed for check in checks)
    if not right and not explanations and any("shape" in text for check in checks for text in check.off):
        raise CheckError(f"{name} returned arrays of the wrong shapes: "
                         + "; ".join(text for check in checks[:2] for text in check.off if "shape" in text))
    found = {"cost": cost or costs[0], "text": COSTS[cost or costs[0]]}
    return CheckResult("book", name, right, found, checks, [] if right else explanations,
                       [] if right or explanations else unexplained(checks))
