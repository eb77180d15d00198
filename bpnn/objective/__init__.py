"""The objective every optimizer consumes: J(θ) and ∇J(θ) of one network on one training set, with its
curvature products, mini-batches and monitoring (``base.Objective``, a Protocol).

  base      the contract
  local     ``LocalObjective``: the data in this process, evaluated over row blocks (``bpnn.speed``)
  sharded   ``ShardedObjective``: the data cut into shards held by the workers of a Dask cluster
  sampling  ``CurvatureSample``: which rows the curvature products of one θ use
"""
