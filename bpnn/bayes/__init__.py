"""What the curvature at a trained θ tells: Bayesian regularization on bpnn's exact curvature (MacKay's
evidence framework), error bars, and a certificate of convergence.

  traces       γ and ln|A| of A = βG + αI, G the data term's Gauss–Newton matrix over the weights: exactly from
               G's eigenvalues for small networks, by stochastic Lanczos quadrature on G·v products above
  evidence     λ from the evidence: MacKay's re-estimation (train, re-estimate α, retrain from θ*, until α
               settles; classification) or a search of ln λ for the largest evidence (regression);
               ``lam="auto"`` in ``bpnn.train`` and ``alpha="auto"`` in the estimators
  jacobian     the output Jacobian ∂z/∂w of each row, for G and the predictive variance
  predictive   the linearized Laplace posterior: predictive variance 1/β + gᵀA⁻¹g and moderated outputs
  certificate  the Hessian's extreme eigenvalues by Lanczos on exact H·v products, the gradient, and a verdict
               (a minimum, a saddle, flat directions, not converged)
"""
