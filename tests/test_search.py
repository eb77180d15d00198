import csv
import subprocess
import sys

import numpy as np
import pytest

from bpnn import BpnnError
from bpnn.estimator import BPNNClassifier
from bpnn.cli.grid import parse_param
from bpnn.search import grid_search
from tests.conftest import ROOT


def test_parse_param():
    assert parse_param("hidden=10,25,50") == ("hidden", [10, 25, 50])
    assert parse_param("batch_size=10,50") == ("batch-size", [10, 50])
    assert parse_param("lambda=0.1,1") == ("lambda", [0.1, 1.0])
    with pytest.raises(BpnnError, match="NAME one of hidden, lambda"):
        parse_param("alpha=1,2")
    with pytest.raises(BpnnError, match="each value of hidden must be an integer ≥ 1"):
        parse_param("hidden=ten")
    with pytest.raises(BpnnError, match="each value of lambda must be a finite number ≥ 0"):
        parse_param("lambda=1,-1")


def test_grid_search_matches_a_serial_cross_validation(digits):
    X, y = digits[0][:240], digits[1][:240]
    estimator = BPNNClassifier(max_iter=15, random_state=0)
    seen = []
    result = grid_search(X, y, [("hidden_layer_sizes", [4, 8]), ("alpha", [0.5, 2.0])], estimator=estimator, cv=2, n_jobs=2,
                         progress=lambda done, total, seconds: seen.append((done, total)))
    assert seen[-1] == (8, 8) and [d for d, _ in seen] == list(range(1, 9))
    assert result.mean.shape == (2, 2)
    # the same point scored by hand on the same folds
    from sklearn.model_selection import StratifiedKFold

    scores = []
    for train, test in StratifiedKFold(2, shuffle=True, random_state=0).split(X, y):
        model = BPNNClassifier(hidden_layer_sizes=(8,), alpha=0.5, max_iter=15, random_state=0).fit(X[train], y[train])
        scores.append(model.score(X[test], y[test]))
    assert result.mean[1, 0] == pytest.approx(np.mean(scores))
    assert result.std[1, 0] == pytest.approx(np.std(scores))
    best_a, best_b, best = result.best
    assert best == result.mean.max() and len(result.rows()) == 4


def test_grid_search_script_writes_both_files(tmp_path, small_mat):
    out = tmp_path / "grid"
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "grid_search.py"), "--data", str(small_mat), "--param", "hidden=4,8",
         "--param", "lambda=0.3,3", "--cv", "2", "--n-jobs", "2", "--maxiter", "10", "--out", str(out)],
        cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "8 / 8 fits" in done.stdout and "Best: hidden = " in done.stdout
    with open(out / "grid.csv") as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == 4 and set(rows[0]) == {"hidden", "lambda", "mean", "std", "seconds"}
    assert all(0 <= float(r["mean"]) <= 1 for r in rows)
    import matplotlib.image

    assert matplotlib.image.imread(out / "grid.png").shape[1] > 400
    bad = subprocess.run([sys.executable, str(ROOT / "scripts" / "grid_search.py"), "--param", "hidden=4"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "exactly twice" in bad.stderr
