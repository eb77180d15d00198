"""The ``bpnn`` command: one subcommand per job, each the same code as its ``scripts/*.py`` front door.

    bpnn train [options]       scripts/train_tnc.py    train with a SciPy method (TNC by default), or --weights
    bpnn sgd [options]         scripts/train_sgd.py    mini-batch training, as in the book
    bpnn gradcheck [options]   scripts/gradcheck.py    backprop's gradient against central differences
    bpnn grid [options]        scripts/grid_search.py  cross-validated grid search over two parameters
    bpnn convert SOURCE OUT    scripts/make_mat.py     any data source to the course's .mat layout or a CSV table
    bpnn ex4 [options]         scripts/ex4.py          the course's ex4, part by part
    bpnn export WEIGHTS OUT                            a weights file as an ONNX model
    bpnn check FILE:FUNCTION   scripts/check.py        your own nnCostFunction or backprop, diagnosed
"""

import sys

from . import launch, stdout_closed

__all__ = ["COMMANDS", "main"]

COMMANDS = {
    "train": ("bpnn.cli.train", "train a network with a SciPy method (TNC by default), or evaluate --weights"),
    "sgd": ("bpnn.cli.sgd", "train by mini-batches (SGD, Nesterov, Adam), as in the neural-networks book"),
    "gradcheck": ("bpnn.cli.gradcheck", "compare backprop's gradient with central differences"),
    "grid": ("bpnn.cli.grid", "cross-validated grid search over two parameters"),
    "convert": ("bpnn.cli.convert", "write any data source in the course's ex4 .mat layout, or as a CSV table"),
    "ex4": ("bpnn.cli.ex4", "the course's ex4, part by part, with the exercise's expected values"),
    "export": ("bpnn.cli.export", "write a weights file as an ONNX model (needs the onnx extra)"),
    "check": ("bpnn.cli.check", "check your own nnCostFunction or Network.backprop: what is wrong, and why"),
}


def _usage():
    from .. import __version__

    width = max(map(len, COMMANDS))
    lines = [f"usage: bpnn COMMAND [options]   (bpnn COMMAND --help for its options; bpnn {__version__})", "",
             "commands:"]
    lines += [f"  {name:<{width}}  {text}" for name, (_, text) in COMMANDS.items()]
    return "\n".join(lines)


def _say(text, code):
    """Print ``text`` and exit with ``code``; quietly with PIPE_CLOSED when stdout's reader went away."""
    try:
        print(text, flush=True)
    except BrokenPipeError:
        code = stdout_closed()
    sys.exit(code)


def main(argv=None):
    """Run ``bpnn COMMAND …``; exits with the command's status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] in ("-h", "--help"):
        _say(_usage(), 0 if argv else 2)
    if argv[0] == "--version":
        from .. import __version__

        _say(f"bpnn {__version__}", 0)
    if argv[0] not in COMMANDS:
        print(f"error: unknown command {argv[0]!r}; choose one of {', '.join(COMMANDS)} (see bpnn --help)",
              file=sys.stderr)
        sys.exit(2)
    sys.argv[0] = f"bpnn {argv[0]}"  # the subcommand's --help and errors name it
    launch(COMMANDS[argv[0]][0], argv[1:])
