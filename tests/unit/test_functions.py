"""The functions of chapter 1, on every array namespace (``xp``)."""

import numpy as np
import pytest

from scratchnlp import backend
from scratchnlp.functions import cross_entropy_error, log_softmax, relu, sigmoid, softmax, softmax_cross_entropy


def test_sigmoid_matches_definition_and_is_stable(xp):
    x = np.linspace(-10, 10, 41)
    np.testing.assert_allclose(backend.to_cpu(sigmoid(xp.asarray(x))), 1 / (1 + np.exp(-x)), rtol=1e-12)
    with np.errstate(all="raise"):
        y = sigmoid(xp.asarray([-1e4, 1e4], dtype=np.float32))
    np.testing.assert_array_equal(backend.to_cpu(y), [0.0, 1.0])


def test_relu(xp):
    np.testing.assert_array_equal(backend.to_cpu(relu(xp.asarray([-2.0, 0.0, 3.0]))), [0.0, 0.0, 3.0])


def test_softmax_rows_sum_to_one_and_survive_large_logits(xp):
    x = xp.asarray([[1000.0, 1001.0, 1002.0], [-5.0, 0.0, 5.0]])
    with np.errstate(all="raise"):
        y = backend.to_cpu(softmax(x))
    np.testing.assert_allclose(y.sum(axis=1), 1.0)
    e = np.exp([0.0, 1.0, 2.0])
    np.testing.assert_allclose(y[0], e / e.sum())


def test_log_softmax_finite_where_softmax_underflows(xp):
    y = backend.to_cpu(log_softmax(xp.asarray([[0.0, -2000.0]])))
    assert np.isfinite(y).all()
    assert y[0, 1] == pytest.approx(-2000.0)


def test_cross_entropy_indices_and_one_hot_agree(xp):
    y = xp.asarray([[0.1, 0.7, 0.2], [0.5, 0.25, 0.25]])
    t_idx = np.array([1, 0])
    t_hot = xp.asarray(np.eye(3, dtype=np.int32)[t_idx])
    expected = -(np.log(0.7 + 1e-7) + np.log(0.5 + 1e-7)) / 2
    assert cross_entropy_error(y, xp.asarray(t_idx)) == pytest.approx(expected)
    assert cross_entropy_error(y, t_hot) == pytest.approx(expected)


def test_softmax_cross_entropy_stable_for_large_logits(xp):
    x = xp.asarray([[1e4, 0.0, -1e4]])
    assert softmax_cross_entropy(x, xp.asarray([0])) == pytest.approx(0.0)
    assert softmax_cross_entropy(x, xp.asarray([2])) == pytest.approx(2e4)


@pytest.mark.parametrize("bad", [[3, 0], [-1, 0]])
def test_cross_entropy_labels_out_of_range(xp, bad):
    with pytest.raises(ValueError, match=r"\[0, 3\)"):
        cross_entropy_error(xp.full((2, 3), 1 / 3), xp.asarray(bad))


def test_cross_entropy_wrong_label_shape(xp):
    with pytest.raises(ValueError, match="one-hot"):
        cross_entropy_error(xp.full((2, 3), 1 / 3), xp.zeros((2, 4), dtype=int))
