"""Seq2seq (chapter 7): the book's parameter order, gradient checks, batched decoding, bad input, on every array
namespace (``xp``: the models' weights live on its device)."""

import numpy as np
import pytest

from scratchnlp import backend
from scratchnlp.gradcheck import check_layer, check_model
from scratchnlp.models import Decoder, Encoder, PeekyDecoder, PeekySeq2seq, Seq2seq
from scratchnlp.optim import Adam
from scratchnlp.training import Trainer

ENCODER = ["embed_W", "lstm_Wx", "lstm_Wh", "lstm_b"]
DECODER = ENCODER + ["affine_W", "affine_b"]
NAMES = [f"encoder_{n}" for n in ENCODER] + [f"decoder_{n}" for n in DECODER]


def _enlarge(layer, rng, scale=0.5):
    """Weights larger than the book's initialisation, so every gradient is well above round-off."""
    for p in layer.params:
        p[...] = backend.xp(p).asarray(rng.standard_normal(p.shape) * scale)


def test_params_are_in_the_books_order_with_the_books_shapes(xp):
    V, D, H = 13, 4, 6
    m = Seq2seq(V, D, H)
    assert m.param_names == NAMES
    assert [p.shape for p in m.params] == [(V, D), (D, 4 * H), (H, 4 * H), (4 * H,),
                                           (V, D), (D, 4 * H), (H, 4 * H), (4 * H,), (H, V), (V,)]
    assert all(p is q for p, q in zip(m.params, m.encoder.params + m.decoder.params, strict=True))
    assert all(p.dtype == np.float32 and backend.xp(p) is xp for p in m.params)
    assert all(g.shape == p.shape and g is not p for p, g in zip(m.params, m.grads))
    peeky = PeekySeq2seq(V, D, H)
    assert peeky.param_names == NAMES
    assert [p.shape for p in peeky.params][4:] == [(V, D), (H + D, 4 * H), (H, 4 * H), (4 * H,), (2 * H, V), (V,)]
    assert isinstance(peeky.decoder, PeekyDecoder) and isinstance(peeky.encoder, Encoder)
    assert m.vocab_size == V


def test_initialisation_follows_the_book_and_the_seed(xp):
    V, D, H = 500, 64, 96
    m = PeekySeq2seq(V, D, H, seed=3)
    std = [float(backend.to_cpu(p).astype(np.float64).std()) for p in m.params]
    assert std[0] == pytest.approx(0.01, rel=0.05) and std[4] == pytest.approx(0.01, rel=0.05)
    assert std[1] == pytest.approx(1 / np.sqrt(D), rel=0.05)
    assert std[2] == pytest.approx(1 / np.sqrt(H), rel=0.05) and std[6] == pytest.approx(1 / np.sqrt(H), rel=0.05)
    assert std[5] == pytest.approx(1 / np.sqrt(H + D), rel=0.05)
    assert std[8] == pytest.approx(1 / np.sqrt(2 * H), rel=0.05)
    assert not m.params[3].any() and not m.params[7].any() and not m.params[9].any()
    again = PeekySeq2seq(V, D, H, seed=3)
    assert all(np.array_equal(backend.to_cpu(p), backend.to_cpu(q)) for p, q in zip(m.params, again.params))
    assert not np.array_equal(backend.to_cpu(PeekySeq2seq(V, D, H, seed=4).params[1]), backend.to_cpu(m.params[1]))


def test_encoder_gradients(xp, rng, assert_grads_ok):
    V, D, H, N, T = 7, 3, 4, 3, 5
    enc = Encoder(V, D, H, dtype=np.float64)
    _enlarge(enc, rng)
    xs = rng.integers(0, V, (N, T))
    xs[0, :3] = 2  # a repeated id: its embedding gradient is summed
    xs = xp.asarray(xs)
    h = enc.forward(xs)
    assert h.shape == (N, H)
    errors = check_layer(enc, xs)
    assert set(errors) == {f"params[{i}]" for i in range(4)}
    assert_grads_ok(errors)


@pytest.mark.parametrize("cls", [Decoder, PeekyDecoder])
def test_decoder_gradients_include_the_initial_state(xp, cls, rng, assert_grads_ok):
    V, D, H, N, T = 7, 3, 4, 3, 5
    dec = cls(V, D, H, dtype=np.float64)
    _enlarge(dec, rng)
    xs = rng.integers(0, V, (N, T))
    xs[1, 1:] = 4
    xs, h = xp.asarray(xs), xp.asarray(rng.standard_normal((N, H)))
    assert dec.forward(xs, h).shape == (N, T, V)
    errors = check_layer(dec, xs, h)
    assert set(errors) == {f"params[{i}]" for i in range(6)} | {"input[1]"}  # input[1]: dh
    assert_grads_ok(errors)


@pytest.mark.parametrize("cls", [Seq2seq, PeekySeq2seq])
def test_model_gradients(xp, cls, rng, assert_grads_ok):
    V, D, H, N = 8, 3, 4, 3
    model = cls(V, D, H, dtype=np.float64, seed=1)
    _enlarge(model, rng)
    xs = rng.integers(0, V, (N, 6))
    ts = rng.integers(0, V, (N, 4))
    ts[:, 0] = 5  # the start character, as in the book's data
    errors = check_model(model, xp.asarray(xs), xp.asarray(ts))
    assert set(errors) == set(NAMES)
    assert_grads_ok(errors)


def test_loss_is_the_mean_cross_entropy_of_the_answer_after_the_start_character(xp, rng):
    V = 11
    model = Seq2seq(V, 4, 5, dtype=np.float64)
    model.decoder.params[4][...] = 0  # affine W and b zero: every character equally likely
    model.decoder.params[5][...] = 0
    xs, ts = xp.asarray(rng.integers(0, V, (4, 6))), xp.asarray(rng.integers(0, V, (4, 3)))
    assert model.forward(xs, ts) == pytest.approx(np.log(V))


def _one_by_one(model, xs, start, size):
    return np.concatenate([model.generate(xs[i:i + 1], int(start[i]), size) for i in range(len(xs))])


@pytest.mark.parametrize("cls", [Seq2seq, PeekySeq2seq])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_batched_generate_equals_decoding_each_row_alone(xp, cls, dtype, rng):
    V, N = 12, 40
    model = cls(V, 5, 8, seed=2, dtype=dtype)
    _enlarge(model, rng, 0.8)  # a random model that does not answer every question the same way
    xs = xp.asarray(rng.integers(0, V, (N, 7)))
    start = xp.asarray(rng.integers(0, V, N))
    batched = model.generate(xs, start, 6)
    assert batched.shape == (N, 6) and batched.dtype.kind == "i" and isinstance(batched, np.ndarray)
    assert len({tuple(r) for r in batched}) > 5
    np.testing.assert_array_equal(batched, _one_by_one(model, xs, start, 6))
    np.testing.assert_array_equal(model.generate(xs, 3, 6), _one_by_one(model, xs, np.full(N, 3), 6))
    np.testing.assert_array_equal(model.generate(xs, start.reshape(N, 1), 6), batched)  # t[:, :1] works too


@pytest.mark.parametrize("cls", [Seq2seq, PeekySeq2seq])
def test_generate_is_greedy_decoding_of_the_teacher_forced_scores(xp, cls, rng):
    V, N, S = 9, 6, 5
    model = cls(V, 4, 6, dtype=np.float64)
    _enlarge(model, rng)
    xs = xp.asarray(rng.integers(0, V, (N, 5)))
    out = model.generate(xs, 2, S)
    # feeding the generated prefix with teacher forcing gives the same argmax at every step
    h = model.encoder.forward(xs)
    inputs = np.concatenate([np.full((N, 1), 2), out[:, :-1]], axis=1)
    scores = model.decoder.forward(xp.asarray(inputs), h)
    np.testing.assert_array_equal(backend.to_cpu(scores.argmax(axis=2)), out)


def test_generate_after_training_does_not_change_the_weights(xp, rng):
    model = PeekySeq2seq(10, 4, 6)
    before = [backend.to_cpu(p) for p in model.params]
    model.generate(rng.integers(0, 10, (3, 4)), 0, 3)
    assert all(np.array_equal(p, backend.to_cpu(q)) for p, q in zip(before, model.params))


def test_a_small_copy_task_is_learnt(xp):
    """Reverse-copy 3 symbols: the peeky model learns it in a few hundred steps (the models learn)."""
    rng = np.random.default_rng(0)
    V, N = 6, 512
    x = rng.integers(1, V, (N, 3)).astype(np.int32)
    t = np.concatenate([np.zeros((N, 1), np.int32), x[:, ::-1]], axis=1)  # start id 0, then x reversed
    model = PeekySeq2seq(V, 8, 32, seed=0)
    trainer = Trainer(model, Adam(0.01), seed=0)
    trainer.fit(x, t, max_epoch=15, batch_size=32, max_grad=5.0)
    acc = float((model.generate(x, 0, 3) == t[:, 1:]).all(axis=1).mean())
    assert trainer.loss_list[-1] < 0.3 * trainer.loss_list[0]
    assert acc > 0.9 and backend.xp(model.params[0]) is xp


# --- bad input ----------------------------------------------------------------------------------------------


def test_ids_outside_the_vocabulary_are_one_clear_error(xp, rng):
    model = Seq2seq(10, 4, 5)
    xs = rng.integers(0, 10, (3, 4))
    bad = xs.copy()
    bad[1, 2] = 10
    xs, bad = xp.asarray(xs), xp.asarray(bad)
    with pytest.raises(ValueError, match=r"questions xs holds the id 10, outside the model's vocabulary \[0, 10\)"):
        model.generate(bad, 0, 3)
    with pytest.raises(ValueError, match="outside the model's vocabulary"):
        model.forward(bad, xs)
    with pytest.raises(ValueError, match="answers ts holds the id -1"):
        model.forward(xs, xp.full((3, 3), -1))
    with pytest.raises(ValueError, match=r"start_id 12 is outside the model's vocabulary \[0, 10\)"):
        model.generate(xs, 12, 3)
    with pytest.raises(ValueError, match="start_id -1"):
        model.generate(xs, xp.asarray([0, -1, 0]), 3)


def test_bad_sample_size_shapes_and_dtypes(xp, rng):
    model = PeekySeq2seq(10, 4, 5)
    xs = xp.asarray(rng.integers(0, 10, (3, 4)))
    for size in (0, -1, 2.0, True):
        with pytest.raises(ValueError, match="sample_size must be a positive int"):
            model.generate(xs, 0, size)
    with pytest.raises(ValueError, match=r"2-D integer array \(N, T\)"):
        model.generate(xs.astype(np.float32), 0, 3)
    with pytest.raises(ValueError, match="2-D"):
        model.generate(xs[0], 0, 3)
    with pytest.raises(ValueError, match="empty"):
        model.generate(xs[:0], 0, 3)
    with pytest.raises(TypeError, match="NumPy or CuPy array"):
        model.generate([[1, 2]], 0, 3)
    with pytest.raises(ValueError, match="integer array of 3 ids"):
        model.generate(xs, xp.asarray([1, 2]), 3)
    with pytest.raises(ValueError, match="same batch size"):
        model.forward(xs, xs[:2])
    with pytest.raises(ValueError, match="at least 2 columns"):
        model.forward(xs, xs[:, :1])
    with pytest.raises(ValueError, match=r"state h must be \(3, 5\)"):
        model.decoder.forward(xs, xp.zeros((3, 4), np.float32))


@pytest.mark.parametrize("args", [(0, 4, 5), (10, 0, 5), (10, 4, -1), (10, 4.5, 5)])
def test_bad_sizes(args):
    with pytest.raises(ValueError, match="must be a positive int"):
        Seq2seq(*args)
    with pytest.raises(ValueError, match="float dtype"):
        Seq2seq(5, 4, 5, dtype=np.int32)


@pytest.mark.gpu
def test_gpu_matches_cpu(rng):
    xs = rng.integers(0, 9, (20, 5))
    ts = rng.integers(0, 9, (20, 4))
    cpu = PeekySeq2seq(9, 4, 8, seed=0)
    backend.set_device("gpu")
    try:
        gpu = PeekySeq2seq(9, 4, 8, seed=0)
        assert backend.is_gpu_array(gpu.params[0])
        assert gpu.forward(backend.to_gpu(xs), backend.to_gpu(ts)) == pytest.approx(cpu.forward(xs, ts), rel=1e-4)
        np.testing.assert_array_equal(gpu.generate(xs, 0, 3), cpu.generate(xs, 0, 3))
    finally:
        backend.set_device("cpu")


def test_decoding_in_blocks_gives_the_same_answers(rng, monkeypatch):
    from scratchnlp.models import seq2seq as module

    model = PeekySeq2seq(9, 4, 6, seed=0)
    _enlarge(model, rng)
    xs = rng.integers(0, 9, (50, 5))
    whole = model.generate(xs, 1, 4)
    monkeypatch.setattr(module, "_DECODE_ROWS", 7)
    np.testing.assert_array_equal(model.generate(xs, 1, 4), whole)
    start = np.arange(50) % 9
    np.testing.assert_array_equal(model.generate(xs, start, 4), _one_by_one(model, xs, start, 4))


# --- evaluation (chapter 7.3.4) ---------------------------------------------------------------------------------


@pytest.fixture
def toy_task(xp, rng):
    """A model, questions and answers where some answers are right: the answers are the model's own guesses,
    with a few characters changed."""
    model = Seq2seq(6, 4, 8, seed=0)
    _enlarge(model, rng)
    x = rng.integers(0, 5, (30, 4))
    t = np.concatenate([np.full((30, 1), 5), model.generate(x, 5, 3)], axis=1)
    t[::3, 2] = (t[::3, 2] + 1) % 5  # every third answer is now wrong
    id_to_char = dict(enumerate("abcde_"))
    return model, x, t, id_to_char


def test_accuracy_is_the_book_s_loop_batched(toy_task):
    from scratchnlp.evaluation import decode_answers, eval_seq2seq, seq2seq_accuracy

    model, x, t, id_to_char = toy_task
    book = sum(eval_seq2seq(model, x[[i]], t[[i]], id_to_char) for i in range(len(x))) / len(x)
    assert book == pytest.approx(2 / 3)
    assert seq2seq_accuracy(model, x, t) == book
    assert seq2seq_accuracy(model, x, t, batch_size=7) == book
    assert decode_answers(model, x, t).shape == (30, 3)


def test_eval_seq2seq_prints_like_the_book(toy_task):
    import io

    from scratchnlp.evaluation import eval_seq2seq

    model, x, t, id_to_char = toy_task
    out = io.StringIO()
    assert eval_seq2seq(model, x[[1]], t[[1]], id_to_char, verbos=True, file=out) == 1
    assert eval_seq2seq(model, x[[0]], t[[0]], id_to_char, True, True, file=out) == 0
    lines = out.getvalue().splitlines()
    q0 = "".join(id_to_char[int(c)] for c in x[0])
    assert lines[0] == "Q " + "".join(id_to_char[int(c)] for c in x[1])
    assert lines[1] == "T " + "".join(id_to_char[int(c)] for c in t[1, 1:])
    assert lines[2] == "\u2611 " + lines[1][2:] and lines[3] == "---"
    assert lines[4] == "Q " + q0[::-1]  # is_reverse: shown in reading order
    assert lines[6].startswith("\u2612 ") and lines[6][2:] != lines[5][2:]
    colored = io.StringIO()
    eval_seq2seq(model, x[[0]], t[[0]], id_to_char, verbos=True, file=colored, color=True)
    assert "\033[91m\u2612\033[0m" in colored.getvalue()
    assert eval_seq2seq(model, x[0], t[0], id_to_char) == 0  # a flat question works too


def test_evaluate_seq2seq_summary(toy_task):
    from scratchnlp.evaluation import evaluate_seq2seq

    model, x, t, id_to_char = toy_task
    result = evaluate_seq2seq(model, x, t, id_to_char, is_reverse=True, examples=4)
    assert result["test_accuracy"] == pytest.approx(2 / 3) and (result["correct"], result["total"]) == (20, 30)
    assert len(result["examples"]) == 4 and result["examples"][0]["correct"] is False
    assert result["examples"][1] == {"question": "".join(id_to_char[int(c)] for c in x[1])[::-1],
                                     "answer": "".join(id_to_char[int(c)] for c in t[1, 1:]),
                                     "guess": "".join(id_to_char[int(c)] for c in t[1, 1:]), "correct": True}
    assert "examples" not in evaluate_seq2seq(model, x, t)


def test_evaluation_bad_input(toy_task):
    from scratchnlp.evaluation import eval_seq2seq, seq2seq_accuracy

    model, x, t, id_to_char = toy_task
    with pytest.raises(ValueError, match="same number of rows"):
        seq2seq_accuracy(model, x, t[:5])
    with pytest.raises(ValueError, match="start character and at least one more column"):
        seq2seq_accuracy(model, x, t[:, :1])
    with pytest.raises(ValueError, match="integer array"):
        seq2seq_accuracy(model, x.astype(float), t)
    with pytest.raises(ValueError, match="empty"):
        seq2seq_accuracy(model, x[:0], t[:0])
    with pytest.raises(ValueError, match="scores one question"):
        eval_seq2seq(model, x[:2], t[:2], id_to_char)
    bad = x.copy()
    bad[0, 0] = 6
    with pytest.raises(ValueError, match="outside the model's vocabulary"):
        seq2seq_accuracy(model, bad, t)
