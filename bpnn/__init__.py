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
  runs       the scripts' training, evaluation and search runs
"""

from .datasets import Dataset, default_data_path, load_dataset, load_mat, save_mat
from .errors import BpnnError
from .estimator import BPNNClassifier
from .functions import log_sigmoid, sigmoid, sigmoid_gradient
from .gradcheck import check_gradients, debug_problem, numerical_gradient, relative_difference
from .network import check_data, cost, cost_and_grad, dropout_masks, forward, one_hot, predict, predict_proba
from . import threads
from .optimize import METHODS, TrainResult, minimize, train
from .sgd import train_sgd
from .params import init_weights, layer_shapes, n_params, pack, sizes_of, unpack
from .report import accuracy, evaluate
from .weights import load_weights, save_weights

__version__ = "0.1.0"

__all__ = [
    "BPNNClassifier",
    "BpnnError",
    "Dataset",
    "METHODS",
    "TrainResult",
    "accuracy",
    "check_data",
    "check_gradients",
    "cost",
    "cost_and_grad",
    "debug_problem",
    "default_data_path",
    "dropout_masks",
    "evaluate",
    "forward",
    "init_weights",
    "layer_shapes",
    "load_dataset",
    "load_mat",
    "load_weights",
    "log_sigmoid",
    "minimize",
    "n_params",
    "numerical_gradient",
    "one_hot",
    "pack",
    "predict",
    "predict_proba",
    "relative_difference",
    "save_mat",
    "save_weights",
    "sigmoid",
    "sigmoid_gradient",
    "sizes_of",
    "train",
    "train_sgd",
    "unpack",
]
