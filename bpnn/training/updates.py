"""Mini-batch update rules on the flat θ: each is a small object whose ``step(θ, g)`` moves θ in place
against the mini-batch gradient g, keeping whatever state it needs (velocities, moment estimates).

  SGD        θ ← θ − η g
  Momentum   v ← μ v − η g,  θ ← θ + v;   with Nesterov's look-ahead  θ ← θ + μ v − η g  (after updating v)
  Adam       m ← β₁ m + (1 − β₁) g,  s ← β₂ s + (1 − β₂) g²,  θ ← θ − η √(1 − β₂ᵗ)/(1 − β₁ᵗ) · m / (√s + ε)

The forms are scikit-learn's (``_stochastic_optimizers.py``); plain SGD with weight decay is the book's.
A ``Schedule`` changes a rule's η between epochs, as scikit-learn's ``learning_rate`` does.
"""

import numpy as np

from ..errors import BpnnError

__all__ = ["SGD", "Momentum", "Adam", "UPDATES", "NESTEROV_MOMENTUM", "make_update", "Schedule", "LEARNING_RATES"]


NESTEROV_MOMENTUM = 0.9  # μ of "nesterov" when none is given


def _check(name, value, low, high=None, low_open=False):
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise BpnnError(f"{name} must be a number, got {value!r}") from None
    if not np.isfinite(value) or value < low or (low_open and value == low) or (high is not None and value >= high):
        bound = f"{'>' if low_open else '≥'} {low}" + (f" and < {high}" if high is not None else "")
        raise BpnnError(f"{name} must be a finite number {bound}, got {value!r}")
    return value


class SGD:
    """θ ← θ − η g."""

    def __init__(self, eta):
        self.eta = _check("eta (learning rate)", eta, 0.0, low_open=True)

    def step(self, theta, grad):
        theta -= self.eta * grad


class Momentum:
    """v ← μ v − η g, then θ ← θ + v (or, with ``nesterov``, θ ← θ + μ v − η g)."""

    def __init__(self, eta, momentum=NESTEROV_MOMENTUM, nesterov=False):
        self.eta = _check("eta (learning rate)", eta, 0.0, low_open=True)
        self.momentum = _check("momentum", momentum, 0.0, 1.0)
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


class Adam:
    """Adam with bias-corrected moment estimates (β₁, β₂, ε as in Kingma & Ba and scikit-learn)."""

    def __init__(self, eta=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8):
        self.eta = _check("eta (learning rate)", eta, 0.0, low_open=True)
        self.beta1, self.beta2 = _check("beta1", beta1, 0.0, 1.0), _check("beta2", beta2, 0.0, 1.0)
        self.epsilon = _check("epsilon", epsilon, 0.0, low_open=True)
        self.t, self.first, self.second = 0, None, None

    def step(self, theta, grad):
        """m ← β₁m + (1 − β₁)g,  v ← β₂v + (1 − β₂)g²,  θ ← θ − η √(1 − β₂ᵗ)/(1 − β₁ᵗ) · m/(√v + ε), in place
        (one scratch array, no temporaries: at batch 200 the step is a third of the batch's time otherwise)."""
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


def make_update(update, eta, momentum):
    """The update rule for ``update``: an object with ``step(θ, g)`` is used as it is; "sgd" is SGD with
    momentum μ (plain SGD for μ = 0), "nesterov" the same with Nesterov's look-ahead, "adam" Adam with step
    size η."""
    if hasattr(update, "step"):
        return update
    if update == "sgd":
        return Momentum(eta, momentum) if momentum else SGD(eta)
    if update == "nesterov":
        return Momentum(eta, momentum, nesterov=True)
    if update == "adam":
        return Adam(eta)
    raise BpnnError(f"unknown update rule {update!r}; choose one of {', '.join(UPDATES)} or pass an object "
                    "with a step(theta, grad) method")


LEARNING_RATES = ("constant", "invscaling", "adaptive")  # the first is the default
_SMALLEST_ETA = 1e-6  # an adaptive schedule stops training when η would fall below this (scikit-learn's)


class Schedule:
    """The learning rate η of an update rule from epoch to epoch (scikit-learn's ``learning_rate``):

      constant    η stays η₀;
      invscaling  η = η₀ / (t + 1)^power_t after each epoch, t the number of examples seen so far;
      adaptive    η stays until the stopping rule fires (training cost no longer falling by ``tol``),
                  then η ← η/5 instead of stopping, until η would fall below 1e-6.

    It keeps its own count of examples seen, so one schedule carried across calls (``partial_fit``) goes on
    where it was. η₀ is the rule's η when the schedule first changes it; a rule without ``eta`` takes
    "constant" only."""

    def __init__(self, kind=LEARNING_RATES[0], power_t=0.5):
        if kind not in LEARNING_RATES:
            raise BpnnError(f"unknown learning-rate schedule {kind!r}; choose one of {', '.join(LEARNING_RATES)}")
        self.kind, self.power_t = kind, _check("power_t", power_t, 0.0)
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
