"""The word2vec models (chapters 3-4) and the fast training of word2vec_fast: gradients, learning, bad input, on
every array namespace (``xp``: the models' weights live on its device)."""

import numpy as np
import pytest

from scratchnlp import backend
from scratchnlp.backend import scatter_add as scatter_add_rows
from scratchnlp.gradcheck import check_model
from scratchnlp.models import CBOW, SimpleCBOW, SimpleSkipGram, SkipGram
from scratchnlp.optim import Adam, FusedAdam
from scratchnlp.text import convert_one_hot, create_contexts_target, normalize, preprocess
from scratchnlp.training import Trainer
from scratchnlp.word2vec_fast import train_fast

TOL = 1e-6



def randomize(model, rng):
    """Unit-scale weights, so the gradients are far from round-off (the book's 0.01 makes them tiny)."""
    for p in model.params:
        p[...] = backend.xp(p).asarray(rng.standard_normal(p.shape))
    return model


def planted_corpus(groups: int = 6, n: int = 1200, seed: int = 0) -> np.ndarray:
    """Triples ``L_i X R_i .`` with X either A_i or B_i: A_i and B_i always share their contexts.

    Ids: L_i = 4i, A_i = 4i + 1, B_i = 4i + 2, R_i = 4i + 3, '.' = 4 * groups.
    """
    rng = np.random.default_rng(seed)
    g = rng.integers(0, groups, n)
    member = rng.integers(1, 3, n)
    return np.stack([4 * g, 4 * g + member, 4 * g + 3, np.full(n, 4 * groups)], axis=1).ravel()


def partners_are_nearest(W: np.ndarray, groups: int = 6) -> list[bool]:
    Wn = normalize(backend.to_cpu(W))
    S = Wn @ Wn.T
    np.fill_diagonal(S, -np.inf)
    return [int(S[4 * i + 1].argmax()) == 4 * i + 2 and int(S[4 * i + 2].argmax()) == 4 * i + 1
            for i in range(groups)]


# --------------------------------------------------------------------------------------------------------
# Gradients (float64)
# --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", [SimpleCBOW, SimpleSkipGram])
@pytest.mark.parametrize("n, c", [(1, 2), (5, 4)])
def test_simple_models_gradients(xp, rng, cls, n, c, assert_grads_ok):
    model = randomize(cls(7, 3, seed=1, dtype=np.float64), rng)
    contexts = rng.integers(0, 7, (n, c))
    contexts[0, :] = 2  # repeated ids in one row
    assert_grads_ok(check_model(model, xp.asarray(contexts), xp.asarray(rng.integers(0, 7, n))))


@pytest.mark.parametrize("cls", [CBOW, SkipGram])
@pytest.mark.parametrize("window_size, n", [(1, 1), (2, 6)])
def test_negative_sampling_models_gradients(xp, rng, cls, window_size, n, assert_grads_ok):
    corpus = rng.integers(0, 9, 100)
    model = randomize(cls(9, 4, window_size, corpus, sample_size=3, seed=2, dtype=np.float64), rng)
    contexts = rng.integers(0, 9, (n, 2 * window_size))
    contexts[0, :] = 5  # repeated ids
    assert_grads_ok(check_model(model, xp.asarray(contexts), xp.asarray(rng.integers(0, 9, n))))


# --------------------------------------------------------------------------------------------------------
# Behaviour
# --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", [SimpleCBOW, SimpleSkipGram])
def test_simple_models_accept_one_hot_like_the_book(xp, cls):
    corpus, word_to_id, _ = preprocess("You say goodbye and I say hello.")
    contexts, target = create_contexts_target(corpus, 1)
    V = len(word_to_id)
    a, b = cls(V, 5, seed=0), cls(V, 5, seed=0)
    loss_ids = a.forward(xp.asarray(contexts), xp.asarray(target))
    loss_one_hot = b.forward(xp.asarray(convert_one_hot(contexts, V)), xp.asarray(convert_one_hot(target, V)))
    assert loss_ids == pytest.approx(loss_one_hot)
    a.backward()
    b.backward()
    for ga, gb in zip(a.grads, b.grads):
        np.testing.assert_allclose(backend.to_cpu(ga), backend.to_cpu(gb))


@pytest.mark.parametrize("cls", [SimpleCBOW, SimpleSkipGram])
def test_simple_models_learn_the_book_sentence(xp, cls):
    corpus, word_to_id, _ = preprocess("You say goodbye and I say hello.")
    contexts, target = create_contexts_target(corpus, 1)
    model = cls(len(word_to_id), 5, seed=0)
    trainer = Trainer(model, Adam(), seed=0).fit(contexts, target, max_epoch=300, batch_size=3,
                                                 eval_interval=10, progress=False)
    assert trainer.loss_list[-1] < 0.6 * trainer.loss_list[0]
    assert model.word_vecs is model.params[0] and model.word_vecs.shape == (len(word_to_id), 5)
    assert model.word_vecs.dtype == np.float32 and backend.xp(model.word_vecs) is xp


def test_models_default_to_float32_and_are_seeded(xp):
    corpus = np.arange(20) % 7
    a, b = CBOW(7, 4, 2, corpus, seed=3), CBOW(7, 4, 2, corpus, seed=3)
    assert all(p.dtype == np.float32 for p in a.params)
    assert a.param_names == ["W_in", "W_out"]
    contexts, target = (xp.asarray(a) for a in create_contexts_target(corpus, 2))
    assert a.forward(contexts, target) == b.forward(contexts, target)
    assert not np.array_equal(backend.to_cpu(CBOW(7, 4, 2, corpus, seed=4).params[0]), backend.to_cpu(a.params[0]))


@pytest.mark.parametrize("cls", [CBOW, SkipGram])
def test_negative_sampling_models_learn_planted_partners(xp, cls):
    corpus = planted_corpus()
    contexts, target = create_contexts_target(corpus, 1)
    model = cls(int(corpus.max()) + 1, 10, 1, corpus, seed=0)
    trainer = Trainer(model, Adam(0.01), seed=0).fit(contexts, target, max_epoch=8, batch_size=50,
                                                     eval_interval=20, progress=False)
    assert trainer.loss_list[-1] < 0.5 * trainer.loss_list[0]
    assert backend.xp(model.word_vecs) is xp
    assert all(partners_are_nearest(model.word_vecs))


@pytest.mark.parametrize(
    "contexts, target, message",
    [
        (np.zeros((3, 3), dtype=int), np.zeros(3, dtype=int), "\\(N, 4\\)"),
        (np.zeros((3, 4), dtype=int), np.zeros(2, dtype=int), "same batch size"),
        (np.full((3, 4), 9), np.zeros(3, dtype=int), "ids in \\[0, 9\\)"),
        (np.zeros((3, 4), dtype=int), np.zeros((3, 1), dtype=int), "1-D"),
        (np.zeros((3, 4)), np.zeros(3, dtype=int), "integer"),
    ],
)
@pytest.mark.parametrize("cls", [CBOW, SkipGram])
def test_negative_sampling_models_bad_input(xp, cls, contexts, target, message):
    model = cls(9, 4, 2, np.arange(30) % 9)
    with pytest.raises(ValueError, match=message):
        model.forward(xp.asarray(contexts), xp.asarray(target))


def test_simple_models_bad_input(xp):
    model = SimpleCBOW(5, 3)
    with pytest.raises(ValueError, match="exactly one 1"):
        model.forward(xp.zeros((2, 2, 5), dtype=int), xp.zeros(2, dtype=int))
    with pytest.raises(ValueError, match="last dimension 5"):
        model.forward(xp.zeros((2, 2, 4), dtype=int), xp.zeros(2, dtype=int))
    with pytest.raises(ValueError, match="same batch size"):
        model.forward(xp.zeros((2, 2), dtype=int), xp.zeros(3, dtype=int))
    with pytest.raises(ValueError, match="hidden_size"):
        SimpleSkipGram(5, 0)
    with pytest.raises(ValueError, match="window_size"):
        CBOW(5, 3, 0, np.arange(5))


# --------------------------------------------------------------------------------------------------------
# word2vec_fast
# --------------------------------------------------------------------------------------------------------


def test_fused_adam_is_bitwise_equal_to_adam(rng):
    params = [rng.standard_normal((300, 7)).astype(np.float32), rng.standard_normal(11).astype(np.float32)]
    plain, fused = [p.copy() for p in params], [p.copy() for p in params]
    a, b = Adam(0.01), FusedAdam(0.01, chunk_size=256, exact=True)  # several chunks, a shorter last one
    for _ in range(4):
        grads = [rng.standard_normal(p.shape).astype(np.float32) for p in params]
        grads[0][rng.random(300) < 0.7] = 0  # sparse rows, as an embedding gradient
        a.update(plain, [g.copy() for g in grads])
        b.update(fused, [g.copy() for g in grads])
    for p, q in zip(plain, fused):
        np.testing.assert_array_equal(p, q)


def test_fused_adam_falls_back_for_non_contiguous_parameters(xp, rng):
    base = xp.asarray(rng.standard_normal((6, 4)))
    p, q = base.copy().T, base.copy().T  # transposed views: not C-contiguous
    g = xp.asarray(rng.standard_normal((4, 6)))
    Adam().update([p], [g])
    FusedAdam().update([q], [g])
    np.testing.assert_array_equal(backend.to_cpu(p), backend.to_cpu(q))
    with pytest.raises(ValueError, match="chunk_size"):
        FusedAdam(chunk_size=0)


@pytest.mark.parametrize("m", [0, 1, 2, 9, 500])
def test_scatter_add_rows_matches_add_at(xp, rng, m):
    indices = np.minimum(rng.zipf(1.3, m) - 1, 29)
    values = rng.standard_normal((m, 3))
    expected = np.zeros((30, 3))
    np.add.at(expected, indices, values)
    got = xp.zeros((30, 3))
    scatter_add_rows(got, xp.asarray(indices), xp.asarray(values))
    np.testing.assert_allclose(backend.to_cpu(got), expected, atol=1e-12)


@pytest.mark.parametrize("cls", [CBOW, SkipGram])
def test_train_fast_learns_planted_partners_and_is_seeded(xp, cls):
    corpus = planted_corpus()
    V = int(corpus.max()) + 1
    model = cls(V, 10, 1, corpus, seed=0)
    history = train_fast(model, corpus, epochs=8, batch_size=64, lr=0.05, seed=0, eval_interval=10)
    assert history["loss"][-1] < 0.5 * history["loss"][0]
    assert history["lr"][0] > history["lr"][-1] >= 0.0001
    assert len(history["epoch_loss"]) == 8 and history["iterations"] == 8 * 75
    assert backend.xp(model.word_vecs) is xp
    assert all(partners_are_nearest(model.word_vecs))
    again = cls(V, 10, 1, corpus, seed=0)
    train_fast(again, corpus, epochs=8, batch_size=64, lr=0.05, seed=0, eval_interval=10)
    np.testing.assert_array_equal(backend.to_cpu(again.word_vecs), backend.to_cpu(model.word_vecs))


def test_train_fast_max_iters_and_bad_input(xp):
    corpus = planted_corpus(n=100)
    model = CBOW(25, 4, 2, corpus)
    history = train_fast(model, xp.asarray(corpus), epochs=3, batch_size=10, max_iters=5, eval_interval=2)
    assert history["iterations"] == 5 and history["iteration"] == [2, 4]
    with pytest.raises(TypeError, match="CBOW or a SkipGram"):
        train_fast(SimpleCBOW(25, 4), corpus)
    with pytest.raises(ValueError, match="more than 2 \\* window_size"):
        train_fast(model, corpus[:4])
    with pytest.raises(ValueError, match="ids in \\[0, 25\\)"):
        train_fast(model, corpus + 1)
    with pytest.raises(ValueError, match="min_lr <= lr"):
        train_fast(model, corpus, lr=0.01, min_lr=0.1)
    with pytest.raises(ValueError, match="batch_size"):
        train_fast(model, corpus, batch_size=0)
