"""Numerical gradients, to verify backpropagation (chapter 1.3.6 and the book's gradient-check discussion).

Backpropagation is fast but easy to get wrong; a central difference ``(f(x + h) - f(x - h)) / 2h`` is slow but
hard to get wrong. Comparing the two on small random inputs in float64 catches almost every backward bug.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from . import backend
from .layers.base import Layer
from .optim import merge_shared

__all__ = ["numerical_gradient", "relative_error", "check_layer", "check_model"]


def numerical_gradient(f: Callable[[], float], x: Any, eps: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of the scalar ``f()`` with respect to the array ``x``.

    ``x`` is perturbed in place, one element at a time, and restored. The error of the central difference is
    O(eps^2), against O(eps) for a one-sided difference.

    Parameters
    ----------
    f : function of no arguments returning a float; it must read ``x``
    x : float array, ideally float64 (float32 round-off swamps a small ``eps``)
    eps : step size

    Returns
    -------
    float64 NumPy array of ``x``'s shape
    """
    grad = np.zeros(x.shape, dtype=np.float64)
    flat_index = np.ndindex(*x.shape) if x.ndim else [()]
    for idx in flat_index:
        old = x[idx].item()
        x[idx] = old + eps
        f_plus = float(f())
        x[idx] = old - eps
        f_minus = float(f())
        x[idx] = old
        grad[idx] = (f_plus - f_minus) / (2 * eps)
    return grad


def relative_error(analytic: Any, numeric: Any) -> float:
    """``||a - n|| / (||a|| + ||n||)`` (0 when both are zero): the norm-wise relative error of two gradients."""
    a = backend.to_cpu(analytic).astype(np.float64)
    n = backend.to_cpu(numeric).astype(np.float64)
    denom = np.linalg.norm(a) + np.linalg.norm(n)
    if denom == 0.0:
        return 0.0
    return float(np.linalg.norm(a - n) / denom)


def _generators(obj: Any) -> list[tuple[Any, str]]:
    """Every NumPy Generator that a forward pass of ``obj`` may draw from, as (owner, attribute) pairs.

    The layers are found by walking the model's tree of sub-layers
    (:meth:`scratchnlp.layers.base.Layer.walk`), so a layer held under any attribute name (an ``encoder``, a
    ``decoder``, a list of ``layers``) is found. A layer's Generator is either one of its attributes (a
    dropout mask's ``rng``) or the ``rng`` of a helper object it holds (the negative sampler). A Generator
    shared by several owners (the dropout layers of a model built from one seed) is listed under each.
    """
    layers = list(obj.walk()) if isinstance(obj, Layer) else [obj]
    found: list[tuple[Any, str]] = []
    seen: set[int] = set()
    for layer in layers:
        for name, value in vars(layer).items():
            if isinstance(value, np.random.Generator):
                owner, attr = layer, name
            elif isinstance(getattr(value, "rng", None), np.random.Generator) and not isinstance(value, Layer):
                owner, attr = value, "rng"
            else:
                continue
            if id(owner) not in seen:
                seen.add(id(owner))
                found.append((owner, attr))
    return found


_CARRIED = ("h", "c")  # the hidden (and cell) state a stateful recurrent layer carries between forward calls


class _FrozenRandomness:
    """Restore, before each forward pass, everything under ``obj`` that a forward pass changes besides outputs.

    Every NumPy Generator goes back to its state and the GPU generators seeded from them are made again
    (dropout masks and negative samples repeat exactly), and every stateful recurrent layer gets back the
    hidden state it carried when the check began (a stateful layer would otherwise start each evaluation from
    the state the previous one left). The loss is then a deterministic function of the parameters and can be
    differentiated numerically.
    """

    def __init__(self, obj: Any) -> None:
        owners = _generators(obj)
        self.generators = list({id(g): g for g in (getattr(owner, attr) for owner, attr in owners)}.values())
        self.states = [g.bit_generator.state for g in self.generators]
        # a GPU generator is seeded from its owner's NumPy Generator (backend.random_generator): forgetting it
        # makes the next draw seed it again from the restored state
        self.device_owners = [owner for owner, _ in owners if hasattr(owner, "device_rng")]
        layers = list(obj.walk()) if isinstance(obj, Layer) else [obj]
        self.carried = [
            (layer, name, None if getattr(layer, name) is None else getattr(layer, name).copy())
            for layer in layers
            if getattr(layer, "stateful", False)
            for name in _CARRIED
            if hasattr(layer, name)
        ]

    def reset(self) -> None:
        for g, s in zip(self.generators, self.states):
            g.bit_generator.state = s
        for owner in self.device_owners:
            owner.device_rng = None
        for layer, name, value in self.carried:
            setattr(layer, name, None if value is None else value.copy())


def check_layer(layer: Any, *inputs: Any, dout: Any = None, eps: float = 1e-6, seed: int = 0) -> dict[str, float]:
    """Compare a layer's backward pass with numerical gradients.

    The layer is treated as the scalar function ``L = sum(forward(*inputs) * dout)`` with a random ``dout``
    (or, for a loss layer whose forward returns a scalar, ``L = forward(*inputs)``), so ``backward(dout)``
    must return dL/d(input) and fill ``grads`` with dL/d(params).

    Parameters
    ----------
    layer : a layer in the book's protocol, with float64 parameters
    inputs : the forward arguments; float arrays among them are checked too
    dout : upstream gradient; random normal of the output's shape when None
    eps : finite-difference step
    seed : seed for the random ``dout``

    Returns
    -------
    dict mapping ``"params[i]"`` and ``"input[k]"`` to the relative error (see :func:`relative_error`).
    """
    frozen = _FrozenRandomness(layer)
    frozen.reset()
    out = layer.forward(*inputs)
    scalar = getattr(out, "ndim", 0) == 0
    if scalar:
        dout_value: Any = 1.0
    elif dout is None:
        xp = backend.xp(out)
        rng = np.random.default_rng(seed)
        dout_value = xp.asarray(rng.standard_normal(out.shape).astype(out.dtype))
    else:
        dout_value = dout
    dx = layer.backward(dout_value)
    analytic_params = [g.copy() for g in layer.grads]
    float_inputs = [k for k, a in enumerate(inputs) if hasattr(a, "dtype") and np.dtype(a.dtype).kind == "f"]
    dxs = list(dx) if isinstance(dx, (tuple, list)) else [dx]

    def loss() -> float:
        frozen.reset()
        y = layer.forward(*inputs)
        if scalar:
            return float(y)
        return float((y * dout_value).sum())

    errors: dict[str, float] = {}
    for i, p in enumerate(layer.params):
        errors[f"params[{i}]"] = relative_error(analytic_params[i], numerical_gradient(loss, p, eps))
    for pos, k in enumerate(float_inputs):
        if pos < len(dxs) and dxs[pos] is not None:
            errors[f"input[{k}]"] = relative_error(dxs[pos], numerical_gradient(loss, inputs[k], eps))
    return errors


def check_model(model: Any, *inputs: Any, eps: float = 1e-6) -> dict[str, float]:
    """Compare a model's gradients (``forward(*inputs) -> loss``, ``backward()``) with numerical ones.

    Tied parameters are compared once, against the sum of their gradients (perturbing a shared array moves
    every use of it). Returns a dict from parameter name (``model.param_names`` when present) to relative error.
    """
    frozen = _FrozenRandomness(model)
    frozen.reset()
    model.forward(*inputs)
    model.backward()
    params, grads = merge_shared(model.params, model.grads)
    grads = [g.copy() for g in grads]
    names = list(getattr(model, "param_names", [])) or [f"params[{i}]" for i in range(len(model.params))]
    unique_names = []
    for p in params:
        i = next(k for k, q in enumerate(model.params) if q is p)
        unique_names.append(names[i])

    def loss() -> float:
        frozen.reset()
        return float(model.forward(*inputs))

    return {
        name: relative_error(g, numerical_gradient(loss, p, eps)) for name, p, g in zip(unique_names, params, grads)
    }
