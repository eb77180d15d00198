"""Time bpnn's cost_and_grad on m = 5000 examples of a 400-25-10 network against the competition.

    python -m benchmarks.bench_costgrad [--m 5000] [--hidden 25] [--repeat 15]

bpnn's numbers are cost_and_grad as training runs it, over row blocks on parallel threads
(``blocks=RowBlocks()``, as many threads as BLAS has); the plain call (one block of every row on the calling
thread, its default) is printed beside it. Measured in this run, on the same data and θ:
  * scikit-learn's MLPClassifier loss-gradient routine (the function its L-BFGS solver calls), same network;
  * a per-example-loop backprop (the course's for-loop over examples);
  * the floor: the three largest matrix products cost_and_grad has to do, on the same operands (the first in
    the orientation bpnn computes it, network.layer_product);
  * JAX, when installed (``pip install "bpnn[bench]"``): ``jax.jit(jax.value_and_grad(J))`` of the same J on
    the CPU, in float64 and in float32, θ passed in and the gradient handed back as NumPy arrays, as an
    optimizer needs them (its J is checked against bpnn's before timing);
  * PyTorch, when installed (``pip install "bpnn[bench]"``): the same J written with torch operations
    (``F.binary_cross_entropy_with_logits`` summed over the outputs, the L2 term on the weights) and its
    gradient by eager ``torch.autograd``, in float64 and float32: θ comes in as a NumPy array (``from_numpy``,
    cast to float32 for float32) and the gradient goes back as a float64 NumPy array, as an optimizer needs
    them; a second line per dtype times the same with θ already a tensor and the gradient left as one (the
    conversions' share); and ``torch.compile`` of J (its backward compiled by AOTAutograd) where a bounded
    check says it works (its J is checked against bpnn's before timing, as JAX's);
and the same cost_and_grad on float32 X and Y (float32 passes, float64 θ, J and gradient).
The goals printed are the project's: ≥ 1.6× scikit-learn in float64 and ≥ 2.5× in float32, within 1.3×
of the floor, ≥ 25× the per-example loop.
The data are the embedded digits (scikit-learn's load_digits, 20×20) drawn with replacement to m rows.
"""

import argparse

import numpy as np

from benchmarks.common import best_times, machine, ratio_line
from benchmarks.torch_support import NOT_INSTALLED, compile_problem, load_torch, versions
from tests.support.competitors import LoopBackprop, SklearnObjective
from bpnn import Network, cost_and_grad, one_hot
from bpnn.data.loading import embedded_digits
from bpnn.model.network import layer_product
from bpnn.model.params import init_weights
from bpnn.model.units import sigmoid
from bpnn.speed import RowBlocks


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--m", type=int, default=5000, help="examples")
    parser.add_argument("--hidden", type=int, default=25, help="hidden units")
    parser.add_argument("--repeat", type=int, default=15,
                        help="timing rounds (the best is kept; fewer rounds leave more of the machine's noise in)")
    parser.add_argument("--no-compile", action="store_true", help="leave out PyTorch's torch.compile")
    args = parser.parse_args(argv)

    rng = np.random.default_rng(0)
    X_all, y_all = embedded_digits()
    rows = rng.integers(0, len(y_all), size=args.m)
    X, Y = np.ascontiguousarray(X_all[rows]), one_hot(y_all[rows], 10)
    sizes, lam = [X.shape[1], args.hidden, 10], 1.0
    network = Network(sizes)
    theta = init_weights(sizes, rng)

    sk = SklearnObjective(sizes, X, Y, lam)
    packed = sk.to_sklearn(theta)
    loop = LoopBackprop(sizes)

    Theta1, Theta2 = network.unpack(theta)
    W1, W2 = Theta1[:, 1:], Theta2[:, 1:]
    A2 = sigmoid(X @ W1.T)
    D2 = rng.standard_normal(A2.shape)

    def three_largest_products():
        layer_product(X, W1.T)  # m × n × h: hidden pre-activations, in the orientation bpnn uses
        D2.T @ X        # h × m × n: first-layer weight gradient
        A2 @ W2.T       # m × h × K: output pre-activations

    X32, Y32 = X.astype(np.float32), Y.astype(np.float32)
    blocks = RowBlocks()  # what training runs: row blocks on as many threads as BLAS has
    contenders = {
        "bpnn cost_and_grad (row blocks)": lambda: cost_and_grad(network, theta, X, Y, lam, blocks=blocks),
        "bpnn cost_and_grad, one block": lambda: cost_and_grad(network, theta, X, Y, lam),
        "bpnn cost_and_grad (row blocks), float32 X": lambda: cost_and_grad(network, theta, X32, Y32, lam,
                                                                            blocks=blocks),
        "scikit-learn MLP _loss_grad_lbfgs": lambda: sk(packed),
        "per-example loop backprop": lambda: loop(theta, X, Y, lam),
        "floor: its three largest matrix products": three_largest_products,
    }
    jax_contenders = jax_value_and_grad(network, theta, X, Y, lam)
    torch = load_torch()
    compile_note = "left out (--no-compile)" if args.no_compile else compile_problem(torch)
    torch_contenders = torch_value_and_grad(torch, network, theta, X, Y, lam, compiled=not compile_note)
    for call in torch_contenders.values():  # torch.compile compiles on the first calls: not timed
        call()
    times = best_times({**contenders, **jax_contenders, **torch_contenders}, args.repeat)
    ours, _, ours32, sklearn_time, loop_time, floor = (times[name] for name in contenders)

    print(f"cost_and_grad, {'-'.join(map(str, sizes))} network, m = {args.m}, λ = {lam}, float64")
    print(f"machine: {machine()}")
    print(versions(torch) + "\n")
    print(f"  {'implementation':<46} {'ms/call':>9}")
    for name, seconds in times.items():
        print(f"  {name:<46} {seconds * 1e3:9.3f}")
    print("\n  ratio (how many times faster bpnn is)")
    print(ratio_line("vs scikit-learn", ours, sklearn_time, 1.6))
    print(ratio_line("float32 vs scikit-learn (float64)", ours32, sklearn_time, 2.5))
    if jax_contenders:
        jax64, jax32 = (times[name] for name in jax_contenders)
        print(ratio_line("vs JAX jit(value_and_grad), float64", ours, jax64, 1.0))
        print(ratio_line("float32 vs JAX jit(value_and_grad), float32", ours32, jax32, 1.0))
    else:
        print("  JAX: not installed (pip install \"bpnn[bench]\"), not compared")
    if torch_contenders:
        for name, seconds in times.items():
            if name.startswith("PyTorch"):
                single = name.endswith("float32")
                label = f"{'float32 ' if single else ''}vs {name.rsplit(',', 1)[0]}"
                print(ratio_line(label, ours32 if single else ours, seconds, 1.0))
        if compile_note:
            print(f"  torch.compile: {compile_note}")
    else:
        print(f"  {NOT_INSTALLED}")
    print(ratio_line("vs per-example loop", ours, loop_time, 25))
    print("  ratio to the floor (bpnn time / floor time)")
    print(ratio_line("vs three largest matrix products", floor, ours, 1.3, faster=False))


def jax_value_and_grad(network, theta, X, Y, lam):
    """{name: call} for JAX's compiled J and ∇J in float64 and float32, or {} without JAX. J is the same
    function of θ as bpnn's: sigmoid units, the cross-entropy through log σ, λ/(2m) Σ‖W‖² without biases."""
    try:
        import jax
    except ImportError:
        return {}
    jax.config.update("jax_enable_x64", True)
    jnp, m = jax.numpy, X.shape[0]
    ends = np.cumsum([rows * columns for rows, columns in network.shapes])  # θ holds each Θ⁽ˡ⁾ in C order

    def J(theta, X, Y):
        a, penalty = X, 0.0
        for layer, (stop, shape) in enumerate(zip(ends, network.shapes)):
            Theta = theta[stop - shape[0] * shape[1]:stop].reshape(shape)
            z = a @ Theta[:, 1:].T + Theta[:, 0]
            a = jax.nn.sigmoid(z) if layer < len(ends) - 1 else z
            penalty += jnp.sum(Theta[:, 1:] ** 2)
        data = -jnp.sum(Y * jax.nn.log_sigmoid(a) + (1 - Y) * jax.nn.log_sigmoid(-a)) / m
        return data + lam / (2 * m) * penalty

    compiled = jax.jit(jax.value_and_grad(J))
    calls = {}
    for dtype in (np.float64, np.float32):
        operands = [jax.device_put(np.asarray(array, dtype=dtype)) for array in (X, Y)]

        def call(dtype=dtype, operands=operands):
            value, grad = compiled(jnp.asarray(theta, dtype=dtype), *operands)
            return float(value), np.asarray(grad, dtype=np.float64)

        reference = cost_and_grad(network, theta, *(np.asarray(array, dtype=dtype) for array in (X, Y)), lam)[0]
        tolerance = 1e-10 if dtype == np.float64 else 1e-5
        assert abs(call()[0] - reference) <= tolerance * reference, "JAX's J differs from bpnn's"
        calls[f"JAX jit(value_and_grad), {np.dtype(dtype).name}"] = call
    return calls


def torch_value_and_grad(torch, network, theta, X, Y, lam, compiled=True):
    """{name: call} for PyTorch's J and ∇J by eager autograd (and torch.compile'd, if ``compiled``) in float64
    and float32, or {} without PyTorch. J is bpnn's: sigmoid hidden units, the cross-entropy summed over the
    outputs (``binary_cross_entropy_with_logits``, through log σ as bpnn), λ/(2m) Σ‖W‖² without biases. The
    "θ and ∇J as NumPy" calls convert θ in and the gradient out (float64) on every call, as an optimizer
    needs; the "tensors" calls leave both as tensors (float64: ``from_numpy`` shares θ's memory, so only the
    gradient's float32 → float64 copy is in the difference)."""
    if torch is None:
        return {}
    F, m = torch.nn.functional, X.shape[0]
    ends = np.cumsum([rows * columns for rows, columns in network.shapes])  # θ holds each Θ⁽ˡ⁾ in C order

    def J(theta, X, Y):
        a, penalty = X, 0.0
        for layer, (stop, shape) in enumerate(zip(ends, network.shapes)):
            Theta = theta[stop - shape[0] * shape[1]:stop].view(shape)
            z = torch.addmm(Theta[:, 0], a, Theta[:, 1:].T)
            a = torch.sigmoid(z) if layer < len(ends) - 1 else z
            penalty = penalty + torch.sum(Theta[:, 1:] ** 2)
        return F.binary_cross_entropy_with_logits(a, Y, reduction="sum") / m + lam / (2 * m) * penalty

    functions = {"autograd": J}
    if compiled:
        functions["torch.compile"] = torch.compile(J, dynamic=False)
    calls = {}
    for dtype in (np.float64, np.float32):
        tdtype = torch.float64 if dtype == np.float64 else torch.float32
        Xt, Yt = (torch.from_numpy(np.asarray(array, dtype=dtype)) for array in (X, Y))
        resident = torch.from_numpy(theta).to(tdtype).requires_grad_()
        reference = cost_and_grad(network, theta, *(np.asarray(array, dtype=dtype) for array in (X, Y)), lam)[0]
        for kind, fn in functions.items():

            def numpy_call(fn=fn, tdtype=tdtype, Xt=Xt, Yt=Yt):
                theta_t = torch.from_numpy(theta).to(tdtype).requires_grad_()
                value = fn(theta_t, Xt, Yt)
                grad, = torch.autograd.grad(value, theta_t)
                return float(value), grad.numpy().astype(np.float64)

            def tensor_call(fn=fn, Xt=Xt, Yt=Yt, resident=resident):
                value = fn(resident, Xt, Yt)
                return value.detach(), torch.autograd.grad(value, resident)[0]

            tolerance = 1e-10 if dtype == np.float64 else 1e-5
            assert abs(numpy_call()[0] - reference) <= tolerance * reference, f"PyTorch's J ({kind}) is not bpnn's"
            name = np.dtype(dtype).name
            calls[f"PyTorch {kind}, NumPy θ/∇J, {name}"] = numpy_call
            calls[f"PyTorch {kind}, tensors, {name}"] = tensor_call
    return calls


if __name__ == "__main__":
    main()
