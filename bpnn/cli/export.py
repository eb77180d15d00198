"""``bpnn export WEIGHTS OUT.onnx``: a weights file (the course's or bpnn's layout) as an ONNX model.

    bpnn export runs/20261205-101500/weights.mat model.onnx [--dtype float32|float64] [--force]

The model takes X (n × s₁) and gives ``label`` and ``probabilities`` (``bpnn.export``); run it with
onnxruntime or any ONNX runtime. Needs the ``onnx`` extra: ``pip install "bpnn[onnx]"``.
"""

from . import Parser, path
from ..data.files import check_output_path, refuse_existing

__all__ = ["main"]


def parse_args(argv=None):
    parser = Parser(description="Write a trained network (a weights file of `bpnn train`, `bpnn sgd` or the course's "
                                "ex4weights.mat) as an ONNX model: input X, outputs label and probabilities.")
    parser.add_argument("weights", type=path, help="weights file (.mat or .npz)")
    parser.add_argument("out", type=path, help="the .onnx file to write")
    parser.add_argument("--dtype", choices=["float32", "float64"], default="float32",
                        help="the type of X, the weights and the probabilities in the model (default float32)")
    parser.add_argument("--force", action="store_true", help="replace OUT if it exists")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    check_output_path(args.out, ".onnx")
    if not args.force:
        refuse_existing(args.out)
    from ..data.files import write_atomically
    from ..data.weights import load_weights
    from ..export import to_onnx

    saved = load_weights(args.weights)
    model = to_onnx(saved.network, saved.theta, dtype=args.dtype)
    write_atomically(args.out, lambda stream: stream.write(model.SerializeToString()), overwrite=args.force)
    print(f"Wrote {'-'.join(map(str, saved.network.sizes))} ({saved.network.activation} hidden units, "
          f"{saved.network.output} outputs) as ONNX, {args.dtype}, to {args.out}")
