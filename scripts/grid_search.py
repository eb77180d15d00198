"""Cross-validated grid search over two hyper-parameters, in parallel, with the tutorial's accuracy map.

    python scripts/grid_search.py                                          # hidden units × λ, TNC
    python scripts/grid_search.py --method sgd                             # mini-batch size × η
    python scripts/grid_search.py --param hidden=10,25,50 --param lambda=0.1,1,3 --cv 5 --n-jobs 2
"""

if __name__ == "__main__":
    try:
        from bpnn.cli import launch  # light: the command's heavy imports happen inside launch
    except KeyboardInterrupt:  # Ctrl-C in the first milliseconds
        raise SystemExit(130) from None
    launch("bpnn.cli.grid")
