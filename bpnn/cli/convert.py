"""Write any data source as a course-layout .mat file (ex4: 20×20 column-major, labels 1..10) or as a CSV table.

    python scripts/make_mat.py data/trainingDigits digits32.mat
    python scripts/make_mat.py data/mnist data/ex4data1.mat          # MNIST IDX folder → course layout
    bpnn convert data/ex4data1.mat digits.csv                        # a table: x1 … x400, label
    bpnn convert iris.csv copy.csv --target species
"""

from pathlib import Path

from . import Parser, add_table_arguments, describe, positive_int, table_options
from ..data.files import check_output_path, refuse_existing
from ..errors import BpnnError

SIZE = 20
OUTPUTS = (".mat", ".csv")


def parse_args(argv=None):
    parser = Parser(
        description="Convert a data source (course .mat, 32×32 text digits folder or zip, MNIST IDX folder, "
                    "mnist.pkl.gz, 'mnist' from OpenML, or a table with --target) to the course's ex4 .mat layout "
                    "or to a CSV table. For .mat, images of another size are cropped to the digit's box and "
                    f"resampled to SIZE × SIZE (default {SIZE}); a table's rows are no images and cannot be written "
                    "as .mat. A .csv holds the features in full precision and a 'label' column (the class names "
                    "when the source has them): 'bpnn convert OUT.csv … --target label' reads it back unchanged. "
                    "All parts of the source (training, validation, test) are written, in that order.",
    )
    parser.add_argument("source", help="data source (a path, or 'mnist')")
    parser.add_argument("out", help="the .mat or .csv file to write")
    parser.add_argument("--size", type=positive_int, help=f"image side in a .mat output (default: {SIZE})")
    add_table_arguments(parser)
    parser.add_argument("--force", action="store_true", help="replace OUT if it exists")
    args = parser.parse_args(argv)
    if args.size is not None and Path(args.out).suffix.lower() == ".csv":
        parser.error("--size applies to a .mat output (a .csv keeps every value as it is); leave it out")
    return args


def main(argv=None):
    args = parse_args(argv)
    from ..data.convert import check_size, write_course_mat
    from ..data.formats.table import write_csv
    from ..data.loading import load_dataset

    suffix = check_output_path(args.out).suffix.lower()  # a folder is refused before a possibly long load
    if suffix not in OUTPUTS:
        raise BpnnError(f"{args.out}: the output must be a .mat file or a .csv table (its name must end in .mat "
                        "or .csv)")
    if not args.force:
        refuse_existing(args.out)
    dataset = load_dataset(args.source, **table_options(args))
    print(describe(dataset))
    if suffix == ".csv":
        X, y = dataset.all_examples()
        path = write_csv(args.out, X, y, classes=dataset.classes, features=dataset.features, overwrite=args.force)
        print(f"Wrote {X.shape[0]} rows of {X.shape[1]} features and a label to {path}")
        return
    size = args.size or SIZE
    check_size(size, sum(len(y) for _, y in dataset.parts.values()), "--size")
    m, path = write_course_mat(dataset, args.out, size, overwrite=args.force)
    print(f"Wrote {m} images of {size}×{size} to {path}")
