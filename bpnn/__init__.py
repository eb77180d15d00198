"""bpnn: backpropagation neural networks on one flat parameter vector.

The pieces, each in its own module:
  params     layer shapes, pack / unpack θ (views), init_weights
  functions  activations, their derivatives, output costs
  network    forward pass, cost_and_grad (vectorized backprop), predict
  gradcheck  central-difference gradient check (O(n) memory), the course's debug problem
  optimize   scipy.optimize.minimize with real maxiter, best θ, history, Ctrl-C; train
  sgd        mini-batch SGD (momentum, weight decay, dropout, monitoring, early stopping)
  threads    row blocks on parallel threads for large batches
  datasets   course .mat layout, the embedded default digits
  weights    Theta1, Theta2, … in .mat / .npz
  report     accuracy, classification report, confusion matrix
  plots      image grids (hidden units, samples)
  estimator  BPNNClassifier, the scikit-learn estimator
  search     grid search over two parameters with joblib
  runs       the scripts' training, evaluation and search runs; rundir, their output folders
  cli        the scripts' command lines (scripts/*.py call bpnn.cli.launch)

The public names below are loaded on first use (PEP 562), so ``import bpnn`` itself imports none of
NumPy, SciPy or scikit-learn and the scripts can catch Ctrl-C while those load.
"""

import importlib

__version__ = "0.1.0"

_EXPORTS = {
    "datasets": ["Dataset", "default_data_path", "load_dataset", "load_mat", "save_mat"],
    "errors": ["BpnnError", "DivergedError"],
    "estimator": ["BPNNClassifier"],
    "functions": ["log_sigmoid", "sigmoid", "sigmoid_gradient"],
    "gradcheck": ["check_gradients", "debug_problem", "numerical_gradient", "relative_difference"],
    "network": ["check_data", "cost", "cost_and_grad", "dropout_masks", "forward", "one_hot", "predict",
                "predict_proba"],
    "optimize": ["METHODS", "TrainResult", "minimize", "train"],
    "sgd": ["train_sgd"],
    "params": ["init_weights", "layer_shapes", "n_params", "pack", "sizes_of", "unpack"],
    "report": ["accuracy", "evaluate"],
    "weights": ["SavedNetwork", "load_weights", "save_weights"],
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = sorted(_WHERE)


def __getattr__(name):
    """Load a public name from its module on first use (and the submodule ``threads``)."""
    if name == "threads":
        return importlib.import_module(".threads", __name__)
    if name not in _WHERE:
        raise AttributeError(f"module 'bpnn' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
