"""What the benchmarks' PyTorch contenders share: importing torch if it is there, the versions and thread counts
to print, and a bounded check that ``torch.compile`` works on this machine.

PyTorch is optional (``pip install "bpnn[bench]"``; ``pip install torch==2.13.0`` from PyPI, or the wheel index
https://download.pytorch.org/whl/cpu, is the CPU build). Without it each benchmark prints "PyTorch: not installed"
and goes on. Its thread count is left at PyTorch's default (``torch.get_num_threads()``) and printed.
"""

import subprocess
import sys

import numpy as np

COMPILE_TIMEOUT = 300  # seconds the compile check may take (TorchInductor compiles C++ with the system compiler)

NOT_INSTALLED = "PyTorch: not installed (pip install \"bpnn[bench]\"), not compared"


def load_torch():
    """The ``torch`` module, or None when it is not installed."""
    try:
        import torch
    except ImportError:
        return None
    return torch


def torch_dtype(torch, dtype):
    """PyTorch's dtype for a NumPy dtype (name)."""
    return {"float64": torch.float64, "float32": torch.float32}[np.dtype(dtype).name]


def versions(torch):
    """One line: the versions and threads of NumPy's BLAS and of PyTorch."""
    from threadpoolctl import threadpool_info
    blas = ", ".join(f"{lib.get('internal_api')} {lib.get('version')} ({lib.get('num_threads')} threads)"
                     for lib in threadpool_info() if lib.get("user_api") == "blas")
    line = f"NumPy {np.__version__}, BLAS {blas or 'unknown'}"
    if torch is None:
        return line + "; PyTorch not installed"
    return (f"{line}; PyTorch {torch.__version__} ({torch.get_num_threads()} intra-op threads, "
            f"{torch.get_num_interop_threads()} inter-op, default)")


_CHECK = """
import torch
model = torch.compile(torch.nn.Sequential(torch.nn.Linear(8, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2)))
for dtype in (torch.float64, torch.float32):
    model.to(dtype)
    model(torch.randn(16, 8, dtype=dtype)).sum().backward()
"""


def compile_problem(torch, timeout=COMPILE_TIMEOUT):
    """None when ``torch.compile`` (TorchInductor on the CPU) compiles and runs a small model's forward and
    backward pass in a child process within ``timeout`` seconds, else why not (one line). The check runs apart
    so that a missing compiler or a hang cannot stop the benchmark; the benchmark then compiles its own models
    in-process (its first calls, untimed, take the compile time)."""
    if torch is None:
        return "PyTorch is not installed"
    try:
        done = subprocess.run([sys.executable, "-c", _CHECK], capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return f"torch.compile did not finish a small model within {timeout} s"
    if done.returncode:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        return f"torch.compile failed: {lines[-1] if lines else f'exit status {done.returncode}'}"
    return None
