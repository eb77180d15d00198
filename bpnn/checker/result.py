"""What a check found: each comparison with bpnn, the conventions the function uses, and the diagnosis."""

from dataclasses import asdict, dataclass, field

import numpy as np

from ..model.checking import relative_difference
from .mistakes import describe

__all__ = ["Check", "CheckResult", "close", "relative", "blocks_off", "unexplained"]

RTOL, ATOL = 1e-6, 1e-9  # what "the same number" means: float64 arithmetic in another order stays far inside


def close(a, b):
    """Whether a and b (numbers or arrays of one shape) agree within RTOL, ATOL, as ``numpy.allclose`` says."""
    if isinstance(a, float) and isinstance(b, float):  # the costs: the search compares thousands of them
        return abs(a - b) <= ATOL + RTOL * abs(b)
    return np.shape(a) == np.shape(b) and bool(np.allclose(a, b, rtol=RTOL, atol=ATOL))


def relative(a, b):
    """‖a − b‖ / ‖a + b‖ of two arrays (bpnn's ``relative_difference``), NaN where they differ in size or hold
    a NaN or an infinity."""
    finite = np.size(a) == np.size(b) and np.all(np.isfinite(a)) and np.all(np.isfinite(b))
    return relative_difference(a, b) if finite else float("nan")


@dataclass(frozen=True)
class Check:
    """One comparison: ``what`` (cost, gradient, nabla_b, …) on ``case``; ``learner`` and ``bpnn`` are the
    cost itself, or for arrays their relative difference ‖a − b‖ / ‖a + b‖ (``bpnn`` then 0); ``off`` names the
    blocks that differ."""

    case: str
    what: str
    passed: bool
    learner: float
    bpnn: float
    off: tuple = ()


@dataclass(frozen=True)
class CheckResult:
    """The outcome of ``bpnn.check``.

    ``kind`` is "course" (nnCostFunction) or "book" (Network.backprop); ``right`` is True when every check
    passed; ``convention`` says what the function was found to use (labels and unrolling order, or the cost);
    ``explanations`` holds the smallest sets of known mistakes whose model reproduces every output, each a
    dict of name → how the mistake was made (one set when the diagnosis is sure, several when they cannot
    be told apart, none when no known mistake does); ``unexplained`` then says which blocks are wrong and by
    how much. ``notes`` holds what is worth knowing about a right function.
    """

    kind: str
    function: str
    right: bool
    convention: dict
    checks: list
    explanations: list = field(default_factory=list)
    unexplained: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    @property
    def mistakes(self):
        """The names every explanation shares (the whole diagnosis when there is one explanation)."""
        if not self.explanations:
            return []
        return [name for name in self.explanations[0] if all(name in other for other in self.explanations)]

    def findings(self):
        """The ``Mistake`` (explanation, math, fix) of each name in ``mistakes``."""
        return [describe(name, book=self.kind == "book", how=self.how(name), order=self.convention.get("order"))
                for name in self.mistakes]

    def how(self, name):
        """How the mistake ``name`` was made, where every explanation says the same ("" otherwise)."""
        hows = {names.get(name, "") for names in self.explanations}
        return hows.pop() if len(hows) == 1 else ""

    def to_dict(self):
        """The result as plain values for JSON (a NaN or infinite number as None, which JSON can hold)."""
        return {"kind": self.kind, "function": self.function, "right": self.right, "convention": self.convention,
                "checks": [{key: None if isinstance(value, float) and not np.isfinite(value) else value
                            for key, value in asdict(check).items()} for check in self.checks],
                "mistakes": [{**asdict(mistake), "how": self.how(mistake.name)} for mistake in self.findings()],
                "explanations": [dict(names) for names in self.explanations], "unexplained": self.unexplained,
                "notes": self.notes}


def blocks_off(learner, bpnn, names):
    """The names of the blocks where two lists of arrays differ, with the size of the difference: "is c ×
    bpnn's" where one is a multiple of the other, else the largest difference beside bpnn's largest entry."""
    out = []
    for name, a, b in zip(names, learner, bpnn):
        if close(a, b):
            continue
        scale = float(np.vdot(a, b) / np.vdot(b, b)) if np.vdot(b, b) else 0.0
        if np.any(b) and close(a, scale * b):
            out.append(f"{name} is {scale:.4g} × bpnn's")
        else:
            out.append(f"{name} off by up to {float(np.abs(a - b).max()):.2g} (bpnn's entries up to "
                       f"{float(np.abs(b).max(initial=0.0)):.2g})")
    return out


def unexplained(checks):
    """What is wrong when no known mistake explains it: for the cost and for each block, the first case
    where it goes wrong and by how much."""
    lines, seen = [], set()
    for check in checks:
        if check.passed:
            continue
        if not check.off and check.what not in seen:
            seen.add(check.what)
            lines.append(f"the {check.what} on {check.case} is {check.learner:.6g}, bpnn's {check.bpnn:.6g}")
        for text in check.off:
            block = text.split(" is ")[0].split(" off ")[0].split(" has ")[0]
            if block not in seen:
                seen.add(block)
                lines.append(f"{text} (on {check.case})")
    return lines
