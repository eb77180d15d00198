"""The documentation site (docs/): it builds with warnings as errors, its tutorials and how-to pages run, every
public name has a reference page whose examples run, and the notebooks are committed without outputs.

The build executes every notebook and MyST page once (myst-nb, ``nb_execution_raise_on_error``: a cell that
raises fails the build); the checks on what the tutorials show read the built HTML. The doctests run here over
every module of the installed package, so they hold for what users install."""

import doctest
import importlib
import json
import pkgutil
import re
import subprocess
import sys

import pytest

import bpnn
from tests.conftest import ROOT

DOCS = ROOT / "docs"
NOTEBOOKS = sorted(DOCS.rglob("*.ipynb"))
SECTIONS = {"function": ["Parameters", "Returns", "Raises", "Examples"],
            "class": ["Parameters", "Raises", "Examples"]}


def reference_entries():
    """The names the API reference's autosummary tables list."""
    text = (DOCS / "reference" / "api.md").read_text(encoding="utf-8")
    tables = re.findall(r"\.\. autosummary::\n((?:   .*\n|\n)+)", text)
    return [line.strip() for table in tables for line in table.splitlines()
            if line.strip() and not line.strip().startswith(":")]


def test_every_public_name_has_one_reference_entry():
    entries = reference_entries()
    assert sorted(entries) == sorted(set(entries)), "a name is listed twice"
    assert set(entries) == set(bpnn.__all__)


@pytest.mark.parametrize("name", bpnn.__all__)
def test_public_docstring_has_the_numpydoc_sections(name):
    """Functions: Parameters, Returns, Raises, Examples; classes state no Returns."""
    value = getattr(bpnn, name)
    text = value.__doc__ or ""
    kind = "class" if isinstance(value, type) else "function"
    missing = [section for section in SECTIONS[kind] if not re.search(rf"^\s*{section}\n\s*-{{3,}}$", text, re.M)]
    assert not missing, f"bpnn.{name}'s docstring has no {', '.join(missing)} section"


def installed_modules():
    return sorted(module.name for module in pkgutil.walk_packages(bpnn.__path__, "bpnn.")
                  if module.name != "bpnn.__main__")


@pytest.mark.parametrize("name", installed_modules())
def test_docstring_examples_run(name, data_home):
    """Every example in the installed package's docstrings runs and shows what it says (the data home is empty:
    ``load_dataset()`` gives the embedded digits)."""
    module = importlib.import_module(name)
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    result = doctest.testmod(module, optionflags=flags, verbose=False, report=True)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {name} failed (printed above)"


def test_the_notebooks_are_the_two_walkthroughs():
    assert [path.relative_to(DOCS).as_posix() for path in NOTEBOOKS] == [
        "tutorials/book_chapters.ipynb", "tutorials/course_ex4.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_is_committed_without_outputs(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    assert all(not cell.get("outputs") and cell.get("execution_count") is None
               for cell in cells if cell["cell_type"] == "code")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The site built as the README says, warnings as errors, every notebook and MyST page executed (the pages
    read, and so executed, on as many processes as there are cores)."""
    out = tmp_path_factory.mktemp("site")
    done = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-j", "auto", "-q", "-b", "html",
                           str(DOCS), str(out)],
                          cwd=out, capture_output=True, text=True)
    assert done.returncode == 0, f"the docs build failed:\n{done.stdout[-3000:]}\n{done.stderr[-6000:]}"
    return out


def test_the_site_has_a_reference_page_for_every_public_name(site):
    missing = [name for name in bpnn.__all__ if not (site / "reference" / "generated" / f"bpnn.{name}.html").exists()]
    assert not missing
    page = (site / "reference" / "generated" / "bpnn.cost_and_grad.html").read_text(encoding="utf-8")
    assert "Examples" in page and "Raises" in page


def test_the_command_reference_is_the_commands_own_help(site):
    page = (site / "reference" / "cli.html").read_text(encoding="utf-8")
    for command in ("train", "sgd", "gradcheck", "grid", "convert", "ex4", "check"):
        assert f"usage: bpnn {command}" in page


@pytest.mark.parametrize("page", ["tutorials/course_ex4", "tutorials/book_chapters",
                                  "tutorials/scikit-learn-first-model"])
def test_the_tutorials_show_their_figures(site, page):
    html = (site / f"{page}.html").read_text(encoding="utf-8")
    assert re.search(r'<img[^>]+src="[^"]*\.png"', html), f"{page} shows no figure"
    assert "Traceback" not in html
