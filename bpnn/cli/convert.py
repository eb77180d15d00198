"""Write any supported digits source as a course-layout .mat file (ex4: 20×20 column-major, labels 1..10).

    python scripts/make_mat.py data/trainingDigits digits32.mat
    python scripts/make_mat.py data/mnist data/ex4data1.mat          # MNIST IDX folder → course layout
"""

from . import Parser, describe, positive_int
from ..data.files import check_output_path, refuse_existing


def parse_args(argv=None):
    parser = Parser(
        description="Convert a digits source (course .mat, 32×32 text digits folder or zip, MNIST IDX folder, "
                    "mnist.pkl.gz, or 'mnist' from OpenML) to the course's ex4 .mat layout. Images of another "
                    "size are cropped to the digit's box and resampled to SIZE × SIZE; all parts of the source "
                    "(training, validation, test) are written, in that order.",
    )
    parser.add_argument("source", help="data source (a path, or 'mnist')")
    parser.add_argument("out", help="the .mat file to write")
    parser.add_argument("--size", type=positive_int, default=20, help="image side in the output")
    parser.add_argument("--force", action="store_true", help="replace OUT if it exists")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    from ..data.convert import check_size, write_course_mat
    from ..data.loading import load_dataset

    check_output_path(args.out, ".mat")  # before a possibly long load
    if not args.force:
        refuse_existing(args.out)
    dataset = load_dataset(args.source)
    check_size(args.size, sum(len(y) for _, y in dataset.parts.values()), "--size")
    print(describe(dataset))
    m, path = write_course_mat(dataset, args.out, args.size, overwrite=args.force)
    print(f"Wrote {m} images of {args.size}×{args.size} to {path}")

