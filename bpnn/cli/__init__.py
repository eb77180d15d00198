"""What every bpnn script shares: clean exits on bad input or Ctrl-C, option types, common options, the data banner.

Scripts are thin argparse front ends. ``run_script`` turns a BpnnError or OSError into one ``error: …``
line on stderr and exit status 2 (no traceback), Ctrl-C into exit status 130, and a closed stdout
(``bpnn … | head -1``) into a quiet end with exit status 141, as a pipe's writer killed by SIGPIPE has.
``Parser`` reports bad options the same way (one ``error:`` line, exit 2), and the option types below refuse
nonsense (a negative λ, a seed of −1, 0 folds) while the command line is read, before any work. ``launch`` ends the
process as soon as a command is done and its output flushed, without the interpreter's teardown.
"""

import argparse
import math
import os
import sys

from ..errors import BpnnError

__all__ = ["Parser", "print_error", "run_script", "launch", "describe", "load_described", "add_data_argument",
           "add_table_arguments", "table_options", "add_task_argument", "add_run_arguments",
           "add_class_weight_argument",
           "add_network_arguments", "network_options", "defaults", "method_name", "positive_int", "nonnegative_int",
           "nonnegative_float", "positive_float", "fraction", "probability", "seed", "path", "stdout_closed"]

PIPE_CLOSED = 141  # 128 + SIGPIPE: the exit status of a command whose reader went away


def defaults(function):
    """The keyword-only defaults of a library function: the one place each default is stated."""
    return dict(function.__kwdefaults__)


class _DefaultsFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Adds "(default: …)" only where the help does not state its default already and there is one to show."""

    def _get_help_string(self, action):
        text = action.help or ""
        if "default" in text or action.default in (None, False, argparse.SUPPRESS):
            return text
        return super()._get_help_string(action)


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one ``error: …`` line (exit status 2), like every other bpnn error."""

    def __init__(self, **kwargs):
        kwargs.setdefault("formatter_class", _DefaultsFormatter)
        super().__init__(**kwargs)

    def error(self, message):
        print_error(f"{message} (see {self.prog} --help)")
        sys.exit(2)


def print_error(message):
    """``error: message`` as one line on stderr: control characters (a newline or escape in a file name)
    are written as Python escapes (``\\n``, ``\\x1b``), so they can neither break the line nor steer the
    terminal."""
    line = "".join(char if char.isprintable() else repr(char)[1:-1] for char in str(message))
    print(f"error: {line}", file=sys.stderr)


def _number(kind, text, what, accept):
    try:
        value = kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None
    if (kind is float and not math.isfinite(value)) or not accept(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not {what}")
    return value


def method_name(text):
    """A SciPy method's canonical name, case-insensitive (tnc, l-bfgs-b, newton-cg, …)."""
    from ..training.scipy import METHODS, check_method

    try:
        return check_method(text)
    except BpnnError:
        raise argparse.ArgumentTypeError(f"{text!r} is not one of {', '.join(METHODS)}") from None


def positive_int(text):
    return _number(int, text, "an integer ≥ 1", lambda v: v >= 1)


def nonnegative_int(text):
    return _number(int, text, "an integer ≥ 0", lambda v: v >= 0)


def nonnegative_float(text):
    return _number(float, text, "a finite number ≥ 0", lambda v: v >= 0)


def positive_float(text):
    return _number(float, text, "a finite number > 0", lambda v: v > 0)


def seed(text):
    """A random seed: an integer NumPy and scikit-learn both take (0 to 2³² − 1)."""
    return _number(int, text, "an integer ≥ 0 and < 2³² (4294967296)", lambda v: 0 <= v < 2**32)


def path(text):
    """A file or folder name; an empty one (which would mean the current folder) is refused."""
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty name is not a file or folder")
    return text


def fraction(text):
    return _number(float, text, "a fraction in [0, 1)", lambda v: 0 <= v < 1)


def probability(text):
    return _number(float, text, "a probability in [0, 1)", lambda v: 0 <= v < 1)


def add_data_argument(parser):
    """``--data SOURCE`` and ``--dtype``: the data set (default: the course file or the embedded digits)."""
    from ..data.loading import DTYPES

    parser.add_argument("--data", metavar="SOURCE", type=path,
                        help="a course .mat file; a folder of 32×32 text digits <label>_<index>.txt (or one with "
                             "trainingDigits/ and testDigits/), or a .zip of either; a folder with the four MNIST "
                             "IDX files (plain or .gz); mnist.pkl.gz; 'mnist' (OpenML, cached in the data "
                             "folder); or a table, .csv with a header row (or .parquet with pandas), with --target. "
                             "Default: ex4data1.mat in the data home if it is there, else the embedded "
                             "digits (made there on first use). The data home is $BPNN_DATA_DIR, else this "
                             "checkout's data/ when bpnn runs from it, else ~/bpnn_data")
    add_table_arguments(parser)
    parser.add_argument("--dtype", default="float64", choices=DTYPES,
                        help="type X is stored and computed in (float32 halves memory; θ stays float64)")


def add_table_arguments(parser):
    """``--target COLUMN`` and ``--fill``: how a table's rows become examples (see ``bpnn.load_dataset``)."""
    from ..data import FILLS

    parser.add_argument("--target", metavar="COLUMN", nargs="+",
                        help="for a table: the column holding each row's class (numbers or text), or with --task "
                             "multilabel or regression one column or several (labels 0/1, or values); every other "
                             "column is a numeric feature, used unscaled")
    parser.add_argument("--fill", choices=FILLS,
                        help="for a table: fill missing feature values with the column's mean or with 0 "
                             "(default: refuse them)")


def table_options(args):
    """``--target``, ``--fill`` (and ``--task``, for the commands that take it) as ``load_dataset``'s keywords."""
    target = args.target[0] if args.target is not None and len(args.target) == 1 else args.target
    return {"target": target, "fill": args.fill, **({"task": args.task} if hasattr(args, "task") else {})}


def add_task_argument(parser):
    """``--task multilabel`` (a table's target columns are labels) or ``regression`` (real values)."""
    from ..model.units import TASKS

    parser.add_argument("--task", choices=TASKS, default=TASKS[0],
                        help="multilabel: the table's --target columns are labels, 0 or 1 each, learned by "
                             "independent sigmoid outputs and reported per label; regression: they hold real "
                             "values, fitted by identity output units with the squared error, reported as R², "
                             "RMSE and MAE (default: classification, one --target column of classes)")


def add_network_arguments(parser, init):
    """``--activation``, ``--cost``, ``--output`` and ``--init``: the network's options. The first three are
    None unless typed (``bpnn.Network`` holds their defaults), so that a run can tell what the user typed
    (see ``--weights``); ``init`` is the trainer's default initializer."""
    from ..model.units import COSTS, HIDDEN_ACTIVATIONS, OUTPUTS
    from ..model.network import Network
    from ..model.params import INITIALIZERS

    group = parser.add_argument_group("network")
    group.add_argument("--activation", choices=list(HIDDEN_ACTIVATIONS),
                       help=f"hidden-unit activation (default: {Network.activation})")
    group.add_argument("--cost", choices=COSTS,
                       help=f"cost function; log-likelihood goes with softmax outputs (default: {Network.cost})")
    group.add_argument("--output", choices=OUTPUTS,
                       help="output activation (default: the cost's own: sigmoid, or softmax for log-likelihood)")
    group.add_argument("--init", default=init, choices=INITIALIZERS,
                       help="initial weights: uniform ±√6/√(s_l+s_{l+1}); normal N(0,1); scaled-normal N(0,1/n_in)")


def network_options(args):
    """The network names typed on the command line (the others keep ``bpnn.Network``'s defaults), checked
    together (softmax outputs with the quadratic cost are refused here, before any data are read)."""
    from ..model.units import check_names, task_of

    names = {key: getattr(args, key) for key in ("activation", "cost", "output") if getattr(args, key) is not None}
    if getattr(args, "task", None) == "regression":
        wrong = {key: names[key] for key, value in (("cost", "quadratic"), ("output", "identity"))
                 if names.get(key, value) != value}
        if wrong:
            raise BpnnError("--task regression fits identity outputs with the quadratic cost; leave out "
                            + ", ".join(f"--{key} {value}" for key, value in wrong.items()))
        if getattr(args, "class_weight", None):
            raise BpnnError("--class-weight weighs classes; --task regression has none")
        names.update(cost="quadratic", output="identity")
    if getattr(args, "task", None) == "multilabel":
        if getattr(args, "class_weight", None):
            raise BpnnError("--class-weight weighs the classes of one label per example; --task multilabel's "
                            "labels are independent outputs")
        names["task"] = "multilabel"
    checked = check_names(**{key: value for key, value in names.items() if key != "task"})
    task_of(checked["output"], names.get("task"))  # softmax outputs learn no multilabel targets
    return names


def add_run_arguments(parser, seed_help, quiet_help):
    """``--test-size``, ``--seed``, ``--out`` and ``--quiet``: what every training run takes."""
    parser.add_argument("--test-size", type=fraction, default=0.2,
                        help="fraction held out for the final report, stratified, when the source has no test part "
                             "of its own (0: train on everything, as the course does)")
    parser.add_argument("--seed", type=seed, default=0, help=seed_help)
    parser.add_argument("--out", metavar="DIR", type=path,
                        help="run folder (default: runs/<timestamp>/); existing files are never overwritten")
    parser.add_argument("--quiet", action="store_true", help=quiet_help)


def add_class_weight_argument(parser):
    """``--class-weight balanced``: weigh each class's examples by n / (K · the class's count)."""
    parser.add_argument("--class-weight", choices=["balanced"],
                        help="weigh each class's training examples by n / (K · its count), so that rare classes "
                             "count as much as common ones (scikit-learn's class_weight='balanced')")


def run_inputs(args):
    """A training command's network names and data set, in the order that fails fastest: the names are
    checked before the data are read, and both before the libraries the run needs are loaded."""
    return network_options(args), load_described(args)


def load_described(args):
    """The data set ``--data``/``--dtype`` (and for a table ``--target``/``--fill``) name, after printing the line
    that describes it."""
    from ..data.loading import load_dataset

    dataset = load_dataset(args.data, args.dtype, **table_options(args))
    print(describe(dataset))
    return dataset


def describe(dataset):
    """One line naming the data set, its shape and its classes (by name, the first ten, when it names them)."""
    parts = "".join(f", own {what} part of {len(labels)}" for what, labels in
                    (("validation", dataset.y_valid), ("test", dataset.y_test)) if labels is not None)
    if dataset.task == "regression":
        target = (f"real-valued target from {dataset.y.min():.6g} to {dataset.y.max():.6g}" if dataset.y.ndim == 1
                  else f"{dataset.n_classes} real-valued targets")
    elif dataset.task == "multilabel":
        target = f"{dataset.n_classes} labels ({', '.join(dataset.classes)}), {dataset.y.mean(axis=0).sum():.3g} per " \
                 "example on average"
    else:
        names = "" if dataset.classes is None else (
            " (" + ", ".join(map(str, dataset.classes[:10])) + (", …" if len(dataset.classes) > 10 else "") + ")")
        target = f"{dataset.n_classes} classes{names}"
    return (f"Data: {dataset.name} [{dataset.kind}]: {dataset.X.shape[0]} examples × {dataset.X.shape[1]} "
            f"features ({dataset.X.dtype}), {target}{parts}")


def run_script(main, argv=None):
    """Call ``main(argv)`` and exit with its return code (0 for None); errors become one message, exit 2;
    Ctrl-C (outside training, which handles it itself) exits 130 with one line."""
    try:
        code = main(argv)
    except BrokenPipeError:  # stdout's reader went away (`bpnn … | head -1`): nobody is left to tell
        code = stdout_closed()
    except (BpnnError, OSError) as error:
        print_error(error)
        code = 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        code = 130
    except ImportError as error:  # Ctrl-C inside a C extension's import surfaces as "initialization failed"
        if not isinstance(error.__cause__ or error.__context__, KeyboardInterrupt):
            raise
        print("interrupted", file=sys.stderr)
        code = 130
    except MemoryError:
        print_error("out of memory (try a smaller network, fewer examples or --dtype float32)")
        code = 2
    sys.exit(code or 0)


# What a console that cannot print Unicode shows instead (anything else becomes "?"); superscripts and
# subscripts by _ascii: Θ⁽¹⁾ → Theta(1), x² → x^2, (wˡ⁺¹)ᵀ → (w^(l+1))^T, Θᵢⱼ → Theta_ij, Σₗ → sum_l.
_ASCII = {"λ": "lambda", "θ": "theta", "η": "eta", "μ": "mu", "σ": "sigma", "δ": "delta", "ε": "eps", "Θ": "Theta",
          "Δ": "Delta", "β": "beta", "α": "alpha", "τ": "tau", "≈": "~", "×": "x", "−": "-", "–": "-", "—": "-",
          "…": "...", "≥": ">=", "≤": "<=", "≠": "!=", "→": "->", "←": "<-", "↦": "->", "∈": "in", "‖": "||",
          "√": "sqrt", "·": "*", "⊙": "*", "∂": "d", "⁽": "(", "⁾": ")", "±": "+-", "½": "1/2", "§": "section ",
          "∇": "grad", "Σ": "sum", "∞": "inf", "′": "'", "″": "''"}
_SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻ˡⁱᵗᵀᴸᶻ", "0123456789+-litTLz"))
_SUBSCRIPTS = dict(zip("₀₁₂₃₄₅₆₇₈₉ᵢⱼₖₗₐ", "0123456789ijkla"))
_PIECES = f"⁽[{''.join(_SUPERSCRIPTS)}]+⁾|[{''.join(_SUPERSCRIPTS)}]+|[{''.join(_SUBSCRIPTS)}]+|."


def _ascii(text, following=""):
    """``text`` in ASCII (``following``: the character after it, which sum or grad is kept apart from)."""
    import re

    out = ""
    for piece in re.findall(_PIECES, text, flags=re.S):
        if piece[0] == "⁽" and len(piece) > 1:  # Θ⁽¹⁾, δ⁽ˡ⁺¹⁾: the layer in parentheses
            out += f"({''.join(_SUPERSCRIPTS[char] for char in piece[1:-1])})"
        elif piece[0] in _SUPERSCRIPTS:  # x², aᵀ, wˡ⁺¹: a power
            plain = "".join(_SUPERSCRIPTS[char] for char in piece)
            out += f"^{plain if len(plain) == 1 else f'({plain})'}"
        elif piece[0] in _SUBSCRIPTS:  # Θᵢⱼ, Σₗ: an index
            out = out.rstrip() + "_" + "".join(_SUBSCRIPTS[char] for char in piece)
        else:
            word = _ASCII.get(piece, "?")
            out += f" {word}" if out.endswith(("sum", "grad")) and word[:1].isalnum() else word
    return f"{out} " if out.endswith(("sum", "grad")) and following[:1].isalnum() else out


def _ascii_fallback(error):
    return _ascii(error.object[error.start:error.end], error.object[error.end:error.end + 1]), error.end


def _console_safe():
    """Let stdout and stderr write what their encoding cannot hold as ASCII (λ → lambda) instead of failing."""
    import codecs

    codecs.register_error("bpnn-ascii", _ascii_fallback)
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure") and "utf" not in (stream.encoding or "").lower():
            stream.reconfigure(errors="bpnn-ascii")


def launch(module, argv=None):
    """Import ``module`` (a script's implementation) and run its ``main`` under ``run_script``: the import of
    numpy, SciPy and scikit-learn happens inside, so Ctrl-C while starting up exits cleanly too.

    The process then ends without tearing the interpreter down (``_exit_now``), unless the module sets
    ``TEARDOWN = True`` (a command that may leave worker processes for their libraries to stop at exit)."""
    import importlib

    def main(argv):
        return importlib.import_module(module).main(argv)

    _console_safe()
    try:
        run_script(main, argv)
    except SystemExit as done:
        loaded = sys.modules.get(module)
        if not isinstance(done.code, int) or getattr(loaded, "TEARDOWN", False):
            _flush_console()  # a closed stdout now, not in the teardown's last flush
            raise
        _exit_now(done.code)


def stdout_closed():
    """Point stdout at the null device, so that no later write or flush fails again, and return the exit
    status of a command whose reader went away (PIPE_CLOSED)."""
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, sys.stdout.fileno())
    os.close(null)
    return PIPE_CLOSED


def _flush_console():
    """Flush stdout and stderr; a closed pipe or stream is left behind quietly (nothing more can reach it)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:
            if stream is sys.stdout:
                stdout_closed()
        except (OSError, ValueError):
            pass


def _exit_now(code):
    """Flush the console and end the process with ``code`` at once. Every file a command writes is complete
    and closed before its ``main`` returns; what is left is the interpreter's teardown, freeing every module
    of NumPy, SciPy, scikit-learn and matplotlib one by one, which nobody sees."""
    _flush_console()
    os._exit(code)
