"""bpnn: backpropagation neural networks on one flat parameter vector.

The library, in layers (each imports only the ones above it in this list):
  model/      ``Network`` (the value) and the math of (network, θ): forward, cost_and_grad, cost, predict,
              the units table, θ's layout, curvature products (R-operator), gradient and Hessian checks,
              and every input check (``model/validate``)
  speed       row blocks on parallel threads, BLAS thread limits, measured constants: what is there only to
              go faster, in one place
  objective/  the objective every optimizer consumes (a Protocol), in this process or sharded on Dask
  training/   the shared option values, ``train`` (SciPy's methods), ``train_sgd`` (mini-batches), update
              rules, stopping rules, ``TrainResult`` with its ``Status``
  data/       ``Dataset``, ``load_dataset`` and the formats, weights files, conversion, safe writes
  bayes/      what the curvature at a trained θ tells: λ from the evidence (MacKay's Bayesian regularization),
              γ and ln|A| on G·v products, the linearized Laplace posterior (error bars, moderated outputs), and
              ``certify``, a certificate of convergence from the Hessian's extreme eigenvalues
  report, plots, estimator (``BPNNClassifier``, ``BPNNRegressor``), search (grid search), book (network2.py's
  vocabulary), export (ONNX graphs), checker (``check``: a learner's own nnCostFunction or backprop, diagnosed)
and the application, ``bpnn.cli``: the ``bpnn`` command (train, sgd, gradcheck, grid, convert, ex4, export,
check), its runs, run folders and printers; ``scripts/*.py`` are front doors to it.

The public names below are loaded on first use (PEP 562): ``import bpnn`` imports none of NumPy, SciPy or
scikit-learn, and the commands can catch Ctrl-C while those load.
"""

import importlib

__version__ = "0.1.0"

_EXPORTS = {
    "model.network": ["Network", "cost_and_grad", "cost", "predict", "predict_proba", "accuracy"],
    "model.validate": ["one_hot"],
    "model.units": ["sigmoid_gradient"],
    "model.checking": ["check_gradients", "check_hessian", "debug_problem"],
    "model.curvature": ["hessp"],
    "training.scipy": ["train"],
    "training.minibatch": ["train_sgd"],
    "training.options": ["Stopping", "CurvatureProducts", "MiniBatches", "Parallel"],
    "training.updates": ["SGD", "Momentum", "Adam", "Schedule"],
    "training.result": ["TrainResult", "Status"],
    "data.dataset": ["Dataset"],
    "data.loading": ["load_dataset"],
    "data.weights": ["load_weights", "save_weights"],
    "report": ["evaluate"],
    "estimator": ["BPNNClassifier", "BPNNRegressor"],
    "bayes.certificate": ["certify", "Certificate"],
    "bayes.evidence": ["fit_evidence", "Evidence"],
    "bayes.predictive": ["Posterior"],
    "errors": ["BpnnError", "DivergedError"],
    "checker": ["check"],
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
