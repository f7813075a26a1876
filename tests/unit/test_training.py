import numpy as np
import pytest

from scratchnlp.datasets.spiral import load_data
from scratchnlp.models import TwoLayerNet
from scratchnlp.optim import SGD
from scratchnlp.training import NonFiniteLossError, Trainer


def test_spiral_is_seeded_and_book_shaped():
    x, t = load_data()
    assert x.shape == (300, 2) and x.dtype == np.float32
    assert t.shape == (300, 3) and (t.sum(axis=1) == 1).all()
    x2, _ = load_data()
    np.testing.assert_array_equal(x, x2)
    x3, _ = load_data(seed=7)
    assert not np.array_equal(x, x3)


def test_trainer_reaches_95_percent_on_spiral():
    x, t = load_data(seed=1984)
    model = TwoLayerNet(2, 10, 3, seed=0)
    trainer = Trainer(model, SGD(lr=1.0), seed=0).fit(x, t, max_epoch=300, batch_size=30, eval_interval=10)
    accuracy = float((model.predict(x).argmax(axis=1) == t.argmax(axis=1)).mean())
    assert accuracy >= 0.95
    assert trainer.loss_list[-1] < trainer.loss_list[0] / 5
    assert len(trainer.history["epoch_loss"]) == 300
    assert trainer.history["iteration"][:2] == [10, 20]


def test_trainer_is_deterministic_for_a_seed():
    x, t = load_data()
    runs = []
    for _ in range(2):
        model = TwoLayerNet(2, 10, 3, seed=1)
        runs.append(Trainer(model, SGD(lr=1.0), seed=5).fit(x, t, max_epoch=3, batch_size=30).loss_list)
    assert runs[0] == runs[1]


def test_nan_loss_stops_training_naming_the_iteration_and_keeps_parameters():
    x, t = load_data()
    model = TwoLayerNet(2, 10, 3, seed=0)
    trainer = Trainer(model, SGD(lr=1.0))
    trainer.fit(x, t, max_epoch=1, batch_size=30)  # 10 good iterations
    before = [p.copy() for p in model.params]
    x_bad = x.copy()
    x_bad[:] = np.nan
    with pytest.raises(NonFiniteLossError, match=r"loss became nan at epoch 2, iteration 1 \(iteration 11 overall\)"):
        trainer.fit(x_bad, t, max_epoch=1, batch_size=30)
    for p, b in zip(model.params, before):
        np.testing.assert_array_equal(p, b)


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning")
def test_divergence_from_a_huge_learning_rate_is_caught():
    x, t = load_data()
    model = TwoLayerNet(2, 10, 3, weight_init_std=10.0, seed=0)
    with pytest.raises(NonFiniteLossError, match="Lower the learning rate"):
        Trainer(model, SGD(lr=1e38)).fit(x, t, max_epoch=5, batch_size=30)


def test_gradient_clipping_is_recorded():
    x, t = load_data()
    trainer = Trainer(TwoLayerNet(2, 10, 3), SGD(lr=1.0)).fit(x, t, max_epoch=1, batch_size=30, max_grad=1e-3)
    assert len(trainer.history["grad_norm"]) == 10


def test_trainer_bad_input():
    model = TwoLayerNet(2, 10, 3)
    trainer = Trainer(model, SGD())
    x, t = load_data()
    with pytest.raises(ValueError, match="same number of samples"):
        trainer.fit(x, t[:10])
    with pytest.raises(ValueError, match="larger than the data"):
        trainer.fit(x, t, batch_size=1000)
    with pytest.raises(ValueError, match=r"must be \(N, 2\)"):
        trainer.fit(np.zeros((300, 5), dtype=np.float32), t)


def test_two_layer_net_bad_sizes():
    with pytest.raises(ValueError, match="hidden_size must be a positive integer"):
        TwoLayerNet(2, 0, 3)
