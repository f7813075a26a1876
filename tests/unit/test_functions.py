import numpy as np
import pytest

from scratchnlp.functions import cross_entropy_error, log_softmax, relu, sigmoid, softmax, softmax_cross_entropy


def test_sigmoid_matches_definition_and_is_stable():
    x = np.linspace(-10, 10, 41)
    np.testing.assert_allclose(sigmoid(x), 1 / (1 + np.exp(-x)), rtol=1e-12)
    with np.errstate(all="raise"):
        y = sigmoid(np.array([-1e4, 1e4], dtype=np.float32))
    np.testing.assert_array_equal(y, [0.0, 1.0])


def test_relu():
    np.testing.assert_array_equal(relu(np.array([-2.0, 0.0, 3.0])), [0.0, 0.0, 3.0])


def test_softmax_rows_sum_to_one_and_survive_large_logits():
    x = np.array([[1000.0, 1001.0, 1002.0], [-5.0, 0.0, 5.0]])
    with np.errstate(all="raise"):
        y = softmax(x)
    np.testing.assert_allclose(y.sum(axis=1), 1.0)
    e = np.exp([0.0, 1.0, 2.0])
    np.testing.assert_allclose(y[0], e / e.sum())


def test_log_softmax_finite_where_softmax_underflows():
    x = np.array([[0.0, -2000.0]])
    assert np.isfinite(log_softmax(x)).all()
    assert log_softmax(x)[0, 1] == pytest.approx(-2000.0)


def test_cross_entropy_indices_and_one_hot_agree():
    y = np.array([[0.1, 0.7, 0.2], [0.5, 0.25, 0.25]])
    t_idx = np.array([1, 0])
    t_hot = np.eye(3, dtype=np.int32)[t_idx]
    expected = -(np.log(0.7 + 1e-7) + np.log(0.5 + 1e-7)) / 2
    assert cross_entropy_error(y, t_idx) == pytest.approx(expected)
    assert cross_entropy_error(y, t_hot) == pytest.approx(expected)


def test_softmax_cross_entropy_stable_for_large_logits():
    x = np.array([[1e4, 0.0, -1e4]])
    assert softmax_cross_entropy(x, np.array([0])) == pytest.approx(0.0)
    assert softmax_cross_entropy(x, np.array([2])) == pytest.approx(2e4)


@pytest.mark.parametrize("bad", [np.array([3, 0]), np.array([-1, 0])])
def test_cross_entropy_labels_out_of_range(bad):
    with pytest.raises(ValueError, match=r"\[0, 3\)"):
        cross_entropy_error(np.full((2, 3), 1 / 3), bad)


def test_cross_entropy_wrong_label_shape():
    with pytest.raises(ValueError, match="one-hot"):
        cross_entropy_error(np.full((2, 3), 1 / 3), np.zeros((2, 4), dtype=int))
