"""Tables: a ``.csv`` file (comma-separated, a header row, UTF-8), or a ``.parquet`` file when pandas and
pyarrow are installed (``pip install "bpnn[parquet]"``).

One column is the target (``target=``, the commands' ``--target``), or several (a list of names: the labels of
multilabel examples, or several values to regress on, all numbers); every other column is a feature and must
hold numbers. The reader returns a ``Table``: the features as floats and the target column as it was read
(numbers when every value is one, else text; several columns as an m × K matrix of numbers), so that what the
target means is decided by whoever uses it (``bpnn.data.loading.encode_classes`` for classification). Rows are
numbered as a spreadsheet shows them: the header is row 1, the first example row 2.

A missing value is an empty cell or one of ``MISSING`` (``NA``, ``nan``, …; a null in a parquet file). A
missing feature is refused unless ``fill`` says how to fill it (``"mean"``: the column's mean over the rows
that have a value; ``"zero"``); a missing target is always refused. Features are not scaled: bring them to
similar ranges yourself (e.g. scikit-learn's ``StandardScaler``) if they are not.

A CSV file is read in one pass with ``numpy.loadtxt`` when it is clean numbers throughout (a numeric target);
otherwise (a text target, missing values, a problem to name) with the ``csv`` module in blocks of rows, each
block converted by NumPy at once, so that neither path converts cell by cell in Python.
"""

import csv
import io
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ...errors import BpnnError
from ...model.validate import check_choice
from .. import FILLS
from ..files import check_output_path, check_regular_file, write_atomically

__all__ = ["DESCRIPTION", "SUFFIXES", "FILLS", "MISSING", "Table", "recognizes", "read_table", "check_fill",
           "write_csv"]

DESCRIPTION = "a table: .csv with a header row (or .parquet with pandas), its target column named by --target"
SUFFIXES = (".csv", ".parquet")
MISSING = ("", "NA", "N/A", "NaN", "nan", "null", "NULL", "None", "<NA>")
BLOCK = 4096  # rows converted at once on the careful path
HEADER_ROW = 1


@dataclass(frozen=True)
class Table:
    """A table as read: ``X`` (m × n float features, in the file's column order), ``target_values`` (the
    target column: float64 when every value is a number, else text; for several target columns an m × K
    float64 matrix), the feature columns' names (``features``) and the target column's (``target``: a name, or
    a tuple of names)."""

    X: np.ndarray
    target_values: np.ndarray
    features: tuple
    target: object


def recognizes(path):
    return Path(path).is_file() and Path(path).suffix.lower() in SUFFIXES


def check_fill(fill):
    """``fill`` if it is None or one of ``FILLS``, else BpnnError naming the choices."""
    return None if fill is None else check_choice("fill", fill, FILLS)


def read_table(path, target=None, *, dtype=np.float64, fill=None):
    """Read the table at ``path``: the column named ``target`` is the target, all others are features.

    Parameters
    ----------
    path : str or path-like
        A ``.csv`` or ``.parquet`` file with a header row.
    target : str or sequence of str
        The target column's name (BpnnError listing the columns when it is None or not there), or several
        columns' names, whose values must then be numbers.
    dtype : numpy dtype, optional
        float64 or float32: the type ``X`` is stored in.
    fill : {None, "mean", "zero"}, optional
        How to fill missing feature values; None refuses them.

    Returns
    -------
    Table

    Raises
    ------
    BpnnError
        Naming the file and the problem: no header or no rows, a column missing or named twice, a row with
        more or fewer values than the header (naming the row), a feature that is no number, missing or not
        finite (naming the column and the row), a missing target value.
    """
    path = check_regular_file(Path(path))
    fill = check_fill(fill)
    parquet = path.suffix.lower() == ".parquet"
    header, blocks = _parquet(path) if parquet else _csv(path)
    names = (target,) if target is None or isinstance(target, str) else tuple(target)
    index = [_target_index(path, header, name, len(names)) for name in names]
    if isinstance(target, str):
        index = index[0]
    else:
        target = names
    features = tuple(name for k, name in enumerate(header) if k not in np.atleast_1d(index))
    clean = None if parquet else _clean_table(path, len(header), index)
    if clean is not None:  # nothing to fill, nothing to name
        X, target_values = clean
    else:
        X, target_values, rows = _convert(path, features, index, blocks)
        if not len(rows):
            raise BpnnError(f"{path}: the table has a header but no rows: no examples")
        X, target_values = _fill(path, X, rows, features, fill), _target(path, target, target_values, rows)
    return Table(X=X.astype(dtype, copy=False), target_values=target_values, features=features, target=target)


def _target_index(path, header, target, n_targets=1):
    """The target column's position in ``header`` (one of ``n_targets``); BpnnError naming the columns there
    are otherwise."""
    columns = ", ".join(header)
    if target is None:
        raise BpnnError(f"{path}: a table needs its target column named (--target COLUMN, or target= in "
                        f"load_dataset); its columns are: {columns}")
    if target not in header:
        raise BpnnError(f"{path}: no column {target!r}; the columns are: {columns}")
    if len(header) <= n_targets:
        only = f"columns {columns}" if n_targets > 1 else f"column {target!r}"
        raise BpnnError(f"{path}: the table has only the target {only}: no features")
    return header.index(target)


def _checked_header(path, header):
    """The header's names, stripped; BpnnError for a name given twice."""
    header = [str(name).strip() for name in header]
    twice = sorted({name for name in header if header.count(name) > 1})
    if twice:
        raise BpnnError(f"{path}: the header names the column{'s' if len(twice) > 1 else ''} "
                        f"{', '.join(map(repr, twice))} more than once")
    return header


def _csv(path):
    """The header of a CSV file and its rows as blocks: (spreadsheet row numbers, object array of text)."""
    with _open(path) as stream:
        header = next(_reader(path, stream), None)
    if not header:
        raise BpnnError(f"{path}: no header row (the file is empty, or its first line is blank)")
    header = _checked_header(path, header)
    return header, _csv_blocks(path, len(header))


def _open(path):
    return open(path, newline="", encoding="utf-8-sig")  # -sig: a spreadsheet's byte-order mark is no header


def _reader(path, stream):
    """``csv.reader`` over ``stream``; a line that cannot be read becomes BpnnError naming the file."""
    reader = csv.reader(stream)
    try:
        yield from reader
    except (csv.Error, UnicodeDecodeError) as error:
        raise BpnnError(f"{path}: not a readable CSV file, near line {reader.line_num + 1} ({error})") from None


def _csv_blocks(path, width):
    """Blocks of data rows after the header (blank lines skipped, still counted); BpnnError naming the
    first row whose count of values is not the header's ``width``."""
    with _open(path) as stream:
        block, rows = [], []
        for row, cells in enumerate(_reader(path, stream), start=HEADER_ROW):
            if row == HEADER_ROW or not cells:
                continue
            if len(cells) != width:
                raise BpnnError(f"{path}: row {row} has {len(cells)} values, but the header has {width} columns")
            block.append(cells)
            rows.append(row)
            if len(block) == BLOCK:
                yield np.array(rows), np.array(block, dtype=object)
                block, rows = [], []
        if block:
            yield np.array(rows), np.array(block, dtype=object)


def _clean_table(path, width, index):
    """(X, target values) of the whole CSV body in one ``numpy.loadtxt`` pass when every row has ``width``
    values, the features finite numbers and no target missing, else None (the careful path then reads it and
    names what is wrong). The target column goes through a converter that gives each distinct text a code,
    one call per row, so a text target costs no second pass."""
    with _open(path) as stream:
        reader = csv.reader(stream)
        next(reader)
        header_lines = reader.line_num
    texts = {}
    coded = isinstance(index, int)  # one target column, numbers or text; several must be numbers
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "input contained no data": the careful path says so
            values = np.loadtxt(path, delimiter=",", skiprows=header_lines, comments=None, quotechar='"',
                                dtype=np.float64, ndmin=2, encoding="utf-8-sig",
                                converters={index: lambda text: texts.setdefault(text, len(texts))} if coded else None)
    except (ValueError, UnicodeDecodeError):
        return None
    if values.shape[0] == 0 or values.shape[1] != width or not np.all(np.isfinite(values)):
        return None
    if not coded:
        return np.delete(values, index, axis=1), values[:, index]
    target_values = np.array(list(texts), dtype=object)[values[:, index].astype(np.int64)]
    if np.isin(target_values, MISSING).any():
        return None
    return np.delete(values, index, axis=1), _target_type(target_values)


def _parquet(path):
    """The header of a parquet file and its rows as blocks of text (nulls as empty cells, bool values as 0 and
    1), so that the checks and conversions are the CSV ones."""
    try:
        import pandas as pd
    except ImportError:
        raise BpnnError(f"{path}: reading parquet needs pandas and pyarrow: pip install \"bpnn[parquet]\"") from None
    try:
        frame = pd.read_parquet(path)
    except ImportError as error:
        raise BpnnError(f"{path}: reading parquet needs pyarrow (or fastparquet): pip install \"bpnn[parquet]\" "
                        f"({error})") from None
    except Exception as error:  # pyarrow's ArrowInvalid, OSError, … for bytes that are no parquet file
        raise BpnnError(f"{path}: not a readable parquet file ({type(error).__name__}: {error})") from None
    header = _checked_header(path, frame.columns)
    flags = frame.select_dtypes(include="bool").columns  # a bool column is 0/1 (labels)
    frame = frame.astype({name: "int64" for name in flags}).astype(object)
    text = frame.where(frame.notna(), "").astype(str).to_numpy(dtype=object)  # a null (NaN, NA, None) is missing
    rows = np.arange(HEADER_ROW + 1, HEADER_ROW + 1 + len(text))
    return header, ((rows[k:k + BLOCK], text[k:k + BLOCK]) for k in range(0, len(text), BLOCK))


def _convert(path, features, index, blocks):
    """(X with NaN where a value is missing, the target column as text, row numbers) from the blocks
    (``index``: the target's column); BpnnError naming the first feature cell that is no number."""
    parts, targets, numbers = [], [], []
    for rows, cells in blocks:
        parts.append(_numbers(path, np.delete(cells, index, axis=1), rows, features))
        targets.append(cells[:, index])
        numbers.append(rows)
    if not parts:
        return np.zeros((0, len(features))), np.zeros(0, dtype=object), np.zeros(0, dtype=np.int64)
    return np.concatenate(parts), np.concatenate(targets), np.concatenate(numbers)


def _numbers(path, cells, rows, names):
    """A block of feature cells (text) as floats, NaN for a missing value; BpnnError naming the first cell,
    row by row, that is neither a number nor missing."""
    try:
        return cells.astype(np.float64)
    except ValueError:
        pass
    cells = np.where(np.isin(cells, MISSING), "nan", cells)
    try:
        return cells.astype(np.float64)
    except ValueError:
        pass
    for row, line in zip(rows, cells):  # only a block that holds a bad cell gets here
        for name, cell in zip(names, line):
            try:
                float(cell)
            except ValueError:
                raise BpnnError(f"{path}: column {name!r}, row {row}: {cell!r} is not a number (features, "
                                "and targets when there are several, must be numbers)") from None


def _first(path, mask, rows, names):
    """'column 'x', row 5': the first True cell of ``mask``, row by row."""
    row, column = np.argwhere(mask)[0]
    return f"{path}: column {names[column]!r}, row {rows[row]}"


def _fill(path, X, rows, names, fill):
    """X with its missing values (NaN) filled as ``fill`` says; BpnnError naming the first missing value when
    ``fill`` is None, the first value that is not finite, or a column with no value to take a mean of."""
    infinite = np.isinf(X)
    if infinite.any():
        raise BpnnError(f"{_first(path, infinite, rows, names)}: {X[infinite][0]} is not a finite number")
    missing = np.isnan(X)
    if not missing.any():
        return X
    if fill is None:
        raise BpnnError(f"{_first(path, missing, rows, names)}: missing value; fill them with --fill "
                        f"{'|'.join(FILLS)} (fill= in load_dataset), or remove those rows")
    if fill == "zero":
        return np.where(missing, 0.0, X)
    empty = missing.all(axis=0)
    if empty.any():
        raise BpnnError(f"{path}: column {names[int(np.argmax(empty))]!r} has no values to take the mean of")
    return np.where(missing, np.nanmean(X, axis=0), X)


def _target(path, target, values, rows):
    """The target column (text) as ``_target_type`` makes it, several target columns (``target`` a tuple of
    names) as numbers; BpnnError naming the first missing value, or the first of several targets' cells that
    is no number."""
    several = not isinstance(target, str)
    names = target if several else (target,)
    missing = np.isin(values, MISSING)
    if missing.any():
        row, column = np.argwhere(missing.reshape(len(values), -1))[0]
        raise BpnnError(f"{path}: column {names[column]!r} ({'a' if several else 'the'} target), row {rows[row]}: "
                        "missing value; every example needs its target")
    if not several:
        return _target_type(values)
    numbers = _numbers(path, values, rows, names)
    if not np.all(np.isfinite(numbers)):
        raise BpnnError(f"{_first(path, ~np.isfinite(numbers), rows, names)}: not a finite number")
    return numbers


def _target_type(values):
    """A target column read as text: float64 when every value is a finite number, else text."""
    try:
        numbers = values.astype(np.float64)
    except ValueError:
        return values.astype(str)
    if not np.all(np.isfinite(numbers)):
        return values.astype(str)  # "inf" as a class name is text, not a number to learn from
    return numbers


def _csv_line(cells):
    """``cells`` as one CSV line (quoted where a cell holds a comma, a quote or a line break), with its newline."""
    line = io.StringIO()
    csv.writer(line, lineterminator="\n").writerow(cells)
    return line.getvalue()


def write_csv(path, X, y, *, classes=None, features=None, overwrite=False):
    """Write X and its labels as a CSV table that ``read_table(path, "label")`` reads back unchanged.

    Parameters
    ----------
    path : str or path-like
        The ``.csv`` file to write; it appears whole or not at all.
    X : array, m × n
        The features, written in full precision (17 significant digits: the same floats come back).
    y : array of m ints 0..K−1
        The class codes; the ``label`` column holds ``classes[y]`` when ``classes`` is given, else ``y``.
    classes : tuple, optional
        The class label of each code.
    features : sequence of str, optional
        The feature columns' names (default x1 … xn).
    overwrite : bool, optional
        Replace an existing file (else BpnnError).
    """
    check_output_path(path, ".csv")
    features = list(features) if features is not None else [f"x{k}" for k in range(1, X.shape[1] + 1)]
    if "label" in features:
        raise BpnnError(f"{path}: a feature column is named 'label', the name of the target column written here")
    names = classes if classes is not None else range(int(np.max(y)) + 1)
    labels = np.array([_csv_line([name]).rstrip("\n") for name in names], dtype=object)
    rows = np.empty((X.shape[0], X.shape[1] + 1), dtype=object)
    rows[:, :-1] = np.asarray(X, dtype=np.float64)
    rows[:, -1] = labels[y]

    def write(stream):
        stream.write(_csv_line([*features, "label"]).encode("utf-8"))
        np.savetxt(stream, rows, fmt=["%.17g"] * X.shape[1] + ["%s"], delimiter=",", encoding="utf-8")

    return write_atomically(path, write, overwrite)
