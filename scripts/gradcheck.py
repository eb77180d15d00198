"""Check backprop's gradient against central differences; exit 1 if the relative difference is ≥ 1e-9.

    python scripts/gradcheck.py                      # the course's 3-5-3 debug problem, λ = 0
    python scripts/gradcheck.py --lambda 3
    python scripts/gradcheck.py --full --k 200       # 200 random coordinates of a 400-25-10 network
    python scripts/gradcheck.py --activation relu --cost log-likelihood --dropout 0.5 --threshold 1e-7
"""

if __name__ == "__main__":
    try:
        from bpnn.cli import launch  # light: the command's heavy imports happen inside launch
    except KeyboardInterrupt:  # Ctrl-C in the first milliseconds
        raise SystemExit(130) from None
    launch("bpnn.cli.gradcheck")
