"""A trained network as an ONNX graph, for inference outside Python (onnxruntime, ONNX-capable runtimes).

The graph is bpnn's forward pass and prediction, layer by layer, with input ``X`` (n × s₁):

  a⁽¹⁾ = X,   z⁽ˡ⁺¹⁾ = a⁽ˡ⁾ W⁽ˡ⁾ᵀ + b⁽ˡ⁾ (MatMul, Add),   a⁽ˡ⁺¹⁾ = g(z⁽ˡ⁺¹⁾) (Sigmoid, Tanh or Relu),

and, for a classification network, two outputs, as scikit-learn's classifiers have them in ONNX: ``label``,
the class of the largest z⁽ᴸ⁾ (ArgMax, then the class values), and ``probabilities``, the output units
normalized to sum to 1 as ``BPNNClassifier.predict_proba`` does: softmax(z) for softmax outputs,
softmax(log σ(z)) = σ / Σσ for sigmoid outputs, with log σ(z) = min(z, 0) − log(1 + e^−|z|), finite where σ
underflows. A regression network (identity outputs) has one output, as scikit-learn's regressors: ``variable``,
the values z⁽ᴸ⁾ (n × K). A multilabel network has ``label``, 1 for every output with z > 0 (n × K), and
``probabilities``, σ(z) per label, as ``BPNNClassifier`` predicts them. ``to_onnx`` builds the graph from a
network and θ; ``register_skl2onnx`` lets ``skl2onnx.to_onnx(model, X[:1])`` convert a ``BPNNClassifier`` or a
``BPNNRegressor`` with it. Needs the ``onnx`` package (``pip install "bpnn[onnx]"``, which adds onnxruntime and
skl2onnx).
"""

import numpy as np

from .errors import BpnnError
from .model.validate import check_vector

__all__ = ["to_onnx", "register_skl2onnx", "OPSET"]

OPSET = 17  # the ONNX operator set the graphs use (Softmax over one axis, as numpy's, needs 13 or later)
_ACTIVATIONS = {"sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "Relu"}
_DTYPES = {np.dtype(np.float32): 1, np.dtype(np.float64): 11}  # onnx.TensorProto.FLOAT, DOUBLE


def _onnx():
    try:
        import onnx
    except ImportError:
        raise BpnnError("exporting to ONNX needs the onnx package: pip install \"bpnn[onnx]\"") from None
    return onnx


def to_onnx(network, theta, *, classes=None, dtype=np.float32):
    """The ONNX model of ``network`` with parameters θ (an ``onnx.ModelProto``).

    Parameters
    ----------
    network : bpnn.Network
    theta : ndarray
        The flat parameter vector.
    classes : array-like of int or str, optional
        The class value of each output unit, in order (default 0..K−1); ``label`` holds them (classification
        networks only).
    dtype : float32 or float64
        The type of ``X``, the weights and ``probabilities``.

    Returns
    -------
    onnx.ModelProto
        Input ``X`` (n × s₁), outputs ``label`` (n, int64 or string; n × K 0/1 for a multilabel network) and
        ``probabilities`` (n × K), or ``variable`` (n × K) for a regression network.

    Raises
    ------
    BpnnError
        θ does not fit the network or holds NaN or inf, ``classes`` are not K integers or strings, the dtype
        is not a float type, or onnx is not installed.
    """
    onnx = _onnx()
    from onnx import helper

    dtype = np.dtype(dtype)
    if dtype not in _DTYPES:
        raise BpnnError(f"dtype must be float32 or float64, got {dtype}")
    thetas = network.unpack(check_vector(theta, network.n_params, "theta"))
    if classes is not None and network.task != "classification":
        raise BpnnError(f"classes label a classification network's outputs; this network's task is {network.task}")
    nodes, weights, z = _layers(network, thetas, dtype)
    if network.task == "classification":
        more_nodes, more_weights, outputs = _classification(network, z, _class_values(network.n_classes, classes),
                                                            dtype)
    elif network.task == "multilabel":
        more_nodes, more_weights, outputs = _multilabel(network, z, dtype)
    else:
        more_nodes, more_weights = [_node("Identity", [z], "variable")], []
        outputs = [helper.make_tensor_value_info("variable", _DTYPES[dtype], [None, network.n_classes])]
    graph = helper.make_graph(nodes + more_nodes, "bpnn",
                              [helper.make_tensor_value_info("X", _DTYPES[dtype], [None, network.sizes[0]])],
                              outputs, weights + more_weights)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="bpnn")
    onnx.checker.check_model(model)
    return model


def _node(op, inputs, output, **attributes):
    """One ONNX node, named after its output (skl2onnx needs named nodes)."""
    from onnx import helper

    return helper.make_node(op, inputs, [output], name=output, **attributes)


def _layers(network, thetas, dtype):
    """(nodes, weights, the name of z⁽ᴸ⁾): X W⁽ˡ⁾ᵀ + b⁽ˡ⁾ layer by layer, g between the layers."""
    from onnx import numpy_helper

    nodes, weights, a = [], [], "X"
    for layer, Theta in enumerate(thetas, start=1):
        weights += [numpy_helper.from_array(np.ascontiguousarray(Theta[:, 1:].T, dtype=dtype), f"W{layer}"),
                    numpy_helper.from_array(Theta[:, 0].astype(dtype), f"b{layer}")]
        nodes += [_node("MatMul", [a, f"W{layer}"], f"Wa{layer}"),
                  _node("Add", [f"Wa{layer}", f"b{layer}"], f"z{layer + 1}")]
        a = f"z{layer + 1}"
        if layer < len(thetas):
            nodes.append(_node(_ACTIVATIONS[network.activation], [a], f"a{layer + 1}"))
            a = f"a{layer + 1}"
    return nodes, weights, a


def _classification(network, z, labels, dtype):
    """(nodes, weights, outputs) from z to ``label`` (the class of the largest z) and ``probabilities``
    (softmax(z), or for sigmoid outputs softmax(log σ(z)) with log σ(z) = min(z, 0) − log(1 + e^−|z|))."""
    from onnx import TensorProto, helper, numpy_helper

    weights, nodes, log_h = [numpy_helper.from_array(labels, "classes")], [], z
    if network.output == "sigmoid":
        weights += [numpy_helper.from_array(np.array(value, dtype=dtype), name) for value, name in ((0, "zero"),
                                                                                                  (1, "one"))]
        nodes += [_node("Abs", [z], "abs_z"), _node("Neg", ["abs_z"], "minus_abs_z"),
                  _node("Exp", ["minus_abs_z"], "e"), _node("Add", ["one", "e"], "one_plus_e"),
                  _node("Log", ["one_plus_e"], "log_one_plus_e"), _node("Min", [z, "zero"], "min_z_0"),
                  _node("Sub", ["min_z_0", "log_one_plus_e"], "log_h")]
        log_h = "log_h"
    nodes += [_node("Softmax", [log_h], "probabilities", axis=1),
              _node("ArgMax", [z], "unit", axis=1, keepdims=0),
              _node("Gather", ["classes", "unit"], "label", axis=0)]
    label = TensorProto.STRING if labels.dtype.kind == "O" else TensorProto.INT64
    outputs = [helper.make_tensor_value_info("label", label, [None]),
               helper.make_tensor_value_info("probabilities", _DTYPES[np.dtype(dtype)], [None, network.n_classes])]
    return nodes, weights, outputs


def _multilabel(network, z, dtype):
    """(nodes, weights, outputs) from z to ``label``, 1 for every z > 0 (n × K int64), and ``probabilities``,
    σ(z) per label."""
    from onnx import TensorProto, helper, numpy_helper

    nodes = [_node("Sigmoid", [z], "probabilities"), _node("Greater", [z, "zero"], "above"),
             _node("Cast", ["above"], "label", to=TensorProto.INT64)]
    outputs = [helper.make_tensor_value_info("label", TensorProto.INT64, [None, network.n_classes]),
               helper.make_tensor_value_info("probabilities", _DTYPES[np.dtype(dtype)], [None, network.n_classes])]
    return nodes, [numpy_helper.from_array(np.array(0, dtype=dtype), "zero")], outputs


def _class_values(n_classes, classes):
    """The K class values as int64 or as strings (an object array, as ONNX string tensors are made from)."""
    if classes is None:
        return np.arange(n_classes, dtype=np.int64)
    values = np.asarray(classes)
    if values.shape != (n_classes,):
        raise BpnnError(f"classes must give one value per output unit ({n_classes}), got shape {values.shape}")
    if values.dtype.kind in "iu":
        return values.astype(np.int64)
    if values.dtype.kind in "UO" and all(isinstance(value, str) for value in values.tolist()):
        return np.array(values.tolist(), dtype=object)
    raise BpnnError(f"ONNX labels must be integers or strings; these classes are {values.dtype}: {values.tolist()[:5]}")


def register_skl2onnx():
    """Register the converters of ``BPNNClassifier`` and ``BPNNRegressor`` with skl2onnx, so that
    ``skl2onnx.to_onnx(model, X[:1])`` converts a fitted one, alone or in a pipeline (a classifier with
    skl2onnx's ``zipmap`` option: ``options={"zipmap": False}`` for a tensor of probabilities).

    Raises
    ------
    BpnnError
        skl2onnx is not installed.
    """
    try:
        from skl2onnx import update_registered_converter
        from skl2onnx.common.data_types import Int64TensorType, guess_numpy_type
        from skl2onnx.common.shape_calculator import (calculate_linear_classifier_output_shapes,
                                                      calculate_linear_regressor_output_shapes)
        from skl2onnx.helpers import add_onnx_graph
    except ImportError:
        raise BpnnError("converting with skl2onnx needs it installed: pip install \"bpnn[onnx]\"") from None
    from .estimator import BPNNClassifier, BPNNRegressor

    def convert(scope, operator, container):
        model = operator.raw_operator
        classes = getattr(model, "classes_", None) if model.network_.task == "classification" else None
        graph = to_onnx(model.network_, model.theta_, classes=classes, dtype=guess_numpy_type(operator.inputs[0].type))
        add_onnx_graph(scope, operator, container, graph)

    def classifier_shapes(operator):
        calculate_linear_classifier_output_shapes(operator)
        network = operator.raw_operator.network_
        if network.task == "multilabel":  # the label is the n × K indicator matrix, not one class per row
            operator.outputs[0].type = Int64TensorType([operator.inputs[0].get_first_dimension(), network.n_classes])

    update_registered_converter(BPNNClassifier, "BpnnBPNNClassifier", classifier_shapes, convert,
                                options={"zipmap": [True, False, "columns"], "nocl": [True, False]}, overwrite=True)
    update_registered_converter(BPNNRegressor, "BpnnBPNNRegressor", calculate_linear_regressor_output_shapes,
                                convert, overwrite=True)
