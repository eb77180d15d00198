"""Curvature at a trained θ: the evidence for λ, error bars on predictions, a certificate of convergence."""
