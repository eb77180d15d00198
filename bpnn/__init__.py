"""bpnn: backpropagation neural networks on one flat parameter vector.

The library, one job per module:
  network    ``Network`` (the value: sizes, activation, output and cost) and the math of (network, θ):
             forward, cost_and_grad (vectorized backprop), cost, predict, predict_proba, dropout_masks
  functions  activations, their derivatives, output costs (exact at saturation)
  params     pack / unpack θ (views), initializers
  checks     validation of X, labels, one-hot targets, λ
  threads    row blocks on parallel threads for large batches, BLAS thread limits
  gradcheck  central-difference gradient check (O(n) memory), the course's debug problem
  hessian    exact Hessian-vector and Gauss–Newton products (R-operator), their check
  training   setup, result (TrainResult), scipy (minimize, train), updates (SGD, Momentum, Adam), minibatch
  datasets   load_dataset (formats/: one reader per format, in a registry), the embedded digits, splits
  weights    weights files (.mat in the course's order, .npz in bpnn's) that record their network
  report     accuracy, classification report, confusion matrix
  plots      figures: image grids, learning curves, grid-search maps
  estimator  BPNNClassifier, the scikit-learn estimator
  search     grid search over two estimator parameters with joblib
  book       the neural-networks book's network2.py (Network, SGD, save/load) on the same backprop
  files, limits, errors   atomic writes, memory checks, the exception types
and the application, ``bpnn.cli``: the ``bpnn`` command (train, sgd, gradcheck, grid, convert, ex4), its runs,
run folders and printers; ``scripts/*.py`` are front doors to it.

The public names below are loaded on first use (PEP 562): ``import bpnn`` imports none of NumPy, SciPy or
scikit-learn, and the commands can catch Ctrl-C while those load.
"""

import importlib

__version__ = "0.1.0"

_EXPORTS = {
    "network": ["Network", "cost_and_grad", "cost", "predict", "predict_proba"],
    "checks": ["one_hot"],
    "functions": ["sigmoid_gradient"],
    "gradcheck": ["check_gradients", "debug_problem"],
    "training.scipy": ["train"],
    "training.minibatch": ["train_sgd"],
    "training.result": ["TrainResult"],
    "datasets": ["Dataset", "load_dataset"],
    "weights": ["load_weights", "save_weights"],
    "report": ["evaluate"],
    "estimator": ["BPNNClassifier"],
    "errors": ["BpnnError", "DivergedError"],
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = sorted(_WHERE)


def __getattr__(name):
    """Load a public name from its module on first use."""
    if name not in _WHERE:
        raise AttributeError(f"module 'bpnn' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
