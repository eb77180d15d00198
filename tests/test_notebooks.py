"""The notebooks under docs/ run top to bottom (nbclient, a fresh kernel each) and are committed without
outputs; each holds its own asserts on what it shows."""

import json

import pytest

from tests.conftest import ROOT

NOTEBOOKS = sorted((ROOT / "docs").glob("*.ipynb"))


def test_there_are_the_two_walkthroughs():
    assert [path.name for path in NOTEBOOKS] == ["book_chapters.ipynb", "course_ex4.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_is_committed_without_outputs(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    assert all(not cell.get("outputs") and cell.get("execution_count") is None
               for cell in cells if cell["cell_type"] == "code")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_runs_top_to_bottom(path, tmp_path, monkeypatch):
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("BPNN_DATA_DIR", str(tmp_path / "data"))  # the embedded digits, whatever the machine has
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    assert not [output for output in outputs if output.output_type == "error"]
    assert any("image/png" in output.get("data", {}) for output in outputs)  # a figure was shown
