"""Shared fixtures: small data sets made by the tests themselves (nothing is downloaded)."""

from pathlib import Path

import numpy as np
import pytest

from bpnn.data.loading import embedded_digits, save_mat

ROOT = Path(__file__).resolve().parents[1]  # the checkout: scripts/ and benchmarks/ beside tests/


@pytest.fixture(scope="session")
def digits():
    """The embedded 20×20 digits (X rows column-major, y 0..9), made in memory."""
    return embedded_digits()


@pytest.fixture(scope="session")
def small_mat(tmp_path_factory, digits):
    """A course-layout .mat with 300 of the embedded digits (30 of each class)."""
    X, y = digits
    rows = np.concatenate([np.flatnonzero(y == k)[:30] for k in range(10)])
    path = tmp_path_factory.mktemp("data") / "small.mat"
    save_mat(path, X[rows], y[rows])
    return path


@pytest.fixture
def data_home(tmp_path, monkeypatch):
    """An empty data folder used as $BPNN_DATA_DIR."""
    folder = tmp_path / "data"
    monkeypatch.setenv("BPNN_DATA_DIR", str(folder))
    return folder
