"""Sphinx configuration of bpnn's documentation site.

Build it with ``python -m sphinx -W -b html docs docs/_build/html`` (the ``docs`` extra installs the tools).
The API reference imports the installed ``bpnn``; the tutorials and how-to pages are executed on every build
with the embedded digits, in a data home of the build's own, so they show what this bpnn does.
"""

import atexit
import os
import shutil
import subprocess
import sys
import tempfile

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

import bpnn

project = "bpnn"
author = "the bpnn authors"
copyright = "the bpnn authors"
release = version = bpnn.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_nb",
]

exclude_patterns = ["_build", "**.ipynb_checkpoints"]
templates_path = ["_templates"]

# API reference: one generated page per public name (reference/api.md lists them)
autosummary_generate = True
autodoc_preserve_defaults = True  # signatures show defaults as written (Stopping(), ONE_BLOCK), not their reprs
numpydoc_show_class_members = False  # the class template lists the members (autodoc), once

# Notebooks and MyST pages with code cells run at every build (committed without outputs); a cell that raises
# fails the build. The kernels read a data home of their own: the embedded digits, whatever the machine holds.
nb_execution_mode = "force"
nb_execution_raise_on_error = True
nb_execution_timeout = 300
nb_execution_show_tb = True
nb_merge_streams = True
os.environ["BPNN_DATA_DIR"] = tempfile.mkdtemp(prefix="bpnn-docs-data-")
atexit.register(shutil.rmtree, os.environ["BPNN_DATA_DIR"], ignore_errors=True)
# One BLAS thread for the pages' small matrices (a few thousand rows), where more threads bring little and, on
# a busy machine, spin against each other for many times the work.
for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
    os.environ.setdefault(variable, "1")
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3

html_theme = "pydata_sphinx_theme"
html_title = f"bpnn {release}"
html_sidebars = {"benchmarks": []}  # one page: no section navigation to show
html_theme_options = {
    "navigation_depth": 2,
    "show_toc_level": 2,
    "navbar_align": "left",
    # the page's contents on the right everywhere but in the tutorials and how-to guides, which give that width
    # to their code cells (lines up to about 110 characters); the patterns must not overlap
    "secondary_sidebar_items": {page: ["page-toc", "sourcelink"] for page in
                                ("index", "benchmarks", "scikit-learn", "explanations/*", "reference/**")},
}


class CommandHelp(SphinxDirective):
    """``{bpnn-help} train``: the ``--help`` text of ``bpnn train`` (no argument: ``bpnn --help``), produced
    by running the installed command at build time, so the page never drifts from the parsers."""

    optional_arguments = 1

    def run(self):
        argv = [sys.executable, "-m", "bpnn", *self.arguments, "--help"]
        done = subprocess.run(argv, capture_output=True, text=True, env={**os.environ, "COLUMNS": "100"})
        if done.returncode != 0:
            raise self.error(f"{' '.join(argv[2:])} failed with exit status {done.returncode}: {done.stderr}")
        text = done.stdout.rstrip()
        return [nodes.literal_block(text, text, language="text")]


def skip_foreign_member(app, what, name, obj, skip, options):
    """A class page shows bpnn's own members: methods a base class or scikit-learn's metadata routing adds
    (``set_fit_request``, …) are documented by their own project."""
    module = getattr(obj, "__module__", None)
    return True if module and not module.startswith("bpnn") else None


def setup(app):
    app.add_directive("bpnn-help", CommandHelp)
    app.connect("autodoc-skip-member", skip_foreign_member)
