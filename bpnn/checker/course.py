"""Checking the course's ``nnCostFunction(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y,
lambda_)`` → (J, grad) against bpnn's ``cost_and_grad``, and diagnosing it by model.

The cases are the course's debug problem (``debugInitializeWeights``' sines, 3 inputs, 5 hidden units,
3 labels, m = 5) at λ = 0, 1 and 3, the same sizes with ten labels (where "10 means 0" shows), and the debug
problem with y as uint8, as ``scipy.io.loadmat`` gives it (where −Y wraps around). Every Θ⁽ˡ⁾ there has
more rows than columns or fewer, so the two unrolling orders give different vectors. The function is called
in each convention the options allow, labels 1..K or 0..K−1 and θ unrolled column by column (F, MATLAB's
``Theta1(:)``) or row by row (C, numpy's default), and is right when, in one of them, it returns bpnn's
J and ∇J on every case.

The model of a function, in a convention, is the course's math with one switch per known mistake
(``VARIANTS``):

  Θ⁽ˡ⁾ read from nn_params in the convention's order (or the other),  a⁽²⁾ = g(z⁽²⁾), h = g(z⁽³⁾),
  Y = the one-hot targets (or moved one unit, or a K × m matrix reshaped to m × K),
  J = c_d (1/m) Σ [−y log h − (1 − y) log(1 − h)] + c_p λ/(2m) Σₗ ‖W⁽ˡ⁾‖²   (or ‖Θ⁽ˡ⁾‖², bias included),
  δ⁽³⁾ = h − Y,  δ⁽²⁾ = δ⁽³⁾ W⁽²⁾ ⊙ g'(z⁽²⁾)   (or g'(a⁽²⁾), or z⁽²⁾(1 − z⁽²⁾)),
  ∇Θ⁽ˡ⁾ = c_D (1/m) δ⁽ˡ⁺¹⁾ᵀ [1 a⁽ˡ⁾] (bias column 0 or not) + c_P (λ/m) [0 W⁽ˡ⁾],  unrolled in one order,

with the factors c (1, 2, ½, 0 or m: a 1/m left out) and the −y term times −255 for uint8 targets.
"""

from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np

from ..model.checking import debug_problem
from ..model.network import Network, cost_and_grad, forward
from ..model.units import log_sigmoid, sigmoid
from .mistakes import BOTH_ORDERS, explain, other_order, slope
from .result import Check, CheckResult, blocks_off, close, relative, unexplained
from .runner import CallTimeout, CheckError, call, describe

__all__ = ["LABELS", "ORDERS", "CASES", "VARIANTS", "Case", "model", "check_course"]

LABELS = {"1..K": 1, "0..K-1": 0}  # the label of output unit k (0-based) is k + this
_SAYS = {"1..K": "the course's: y = k is output unit k", "0..K-1": "the Python ports': y = k is output unit k + 1"}
ORDERS = {"F": "column by column (MATLAB's Theta1(:), numpy order='F')",
          "C": "row by row (numpy's default, order='C')"}


_TEN_MEANS_ZERO = ("it also takes labels 1..K, reading label K as 0 (\"10 means 0\"): right for labels 0..K−1, and "
                   "for the course's 1..10 only with weights rolled to match (the Python ports' np.roll(Theta2, 1, "
                   "axis=0)); with the course's weights, unit 10 is the digit 0: state labels 1..K to check it so")


@dataclass(frozen=True)
class Case:
    """One call: the debug problem with these layer sizes, m examples and λ, and y of this dtype."""

    sizes: tuple
    m: int
    lam: float
    y_dtype: str = "int64"

    @property
    def title(self):
        dtype = f", y as {self.y_dtype}" if self.y_dtype != "int64" else ""
        return f"{'-'.join(map(str, self.sizes))}, m = {self.m}, λ = {self.lam:g}{dtype}"

    @cached_property
    def problem(self):
        """θ in bpnn's layout, (Θ⁽¹⁾, Θ⁽²⁾) as views of it, X and the one-hot Y."""
        theta, X, Y = debug_problem(self.sizes, self.m)
        return theta, Network(self.sizes).unpack(theta), X, Y

    def arguments(self, labels, order, column=False):
        """nnCostFunction's arguments in a convention (y as m labels, or as an m × 1 column as loadmat gives
        it): fresh copies, so that a function that changes its inputs changes nothing here."""
        _, thetas, X, Y = self.problem
        y = (Y.argmax(axis=1) + LABELS[labels]).astype(self.y_dtype)
        y = y[:, None] if column else y
        return (_unroll(thetas, order), self.sizes[0], self.sizes[1], self.sizes[2], X.copy(), y, float(self.lam))

    def reference(self, order):
        """bpnn's (J, ∇J), the gradient unrolled in ``order``."""
        theta, _, X, Y = self.problem
        network = Network(self.sizes)
        J, grad = cost_and_grad(network, theta, X, Y, self.lam)
        return J, _unroll(network.unpack(grad), order)


def _unroll(matrices, order):
    return np.concatenate([matrix.ravel(order=order) for matrix in matrices])


def _reshape(vector, shapes, order):
    """The matrices of these shapes that ``vector`` unrolls in ``order``."""
    cuts = np.cumsum([rows * columns for rows, columns in shapes])[:-1]
    return [part.reshape(shape, order=order) for part, shape in zip(np.split(vector, cuts), shapes)]


@lru_cache(maxsize=None)
def _forward(case, order, read_other):
    """Θ⁽¹⁾, Θ⁽²⁾ as a function called in unrolling ``order`` reads them (reshaping in the other order when
    ``read_other``), and bpnn's forward pass with them: (Θ⁽¹⁾, Θ⁽²⁾, z⁽²⁾, a⁽²⁾, z⁽³⁾)."""
    theta, thetas, X, _ = case.problem
    if read_other:
        thetas = _reshape(_unroll(thetas, order), [T.shape for T in thetas], other_order(order))
        theta = _unroll(thetas, "C")
    (_, a2), z3 = forward(Network(case.sizes), theta, X)
    z2 = X @ thetas[0][:, 1:].T + thetas[0][:, 0]
    return (*thetas, z2, a2, z3)


CASES = (Case((3, 5, 3), 5, 0.0), Case((3, 5, 3), 5, 1.0), Case((3, 5, 3), 5, 3.0), Case((3, 5, 10), 12, 1.0),
         Case((3, 5, 3), 5, 1.0, "uint8"))

# A right function's settings: what each variant changes (a number multiplies, a flag or tuple replaces).
_RIGHT = {"read_other": False, "write_other": False, "shift": 0, "lost": False, "scramble": None, "bias_cost": False,
          "bias_grad": False, "cost_penalty": 1.0, "grad_penalty": 1.0, "cost_data_m": False, "grad_data_m": (),
          "cost_penalty_m": False, "grad_penalty_m": False, "grad_penalty_layers": (0, 1), "slope": "z",
          "drop_bias": (), "wrap": False}

VARIANTS = {
    "label-mapping": [("label k at unit k + 1", {"shift": 1}), ("label k at unit k − 1", {"shift": -1}),
                      ("label k at unit k + 1, the last label at none", {"shift": 1, "lost": True}),
                      ("label k at unit k − 1, the first label at none", {"shift": -1, "lost": True})],
    "output-order": [("Y reshaped row by row", {"scramble": "C"}), ("Y reshaped column by column", {"scramble": "F"})],
    "unrolling-order": [("θ reshaped in the other order", {"read_other": True}),
                        ("the gradient unrolled in the other order", {"write_other": True}),
                        (BOTH_ORDERS, {"read_other": True, "write_other": True})],
    "bias-regularized": [("in the cost", {"bias_cost": True}), ("in the gradient", {"bias_grad": True}),
                         ("in the cost and the gradient", {"bias_cost": True, "bias_grad": True})],
    "penalty-scale": [("λ/m in the cost", {"cost_penalty": 2.0}), ("λ/(2m) in the gradient", {"grad_penalty": 0.5}),
                      ("λ/m in the cost, λ/(2m) in the gradient", {"cost_penalty": 2.0, "grad_penalty": 0.5})],
    "penalty-missing-in-gradient": [("", {"grad_penalty": 0.0}), ("in Θ⁽¹⁾'s", {"grad_penalty_layers": (1,)}),
                                    ("in Θ⁽²⁾'s", {"grad_penalty_layers": (0,)})],
    "missing-1/m": [("in the cost", {"cost_data_m": True}), ("in the gradient", {"grad_data_m": (0, 1)}),
                    ("in Θ⁽¹⁾'s gradient", {"grad_data_m": (0,)}), ("in Θ⁽²⁾'s gradient", {"grad_data_m": (1,)}),
                    ("in the cost and the gradient", {"cost_data_m": True, "grad_data_m": (0, 1)}),
                    ("in the cost's penalty: λ/2", {"cost_penalty_m": True}),
                    ("in the gradient's penalty: λ Θ", {"grad_penalty_m": True}),
                    ("everywhere, the penalties too", {"cost_data_m": True, "grad_data_m": (0, 1),
                                                       "cost_penalty_m": True, "grad_penalty_m": True})],
    "sigmoid-gradient": [("sigmoidGradient(a⁽²⁾)", {"slope": "a"}), ("z⁽²⁾(1 − z⁽²⁾)", {"slope": "z(1-z)"})],
    "bias-gradient": [("Θ⁽¹⁾'s and Θ⁽²⁾'s", {"drop_bias": (0, 1)}), ("Θ⁽¹⁾'s", {"drop_bias": (0,)}),
                      ("Θ⁽²⁾'s", {"drop_bias": (1,)})],
    "integer-labels": [("", {"wrap": True})],
}


def model(case, order, settings):
    """(J, grad) a function with the mistakes ``settings`` turns on (``VARIANTS``' changes) returns on ``case``
    when called in unrolling ``order`` (labels do not matter: its targets are the right ones, or moved)."""
    s = {**_RIGHT, **settings}
    return _model_cost(case, order, s), _model_gradient(case, order, s)


def _targets(case, s):
    """The one-hot Y the function uses: the right one, rolled one unit (the label rolled past an end at unit 1
    or K, or at none: ``lost``), or Yᵀ reshaped to m × K."""
    Y = case.problem[3]
    if s["shift"]:
        Y = np.roll(Y, s["shift"], axis=1)
        if s["lost"]:
            Y[:, 0 if s["shift"] > 0 else -1] = 0.0
    return Y.T.reshape(Y.shape, order=s["scramble"]) if s["scramble"] else Y


def _model_cost(case, order, s):
    T1, T2, _, _, z3 = _forward(case, order, s["read_other"])
    Y = _targets(case, s)
    m = len(Y)
    wrapped = s["wrap"] and np.dtype(case.y_dtype).kind == "u"
    y_term = Y * -log_sigmoid(z3) * (-float(np.iinfo(case.y_dtype).max) if wrapped else 1.0)
    J = (y_term + (1 - Y) * -log_sigmoid(-z3)).sum() * (1 if s["cost_data_m"] else 1 / m)
    penalty = sum(float((P * P).sum()) for P in ((T1, T2) if s["bias_cost"] else (T1[:, 1:], T2[:, 1:])))
    return J + case.lam / 2 * (1 if s["cost_penalty_m"] else 1 / m) * s["cost_penalty"] * penalty


def _model_gradient(case, order, s):
    T1, T2, z2, a2, z3 = _forward(case, order, s["read_other"])
    X, Y = case.problem[2], _targets(case, s)
    m = len(Y)
    d3 = sigmoid(z3) - Y
    d2 = (d3 @ T2[:, 1:]) * slope(s["slope"], z2, a2)
    grads = [np.column_stack([d.sum(axis=0), d.T @ a]) * (1 if layer in s["grad_data_m"] else 1 / m)
             for layer, (d, a) in enumerate(((d2, X), (d3, a2)))]
    for layer in s["drop_bias"]:
        grads[layer][:, 0] = 0.0
    for layer in s["grad_penalty_layers"]:
        T = (T1, T2)[layer]
        weights = T if s["bias_grad"] else np.column_stack([np.zeros(len(T)), T[:, 1:]])
        grads[layer] += case.lam * (1 if s["grad_penalty_m"] else 1 / m) * s["grad_penalty"] * weights
    return _unroll(grads, other_order(order) if s["write_other"] else order)


def _outputs(value, case, what):
    """(J, grad) from what the function returned, or CheckError saying what is wrong with it (``what``: the
    call)."""
    n_params = case.problem[0].size
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise CheckError(f"{what} returned {type(value).__name__} {_short(value)}; nnCostFunction returns "
                         "(J, grad)")
    J, grad = value
    try:
        two = isinstance(grad, (tuple, list)) and len(grad) == 2 and all(np.ndim(part) == 2 for part in grad)
        if not two:
            J, grad = np.asarray(J, dtype=np.float64), np.asarray(grad, dtype=np.float64)
    except Exception as error:  # anything a learner's object raises when asked for its numbers
        raise CheckError(f"{what} returned (J, grad) that are not numbers: numpy cannot read a "
                         f"{type(J).__name__} and a {type(grad).__name__} as float64 ({describe(error)})") from None
    if two:
        raise CheckError(f"{what} returned the gradient as two matrices; nnCostFunction returns them unrolled into "
                         "one vector, as nn_params is")
    if J.size != 1:
        raise CheckError(f"{what} returned a cost J of shape {J.shape}; it must be one number")
    if grad.size != n_params or (grad.ndim == 2 and 1 not in grad.shape) or grad.ndim > 2:
        raise CheckError(f"{what} returned a gradient of shape {grad.shape}; the network needs {n_params} numbers "
                         "(Θ⁽¹⁾'s and Θ⁽²⁾'s, unrolled into one vector)")
    return float(J.ravel()[0]), grad.ravel()


def _short(value):
    text = repr(value)
    return text if len(text) < 60 else text[:57] + "…"


BLOCKS = ("Θ⁽¹⁾ bias column", "Θ⁽¹⁾ weights", "Θ⁽²⁾ bias column", "Θ⁽²⁾ weights")


def _blocks(case, order, grad):
    """The gradient's four blocks (each Θ⁽ˡ⁾'s bias column and weights), read in ``order``."""
    return [block for G in _reshape(grad, [T.shape for T in case.problem[1]], order) for block in (G[:, 0], G[:, 1:])]


def _checks(observed, order):
    """A cost and a gradient check per case: the learner's outputs against bpnn's in ``order``."""
    checks = []
    for case, (J, grad) in zip(CASES, observed):
        J_bpnn, grad_bpnn = case.reference(order)
        checks.append(Check(case.title, "cost", close(J, J_bpnn), J, J_bpnn))
        off = tuple(blocks_off(_blocks(case, order, grad), _blocks(case, order, grad_bpnn), BLOCKS))
        checks.append(Check(case.title, "gradient", not off, relative(grad, grad_bpnn), 0.0, off))
    return checks


def _distance(checks):
    """How far the outputs are from bpnn's over all checks (relative differences, NaN counted as infinite):
    which convention the function is nearest to when no known mistake explains it."""
    total = sum(abs(c.learner - c.bpnn) / max(abs(c.bpnn), 1e-12) if c.what == "cost" else c.learner
                for c in checks)
    return total if np.isfinite(total) else np.inf


def _call_all(function, name, conventions, timeout, column):
    """The outputs of every case in each convention, and (calls that worked, error) where one failed; a call
    that does not return in time ends everything (CallTimeout)."""
    observed, errors = {}, {}
    shape = ", y as an m × 1 column" if column else ""
    for labels, order in conventions:
        outputs = []
        try:
            for case in CASES:
                what = f"{name} on {case.title} (labels {labels}, θ unrolled in order {order}{shape})"
                outputs.append(_outputs(call(function, case.arguments(labels, order, column), timeout, what), case,
                                        what))
        except CallTimeout:
            raise
        except CheckError as error:
            errors[labels, order] = (len(outputs), error)
            continue
        observed[labels, order] = outputs
    return observed, errors


def _raise_furthest(errors, hint=""):
    """The error of the convention whose calls went furthest, one per label convention where they went as far
    (a function for labels 0..K−1 fails with labels 1..K too, for another reason), and ``hint``."""
    furthest = max(done for done, _ in errors.values())
    first = {}
    for (labels, _), (done, error) in errors.items():
        if done == furthest:
            first.setdefault(labels, str(error))
    raise CheckError("; and ".join(first.values()) + hint)


def _label_hint(function, name, order, timeout, errors):
    """Where labels 1..K were stated and the calls raised IndexError: what to do, if the function runs with
    labels 0..K−1 (label K indexed one past the last unit: ``np.eye(K)[y]``)."""
    if not any(isinstance(error.__cause__, IndexError) for _, error in errors):
        return ""
    conventions = [("0..K-1", o) for o in ORDERS if order in ("auto", o)]
    if not any(_call_all(function, name, conventions, timeout, column)[0] for column in (False, True)):
        return ""
    return (". It runs with labels 0..K−1: label-mapping? With labels 1..K, label K indexes one past the last "
            "output unit; Y = np.eye(K)[y - 1] puts label k at unit k")


def check_course(function, name, *, labels, order, timeout):
    """Call ``function`` on every case in each convention ``labels`` and ``order`` allow ("auto": both),
    compare with bpnn and diagnose (a ``CheckResult``); CheckError when no convention gives usable outputs."""
    conventions = [(lab, o) for lab in LABELS if labels in ("auto", lab) for o in ORDERS if order in ("auto", o)]
    observed, errors = _call_all(function, name, conventions, timeout, column=False)
    column = not observed
    if column:  # a function written for loadmat's m × 1 y may index y[:, 0]
        observed, column_errors = _call_all(function, name, conventions, timeout, column=True)
        if not observed:
            failed = [*errors.values(), *column_errors.values()]
            hint = _label_hint(function, name, order, timeout, failed) if labels == "1..K" else ""
            _raise_furthest(max((errors, column_errors), key=lambda e: max(done for done, _ in e.values())), hint)

    def matcher(order_, outputs):
        def matches(settings):  # case by case, the cost before the gradient, stopping at the first that differs
            s = {**_RIGHT, **settings}
            return all(close(J, _model_cost(case, order_, s)) and close(grad, _model_gradient(case, order_, s))
                       for case, (J, grad) in zip(CASES, outputs))
        return matches

    convention, explanations = explain(VARIANTS, {c: matcher(c[1], outputs) for c, outputs in observed.items()})
    if convention is None:
        convention = min(observed, key=lambda c: _distance(_checks(observed[c], c[1])))
    checks = _checks(observed[convention], convention[1])
    right = all(check.passed for check in checks)
    labels_, order_ = convention
    found = {"labels": labels_, "order": order_, "y": "m × 1" if column else "m",
             "text": f"labels {labels_} ({_SAYS[labels_]}){', as an m × 1 column' if column else ''}, θ unrolled "
                     f"{ORDERS[order_]}"}
    reads_k_as_0 = (right and labels_ == "0..K-1" and ("1..K", order_) in observed
                    and matcher(order_, observed["1..K", order_])({"shift": 1}))
    return CheckResult("course", name, right, found, checks, [] if right else explanations,
                       [] if right or explanations else unexplained(checks), [_TEN_MEANS_ZERO] if reads_k_as_0 else [])
