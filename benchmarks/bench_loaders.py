"""How fast the readers are: 3,000 text digit files, and MNIST-sized IDX files (plain and gzipped).

    python -m benchmarks.bench_loaders [--files 3000] [--rows 60000]

Files are made in a temporary folder first (random images), then read with ``bpnn.load_dataset``; for the
text digits the floor is reading the files' bytes without decoding them.
"""

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from bpnn import load_dataset
from tests.support.writers import digit_images, write_idx_folder, write_text_digits


def seconds(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=3000)
    parser.add_argument("--rows", type=int, default=60000)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        folder = write_text_digits(tmp / "digits", *digit_images(args.files, rng))
        text = min(seconds(lambda: load_dataset(folder)) for _ in range(3))
        files = sorted(folder.iterdir())
        floor = min(seconds(lambda: [p.read_bytes() for p in files]) for _ in range(3))
        print(f"{args.files} text digit files: {text:.3f} s ({text / args.files * 1e6:.0f} µs a file; "
              f"just reading their bytes: {floor / args.files * 1e6:.0f} µs a file, ratio {text / floor:.1f}×)")
        for gz in (False, True):
            idx = tmp / f"idx{gz}"
            write_idx_folder(idx, rng, n_train=args.rows, n_test=args.rows // 6, gz=gz)
            took = min(seconds(lambda: load_dataset(idx)) for _ in range(2))
            print(f"IDX {'gzipped' if gz else 'plain  '} {args.rows} + {args.rows // 6} images: {took:.2f} s")


if __name__ == "__main__":
    main()
