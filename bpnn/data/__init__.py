"""The data layer: data sets and where they come from, and the files bpnn writes.

  dataset   ``Dataset`` (named parts: train / validation / test) and its splits
  loading   ``load_dataset``: the data home, the embedded digits, every format (``formats/``, a registry)
  formats   one reader per format: the course's .mat, text digits (folders, zips), IDX, the book's pickle,
            OpenML's MNIST, tables (CSV, parquet; written back as CSV)
  weights   weights files (.mat in the course's output order, .npz in bpnn's) that record their network
  convert   any source to the course's 20×20 .mat layout
  files     atomic writes that never overwrite what a user had

``FILLS`` is here, not in ``formats.table``, so that the commands can offer ``--fill`` without importing the
formats (and NumPy) while they read their options.
"""

FILLS = ("mean", "zero")  # how a table's missing feature values may be filled (``load_dataset``'s ``fill``)
