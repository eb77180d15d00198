"""The package as users meet it: a light ``import bpnn``, the ``bpnn`` command, and a library that leaves
the command line to ``bpnn.cli``."""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import bpnn

LIBRARY = [path for path in Path(bpnn.__file__).parent.rglob("*.py") if "cli" not in path.relative_to(
    Path(bpnn.__file__).parent).parts]


def test_import_bpnn_loads_no_heavy_library():
    done = subprocess.run([sys.executable, "-c", "import sys, bpnn; print(sorted(m for m in ('numpy', 'scipy', "
                           "'sklearn', 'matplotlib') if m in sys.modules))"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == "[]", done.stdout + done.stderr


def test_public_names_load():
    for name in bpnn.__all__:
        assert getattr(bpnn, name) is not None, name


@pytest.mark.parametrize("command", [[sys.executable, "-m", "bpnn"], ["bpnn"]])
def test_bpnn_command_lists_its_subcommands(command):
    if command == ["bpnn"] and shutil.which("bpnn") is None:
        pytest.skip("the bpnn console script is not on PATH (bpnn not installed in this environment)")
    done = subprocess.run([*command, "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    for sub in ("train", "sgd", "gradcheck", "grid", "convert", "ex4"):
        assert f"  {sub}" in done.stdout
    sub = subprocess.run([*command, "train", "--help"], capture_output=True, text=True, timeout=60)
    assert sub.returncode == 0 and "usage: bpnn train" in sub.stdout
    bad = subprocess.run([*command, "fly"], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and bad.stderr.startswith("error: unknown command 'fly'")


def test_the_library_neither_prints_nor_parses_command_lines():
    """Outside bpnn/cli: no print(), no argparse, no isatty (the application's business). The one print
    allowed is the one a caller asks for: ``BPNNClassifier(verbose=True)``'s line per step, as scikit-learn's."""
    for path in LIBRARY:
        tree = ast.parse(path.read_text())
        asked = {id(node) for function in ast.walk(tree) if isinstance(function, ast.FunctionDef)
                 and (path.name, function.name) == ("estimator.py", "_step_printer") for node in ast.walk(function)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and id(node) not in asked:
                assert node.func.id != "print", f"{path}:{node.lineno} prints"
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [alias.name for alias in node.names] + [getattr(node, "module", None) or ""]
                assert "argparse" not in names, f"{path}:{node.lineno} imports argparse"
            if isinstance(node, ast.Attribute):
                assert node.attr != "isatty", f"{path}:{node.lineno} asks isatty"


@pytest.mark.parametrize("script", ["train_tnc", "train_sgd", "gradcheck", "grid_search", "make_mat", "ex4", "check"])
def test_help_states_each_default_once(script):
    from tests.conftest import ROOT

    done = subprocess.run([sys.executable, str(ROOT / "scripts" / f"{script}.py"), "--help"], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    text = " ".join(done.stdout.split())  # argparse wraps lines
    assert "(default: None)" not in text and "(default: False)" not in text
    for entry in text.split("  -")[1:]:
        assert entry.count("default") <= 1 or "(default:" not in entry, entry


def test_a_console_without_unicode_gets_ascii_not_a_traceback(tmp_path):
    from tests.conftest import ROOT

    env = {**__import__("os").environ, "PYTHONIOENCODING": "ascii"}
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "gradcheck.py")], capture_output=True, text=True,
                          env=env, timeout=60, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "lambda = 0.0" in done.stdout and "Traceback" not in done.stderr
    helped = subprocess.run([sys.executable, str(ROOT / "scripts" / "train_tnc.py"), "--help"], capture_output=True,
                            text=True, env=env, timeout=60)
    assert helped.returncode == 0 and "--lambda lambda" in helped.stdout
