"""Mini-batch update rules on the flat θ: each is a small object whose ``step(θ, g)`` moves θ in place
against the mini-batch gradient g, keeping whatever state it needs (velocities, moment estimates).

  SGD        θ ← θ − η g
  Momentum   v ← μ v − η g,  θ ← θ + v;   with Nesterov's look-ahead  θ ← θ + μ v − η g  (after updating v)
  Adam       m ← β₁ m + (1 − β₁) g,  s ← β₂ s + (1 − β₂) g²,  θ ← θ − η √(1 − β₂ᵗ)/(1 − β₁ᵗ) · m / (√s + ε)

The forms are scikit-learn's (``_stochastic_optimizers.py``); plain SGD with weight decay is the book's.
Each rule carries its η and a ``Schedule``, which changes η between epochs as scikit-learn's
``learning_rate`` does.
"""

import numpy as np

from ..errors import BpnnError
from ..model.validate import check_choice, check_number

__all__ = ["decay_grows_weights", "UpdateRule", "SGD", "Momentum", "Adam", "UPDATES", "ETA", "MOMENTUM",
           "NESTEROV_MOMENTUM", "make_update", "Schedule", "LEARNING_RATES"]

ETA = 0.2  # the learning rate when none is given (the book's rules, on the course's data)
MOMENTUM = 0.0  # μ of "sgd" when none is given: plain SGD
NESTEROV_MOMENTUM = 0.9  # μ of "nesterov" when none is given
LEARNING_RATES = ("constant", "invscaling", "adaptive")  # the first is the default
_SMALLEST_ETA = 1e-6  # an adaptive schedule stops training when η would fall below this (scikit-learn's)


def decay_grows_weights(eta, lam, n):
    """Whether plain SGD's L2 step alone, θ ← (1 − ηλ/n) θ, flips the weights' sign and grows them
    (ηλ/n > 2: the factor is below −1), so that SGD diverges whatever the data."""
    return eta * lam / n > 2


class Schedule:
    """The learning rate η of an update rule from epoch to epoch (scikit-learn's ``learning_rate``).

    The schedule keeps its own count of examples seen, so one schedule carried across calls (``partial_fit``)
    goes on where it was. η₀ is the rule's η when the schedule first changes it.

    Parameters
    ----------
    kind : {"constant", "invscaling", "adaptive"}, default "constant"
        "constant": η stays η₀. "invscaling": η = η₀ / (t + 1)^power_t after each epoch, t the number of
        examples seen so far. "adaptive": η stays until the stopping rule fires (training cost no longer
        falling by ``tol``), then η ← η/5 instead of stopping, until η would fall below 1e-6.
    power_t : float, default 0.5
        The exponent of "invscaling".

    Raises
    ------
    BpnnError
        An unknown kind, a negative power_t.

    Examples
    --------
    >>> import bpnn
    >>> rule = bpnn.SGD(0.5, schedule=bpnn.Schedule("invscaling", power_t=0.5))
    >>> rule.schedule.after_epoch(rule, 3)
    >>> rule.eta
    0.25
    >>> bpnn.Schedule("linear")
    Traceback (most recent call last):
        ...
    bpnn.errors.BpnnError: unknown learning-rate schedule 'linear'; choose one of constant, invscaling, adaptive
    """

    def __init__(self, kind=LEARNING_RATES[0], power_t=0.5):
        self.kind = check_choice("learning-rate schedule", kind, LEARNING_RATES)
        self.power_t = check_number("power_t", power_t, 0.0)
        self.eta0, self.samples_seen = None, 0

    def after_epoch(self, rule, n_examples):
        """Count an epoch of ``n_examples`` and set the rule's η for the next one."""
        self.samples_seen += n_examples
        if self.kind == "invscaling":
            self.eta0 = rule.eta if self.eta0 is None else self.eta0
            rule.eta = self.eta0 / (self.samples_seen + 1) ** self.power_t

    def on_stall(self, rule):
        """The stopping rule fired: True to go on with a smaller η (adaptive), False to stop."""
        if self.kind != "adaptive" or rule.eta / 5.0 < _SMALLEST_ETA:
            return False
        rule.eta /= 5.0
        return True


class UpdateRule:
    """What every rule has: its learning rate η > 0 and η's ``schedule`` (a ``Schedule`` or its kind's
    name); a rule's ``step(θ, g)`` moves θ in place."""

    def __init__(self, eta, schedule=None):
        self.eta = check_number("eta (learning rate)", eta, 0.0, low_open=True)
        self.schedule = schedule if isinstance(schedule, Schedule) else Schedule(schedule or LEARNING_RATES[0])


class SGD(UpdateRule):
    """Plain gradient descent: θ ← θ − η g.

    Parameters
    ----------
    eta : float
        η > 0.
    schedule : Schedule or str, optional
        η's schedule, or its kind's name (default "constant").

    Raises
    ------
    BpnnError
        η not a finite number > 0, an unknown schedule.

    Examples
    --------
    >>> import numpy as np, bpnn
    >>> theta = np.array([1.0, 2.0])
    >>> bpnn.SGD(0.5).step(theta, np.array([2.0, -2.0]))
    >>> theta
    array([0., 3.])
    """

    def step(self, theta, grad):
        theta -= self.eta * grad


class Momentum(UpdateRule):
    """Momentum: v ← μ v − η g, then θ ← θ + v (or, with ``nesterov``, θ ← θ + μ v − η g).

    Parameters
    ----------
    eta, schedule
        As in :class:`SGD`.
    momentum : float, default 0.9
        μ in [0, 1).
    nesterov : bool, default False
        Nesterov's momentum.

    Raises
    ------
    BpnnError
        η not > 0, μ outside [0, 1), an unknown schedule.

    Examples
    --------
    >>> import numpy as np, bpnn
    >>> rule, theta = bpnn.Momentum(0.1, momentum=0.5), np.zeros(1)
    >>> for _ in range(2):
    ...     rule.step(theta, np.ones(1))
    >>> theta.round(12)
    array([-0.25])
    """

    def __init__(self, eta, momentum=NESTEROV_MOMENTUM, nesterov=False, schedule=None):
        super().__init__(eta, schedule)
        self.momentum = check_number("momentum", momentum, 0.0, 1.0)
        self.nesterov, self.velocity = bool(nesterov), None

    def step(self, theta, grad):
        """In place, with one scratch array (no temporaries over θ)."""
        if self.velocity is None:
            self.velocity, self._scratch = np.zeros_like(theta), np.empty_like(theta)
        scaled = np.multiply(grad, self.eta, out=self._scratch)  # η g
        self.velocity *= self.momentum
        self.velocity -= scaled
        if self.nesterov:
            theta -= scaled
            theta += np.multiply(self.velocity, self.momentum, out=self._scratch)
        else:
            theta += self.velocity


class Adam(UpdateRule):
    """Adam with bias-corrected moment estimates (β₁, β₂, ε as in Kingma & Ba and scikit-learn).

    Parameters
    ----------
    eta : float, default 0.001
        η > 0.
    beta1, beta2 : float, default 0.9, 0.999
        The decay rates of the moment estimates, in [0, 1).
    epsilon : float, default 1e-8
        ε > 0.
    schedule
        As in :class:`SGD`.

    Raises
    ------
    BpnnError
        A value out of its range, an unknown schedule.

    Examples
    --------
    >>> import numpy as np, bpnn
    >>> theta = np.zeros(2)
    >>> bpnn.Adam(0.01).step(theta, np.array([3.0, -0.5]))
    >>> theta.round(6)  # the first step moves each coordinate by about η
    array([-0.01,  0.01])
    """

    def __init__(self, eta=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8, schedule=None):
        super().__init__(eta, schedule)
        self.beta1, self.beta2 = check_number("beta1", beta1, 0.0, 1.0), check_number("beta2", beta2, 0.0, 1.0)
        self.epsilon = check_number("epsilon", epsilon, 0.0, low_open=True)
        self.t, self.first, self.second = 0, None, None

    def step(self, theta, grad):
        """m ← β₁m + (1 − β₁)g,  v ← β₂v + (1 − β₂)g²,  θ ← θ − η √(1 − β₂ᵗ)/(1 − β₁ᵗ) · m/(√v + ε), in place
        (one scratch array, no temporaries)."""
        if self.first is None:
            self.first, self.second, self._scratch = np.zeros_like(theta), np.zeros_like(theta), np.empty_like(theta)
        self.t += 1
        scratch = self._scratch
        self.first *= self.beta1
        self.first += np.multiply(grad, 1 - self.beta1, out=scratch)
        self.second *= self.beta2
        np.multiply(grad, grad, out=scratch)
        scratch *= 1 - self.beta2
        self.second += scratch
        rate = self.eta * np.sqrt(1 - self.beta2 ** self.t) / (1 - self.beta1 ** self.t)
        np.sqrt(self.second, out=scratch)
        scratch += self.epsilon
        np.divide(self.first, scratch, out=scratch)
        scratch *= rate
        theta -= scratch


UPDATES = ("sgd", "nesterov", "adam")  # the first is the default


def make_update(update, eta=ETA, momentum=None, schedule=None):
    """The update rule called ``update`` with learning rate η: "sgd" is SGD with momentum μ (plain SGD for
    μ = 0, the default), "nesterov" the same with Nesterov's look-ahead (μ = 0.9 unless given), "adam"
    Adam with step size η (which takes no momentum: its β₁ plays that part); ``schedule`` is η's ``Schedule``
    (or its kind's name)."""
    check_choice("update rule", update, UPDATES)
    if update == "adam":
        if momentum is not None:
            raise BpnnError(f"momentum={momentum!r} applies to sgd and nesterov, not adam (its beta1 plays that part)")
        return Adam(eta, schedule=schedule)
    if update == "nesterov":
        return Momentum(eta, NESTEROV_MOMENTUM if momentum is None else momentum, nesterov=True, schedule=schedule)
    return Momentum(eta, momentum, schedule=schedule) if momentum else SGD(eta, schedule)
