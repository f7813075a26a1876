"""Speed of attention seq2seq on dates (chapter 8): training and decoding the test set, against the book's code.

The reference is the book's code as its behaviour is described, written here (the book's code is not a
dependency): chapter 8's ``WeightSum``, ``AttentionWeight`` (with its ``Softmax`` layer), ``Attention`` and
``TimeAttention`` -- one ``Attention`` object per decoder step in a Python loop, ``repeat`` in the backward
passes --, ``AttentionEncoder``, ``AttentionDecoder`` (``concatenate((c, dec_hs), axis=2)`` before the Affine)
and ``AttentionSeq2seq``, on top of the book's ``TimeEmbedding``, ``TimeLSTM``, ``TimeAffine``,
``TimeSoftmaxWithLoss``, ``Adam``, ``clip_grads`` and ``Trainer`` iteration, which are shared with chapter 7
and imported from ``bench_seq2seq.py`` beside this script. Decoding is the book's loop
(``ch08/train.py``): ``model.generate(x_test[[i]], start_id, 10)`` for one question at a time.

Two parts, each run in the same process, interleaved, best of ``--repeats``:

* **train** — one training iteration with the book's settings (batch 128, wordvec 16, hidden 256, Adam,
  clip 5.0) on reversed ``date.txt`` batches: ``scratchnlp`` (``AttentionSeq2seq`` and the ``Trainer`` loop
  body: forward, backward, clipping, ``optim.Adam``) against the reference, both from the same weights; also
  the estimated seconds per epoch (351 iterations) and, on its own, the attention layer's forward + backward
  on the decoder's states of one batch (ours vectorised against the book's loop of ``Attention`` layers).
* **decode** — the whole test set (5,000 questions) with the book's published weights
  (``AttentionSeq2seq.pkl``, read with :func:`scratchnlp.datasets.load_book_weights`): the book's
  one-question loop with its layers, our ``generate`` one question at a time, and our batched ``generate``
  on all 5,000 at once; the answers of all three are compared.

    python benchmarks/bench_attention.py                       # both parts
    python benchmarks/bench_attention.py --part train --repeats 30 --json out.json

Needs ``date.txt`` and the book's weights (cached, or ``SCRATCHNLP_MIRROR``). Set ``OMP_NUM_THREADS`` /
``OPENBLAS_NUM_THREADS`` before starting to change the thread count (default 2).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys

os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("OPENBLAS_NUM_THREADS", os.environ["OMP_NUM_THREADS"])

import numpy as np  # noqa: E402
from _method import blas_report, describe_blas, interleave, write_json  # noqa: E402  (beside this script)

# The book's chapter-7 building blocks (common/time_layers.py, its Adam, clip_grads and Trainer step): the
# script's own folder is on sys.path when it is run as ``python benchmarks/bench_attention.py``.
from bench_seq2seq import (  # noqa: E402
    BookStep,
    BookTimeAffine,
    BookTimeEmbedding,
    BookTimeLSTM,
    BookTimeSoftmaxWithLoss,
    OurStep,
    _copies,
    random_batch,
    softmax,
)

from scratchnlp.datasets import load_book_weights, sequence  # noqa: E402
from scratchnlp.layers import TimeAttention  # noqa: E402
from scratchnlp.models import AttentionSeq2seq  # noqa: E402

THREADS = int(os.environ["OMP_NUM_THREADS"])
BATCH, WORDVEC, HIDDEN, MAX_GRAD, LR = 128, 16, 256, 5.0, 0.001
BOOK, BOOK_LOOP = "book's code", "book's loop"


# --- the book's chapter-8 code, as it behaves -------------------------------------------------------------------


class BookSoftmax:
    def __init__(self):
        self.params, self.grads = [], []
        self.out = None

    def forward(self, x):
        self.out = softmax(x)
        return self.out

    def backward(self, dout):
        dx = self.out * dout
        sumdx = np.sum(dx, axis=1, keepdims=True)
        dx -= self.out * sumdx
        return dx


class BookWeightSum:
    def __init__(self):
        self.params, self.grads = [], []
        self.cache = None

    def forward(self, hs, a):
        N, T, H = hs.shape
        ar = a.reshape(N, T, 1)
        t = hs * ar
        c = np.sum(t, axis=1)
        self.cache = (hs, ar)
        return c

    def backward(self, dc):
        hs, ar = self.cache
        N, T, H = hs.shape
        dt = dc.reshape(N, 1, H).repeat(T, axis=1)
        dar = dt * hs
        dhs = dt * ar
        da = np.sum(dar, axis=2)
        return dhs, da


class BookAttentionWeight:
    def __init__(self):
        self.params, self.grads = [], []
        self.softmax = BookSoftmax()
        self.cache = None

    def forward(self, hs, h):
        N, T, H = hs.shape
        hr = h.reshape(N, 1, H)
        t = hs * hr
        s = np.sum(t, axis=2)
        a = self.softmax.forward(s)
        self.cache = (hs, hr)
        return a

    def backward(self, da):
        hs, hr = self.cache
        N, T, H = hs.shape
        ds = self.softmax.backward(da)
        dt = ds.reshape(N, T, 1).repeat(H, axis=2)
        dhs = dt * hr
        dhr = dt * hs
        dh = np.sum(dhr, axis=1)
        return dhs, dh


class BookAttention:
    def __init__(self):
        self.params, self.grads = [], []
        self.attention_weight_layer = BookAttentionWeight()
        self.weight_sum_layer = BookWeightSum()
        self.attention_weight = None

    def forward(self, hs, h):
        a = self.attention_weight_layer.forward(hs, h)
        out = self.weight_sum_layer.forward(hs, a)
        self.attention_weight = a
        return out

    def backward(self, dout):
        dhs0, da = self.weight_sum_layer.backward(dout)
        dhs1, dh = self.attention_weight_layer.backward(da)
        dhs = dhs0 + dhs1
        return dhs, dh


class BookTimeAttention:
    def __init__(self):
        self.params, self.grads = [], []
        self.layers = None
        self.attention_weights = None

    def forward(self, hs_enc, hs_dec):
        N, T, H = hs_dec.shape
        out = np.empty_like(hs_dec)
        self.layers = []
        self.attention_weights = []
        for t in range(T):
            layer = BookAttention()
            out[:, t, :] = layer.forward(hs_enc, hs_dec[:, t, :])
            self.layers.append(layer)
            self.attention_weights.append(layer.attention_weight)
        return out

    def backward(self, dout):
        N, T, H = dout.shape
        dhs_enc = 0
        dhs_dec = np.empty_like(dout)
        for t in range(T):
            layer = self.layers[t]
            dhs, dh = layer.backward(dout[:, t, :])
            dhs_enc += dhs
            dhs_dec[:, t, :] = dh
        return dhs_enc, dhs_dec


class BookAttentionEncoder:
    def __init__(self, params):
        embed_W, Wx, Wh, b = params
        self.embed = BookTimeEmbedding(embed_W)
        self.lstm = BookTimeLSTM(Wx, Wh, b, stateful=False)
        self.params = self.embed.params + self.lstm.params
        self.grads = self.embed.grads + self.lstm.grads

    def forward(self, xs):
        xs = self.embed.forward(xs)
        return self.lstm.forward(xs)

    def backward(self, dhs):
        dout = self.lstm.backward(dhs)
        self.embed.backward(dout)


class BookAttentionDecoder:
    def __init__(self, params):
        embed_W, Wx, Wh, b, W, bias = params
        self.embed = BookTimeEmbedding(embed_W)
        self.lstm = BookTimeLSTM(Wx, Wh, b, stateful=True)
        self.attention = BookTimeAttention()
        self.affine = BookTimeAffine(W, bias)
        self.params, self.grads = [], []
        for layer in (self.embed, self.lstm, self.attention, self.affine):
            self.params += layer.params
            self.grads += layer.grads

    def forward(self, xs, enc_hs):
        h = enc_hs[:, -1]
        self.lstm.set_state(h)
        out = self.embed.forward(xs)
        dec_hs = self.lstm.forward(out)
        c = self.attention.forward(enc_hs, dec_hs)
        out = np.concatenate((c, dec_hs), axis=2)
        return self.affine.forward(out)

    def backward(self, dscore):
        dout = self.affine.backward(dscore)
        N, T, H2 = dout.shape
        H = H2 // 2
        dc, ddec_hs0 = dout[:, :, :H], dout[:, :, H:]
        denc_hs, ddec_hs1 = self.attention.backward(dc)
        ddec_hs = ddec_hs0 + ddec_hs1
        dout = self.lstm.backward(ddec_hs)
        dh = self.lstm.dh
        denc_hs[:, -1] += dh
        self.embed.backward(dout)
        return denc_hs

    def generate(self, enc_hs, start_id, sample_size):
        sampled = []
        sample_id = start_id
        h = enc_hs[:, -1]
        self.lstm.set_state(h)
        for _ in range(sample_size):
            x = np.array([sample_id]).reshape((1, 1))
            out = self.embed.forward(x)
            dec_hs = self.lstm.forward(out)
            c = self.attention.forward(enc_hs, dec_hs)
            out = np.concatenate((c, dec_hs), axis=2)
            score = self.affine.forward(out)
            sample_id = np.argmax(score.flatten())
            sampled.append(sample_id)
        return sampled


class BookAttentionSeq2seq:
    """The book's AttentionSeq2seq holding copies of ``params`` (in the book's order)."""

    def __init__(self, params):
        params = _copies(params)
        self.encoder = BookAttentionEncoder(params[:4])
        self.decoder = BookAttentionDecoder(params[4:])
        self.softmax = BookTimeSoftmaxWithLoss()
        self.params = self.encoder.params + self.decoder.params
        self.grads = self.encoder.grads + self.decoder.grads

    def forward(self, xs, ts):
        decoder_xs, decoder_ts = ts[:, :-1], ts[:, 1:]
        h = self.encoder.forward(xs)
        score = self.decoder.forward(decoder_xs, h)
        return self.softmax.forward(score, decoder_ts)

    def backward(self, dout=1):
        dout = self.softmax.backward(dout)
        dh = self.decoder.backward(dout)
        self.encoder.backward(dh)

    def generate(self, xs, start_id, sample_size):
        h = self.encoder.forward(xs)
        return self.decoder.generate(h, start_id, sample_size)


# --- running ----------------------------------------------------------------------------------------------------


def load():
    (x_train, t_train), (x_test, t_test) = sequence.load_data("date.txt")
    _, id_to_char = sequence.get_vocab("date.txt")
    return x_train[:, ::-1].copy(), t_train, x_test[:, ::-1].copy(), t_test, len(id_to_char)


def bench_attention_layer(repeats: int) -> dict:
    """The attention layer alone, forward + backward, on one batch's encoder and decoder states."""
    rng = np.random.default_rng(0)
    hs = rng.standard_normal((BATCH, 29, HIDDEN)).astype(np.float32)
    hd = rng.standard_normal((BATCH, 10, HIDDEN)).astype(np.float32)
    dout = rng.standard_normal((BATCH, 10, HIDDEN)).astype(np.float32)
    runners = {BOOK: BookTimeAttention(), "scratchnlp": TimeAttention()}

    def step(layer):
        layer.forward(hs, hd)
        return layer.backward(dout)

    results = {k: step(r) for k, r in runners.items()}
    drift = max(float(np.abs(a - b).max()) for a, b in zip(results[BOOK], results["scratchnlp"]))
    times, _ = interleave({k: lambda r=r: step(r) for k, r in runners.items()}, repeats)
    best = {k: min(v) for k, v in times.items()}
    print(f"\nTimeAttention forward + backward alone (N {BATCH}, T 29, T_dec 10, H {HIDDEN}), best of {repeats}")
    for k in runners:
        print(f"{k:<16}{best[k] * 1e3:>10.2f} ms")
    print(f"speed-up: {best[BOOK] / best['scratchnlp']:.1f}x; largest gradient difference {drift:.1e}")
    return {"best_s": best, "speedup": best[BOOK] / best["scratchnlp"], "max_abs_difference": drift}


def bench_train(data, repeats: int, warmup: int = 3) -> dict:
    x_train, t_train, _, _, V = data
    rng = np.random.default_rng(1)
    iters_per_epoch = len(x_train) // BATCH
    ours = AttentionSeq2seq(V, WORDVEC, HIDDEN, seed=0)
    runners = {BOOK: BookStep(BookAttentionSeq2seq(ours.params)), "scratchnlp": OurStep(ours)}
    times, results = interleave({k: r.step for k, r in runners.items()}, repeats, warmup=warmup,
                                inputs=lambda: random_batch(x_train, t_train, rng, BATCH))
    losses = {k: [float(loss) for loss in v] for k, v in results.items()}
    best = {k: min(v) for k, v in times.items()}
    median = {k: float(np.median(v)) for k, v in times.items()}
    drift = max(abs(a - b) for a, b in zip(losses[BOOK], losses["scratchnlp"]))
    print(f"\nAttentionSeq2seq training iteration (batch {BATCH}, {WORDVEC}/{HIDDEN}, Adam, clip {MAX_GRAD}), "
          f"best / median of {repeats} interleaved")
    print(f"{'implementation':<16}{'best ms':>10}{'median ms':>11}{'s / epoch':>11}")
    for k in runners:
        print(f"{k:<16}{best[k] * 1e3:>10.2f}{median[k] * 1e3:>11.2f}{best[k] * iters_per_epoch:>11.2f}")
    speedup = best[BOOK] / best["scratchnlp"]
    speedup_median = median[BOOK] / median["scratchnlp"]
    print(f"ours / book's code (below 1: ours is faster): best {1 / speedup:.2f}, median "
          f"{1 / speedup_median:.2f}; largest loss difference over the run: {drift:.2e}")
    return {"best_s": best, "median_s": median, "speedup_best": speedup, "speedup_median": speedup_median,
            "loss_drift": drift, "attention_layer": bench_attention_layer(repeats)}


def bench_decode(data, repeats: int, questions: int = 0) -> dict:
    _, _, x_test, t_test, V = data
    if questions:
        x_test, t_test = x_test[:questions], t_test[:questions]
    model = AttentionSeq2seq(V, WORDVEC, HIDDEN)
    load_book_weights("AttentionSeq2seq", model)
    book = BookAttentionSeq2seq(model.params)
    start, size = t_test[:, 0], t_test.shape[1] - 1

    def book_loop():
        return np.array([book.generate(x_test[[i]], int(start[i]), size) for i in range(len(x_test))])

    def ours_loop():
        return np.concatenate([model.generate(x_test[[i]], int(start[i]), size) for i in range(len(x_test))])

    def ours_batched():
        return model.generate(x_test, start, size)

    runners = {BOOK_LOOP: book_loop, "scratchnlp, one by one": ours_loop, "scratchnlp, batched": ours_batched}
    answers = {k: f() for k, f in runners.items()}
    times, _ = interleave(runners, repeats)
    best = {k: min(v) for k, v in times.items()}
    same_as_book = {k: int((a == answers[BOOK_LOOP]).all(axis=1).sum()) for k, a in answers.items()}
    accuracy = float((answers["scratchnlp, batched"] == t_test[:, 1:]).all(axis=1).mean())
    print(f"\nAttentionSeq2seq with the book's weights: decoding {len(x_test)} test questions ({size} characters "
          f"each; test accuracy {100 * accuracy:.2f}%), best of {repeats}")
    print(f"{'implementation':<26}{'best s':>9}{'speed-up':>10}{'answers = book':>16}")
    for k in runners:
        print(f"{k:<26}{best[k]:>9.4f}{best[BOOK_LOOP] / best[k]:>9.1f}x{same_as_book[k]:>11}/{len(x_test)}")
    batched_vs_one = int((answers["scratchnlp, batched"] == answers["scratchnlp, one by one"]).all(axis=1).sum())
    print(f"batched = our one-by-one answers: {batched_vs_one}/{len(x_test)}")
    return {"best_s": best, "speedup_vs_book": {k: best[BOOK_LOOP] / best[k] for k in best},
            "answers_equal_book": same_as_book, "batched_equals_one_by_one": batched_vs_one,
            "test_accuracy": accuracy}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--part", choices=["train", "decode", "all"], default="all")
    ap.add_argument("--repeats", type=int, default=20, help="timed iterations (train) / passes (decode: a tenth)")
    ap.add_argument("--questions", type=int, default=0, help="decode only the first N test questions (0: all)")
    ap.add_argument("--json", help="also write the numbers to this file")
    args = ap.parse_args(argv)
    print(f"threads: {THREADS}; NumPy {np.__version__}, {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPUs")
    blas = blas_report()
    print(describe_blas(blas))
    data = load()
    out: dict = {"threads": THREADS, "numpy": np.__version__, "blas": blas}
    if args.part in ("train", "all"):
        out["train"] = bench_train(data, args.repeats)
    if args.part in ("decode", "all"):
        out["decode"] = bench_decode(data, max(1, args.repeats // 10), args.questions)
    if args.json:
        write_json(args.json, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
