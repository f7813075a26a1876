"""Text generation with the language models (chapter 7.1): seeds, skip_ids, temperature, top_k, state; the models
on every array namespace (``xp``)."""

import numpy as np
import pytest

from scratchnlp import backend
from scratchnlp.checkpoint import CheckpointError, save_params
from scratchnlp.models import BetterRnnlm, Rnnlm, Seq2seq
from scratchnlp.models.generation import LanguageModelGenerator, sample_next, with_generation
from scratchnlp.models.loading import load_language_model

V = 30


class G(Rnnlm, LanguageModelGenerator):
    """The mixin with the real Rnnlm (works whether or not Rnnlm already has the mixin among its bases)."""


class BG(BetterRnnlm, LanguageModelGenerator):
    pass


@pytest.fixture
def model(xp):
    m = G(V, 8, 10, seed=0)
    rng = np.random.default_rng(1)
    for p in m.params:  # a model with a peaked, non-uniform next-word distribution
        p[...] = xp.asarray(rng.standard_normal(p.shape) * 0.8)
    return m


def test_same_seed_same_text_and_the_book_s_shape(model):
    model.reset_state()
    a = model.generate(3, sample_size=40, seed=7)
    model.reset_state()
    b = model.generate(3, sample_size=40, seed=7)
    model.reset_state()
    c = model.generate(3, sample_size=40, seed=8)
    assert a == b and a != c
    assert len(a) == 40 and a[0] == 3 and all(isinstance(i, int) and 0 <= i < V for i in a)
    assert model.generate(5, None, 1, seed=0) == [5]
    model.reset_state()
    rng = np.random.default_rng(3)
    assert model.generate(3, sample_size=10, seed=rng) != model.generate(3, sample_size=10, seed=rng)


def test_skip_ids_are_never_generated(model):
    model.reset_state()
    free = model.generate(0, sample_size=300, seed=1)
    common = [w for w, _ in sorted(((w, free.count(w)) for w in set(free[1:])), key=lambda p: -p[1])[:3]]
    model.reset_state()
    text = model.generate(0, skip_ids=common, sample_size=300, seed=1)
    assert not set(text[1:]) & set(common)
    model.reset_state()
    assert set(model.generate(2, skip_ids=range(1, V), sample_size=20, seed=0)) == {0, 2}
    model.reset_state()
    assert model.generate(common[0], skip_ids=common, sample_size=3, seed=0)[0] == common[0]  # the start may be one


def test_temperature_and_top_k(model):
    model.reset_state()
    greedy = model.generate(4, sample_size=30, temperature=0)
    model.reset_state()
    assert model.generate(4, sample_size=30, temperature=0, seed=123) == greedy  # greedy ignores the seed
    model.reset_state()
    assert model.generate(4, sample_size=30, top_k=1, seed=5) == greedy  # top-1 sampling is greedy
    # low temperature follows the greedy text more closely than high temperature does
    cold = hot = 0
    for s in range(10):
        model.reset_state()
        cold += sum(a == b for a, b in zip(model.generate(4, sample_size=30, temperature=0.2, seed=s), greedy))
        model.reset_state()
        hot += sum(a == b for a, b in zip(model.generate(4, sample_size=30, temperature=3.0, seed=s), greedy))
    assert cold > hot


def test_sample_next_respects_top_k_banned_and_temperature():
    scores = np.array([0.0, 3.0, 2.0, 1.0, -1.0])
    rng = np.random.default_rng(0)
    draws = [sample_next(scores, rng, top_k=2) for _ in range(500)]
    assert set(draws) == {1, 2}
    banned = np.array([False, True, False, False, False])
    draws = [sample_next(scores, rng, top_k=2, banned=banned) for _ in range(500)]
    assert set(draws) == {2, 3}
    assert sample_next(scores, rng, temperature=0, banned=banned) == 2
    freq = np.bincount([sample_next(scores, rng) for _ in range(20000)], minlength=5) / 20000
    p = np.exp(scores) / np.exp(scores).sum()
    np.testing.assert_allclose(freq, p, atol=0.015)
    flat = np.bincount([sample_next(scores, rng, temperature=100.0) for _ in range(5000)], minlength=5) / 5000
    assert flat.min() > 0.15
    with pytest.raises(ValueError, match="every word is excluded"):
        sample_next(scores, rng, banned=np.ones(5, bool))


def test_state_can_be_saved_and_restored(model):
    model.reset_state()
    model.predict(backend.array_module().asarray([[1, 2, 3]]))
    state = model.get_state()
    assert isinstance(state, tuple) and len(state) == 2 and state[0].shape == (1, 10)
    a = model.generate(3, sample_size=20, seed=0)
    model.set_state(state)
    assert model.generate(3, sample_size=20, seed=0) == a
    model.reset_state()
    assert model.get_state() == (None, None)
    model.predict(backend.array_module().asarray([[4]]))
    model.set_state((None, None))  # the state before any input
    assert model.lstm_layer.h is None


def test_better_rnnlm_generates_without_dropout_and_keeps_its_mode(xp):
    m = BG(V, 6, 6, dropout_ratio=0.5, seed=0)
    assert backend.xp(m.params[0]) is xp
    m.train()
    m.reset_state()
    a = m.generate(1, sample_size=15, seed=3)
    m.reset_state()
    assert m.generate(1, sample_size=15, seed=3) == a  # no dropout mask drawn while generating
    assert m.training  # the mode is restored
    state = m.get_state()
    assert isinstance(state, list) and len(state) == 2 and all(len(s) == 2 for s in state)
    b = m.generate(1, sample_size=10, seed=4)
    m.set_state(state)
    assert m.generate(1, sample_size=10, seed=4) == b
    with pytest.raises(ValueError, match="holds 1 layer states but .* has 2"):
        m.set_state([state[0]])


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"start_id": V}, r"start_id must be a word id in \[0, 30\)"),
    ({"start_id": -1}, "start_id"),
    ({"start_id": 1.0}, "start_id"),
    ({"start_id": 0, "sample_size": 0}, "sample_size must be a positive int"),
    ({"start_id": 0, "skip_ids": [3, 99]}, r"skip_ids must be word ids in \[0, 30\), got 99"),
    ({"start_id": 0, "temperature": -0.5}, "temperature must be a finite number >= 0"),
    ({"start_id": 0, "temperature": float("nan")}, "temperature"),
    ({"start_id": 0, "top_k": 0}, "top_k must be a positive int"),
    ({"start_id": 0, "skip_ids": range(V)}, "every word is excluded"),
])
def test_bad_arguments_are_one_clear_error(model, kwargs, message):
    model.reset_state()
    with pytest.raises(ValueError, match=message):
        model.generate(**kwargs)


def test_with_generation_gives_the_book_s_classes():
    RnnlmGen = with_generation(Rnnlm)
    assert with_generation(Rnnlm) is RnnlmGen and issubclass(RnnlmGen, (Rnnlm, LanguageModelGenerator))
    assert with_generation(G) is G
    assert issubclass(with_generation(BetterRnnlm), BetterRnnlm)


def test_load_language_model_from_an_experiment_checkpoint(tmp_path, model):
    vocab = [f"w{i}" for i in range(V)]
    path = tmp_path / "lm.npz"
    save_params(path, model, metadata={"vocabulary": vocab})
    loaded, word_to_id, id_to_word = load_language_model(path)
    assert isinstance(loaded, Rnnlm) and isinstance(loaded, LanguageModelGenerator)
    assert word_to_id["w7"] == 7 and id_to_word[7] == "w7"
    assert all(np.allclose(backend.to_cpu(p), backend.to_cpu(q)) for p, q in zip(loaded.params, model.params))
    model.reset_state()
    assert loaded.generate(2, sample_size=12, seed=0) == model.generate(2, sample_size=12, seed=0)
    better = BG(V, 6, 6)
    save_params(tmp_path / "b.npz", better, metadata={"vocabulary": vocab})
    loaded, _, _ = load_language_model(tmp_path / "b.npz")
    assert isinstance(loaded, BetterRnnlm)
    unnamed = tmp_path / "book.npz"  # what convert-book-weights writes: a plain list of arrays
    save_params(unnamed, [backend.to_cpu(p) for p in model.params], metadata={"vocabulary": vocab})
    loaded, _, _ = load_language_model(unnamed)
    assert isinstance(loaded, Rnnlm) and np.allclose(backend.to_cpu(loaded.params[2]), backend.to_cpu(model.params[2]))


def test_a_checkpoint_of_another_architecture_is_one_clear_error(tmp_path):
    path = tmp_path / "s2s.npz"
    save_params(path, Seq2seq(13, 4, 6), metadata={"vocabulary": list("abcdefghijklm")})
    with pytest.raises(ValueError, match="not an Rnnlm or BetterRnnlm language model"):
        load_language_model(path)
    (tmp_path / "junk.npz").write_bytes(b"not a checkpoint")
    with pytest.raises(CheckpointError):
        load_language_model(tmp_path / "junk.npz")
    path = tmp_path / "novocab.npz"
    save_params(path, Rnnlm(V, 4, 5))
    with pytest.raises(ValueError, match="no vocabulary"):
        load_language_model(path)


def test_sample_next_refuses_scores_it_cannot_sample_from():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match=r"one row of V scores, shape \(V,\), got shape \(2, 5\)"):
        sample_next(np.zeros((2, 5)), rng)  # flattening would give ids up to 9 for a vocabulary of 5
    assert 0 <= sample_next(np.zeros((1, 1, 5)), rng) < 5  # a batch of one, one step: fine
    for bad, what in ((np.nan, "NaN"), (np.inf, r"\+inf")):
        scores = np.zeros(5)
        scores[2] = bad
        with pytest.raises(ValueError, match=f"the scores hold {what}: the model's weights hold NaN or inf"):
            sample_next(scores, rng)
    scores = np.array([0.0, -np.inf, 0.0])  # -inf: a word that cannot be drawn
    assert {sample_next(scores, np.random.default_rng(s)) for s in range(20)} <= {0, 2}
    with pytest.raises(ValueError, match=r"banned must be a bool array of shape \(3,\)"):
        sample_next(np.zeros(3), rng, banned=np.array([True, False]))
    with pytest.raises(TypeError, match="scores must be numbers"):
        sample_next(np.array(["a", "b"]), rng)


def test_generate_right_after_training_starts_from_a_fresh_state(xp):
    from scratchnlp.optim import SGD
    from scratchnlp.training import RnnlmTrainer

    model = G(V, 8, 10, seed=0)
    corpus = np.random.default_rng(0).integers(0, V, 400)
    RnnlmTrainer(model, SGD(0.1)).fit(corpus[:-1], corpus[1:], max_epoch=1, batch_size=4, time_size=5,
                                      progress=False)
    assert model.lstm_layer.h.shape[0] == 4  # the training batch's state
    text = model.generate(3, sample_size=8, seed=0)
    model.reset_state()
    assert text == model.generate(3, sample_size=8, seed=0)


def test_nan_weights_do_not_generate_text(xp):
    model = G(V, 8, 10, seed=0)
    model.params[0][...] = xp.nan
    with pytest.raises(ValueError, match="the scores hold NaN"):
        model.generate(1, sample_size=5, seed=0)


@pytest.mark.parametrize("vocab, message", [
    ([f"w{i}" for i in range(V - 1)] + ["w0"], "repeated words"),
    ([f"w{i}" for i in range(V - 1)] + [7], "a word that is not a non-empty string"),
    ([f"w{i}" for i in range(V - 1)] + [""], "a word that is not a non-empty string"),
])
def test_a_vocabulary_that_cannot_name_every_id_is_refused(tmp_path, vocab, message):
    path = tmp_path / "lm.npz"
    save_params(path, Rnnlm(V, 4, 5), metadata={"vocabulary": vocab})
    with pytest.raises(ValueError, match=message):
        load_language_model(path)


def test_scores_that_are_all_minus_inf_are_not_blamed_on_skip_ids():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="every score is -inf: the model gives no word a probability") as info:
        sample_next(np.full(4, -np.inf), rng)
    assert "skip_ids" not in str(info.value)
    with pytest.raises(ValueError, match=r"skip_ids cover the whole vocabulary"):
        sample_next(np.zeros(3), rng, banned=np.ones(3, dtype=bool))
    with pytest.raises(ValueError, match=r"skip_ids cover every word whose score is not -inf"):
        sample_next(np.array([0.0, -np.inf]), rng, banned=np.array([True, False]))


def test_a_model_scoring_every_word_minus_inf_says_so(xp):
    model = G(V, 8, 10, seed=0)
    model.params[-1][...] = -xp.inf  # the output bias
    with pytest.raises(ValueError, match="every score is -inf"):
        model.generate(1, [2], sample_size=3, seed=0)


def test_extreme_finite_scores_sample_without_warnings():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert sample_next(np.array([1e308, -1e308, 3.0]), np.random.default_rng(0), temperature=0.1) == 0


@pytest.mark.parametrize("order", [[3, 0, 1, 2, 4, 5], [5, 0, 1, 2, 3, 4], []])
def test_a_checkpoint_in_another_order_is_one_clear_error(tmp_path, order):
    arrays = [np.asarray(p) for p in Rnnlm(V, 4, 5, seed=0).params]
    path = tmp_path / "reordered.npz"
    save_params(path, [arrays[i] for i in order])
    with pytest.raises(ValueError, match="not an Rnnlm or BetterRnnlm language model in the book's parameter order"):
        load_language_model(path)
