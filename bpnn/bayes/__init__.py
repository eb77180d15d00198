"""Bayesian regularization on bpnn's exact curvature (MacKay's evidence framework).

  traces      γ and ln|A| of A = βG + αI, G the data term's Gauss–Newton matrix over the weights: exactly from
              G's eigenvalues for small networks, by stochastic Lanczos quadrature on G·v products above
  evidence    λ from the evidence: MacKay's re-estimation (train, re-estimate α, retrain from θ*, until α
              settles; classification) or a search of ln λ for the largest evidence (regression);
              ``lam="auto"`` in ``bpnn.train`` and ``alpha="auto"`` in the estimators
  predictive  the linearized Laplace posterior: predictive variance 1/β + gᵀA⁻¹g and moderated outputs
"""
