"""The known mistakes, by their stable names, and the search for the fewest that explain what a function returned.

Each mistake is a ``Mistake`` (what it is, the line of the math it breaks, what to change), and each checker
(``course``, ``book``) models it by one or more variants: changes to the settings of its model of the
learner's function (a factor, an order, a flag). ``explain`` tries no mistake, then each one alone, then
pairs, then triples (one variant of each), and returns every smallest set whose model reproduces the
learner's outputs: a diagnosis by model, never a guess.
"""

from dataclasses import dataclass
from itertools import combinations, product

from ..model.units import sigmoid_gradient

__all__ = ["Mistake", "MISTAKES", "NAMES", "BOOK_TEXT", "BOTH_ORDERS", "other_order", "describe", "slope", "explain"]


@dataclass(frozen=True)
class Mistake:
    """A known mistake: its stable ``name``, what it is, the math it breaks and the fix."""

    name: str
    explanation: str
    math: str
    fix: str


MISTAKES = {mistake.name: mistake for mistake in [
    Mistake("label-mapping",
            "the one-hot targets sit one output unit off: label k is compared with unit k ± 1, and the label at the "
            "end with the unit at the other end or with none (the \"10 means 0\" mapping: the digit 0, label 10, "
            "moved to unit 1; or labels 1..K compared with 0..K−1, as np.eye(K)[y] or y == np.arange(K) do; or the "
            "other way round)",
            "y⁽ⁱ⁾ recoded as the K-vector with y_k = 1 exactly where k is the label (ex4 §1.3)",
            "labels 1..K: Y = np.eye(K)[y - 1]; labels 0..K−1: Y = np.eye(K)[y]; map 10 to 0 only where the "
            "weights were rolled to match (the Python ports' np.roll(Theta2, 1, axis=0))"),
    Mistake("output-order",
            "the targets are not laid out like the outputs (example × unit): a K × m matrix was reshaped to "
            "m × K instead of transposed, so row i of Y is not example i's",
            "J = (1/m) Σᵢ Σₖ [−y⁽ⁱ⁾ₖ log h(x⁽ⁱ⁾)ₖ − (1 − y⁽ⁱ⁾ₖ) log(1 − h(x⁽ⁱ⁾)ₖ)]: y⁽ⁱ⁾ and h(x⁽ⁱ⁾) of the same i",
            "transpose (Y.T), never reshape, and check Y.shape == h.shape == (m, K)"),
    Mistake("unrolling-order",
            "θ is reshaped into Θ⁽¹⁾, Θ⁽²⁾ in one order and the gradient unrolled in the other (column by "
            "column is MATLAB's Theta1(:) and numpy's order='F'; row by row is numpy's default, order='C')",
            "grad = [Θ⁽¹⁾_grad(:); Θ⁽²⁾_grad(:)], unrolled exactly as nn_params = [Θ⁽¹⁾(:); Θ⁽²⁾(:)]",
            "use one order both times: reshape(…, order='F') with ravel(order='F'), or numpy's default both times"),
    Mistake("bias-regularized",
            "the bias columns (column 0 of each Θ⁽ˡ⁾) are regularized, in the cost or in the gradient",
            "J = … + λ/(2m) Σₗ Σᵢ Σ_{j≥1} (Θ⁽ˡ⁾ᵢⱼ)², ∂J/∂Θ⁽ˡ⁾ᵢⱼ = D⁽ˡ⁾ᵢⱼ + (λ/m) Θ⁽ˡ⁾ᵢⱼ for j ≥ 1 only",
            "regularize Theta1[:, 1:] and Theta2[:, 1:] (MATLAB: Theta1(:, 2:end)); column 0 of the gradient "
            "gets no λ term"),
    Mistake("penalty-scale",
            "the penalty has the wrong factor: λ/m in the cost where λ/(2m) belongs, or λ/(2m) in the gradient "
            "where λ/m belongs",
            "J = … + λ/(2m) Σ Θ², ∂J/∂Θᵢⱼ = D ᵢⱼ + (λ/m) Θᵢⱼ (the derivative of Θ²/2 is Θ)",
            "λ/(2m) in the cost, λ/m in the gradient"),
    Mistake("penalty-missing-in-gradient",
            "the cost is regularized but the gradient (or one of its matrices) is not",
            "∂J/∂Θ⁽ˡ⁾ᵢⱼ = (1/m) Δ⁽ˡ⁾ᵢⱼ + (λ/m) Θ⁽ˡ⁾ᵢⱼ for j ≥ 1",
            "add (λ/m) · Theta[:, 1:] to columns 1: of each gradient matrix"),
    Mistake("missing-1/m",
            "a sum over the m examples is not divided by m (in the cost, in a gradient matrix, in a penalty)",
            "J = (1/m) Σᵢ cost⁽ⁱ⁾ + λ/(2m) Σ Θ²,  D⁽ˡ⁾ = (1/m) Δ⁽ˡ⁾ + (λ/m) Θ⁽ˡ⁾",
            "divide the summed cost and the accumulated Δ⁽ˡ⁾ by m = X.shape[0]"),
    Mistake("sigmoid-gradient",
            "the hidden layer's δ takes the sigmoid's derivative at the wrong place: sigmoidGradient(a⁽²⁾), of the "
            "activation, or z(1 − z), where g'(z⁽²⁾) = a⁽²⁾(1 − a⁽²⁾) belongs",
            "δ⁽²⁾ = (Θ⁽²⁾)ᵀ δ⁽³⁾ .* g'(z⁽²⁾)",
            "sigmoidGradient(z2), or a2 * (1 - a2) with a2 = sigmoid(z2) (without the bias unit)"),
    Mistake("bias-gradient",
            "the bias column of a gradient matrix is zero: Δ was accumulated without the bias unit's activation 1",
            "Δ⁽ˡ⁾ = Δ⁽ˡ⁾ + δ⁽ˡ⁺¹⁾ (a⁽ˡ⁾)ᵀ with a⁽ˡ⁾ holding the bias unit a₀ = 1, so column 0 is Σᵢ δ⁽ˡ⁺¹⁾",
            "use a1 = [1, x] and a2 = [1, g(z2)] in Δ, so that column 0 of each Theta_grad is the sum of δ"),
    Mistake("integer-labels",
            "y arrived as unsigned integers (scipy.io.loadmat gives uint8) and the one-hot Y kept that type: −Y "
            "wraps around to 255 instead of −1, so the cost's −y log h term is multiplied by −255",
            "J = (1/m) Σ [−y log h − (1 − y) log(1 − h)] with y ∈ {0, 1} as real numbers",
            "make Y floating point (np.eye(K)[…] is) or convert y first: y = y.astype(int)"),
]}
NAMES = tuple(MISTAKES)

# The book's words for the mistakes its backprop can make (Nielsen, chapter 2's equations BP1–BP4).
BOOK_TEXT = {
    "sigmoid-gradient": Mistake(
        "sigmoid-gradient", "δ takes the sigmoid's derivative at the wrong place: sigmoid_prime of the activation "
        "(or z(1 − z)) where σ'(z) = σ(z)(1 − σ(z)) belongs",
        "BP2: δˡ = ((wˡ⁺¹)ᵀ δˡ⁺¹) ⊙ σ'(zˡ)  (and BP1: δᴸ = ∇ₐC ⊙ σ'(zᴸ) for the quadratic cost)",
        "sigmoid_prime(zs[-l]), not sigmoid_prime(activations[-l])"),
    "bias-gradient": Mistake(
        "bias-gradient", "a layer's nabla_b is left at zero", "BP3: ∂C/∂bˡⱼ = δˡⱼ",
        "nabla_b[-l] = delta, for the output layer and for each hidden layer"),
    "output-order": Mistake(
        "output-order", "nabla_w is not laid out like weights: transposed (s_{l−1} × s_l) or in reverse layer "
        "order", "BP4: ∂C/∂wˡⱼₖ = aˡ⁻¹ₖ δˡⱼ, i.e. nabla_w[-l] = δˡ (aˡ⁻¹)ᵀ, shaped like weights[-l]",
        "nabla_w[-l] = np.dot(delta, activations[-l-1].transpose()), stored at index -l"),
}


# How a function unrolls consistently in the order other than the one stated: unrolling-order, in other words.
BOTH_ORDERS = "θ and the gradient both in the other order"
_ORDER_WORDS = {"F": "column by column", "C": "row by row"}


def other_order(order):
    """The unrolling order that is not ``order`` ("F" or "C")."""
    return "C" if order == "F" else "F"


def describe(name, book=False, how="", order=None):
    """The ``Mistake`` named ``name``, in the book's words when ``book`` and it has them; for a function that
    uses one order consistently (``how`` is BOTH_ORDERS) where ``order`` was stated, in words of its own."""
    if name == "unrolling-order" and how == BOTH_ORDERS and order in _ORDER_WORDS:
        other = other_order(order)
        return Mistake(name, f"θ is reshaped and the gradient unrolled consistently, {_ORDER_WORDS[other]} (order "
                             f"{other}), but order {order} ({_ORDER_WORDS[order]}) was stated", MISTAKES[name].math,
                       f"if order {other} is what your θ uses, say so (--order {other}, order=\"{other}\"); to use "
                       f"order {order}, reshape(…, order='{order}') and ravel(order='{order}')")
    return BOOK_TEXT[name] if book and name in BOOK_TEXT else MISTAKES[name]


def slope(kind, z, a):
    """The sigmoid's derivative in a layer with inputs z and activations a = g(z), as the learner takes it:
    right ("z": g'(z) = a(1 − a)), of the activation ("a": g'(a)), or as "z(1-z)" (the sigmoid-gradient
    mistake's variants, in both checkers)."""
    return {"z": a * (1 - a), "a": sigmoid_gradient(a), "z(1-z)": z * (1 - z)}[kind]


def _merge(parts):
    """One model's settings from the variants' changes: numbers multiply (two factors on one term), anything
    else is set by the one variant that changes it."""
    settings = {}
    for changes in parts:
        for key, value in changes.items():
            both = key in settings and not isinstance(value, bool) and isinstance(value, (int, float))
            settings[key] = settings[key] * value if both else value
    return settings


def explain(variants, matchers, most=3):
    """The smallest sets of mistakes (at most ``most``) whose model reproduces the learner's outputs, and where.

    Parameters
    ----------
    variants : dict
        Mistake name → list of (how, changes): each way of making the mistake, in words and as changes to the
        model's settings.
    matchers : dict
        Convention → ``matches(settings)``, True when the model with these settings, in that convention,
        returns what the learner's function did. Each size is tried in every convention before the next size.

    Returns
    -------
    convention, list of dict
        The first convention where the smallest size matches, and for each distinct set of that size that
        matches there, mistake name → how (``[{}]``: the function is right; ``(None, [])``: nothing up to
        ``most`` mistakes does).
    """
    names = list(variants)
    for size in range(most + 1):
        for convention, matches in matchers.items():
            found = []
            for chosen in combinations(names, size):
                for parts in product(*(variants[name] for name in chosen)):
                    if matches(_merge(changes for _, changes in parts)):
                        found.append({name: how for name, (how, _) in zip(chosen, parts)})
                        break
            if found:
                return convention, found
    return None, []
