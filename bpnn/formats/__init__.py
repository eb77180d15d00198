"""One reader per data format (course .mat, 32×32 text digits, MNIST IDX, mnist.pkl.gz, OpenML MNIST)."""
