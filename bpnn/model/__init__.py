"""The model: a network and the math of (network, θ), reading like its equations.

  network     ``Network`` (the value) and forward, cost_and_grad (vectorized backprop), cost, predict, …
  units       the one table of units: each activation (g, g′, g″), each output with its cost (δ, curvature)
  params      θ's layout (views into one flat vector) and its initializers
  curvature   exact Hessian-vector and Gauss–Newton products, by the R-operator on the units table
  checking    gradient and Hessian checks against central differences, the course's debug problem
  validate    every check of the caller's input, once
"""
