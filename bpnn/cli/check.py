"""Check a learner's own nnCostFunction or Network.backprop against bpnn, and say what is wrong and why.

    python scripts/check.py ex4.py:nnCostFunction            # the course's ex4
    python scripts/check.py network.py:Network.backprop      # the book's chapter 2
    python scripts/check.py ex4.py:nnCostFunction --labels 1..K --order F --json

Exit status 0 when the function is right, 1 when it is wrong, 2 when it cannot be checked (no such file or
function, it raises, returns the wrong shapes or hangs past --timeout).
"""

import json
import os
import sys

from . import Parser, positive_float

MARKS = {True: "✓", False: "✗"}
ASCII_MARKS = {True: "ok", False: "FAIL"}


def parse_args(argv=None):
    from ..checker import DEFAULT_TIMEOUT, LABELS, ORDERS

    parser = Parser(
        description="Call your own nnCostFunction (the course's ex4) or Network.backprop (the book's chapter 2) "
                    "on small problems whose answers bpnn knows, compare the cost and each block of the gradient "
                    "with bpnn's, and name the known mistakes whose model reproduces what it returned. The file "
                    "runs as importing it would (its top-level code runs; code under if __name__ == "
                    "\"__main__\": does not). Exit status 0: right; 1: wrong; 2: cannot be checked.")
    parser.add_argument("target", metavar="FILE.py:FUNCTION",
                        help="the file and the function in it: ex4.py:nnCostFunction or network.py:Network.backprop")
    parser.add_argument("--labels", choices=LABELS, default=LABELS[0],
                        help="the labels y nnCostFunction expects: the course's 1..K (10 for the digit 0), the "
                             "Python ports' 0..K-1, or whichever it is right with")
    parser.add_argument("--order", choices=ORDERS, default=ORDERS[0],
                        help="how nnCostFunction unrolls θ: column by column like MATLAB's Theta1(:) (F), row by row "
                             "like numpy's reshape (C), or whichever it is right with")
    parser.add_argument("--timeout", type=positive_float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                        help="how long importing the file and each call may take before it is abandoned")
    parser.add_argument("--json", action="store_true", help="print the result as one JSON object, for tools")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    from ..checker import check

    os.environ.setdefault("MPLBACKEND", "Agg")  # a learner's plt.show() draws nowhere instead of waiting
    result = check(args.target, labels=args.labels, order=args.order, timeout=args.timeout)
    if args.json:
        print(json.dumps(result.to_dict(), allow_nan=False))
    else:
        print("\n".join(report(result, _marks(sys.stdout))))
    return 0 if result.right else 1


def _marks(stream):
    """✓ and ✗, or ok and FAIL where the stream's encoding cannot write them."""
    try:
        "".join(MARKS.values()).encode(stream.encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return ASCII_MARKS
    return MARKS


def _cost(J):
    """A cost as the course prints it (2.100951), or in powers of ten where that would be a long row of digits."""
    return f"{J:.6f}" if abs(J) < 1e6 else f"{J:.6g}"


def report(result, marks):
    """The lines the command prints: the function and its conventions, one line per check, the diagnosis."""
    what = "the course's ex4" if result.kind == "course" else "the book's chapter 2"
    lines = [f"Checking {result.function} ({what}): {result.convention['text']}"]
    width = max(len(mark) for mark in marks.values())
    for check in result.checks:
        if check.what == "cost":
            numbers = f"J = {_cost(check.learner)}, bpnn's {_cost(check.bpnn)}"
        else:
            numbers = f"relative difference {check.learner:.2g}"
        off = f": {'; '.join(check.off)}" if check.off else ""
        lines.append(f"{marks[check.passed]:<{width}} {check.what:<8} {check.case}: {numbers}{off}")
    lines += [f"Note: {note}." for note in result.notes]
    if result.right:
        lines.append("Right: every output is bpnn's.")
        return lines
    if len(result.explanations) > 1:
        lines.append("Diagnosis: one of " + " or ".join(" + ".join(names) for names in result.explanations)
                     + " (the checks cannot tell them apart)")
    for mistake in result.findings():
        how = result.how(mistake.name)
        lines += [f"Diagnosis: {mistake.name}{f' ({how})' if how else ''}: {mistake.explanation}.",
                  f"  breaks: {mistake.math}",
                  f"  fix:    {mistake.fix}"]
    if not result.explanations:
        lines.append("Diagnosis: no known mistake (nor two or three of them) explains these outputs. What is wrong:")
        lines += [f"  {text}" for text in result.unexplained]
    return lines
