"""Moderated probabilities on the embedded digits, a study: the held-out log loss of each way of averaging the
outputs over the Laplace posterior that ``alpha="auto"`` ends at.

    python -m benchmarks.bench_moderation [--hidden 25] [--output sigmoid|softmax] [--samples 2000]

One ``BPNNClassifier(alpha="auto")`` fit on the embedded digits (1,437 training and 360 held-out images), then
the posterior's precision A = G + αI over all its weights built densely (G from the rows' output Jacobians,
``WeightCurvature.dense``; 10,250 weights at 400-25-10: about 1 GB and a minute), so that nothing below
is approximated but what its line says:

  * plain:                the outputs at θ*;
  * moderated, low rank:  ``predict_proba(X, moderated=True)``: the probit κ(s²) z with s² from G's 50 largest
                          eigenvectors and the rest of the space at curvature 0 (an upper bound on s²);
  * moderated, exact:     the probit κ(s²) z with s² = gᵀA⁻¹g from A's Cholesky factor;
  * averaged, exact:      the mean of the probabilities over ``--samples`` draws of z ~ N(z*, J A⁻¹ Jᵀ), the
                          K × K covariance of each row's outputs (no probit approximation);
  * output layer:         the same average over the output layer's weights only, the hidden weights held at
                          θ*: the conditional posterior, whose precision is A's block of those weights.

Each is scored with two normalizations of sigmoid outputs: h / Σh (``predict_proba``'s) and softmax(z), the
probability of each label given that exactly one is on, Πⱼ hⱼ^[j=k] (1 − hⱼ)^[j≠k] normalized; softmax outputs
have one. Moderation lowers the held-out log loss only if the posterior's spread is right where the network is
wrong: this prints whether it is.
"""

import argparse
import time
import warnings

import numpy as np
from scipy.linalg import cho_factor, cho_solve
from scipy.special import expit, log_softmax, softmax
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import log_loss

from benchmarks.common import machine
from bpnn.bayes.jacobian import output_jacobian
from bpnn.bayes.predictive import probit_scale
from bpnn.bayes.traces import curvature_of_rows
from bpnn.data.loading import load_dataset, split
from bpnn.estimator import BPNNClassifier
from bpnn.model.validate import one_hot

OUTPUTS = {"sigmoid": dict(), "softmax": dict(output="softmax", cost="log-likelihood")}


def normalizations(output):
    """{name: z ↦ class probabilities} for the network's output units."""
    if output == "softmax":
        return {"softmax(z)": lambda z: softmax(z, axis=-1)}
    return {"h / Σh": lambda z: np.exp(log_softmax(np.log(expit(z)), axis=-1)),
            "softmax(z)": lambda z: softmax(z, axis=-1)}


def covariances(J, factor, weights):
    """J A⁻¹ Jᵀ of each row over ``weights`` (a slice of the k weights): (m, K, K)."""
    m, K, _ = J.shape
    rows = J[:, :, weights].reshape(m * K, -1)
    return np.einsum("mki,mli->mkl", J[:, :, weights], cho_solve(factor, rows.T).T.reshape(m, K, -1))


def averaged(z, covariance, normalize, samples, rng):
    """The mean over draws of z ~ N(z*, covariance) of normalize(z), row by row."""
    root = np.linalg.cholesky(covariance + 1e-12 * np.eye(z.shape[1]))
    draws = z + np.einsum("mkl,sml->smk", root, rng.standard_normal((samples, *z.shape)))
    return normalize(draws).mean(axis=0)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hidden", type=int, nargs="+", default=[25], help="the hidden layers (default 25)")
    parser.add_argument("--output", choices=OUTPUTS, default="sigmoid", help="the output units (default sigmoid)")
    parser.add_argument("--samples", type=int, default=2000, help="draws per row for the averages (default 2000)")
    args = parser.parse_args(argv)
    print(f"machine: {machine()}\n")
    X, y, X_test, y_test = split(load_dataset())
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = BPNNClassifier(hidden_layer_sizes=tuple(args.hidden), random_state=0, alpha="auto",
                               **OUTPUTS[args.output]).fit(X, y)
    network, theta, alpha = model.network_, model.theta_, model.alpha_
    labels = np.searchsorted(model.classes_, y_test)
    print(f"{'-'.join(map(str, network.sizes))} {args.output} outputs, alpha = {alpha:.3g} from the evidence "
          f"(γ = {model.gamma_:.0f}), held-out accuracy {model.score(X_test, y_test):.4f}, "
          f"{time.perf_counter() - start:.1f} s")

    start = time.perf_counter()
    rows = (X.astype(np.float64), one_hot(np.searchsorted(model.classes_, y), network.n_classes), None)
    with curvature_of_rows(network, theta, rows) as curvature:
        A = curvature.dense()
    k, K = len(A), network.n_classes
    output_weights = slice(k - network.sizes[-2] * K, k)  # θ's last block: the output layer's weights
    A_output = A[output_weights, output_weights] + alpha * np.eye(network.sizes[-2] * K)
    A[np.diag_indices(k)] += alpha
    J, z = output_jacobian(network, theta, X_test)
    covariance = covariances(J, cho_factor(A, overwrite_a=True), slice(None))
    output_covariance = covariances(J, cho_factor(A_output), output_weights)
    del A
    print(f"dense posterior over {k} weights: {time.perf_counter() - start:.1f} s\n")

    variance = np.diagonal(covariance, axis1=1, axis2=2)
    if args.output == "softmax":  # the probit of softmax outputs moderates zₖ − mean z (bpnn.bayes.predictive)
        center = np.eye(K) - 1.0 / K
        variance = np.diagonal(center @ covariance @ center, axis1=1, axis2=2)
    rng = np.random.default_rng(0)
    rows = {
        "plain": lambda normalize: normalize(z),
        "moderated, low rank (the library's)": lambda normalize: normalize(model.posterior_.moderated(X_test)),
        "moderated, exact": lambda normalize: normalize(probit_scale(variance) * z),
        "averaged, exact": lambda normalize: averaged(z, covariance, normalize, args.samples, rng),
        "output layer, averaged": lambda normalize: averaged(z, output_covariance, normalize, args.samples, rng),
    }
    scorings = normalizations(args.output)
    print(f"{f'held-out log loss ({len(y_test)} images)':<38}" + "".join(f"{name:>14}" for name in scorings))
    for name, probabilities in rows.items():
        print(f"  {name:<36}" + "".join(f"{log_loss(labels, probabilities(normalize), labels=range(K)):14.4f}"
                                        for normalize in scorings.values()))


if __name__ == "__main__":
    main()
