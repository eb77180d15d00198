"""Tables as data: CSV (and parquet with pandas) read with load_dataset(path, target=…), their classes kept by name,
every refusal naming the file and where, the commands taking --target, and convert writing a table back."""

import json
import re
import sys

import numpy as np
import pytest

from bpnn import BpnnError, Network, evaluate, load_dataset, load_weights, predict
from bpnn.cli import describe
from bpnn.cli import convert as convert_cli
from bpnn.data.formats.table import read_table, write_csv
from bpnn.data.loading import encode_classes
from tests.test_hostile import assert_clean_failure
from tests.test_trust_commands import bpnn

IRIS = """sepal,petal,species
5.1,1.4,setosa
7.0,4.7,versicolor
6.3,6.0,virginica
4.9,1.5,setosa
"""


def write(tmp_path, text, name="t.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_text_target_becomes_sorted_classes(tmp_path):
    dataset = load_dataset(write(tmp_path, IRIS), target="species")
    np.testing.assert_array_equal(dataset.X, [[5.1, 1.4], [7.0, 4.7], [6.3, 6.0], [4.9, 1.5]])
    np.testing.assert_array_equal(dataset.y, [0, 1, 2, 0])
    assert dataset.classes == ("setosa", "versicolor", "virginica") and dataset.n_classes == 3
    assert dataset.features == ("sepal", "petal") and dataset.kind == "csv table"
    assert dataset.image_shape is None and dataset.X_test is None and dataset.X.dtype == np.float64


def test_numeric_target_sorts_by_value_and_keeps_whole_numbers(tmp_path):
    path = write(tmp_path, "label,a\n10,1\n9,2\n2.0,3\n10,4\n")  # by text "10" < "2" < "9"; by value 2 < 9 < 10
    dataset = load_dataset(path, target="label", dtype="float32")
    assert dataset.classes == (2, 9, 10) and all(type(c) is int for c in dataset.classes)
    np.testing.assert_array_equal(dataset.y, [2, 1, 0, 2])
    assert dataset.X.dtype == np.float32 and dataset.X.ravel().tolist() == [1, 2, 3, 4]
    raw = read_table(path, "label").target_values  # as read: what a regression would learn
    np.testing.assert_array_equal(raw, [10.0, 9.0, 2.0, 10.0])


def test_encode_classes():
    codes, classes = encode_classes(np.array([0.5, 1.5, 0.5]))
    assert codes.tolist() == [0, 1, 0] and classes == (0.5, 1.5)
    codes, classes = encode_classes(np.array(["b", "a", "c", "a"]))
    assert codes.tolist() == [1, 0, 2, 0] and classes == ("a", "b", "c")


def test_spreadsheet_export_quotes_bom_crlf_and_blank_lines(tmp_path):
    text = '\ufeff"width, cm",height,kind\r\n1.5,"2",a\r\n\r\n" 3",4e-1,"b, c"\r\n'
    dataset = load_dataset(write(tmp_path, text), target="kind")
    assert dataset.features == ("width, cm", "height") and dataset.classes == ("a", "b, c")
    np.testing.assert_array_equal(dataset.X, [[1.5, 2.0], [3.0, 0.4]])


def test_rows_are_numbered_as_a_spreadsheet_shows_them_in_the_careful_path(tmp_path):
    path = write(tmp_path, "a,b,label\n1,2,x\n\n3,oops,y\n")  # row 3 is blank: the bad cell is on row 4
    with pytest.raises(BpnnError, match=r"column 'b', row 4: 'oops' is not a number"):
        load_dataset(path, target="label")


@pytest.mark.parametrize("fill, expected", [("mean", [[1, 2], [3, 3], [2, 4]]), ("zero", [[1, 2], [3, 0], [0, 4]])])
def test_fill_missing_features(tmp_path, fill, expected):
    path = write(tmp_path, "a,b,label\n1,2,x\n3,,y\nNA,4,x\n")
    dataset = load_dataset(path, target="label", fill=fill)
    np.testing.assert_array_equal(dataset.X, expected)
    np.testing.assert_array_equal(dataset.y, [0, 1, 0])


@pytest.mark.parametrize("text, options, message", [
    ("a,b,label\n1,2,x\n", {"target": "kind"}, "t.csv: no column 'kind'; the columns are: a, b, label"),
    ("a,b,label\n1,2,x\n", {}, "t.csv: a table needs its target column named (--target COLUMN, or target= in "
                               "load_dataset); its columns are: a, b, label"),
    ("a,b,label\n1,2,x\n3,abc,y\n4,zz,x\n", {"target": "label"}, "t.csv: column 'b', row 3: 'abc' is not a number"),
    ("", {"target": "label"}, "t.csv: no header row (the file is empty, or its first line is blank)"),
    ("a,b,label\n", {"target": "label"}, "t.csv: the table has a header but no rows"),
    ("a,b,label\n\n\n", {"target": "label"}, "t.csv: the table has a header but no rows"),
    ("a,b,label\n1,2,x\n3,4\n", {"target": "label"}, "t.csv: row 3 has 2 values, but the header has 3 columns"),
    ("a,b,label\n1,2,x\n3,4,y,5\n", {"target": "label"}, "t.csv: row 3 has 4 values, but the header has 3 columns"),
    ("a,b,label\n1,2,x\n3,,y\n", {"target": "label"}, "t.csv: column 'b', row 3: missing value; fill them with "
                                                      "--fill mean|zero"),
    ("a,b,label\n1,2,x\n3,4,\n", {"target": "label", "fill": "mean"}, "t.csv: column 'label' (the target), row 3: "
                                                                      "missing value"),
    ("a,b,label\n1,inf,x\n", {"target": "label"}, "t.csv: column 'b', row 2: inf is not a finite number"),
    ("a,b,label\n,2,x\n", {"target": "label", "fill": "mean"}, "t.csv: column 'a' has no values to take the mean of"),
    ("a,a,label\n1,2,x\n", {"target": "label"}, "t.csv: the header names the column 'a' more than once"),
    ("label\nx\n", {"target": "label"}, "t.csv: the table has only the target column 'label': no features"),
    ("a,label\n1,x\n", {"target": "label", "fill": "median"}, "unknown fill 'median'; choose one of mean, zero"),
    ("a,label\n1,x\n", {"target": 3},
     "target must be a column name (a str), or for multilabel and regression a list of names, got 3"),
])
def test_refusals_name_the_file_and_the_place(tmp_path, text, options, message):
    with pytest.raises(BpnnError) as error:
        load_dataset(write(tmp_path, text), **options)
    assert message in str(error.value)


def test_not_utf8_is_refused(tmp_path):
    with pytest.raises(BpnnError, match="t.csv: not a readable CSV file"):
        load_dataset(write(tmp_path, "a,label\n1,é\n", encoding="latin-1"), target="label")


@pytest.mark.parametrize("options, given", [({"target": "label"}, "target 'label'"), ({"fill": "zero"}, "fill 'zero'")])
def test_table_options_for_a_source_that_is_no_table(small_mat, options, given):
    with pytest.raises(BpnnError, match=f"small.mat: a {given} applies to a table"):
        load_dataset(small_mat, **options)


def test_report_and_description_name_the_classes(tmp_path):
    dataset = load_dataset(write(tmp_path, IRIS), target="species")
    network = Network((2, 3))
    result = evaluate(network, network.init(0), dataset.X, dataset.y, dataset.classes)
    assert all(name in result["report"] for name in dataset.classes)
    assert "3 classes (setosa, versicolor, virginica)" in describe(dataset)


# --- parquet ---------------------------------------------------------------------------------------------

def test_parquet_reads_like_the_csv(tmp_path):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    frame = pd.DataFrame({"sepal": [5.1, 7.0, None], "petal": [1, 4, 6], "species": ["setosa", "versicolor", "setosa"]})
    path = tmp_path / "t.parquet"
    frame.to_parquet(path)
    with pytest.raises(BpnnError, match=r"t.parquet: column 'sepal', row 4: missing value"):
        load_dataset(path, target="species")
    dataset = load_dataset(path, target="species", fill="zero")
    np.testing.assert_array_equal(dataset.X, [[5.1, 1], [7.0, 4], [0, 6]])
    assert dataset.classes == ("setosa", "versicolor") and dataset.kind == "parquet table"


def test_parquet_nulls_in_a_target_are_missing_and_bool_labels_are_0_and_1(tmp_path):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    path = tmp_path / "t.parquet"
    for target in ([0.0, 1.0, None], pd.array([0, 1, None], dtype="Int64"), pd.array(["a", "b", None], "string")):
        pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": target}).to_parquet(path)
        with pytest.raises(BpnnError, match=r"t.parquet: column 'y' \(the target\), row 4: missing value"):
            load_dataset(path, target="y")
    pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [0.0, 1.0, 1.0], "tag": [True, False, True]}).to_parquet(path)
    assert load_dataset(path, target="y").classes == (0, 1)  # whole numbers stay numbers
    labels = load_dataset(path, target=["tag"], task="multilabel")
    np.testing.assert_array_equal(labels.y, [[1], [0], [1]])


def test_parquet_without_pandas_names_the_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas fails
    with pytest.raises(BpnnError, match=r't.parquet: reading parquet needs pandas and pyarrow: '
                                        r'pip install "bpnn\[parquet\]"'):
        load_dataset(write(tmp_path, "", name="t.parquet"), target="label")


# --- writing a table, and back ---------------------------------------------------------------------------

def test_table_to_csv_and_back_keeps_values_and_labels(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 3)) * 10.0 ** rng.integers(-8, 8, size=(30, 3))
    kinds = np.array(["a, quoted", 'b "q"', "c"])[rng.integers(0, 3, 30)]
    source = tmp_path / "source.csv"
    write_csv(source, X, encode_classes(kinds)[0], classes=encode_classes(kinds)[1], features=["x", "y", "z"])
    dataset = load_dataset(source, target="label")
    np.testing.assert_array_equal(dataset.X, X)  # full precision: the same floats
    assert dataset.features == ("x", "y", "z") and np.array(dataset.classes)[dataset.y].tolist() == kinds.tolist()
    convert_cli.main([str(source), str(tmp_path / "copy.csv"), "--target", "label"])
    assert (tmp_path / "copy.csv").read_bytes() == source.read_bytes()


def test_course_mat_to_csv_and_back(tmp_path, small_mat):
    convert_cli.main([str(small_mat), str(tmp_path / "digits.csv")])
    original, table = load_dataset(small_mat), load_dataset(tmp_path / "digits.csv", target="label")
    np.testing.assert_array_equal(table.X, original.X)
    np.testing.assert_array_equal(table.y, original.y)
    assert table.classes == tuple(range(10)) and table.features[:2] == ("x1", "x2")


def test_a_table_is_not_written_as_mat(tmp_path):
    with pytest.raises(BpnnError, match="are not images of a known shape: write it as a .csv table instead"):
        convert_cli.main([str(write(tmp_path, IRIS)), str(tmp_path / "out.mat"), "--target", "species"])
    assert not (tmp_path / "out.mat").exists()


# --- the commands --------------------------------------------------------------------------------------

def test_train_on_a_csv_table(tmp_path):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(90, 4))
    kinds = np.array(["circle", "square", "triangle"])[np.argmax(X[:, :3], axis=1)]
    write(tmp_path, "f1,f2,f3,f4,label\n" + "".join(",".join(map(str, row)) + f",{kind}\n"
                                                    for row, kind in zip(X, kinds)))
    done = bpnn("train", "--data", "t.csv", "--target", "label", "--hidden", 6, "--max-iter", 100, "--quiet",
                "--out", "run", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "[csv table]: 90 examples × 4 features (float64), 3 classes (circle, square, triangle)" in done.stdout
    assert "Held-out set: accuracy" in done.stdout and "    triangle " in done.stdout
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["train_accuracy"] > 0.8 and metrics["n_train"] == 72
    assert metrics["classes"] == ["circle", "square", "triangle"]
    assert (tmp_path / "run" / "confusion_matrix.png").is_file() and not (tmp_path / "run" / "samples.png").exists()


@pytest.mark.parametrize("args, needles", [
    (["train", "--data", "t.csv"], ["t.csv: a table needs its target column named", "sepal, petal, species"]),
    (["sgd", "--data", "t.csv", "--target", "kind"],
     ["t.csv: no column 'kind'; the columns are: sepal, petal, species"]),
    (["grid", "--data", "small.mat", "--target", "label"], ["small.mat: a target 'label' applies to a table"]),
    (["gradcheck", "--target", "label"], ["--target or --fill without --full would be ignored"]),
    (["ex4", "--data", "t.csv"], ["t.csv: ex4 takes the course's 20×20 images; a table's rows are no images"]),
])
def test_commands_refuse_in_one_line(tmp_path, small_mat, args, needles):
    write(tmp_path, IRIS)
    (tmp_path / "small.mat").write_bytes(small_mat.read_bytes())
    done = bpnn(*args, "--out", "run", cwd=tmp_path) if args[0] != "gradcheck" else bpnn(*args, cwd=tmp_path)
    assert_clean_failure(done, *needles)
    assert not (tmp_path / "run").exists()


# --- several target columns: multilabel and multi-output regression ---------------------------------------------

TAGS = """f1,sports,f2,tech
0.5,1,2.0,0
1.5,0,-1.0,1
-0.5,1,0.25,1
"""


@pytest.mark.parametrize("careful", [False, True])
def test_several_target_columns_come_out_as_a_matrix_in_the_order_named(tmp_path, careful):
    text = TAGS.replace("2.0", "") if careful else TAGS  # a missing feature takes the careful path
    read = read_table(write(tmp_path, text), ["tech", "sports"], fill="zero" if careful else None)
    np.testing.assert_array_equal(read.target_values, [[0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(read.X, [[0.5, 0.0 if careful else 2.0], [1.5, -1.0], [-0.5, 0.25]])
    assert read.features == ("f1", "f2") and read.target == ("tech", "sports")
    labels = load_dataset(tmp_path / "t.csv", target=["tech", "sports"], task="multilabel",
                          fill="zero" if careful else None)
    assert labels.task == "multilabel" and labels.classes == ("tech", "sports") and labels.n_classes == 2
    np.testing.assert_array_equal(labels.y, read.target_values)
    values = load_dataset(tmp_path / "t.csv", target=["tech", "f1"], task="regression",
                          fill="zero" if careful else None)
    assert values.n_classes == 2 and values.y.shape == (3, 2) and values.classes is None


@pytest.mark.parametrize("text, target, task, message", [
    (TAGS, ["sports", "tech"], "classification", "classification takes one target column, got 2"),
    (TAGS, ["sports", "sports"], "multilabel", "names a column twice"),
    (TAGS, ["f2"], "multilabel", "column 'f2', example 1: 2 is no label"),
    (TAGS.replace(",0\n", ",maybe\n", 1), ["sports", "tech"], "multilabel",
     "column 'tech', row 2: 'maybe' is not a"),
    (TAGS.replace("1.5,0,", "1.5,,"), ["tech", "sports"], "multilabel", "column 'sports' (a target), row 3: missing"),
    ("sports,tech\n1,0\n", ["sports", "tech"], "multilabel", "only the target columns sports, tech"),
    (TAGS, [], "multilabel", "a list of names"),
])
def test_several_targets_are_refused_by_name(tmp_path, text, target, task, message):
    with pytest.raises(BpnnError, match=re.escape(message)):
        load_dataset(write(tmp_path, text), target=target, task=task)


def test_train_and_sgd_learn_a_tables_labels_and_report_each(tmp_path):
    rng = np.random.default_rng(2)
    X = rng.normal(size=(300, 4))
    Y = (X[:, :3] + 0.05 * rng.normal(size=(300, 3)) > 0).astype(int)
    write(tmp_path, "a,b,c,d,red,green,blue\n" + "".join(
        ",".join(map(str, row)) + "," + ",".join(map(str, labels)) + "\n" for row, labels in zip(X, Y)))
    labels = ("--target", "red", "green", "blue", "--task", "multilabel")
    done = bpnn("train", "--data", "t.csv", *labels, "--hidden", 6, "--quiet", "--out", "run", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "3 labels (red, green, blue)" in done.stdout and "        blue " in done.stdout
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["task"] == "multilabel" and metrics["classes"] == ["red", "green", "blue"]
    saved = load_weights(tmp_path / "run" / "weights.mat")
    assert saved.network.task == "multilabel"
    right = np.all(predict(saved.network, saved.theta, X) == Y, axis=1)
    assert metrics["train_accuracy"] > 0.8 and np.mean(right) > 0.8  # every label of a row right
    done = bpnn("train", "--data", "t.csv", *labels, "--weights", "run/weights.mat", "--out", "again", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "again" / "metrics.json").read_text())["accuracy"] == pytest.approx(np.mean(right))
    assert_clean_failure(bpnn("train", "--data", "t.csv", "--target", "blue", "green", "red", "--task", "multilabel",
                              "--weights", "run/weights.mat", "--out", "reordered", cwd=tmp_path),
                         "trained on the labels red, green, blue")
    done = bpnn("sgd", "--data", "t.csv", *labels, "--epochs", 2, "--quiet", "--out", "sgd", cwd=tmp_path)
    assert done.returncode == 0 and (tmp_path / "sgd" / "weights.npz").is_file(), done.stderr
    for args, needle in ((["--cost", "log-likelihood"], "needs sigmoid outputs"),
                         (["--class-weight", "balanced"], "labels are independent outputs")):
        assert_clean_failure(bpnn("train", "--data", "t.csv", *labels, *args, "--out", "bad", cwd=tmp_path), needle)
    assert not (tmp_path / "bad").exists()


def test_weights_evaluated_on_a_table_with_fewer_or_other_classes_read_them_as_trained(tmp_path):
    rng = np.random.default_rng(4)
    X = rng.normal(size=(150, 3))
    kinds = np.array(["circle", "square", "triangle"])[np.argmax(X, axis=1)]

    def table(name, rows):
        write(tmp_path, "a,b,c,kind\n" + "".join(",".join(map(str, X[i])) + f",{kinds[i]}\n" for i in rows), name)

    table("all.csv", range(150))
    done = bpnn("train", "--data", "all.csv", "--target", "kind", "--hidden", 5, "--quiet", "--out", "run",
                cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    saved = load_weights(tmp_path / "run" / "weights.mat")
    assert saved.class_names == ("circle", "square", "triangle")
    no_squares = np.flatnonzero(kinds != "square")
    table("no_squares.csv", no_squares)  # coded alone, triangle would be 1: the square unit's
    done = bpnn("train", "--data", "no_squares.csv", "--target", "kind", "--weights", "run/weights.mat", "--out",
                "evaluated", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    predicted = np.array(saved.class_names)[predict(saved.network, saved.theta, X[no_squares])]
    metrics = json.loads((tmp_path / "evaluated" / "metrics.json").read_text())
    assert metrics["accuracy"] == pytest.approx(np.mean(predicted == kinds[no_squares]))
    kinds[:5] = "hexagon"
    table("hexagons.csv", range(150))
    assert_clean_failure(bpnn("train", "--data", "hexagons.csv", "--target", "kind", "--weights", "run/weights.mat",
                              "--out", "bad", cwd=tmp_path), "the data also hold hexagon")
