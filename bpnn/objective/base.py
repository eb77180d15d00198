"""The objective contract: what the SciPy methods and mini-batch training need from the data they train on.

An objective is one network's regularized cost on one training set of m rows, with λ stated for the whole
training set (``train_size``: n = m, or Σw with sample weights), whichever rows a call uses. The
in-process ``bpnn.objective.local.LocalObjective`` and the Dask ``bpnn.objective.sharded.ShardedObjective``
implement it to the same sums.
"""

from typing import Protocol

import numpy as np

from ..model.network import Network

__all__ = ["Objective"]


class Objective(Protocol):
    """J, ∇J, curvature products, mini-batch gradients and monitoring of ``network`` on its training set."""

    network: Network
    n_examples: int  # m, the training rows
    train_size: float  # n, the size λ is stated for: m, or Σw with sample weights

    def __call__(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        """(J(θ), ∇J(θ)) over every training row."""

    def hessp(self, theta: np.ndarray, v: np.ndarray, gauss_newton: bool = True,
              rows: np.ndarray | None = None) -> np.ndarray:
        """G·v (``gauss_newton``) or H·v at θ, over every row or over ``rows`` (numbered 0..m−1)."""

    def batch(self, theta: np.ndarray, rows: np.ndarray, masks: list | None = None) -> tuple[float, np.ndarray]:
        """(J, ∇J) of the mini-batch of ``rows`` (λ stated for the whole training set), with dropout ``masks``
        (in-process only: the sharded objective refuses them)."""

    def cost_and_score(self, theta: np.ndarray) -> tuple[float, float]:
        """(J(θ), the network's score on the training rows: accuracy, or R² for real values), from one
        forward pass."""

    def close(self) -> None:
        """Release what the objective holds (shards on workers, threads); it is not used afterwards."""
