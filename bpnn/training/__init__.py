"""Training: every optimizer consumes the same objective, ``cost_and_grad`` of (network, θ).

  setup      what SciPy and mini-batch training share: validated data, the network, one-hot targets, θ₀
  result     ``TrainResult``, the one result type, whole when made
  scipy      ``minimize`` (any SciPy method with a real ``max_iter``, best θ, Ctrl-C) and ``train``
  updates    mini-batch update rules on the flat θ: ``SGD``, ``Momentum`` (with Nesterov), ``Adam``
  minibatch  ``train_sgd``: epochs of mini-batches, monitoring, early stopping

Both trainers take keyword-only options, report progress through one callback protocol (a dict per
step; returning True stops training before the next step) and name their step unit (iterations or epochs).
"""
