"""The numerical gradient check itself, on every array namespace (``xp``)."""

import numpy as np
import pytest

from scratchnlp import backend
from scratchnlp.gradcheck import check_layer, check_model, numerical_gradient, relative_error
from scratchnlp.layers import Affine
from scratchnlp.models import TwoLayerNet


def test_numerical_gradient_of_a_quadratic(xp):
    x = xp.asarray([1.0, -2.0, 3.0])
    g = numerical_gradient(lambda: float((x**2).sum()), x)
    np.testing.assert_allclose(g, 2 * backend.to_cpu(x), rtol=1e-8)
    np.testing.assert_array_equal(backend.to_cpu(x), [1.0, -2.0, 3.0])  # restored


def test_relative_error_zero_and_scale_free(xp):
    assert relative_error(xp.zeros(3), np.zeros(3)) == 0.0
    a = xp.asarray([1.0, 2.0])
    small = relative_error(a, a * (1 + 1e-3))
    assert small == pytest.approx(relative_error(a * 1e6, a * 1e6 * (1 + 1e-3)), rel=1e-9)
    assert small == pytest.approx(1e-3 / (2 + 1e-3))


class _BuggyAffine(Affine):
    def backward(self, dout):
        dx = super().backward(dout)
        self.grads[1][...] *= 2  # a planted bug: the bias gradient is doubled
        return dx


def test_check_layer_catches_a_wrong_backward(xp, rng):
    layer = _BuggyAffine(xp.asarray(rng.standard_normal((3, 2))), xp.asarray(rng.standard_normal(2)))
    errors = check_layer(layer, xp.asarray(rng.standard_normal((4, 3))))
    assert errors["params[0]"] < 1e-6
    assert errors["params[1]"] > 0.1


def test_two_layer_net_gradients(xp, rng):
    model = TwoLayerNet(3, 5, 4, weight_init_std=1.0, seed=3, dtype=np.float64)
    x = xp.asarray(rng.standard_normal((6, 3)))
    t = xp.asarray(rng.integers(0, 4, 6))
    errors = check_model(model, x, t)
    assert set(errors) == {"W1", "b1", "W2", "b2"}
    assert max(errors.values()) < 1e-6, errors
