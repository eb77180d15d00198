"""Cross-validated grid search over two hyper-parameters, in parallel, with the tutorial's accuracy map.

    python scripts/grid_search.py                                          # hidden units × λ, TNC
    python scripts/grid_search.py --method sgd                             # mini-batch size × η
    python scripts/grid_search.py --param hidden=10,25,50 --param lambda=0.1,1,3 --cv 5 --n-jobs 2
"""

from bpnn.cli import launch

if __name__ == "__main__":
    launch("bpnn.cli.grid")
