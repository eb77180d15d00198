"""The cost in long double (x87 extended precision: 64-bit mantissa, exponents to ±4932), summed term by
term from non-negative terms: softplus(x) = max(x, 0) + log1p(exp(−|x|)) and log-sum-exp with its maximum
taken out (log1p of the other units' terms). An oracle for bpnn's cost at saturation that shares none of bpnn's code.

Besides J it returns how far a correct float computation may be from it. A computation in a dtype with
unit rounding u gets each pre-activation z wrong by at most E ≈ (fan_in + 1) u (Σ|W||a| + |b|) plus the
error carried from the layer below (|g'| ≤ 1 for sigmoid, tanh and relu), and a unit's cost c moves by at
most |c'(z)| E, with |c'| ≤ min(c, 1) for cross-entropy (σ(t) ≤ softplus(t)), ≤ min(2c, 1) for the
quadratic cost over sigmoid outputs, |z − y| (plus E/2) for the squared error of identity outputs, and
≤ min(2c, 2) per row for the log-likelihood. So a correct J is within Σ min(2c, 2) E /m
(plus rounding of the sum and terms below the dtype's smallest number); a form that cancels is off by
about u Σ|z| instead, which this allowance does not cover where units saturate (c ≈ 0, |z| large).
"""

import numpy as np

LD = np.longdouble


def _softplus(x):
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


HIDDEN = {
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0),
}


def _output_costs(z, y, cost, output):
    """Per-row costs of output pre-activations z (m × K) for labels y (0..K−1), per-unit costs (m × K) for
    the sigmoid and identity outputs (None for the log-likelihood, whose cost belongs to the whole row), and
    a bound on each unit cost's slope |c'(z)| (None likewise). The identity output's targets are the
    labels' one-hot rows, as real values."""
    true = np.zeros(z.shape, dtype=bool)
    true[np.arange(len(y)), y] = True
    if output == "identity":  # ½ (z − y)², slope |z − y|
        gap = np.abs(z - true)
        return (gap * gap / 2).sum(axis=1), gap * gap / 2, gap
    if cost == "log-likelihood":  # log Σ exp(z) = top + log1p(Σ over the other units of exp(z − top))
        rows, top_unit = np.arange(len(y)), z.argmax(axis=1)
        top = z[rows, top_unit]
        others = np.exp(z - top[:, None])
        others[rows, top_unit] = 0
        return (top - z[true]) + np.log1p(others.sum(axis=1)), None, None
    t = np.where(true, -z, z)  # the sigmoid output's distance from its target: σ(t) = |σ(z) − y|
    units = _softplus(t) if cost == "cross-entropy" else np.exp(-2 * _softplus(-t)) / 2  # quadratic: ½ σ(t)²
    return units.sum(axis=1), units, np.minimum(2 * units, 1)


def cost_long_double(theta, thetas, X, y, lam, activation, cost, dtype, output=None):
    """(J, allowance, largest magnitude) for the network [b | W] matrices ``thetas`` (θ's views).

    The passes use θ and X as ``dtype`` holds them; the L2 term uses θ in float64 (as bpnn does). The
    allowance is how far a correct computation in ``dtype`` may be from J (module docstring); the largest
    magnitude bounds every number that computation handles, to tell whether the dtype can hold them."""
    u = np.finfo(dtype).eps / 2
    with np.errstate(over="ignore", invalid="ignore"):
        passes = [np.asarray(T, dtype=dtype).astype(LD) for T in thetas]
        biggest = max(float(np.max(np.abs(T))) for T in passes)
        if not np.isfinite(biggest):  # θ itself does not fit the dtype
            return LD(np.nan), LD(np.nan), np.inf
        a = np.asarray(X, dtype=dtype).astype(LD)
        error = np.zeros_like(a)
        for layer, T in enumerate(passes):
            W, b = T[:, 1:], T[:, 0]
            z = a @ W.T + b
            magnitude = np.abs(a) @ np.abs(W).T + np.abs(b)
            biggest = max(biggest, float(np.max(magnitude)))
            error = (W.shape[1] + 1) * u * magnitude + error @ np.abs(W).T
            if layer < len(passes) - 1:
                a = HIDDEN[activation](z)
        m = X.shape[0]
        rows, units, slope = _output_costs(z, np.asarray(y), cost, output)
        if units is None:
            spread = np.minimum(2 * rows, 2) * error.max(axis=1)
        else:
            spread = (slope * error).sum(axis=1)
            if output == "identity":  # c(z + e) − c(z) ≤ |c'| e + e²/2: c'' = 1
                spread += (error * error / 2).sum(axis=1)
        J = rows.sum() / m
        penalty = lam / (2 * m) * sum(np.sum(np.asarray(T, dtype=LD)[:, 1:] ** 2) for T in thetas)
        allowance = spread.sum() / m + 64 * u * J + 64 * np.finfo(np.float64).eps * penalty
        allowance += z.shape[1] * np.finfo(dtype).tiny  # terms below the dtype's smallest number are 0 there
    return J + penalty, allowance, biggest
