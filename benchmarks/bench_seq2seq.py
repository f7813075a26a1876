"""Speed of seq2seq on addition (chapter 7): training iterations and decoding the test set, against the book's code.

The reference is the book's code as its behaviour is described (written here, since the book's code is not a
dependency): ``Encoder`` / ``Decoder`` / ``PeekyDecoder`` built from ``TimeEmbedding`` (one ``Embedding`` per
step, ``np.add.at`` in backward), ``TimeLSTM`` (one ``LSTM`` cell object per step, ``np.hstack`` of the gate
gradients), ``TimeAffine``, ``TimeSoftmaxWithLoss``, the book's ``Adam`` and ``clip_grads``, and its
``Trainer`` iteration (``remove_duplicate`` of the parameters every iteration). Decoding is the book's loop:
``model.generate(x_test[[i]], start_id, 4)`` for one question at a time.

Two parts, each run in the same process, interleaved, best of ``--repeats``:

* **train** — one training iteration with the book's settings (batch 128, wordvec 16, hidden 128, Adam,
  clip 5.0) on the book's ``addition.txt`` batches, reversed questions, ``Seq2seq`` and ``PeekySeq2seq``:
  ``scratchnlp`` (``training.train_step``, the ``Trainer``'s iteration, with ``optim.Adam``) against the reference,
  both from the same weights; also the estimated seconds per epoch (351 iterations).
* **decode** — the whole test set (5,000 questions): the book's one-question loop with its layers, our
  ``generate`` one question at a time, and our batched ``generate`` on all 5,000 at once; the answers of all
  three are compared (the model is first trained for ``--train-epochs`` epochs, so the answers are not all
  alike).

    python benchmarks/bench_seq2seq.py                       # both parts
    python benchmarks/bench_seq2seq.py --part train --repeats 30 --json out.json

Set ``OMP_NUM_THREADS`` / ``OPENBLAS_NUM_THREADS`` before starting to change the thread count (default 2).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys

os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("OPENBLAS_NUM_THREADS", os.environ["OMP_NUM_THREADS"])

import numpy as np  # noqa: E402
from _method import best_of, blas_report, describe_blas, interleave, write_json  # noqa: E402  (beside this script)

from scratchnlp import optim  # noqa: E402
from scratchnlp.datasets import sequence  # noqa: E402
from scratchnlp.models import PeekySeq2seq, Seq2seq  # noqa: E402
from scratchnlp.training import Trainer, train_step  # noqa: E402

THREADS = int(os.environ["OMP_NUM_THREADS"])
BATCH, WORDVEC, HIDDEN, MAX_GRAD, LR = 128, 16, 128, 5.0, 0.001
BOOK, BOOK_LOOP = "book's code", "book's loop"


# --- the book's code, as it behaves -----------------------------------------------------------------------------


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def softmax(x):
    x = x - x.max(axis=1, keepdims=True)
    x = np.exp(x)
    x /= x.sum(axis=1, keepdims=True)
    return x


class BookEmbedding:
    def __init__(self, W):
        self.params = [W]
        self.grads = [np.zeros_like(W)]
        self.idx = None

    def forward(self, idx):
        (W,) = self.params
        self.idx = idx
        return W[idx]

    def backward(self, dout):
        (dW,) = self.grads
        dW[...] = 0
        np.add.at(dW, self.idx, dout)


class BookTimeEmbedding:
    def __init__(self, W):
        self.params = [W]
        self.grads = [np.zeros_like(W)]
        self.layers = None
        self.W = W

    def forward(self, xs):
        N, T = xs.shape
        V, D = self.W.shape
        out = np.empty((N, T, D), dtype="f")
        self.layers = []
        for t in range(T):
            layer = BookEmbedding(self.W)
            out[:, t, :] = layer.forward(xs[:, t])
            self.layers.append(layer)
        return out

    def backward(self, dout):
        N, T, D = dout.shape
        grad = 0
        for t in range(T):
            layer = self.layers[t]
            layer.backward(dout[:, t, :])
            grad += layer.grads[0]
        self.grads[0][...] = grad


class BookLSTM:
    def __init__(self, Wx, Wh, b):
        self.params = [Wx, Wh, b]
        self.grads = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)]
        self.cache = None

    def forward(self, x, h_prev, c_prev):
        Wx, Wh, b = self.params
        N, H = h_prev.shape
        A = np.dot(x, Wx) + np.dot(h_prev, Wh) + b
        f = sigmoid(A[:, :H])
        g = np.tanh(A[:, H:2 * H])
        i = sigmoid(A[:, 2 * H:3 * H])
        o = sigmoid(A[:, 3 * H:])
        c_next = f * c_prev + g * i
        h_next = o * np.tanh(c_next)
        self.cache = (x, h_prev, c_prev, i, f, g, o, c_next)
        return h_next, c_next

    def backward(self, dh_next, dc_next):
        Wx, Wh, b = self.params
        x, h_prev, c_prev, i, f, g, o, c_next = self.cache
        tanh_c_next = np.tanh(c_next)
        ds = dc_next + (dh_next * o) * (1 - tanh_c_next ** 2)
        dc_prev = ds * f
        di = ds * g
        df = ds * c_prev
        do = dh_next * tanh_c_next
        dg = ds * i
        di *= i * (1 - i)
        df *= f * (1 - f)
        do *= o * (1 - o)
        dg *= (1 - g ** 2)
        dA = np.hstack((df, dg, di, do))
        self.grads[0][...] = np.dot(x.T, dA)
        self.grads[1][...] = np.dot(h_prev.T, dA)
        self.grads[2][...] = dA.sum(axis=0)
        dx = np.dot(dA, Wx.T)
        dh_prev = np.dot(dA, Wh.T)
        return dx, dh_prev, dc_prev


class BookTimeLSTM:
    def __init__(self, Wx, Wh, b, stateful=False):
        self.params = [Wx, Wh, b]
        self.grads = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)]
        self.layers = None
        self.h, self.c = None, None
        self.dh = None
        self.stateful = stateful

    def forward(self, xs):
        Wx, Wh, b = self.params
        N, T, D = xs.shape
        H = Wh.shape[0]
        self.layers = []
        hs = np.empty((N, T, H), dtype="f")
        if not self.stateful or self.h is None:
            self.h = np.zeros((N, H), dtype="f")
        if not self.stateful or self.c is None:
            self.c = np.zeros((N, H), dtype="f")
        for t in range(T):
            layer = BookLSTM(*self.params)
            self.h, self.c = layer.forward(xs[:, t, :], self.h, self.c)
            hs[:, t, :] = self.h
            self.layers.append(layer)
        return hs

    def backward(self, dhs):
        Wx, Wh, b = self.params
        N, T, H = dhs.shape
        D = Wx.shape[0]
        dxs = np.empty((N, T, D), dtype="f")
        dh, dc = 0, 0
        grads = [0, 0, 0]
        for t in reversed(range(T)):
            layer = self.layers[t]
            dx, dh, dc = layer.backward(dhs[:, t, :] + dh, dc)
            dxs[:, t, :] = dx
            for i, grad in enumerate(layer.grads):
                grads[i] += grad
        for i, grad in enumerate(grads):
            self.grads[i][...] = grad
        self.dh = dh
        return dxs

    def set_state(self, h, c=None):
        self.h, self.c = h, c


class BookTimeAffine:
    def __init__(self, W, b):
        self.params = [W, b]
        self.grads = [np.zeros_like(W), np.zeros_like(b)]
        self.x = None

    def forward(self, x):
        N, T, D = x.shape
        W, b = self.params
        rx = x.reshape(N * T, -1)
        out = np.dot(rx, W) + b
        self.x = x
        return out.reshape(N, T, -1)

    def backward(self, dout):
        x = self.x
        N, T, D = x.shape
        W, b = self.params
        dout = dout.reshape(N * T, -1)
        rx = x.reshape(N * T, -1)
        self.grads[0][...] = np.dot(rx.T, dout)
        self.grads[1][...] = np.sum(dout, axis=0)
        return np.dot(dout, W.T).reshape(*x.shape)


class BookTimeSoftmaxWithLoss:
    def __init__(self):
        self.params, self.grads = [], []
        self.cache = None
        self.ignore_label = -1

    def forward(self, xs, ts):
        N, T, V = xs.shape
        mask = ts != self.ignore_label
        xs = xs.reshape(N * T, V)
        ts = ts.reshape(N * T)
        mask = mask.reshape(N * T)
        ys = softmax(xs)
        ls = np.log(ys[np.arange(N * T), ts])
        ls *= mask
        loss = -np.sum(ls)
        loss /= mask.sum()
        self.cache = (ts, ys, mask, (N, T, V))
        return loss

    def backward(self, dout=1):
        ts, ys, mask, (N, T, V) = self.cache
        dx = ys
        dx[np.arange(N * T), ts] -= 1
        dx *= dout
        dx /= mask.sum()
        dx *= mask[:, np.newaxis]
        return dx.reshape((N, T, V))


def _copies(arrays):
    return [np.array(a, dtype="f", copy=True) for a in arrays]


class BookEncoder:
    def __init__(self, params):
        embed_W, Wx, Wh, b = params
        self.embed = BookTimeEmbedding(embed_W)
        self.lstm = BookTimeLSTM(Wx, Wh, b, stateful=False)
        self.params = self.embed.params + self.lstm.params
        self.grads = self.embed.grads + self.lstm.grads
        self.hs = None

    def forward(self, xs):
        xs = self.embed.forward(xs)
        hs = self.lstm.forward(xs)
        self.hs = hs
        return hs[:, -1, :]

    def backward(self, dh):
        dhs = np.zeros_like(self.hs)
        dhs[:, -1, :] = dh
        dout = self.lstm.backward(dhs)
        self.embed.backward(dout)


class BookDecoder:
    def __init__(self, params):
        embed_W, Wx, Wh, b, W, bias = params
        self.embed = BookTimeEmbedding(embed_W)
        self.lstm = BookTimeLSTM(Wx, Wh, b, stateful=True)
        self.affine = BookTimeAffine(W, bias)
        self.params, self.grads = [], []
        for layer in (self.embed, self.lstm, self.affine):
            self.params += layer.params
            self.grads += layer.grads

    def forward(self, xs, h):
        self.lstm.set_state(h)
        out = self.embed.forward(xs)
        out = self.lstm.forward(out)
        return self.affine.forward(out)

    def backward(self, dscore):
        dout = self.affine.backward(dscore)
        dout = self.lstm.backward(dout)
        self.embed.backward(dout)
        return self.lstm.dh

    def generate(self, h, start_id, sample_size):
        sampled = []
        sample_id = start_id
        self.lstm.set_state(h)
        for _ in range(sample_size):
            x = np.array(sample_id).reshape((1, 1))
            out = self.embed.forward(x)
            out = self.lstm.forward(out)
            score = self.affine.forward(out)
            sample_id = np.argmax(score.flatten())
            sampled.append(int(sample_id))
        return sampled


class BookPeekyDecoder(BookDecoder):
    def forward(self, xs, h):
        N, T = xs.shape
        N, H = h.shape
        self.lstm.set_state(h)
        out = self.embed.forward(xs)
        hs = np.repeat(h, T, axis=0).reshape(N, T, H)
        out = np.concatenate((hs, out), axis=2)
        out = self.lstm.forward(out)
        out = np.concatenate((hs, out), axis=2)
        score = self.affine.forward(out)
        self.cache = H
        return score

    def backward(self, dscore):
        H = self.cache
        dout = self.affine.backward(dscore)
        dout, dhs0 = dout[:, :, H:], dout[:, :, :H]
        dout = self.lstm.backward(dout)
        dembed, dhs1 = dout[:, :, H:], dout[:, :, :H]
        self.embed.backward(dembed)
        dhs = dhs0 + dhs1
        return self.lstm.dh + np.sum(dhs, axis=1)

    def generate(self, h, start_id, sample_size):
        sampled = []
        char_id = start_id
        self.lstm.set_state(h)
        H = h.shape[1]
        peeky_h = h.reshape(1, 1, H)
        for _ in range(sample_size):
            x = np.array([char_id]).reshape((1, 1))
            out = self.embed.forward(x)
            out = np.concatenate((peeky_h, out), axis=2)
            out = self.lstm.forward(out)
            out = np.concatenate((peeky_h, out), axis=2)
            score = self.affine.forward(out)
            char_id = np.argmax(score.flatten())
            sampled.append(char_id)
        return sampled


class BookSeq2seq:
    """The book's Seq2seq / PeekySeq2seq holding copies of ``params`` (in the book's order)."""

    def __init__(self, params, peeky):
        params = _copies(params)
        self.encoder = BookEncoder(params[:4])
        self.decoder = (BookPeekyDecoder if peeky else BookDecoder)(params[4:])
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


class BookAdam:
    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999):
        self.lr, self.beta1, self.beta2 = lr, beta1, beta2
        self.iter = 0
        self.m = self.v = None

    def update(self, params, grads):
        if self.m is None:
            self.m = [np.zeros_like(p) for p in params]
            self.v = [np.zeros_like(p) for p in params]
        self.iter += 1
        lr_t = self.lr * np.sqrt(1.0 - self.beta2 ** self.iter) / (1.0 - self.beta1 ** self.iter)
        for i in range(len(params)):
            self.m[i] += (1 - self.beta1) * (grads[i] - self.m[i])
            self.v[i] += (1 - self.beta2) * (grads[i] ** 2 - self.v[i])
            params[i] -= lr_t * self.m[i] / (np.sqrt(self.v[i]) + 1e-7)


def book_clip_grads(grads, max_norm):
    total_norm = 0
    for grad in grads:
        total_norm += np.sum(grad ** 2)
    total_norm = np.sqrt(total_norm)
    rate = max_norm / (total_norm + 1e-6)
    if rate < 1:
        for grad in grads:
            grad *= rate


def book_remove_duplicate(params, grads):
    params, grads = params[:], grads[:]
    while True:
        find_flg = False
        L = len(params)
        for i in range(0, L - 1):
            for j in range(i + 1, L):
                if params[i] is params[j]:
                    grads[i] += grads[j]
                    find_flg = True
                    params.pop(j)
                    grads.pop(j)
                elif params[i].ndim == 2 and params[j].ndim == 2 and \
                        params[i].T.shape == params[j].shape and np.all(params[i].T == params[j]):
                    grads[i] += grads[j].T
                    find_flg = True
                    params.pop(j)
                    grads.pop(j)
                if find_flg:
                    break
            if find_flg:
                break
        if not find_flg:
            break
    return params, grads


class BookStep:
    """One iteration of the book's ``Trainer.fit`` loop body."""

    def __init__(self, model):
        self.model = model
        self.opt = BookAdam(LR)

    def step(self, bx, bt):
        loss = self.model.forward(bx, bt)
        self.model.backward()
        params, grads = book_remove_duplicate(self.model.params, self.model.grads)
        book_clip_grads(grads, MAX_GRAD)
        self.opt.update(params, grads)
        return loss


class OurStep:
    """One iteration as :class:`scratchnlp.training.Trainer` runs it: :func:`scratchnlp.training.train_step`
    with ``optim.Adam`` and clipping."""

    def __init__(self, model):
        self.model = model
        self.opt = optim.Adam(LR)

    def step(self, bx, bt):
        return train_step(self.model, self.opt, (bx, bt), MAX_GRAD).loss


# --- running ----------------------------------------------------------------------------------------------------


def random_batch(x_train, t_train, rng, size=BATCH):
    """A random training batch of ``size`` questions and answers, as int64 ids."""
    idx = rng.permutation(len(x_train))[:size]
    return x_train[idx].astype(np.int64), t_train[idx].astype(np.int64)


def load():
    (x_train, t_train), (x_test, t_test) = sequence.load_data("addition.txt")
    _, id_to_char = sequence.get_vocab("addition.txt")
    return x_train[:, ::-1].copy(), t_train, x_test[:, ::-1].copy(), t_test, len(id_to_char)


def bench_train(data, repeats: int, warmup: int = 3) -> dict:
    x_train, t_train, _, _, V = data
    rng = np.random.default_rng(1)
    out = {}
    iters_per_epoch = len(x_train) // BATCH
    for cls in (Seq2seq, PeekySeq2seq):
        ours = cls(V, WORDVEC, HIDDEN, seed=0)
        runners = {BOOK: BookStep(BookSeq2seq(ours.params, cls is PeekySeq2seq)), "scratchnlp": OurStep(ours)}
        times, results = interleave({k: r.step for k, r in runners.items()}, repeats, warmup=warmup,
                                    inputs=lambda: random_batch(x_train, t_train, rng))
        losses = {k: [float(loss) for loss in v] for k, v in results.items()}
        best = {k: min(v) for k, v in times.items()}
        median = {k: float(np.median(v)) for k, v in times.items()}
        drift = max(abs(a - b) for a, b in zip(losses[BOOK], losses["scratchnlp"]))
        print(f"\n{cls.__name__} training iteration (batch {BATCH}, {WORDVEC}/{HIDDEN}, Adam, clip {MAX_GRAD}), "
              f"best / median of {repeats} interleaved")
        print(f"{'implementation':<16}{'best ms':>10}{'median ms':>11}{'s / epoch':>11}")
        for k in runners:
            print(f"{k:<16}{best[k] * 1e3:>10.2f}{median[k] * 1e3:>11.2f}{best[k] * iters_per_epoch:>11.2f}")
        speedup = best[BOOK] / best["scratchnlp"]
        speedup_median = median[BOOK] / median["scratchnlp"]
        print(f"ours / book's code (below 1: ours is faster): best {1 / speedup:.2f}, median "
              f"{1 / speedup_median:.2f}; largest loss difference over the run: {drift:.2e}")
        out[cls.__name__] = {"best_s": best, "median_s": median, "speedup_best": speedup,
                             "speedup_median": speedup_median, "loss_drift": drift}
    return out


def _products(N: int, Tq: int, Ta: int, V: int, peeky: bool) -> list[tuple[tuple[int, int], tuple[int, int], int]]:
    """The matrix products one training iteration cannot avoid: ((rows, inner), (inner, cols), how many times).

    Encoder LSTM (starting from h = 0, so its first step has no ``h @ Wh`` and nothing needs ``dh`` of its
    start), decoder LSTM, and the output Affine, forward and backward, with every step's weight gradient
    summed in one product; the elementwise work, the embeddings, the loss and the optimizer are left out.
    """
    H, D, G = HIDDEN, WORDVEC, 4 * HIDDEN
    Dd = D + H if peeky else D  # the peeky decoder's LSTM also reads the encoder's h
    Ha = 2 * H if peeky else H  # ... and so does its Affine
    return [
        ((Tq * N, D), (D, G), 1), ((N, H), (H, G), Tq - 1),  # encoder forward
        ((N, G), (G, H), Tq - 1), ((H, (Tq - 1) * N), ((Tq - 1) * N, G), 1),  # encoder dh, dWh
        ((D, Tq * N), (Tq * N, G), 1), ((Tq * N, G), (G, D), 1),  # encoder dWx, dxs
        ((Ta * N, Dd), (Dd, G), 1), ((N, H), (H, G), Ta),  # decoder forward
        ((N, G), (G, H), Ta), ((H, Ta * N), (Ta * N, G), 1),  # decoder dh, dWh
        ((Dd, Ta * N), (Ta * N, G), 1), ((Ta * N, G), (G, Dd), 1),  # decoder dWx, dxs
        ((Ta * N, Ha), (Ha, V), 1), ((Ha, Ta * N), (Ta * N, V), 1), ((Ta * N, V), (V, Ha), 1),  # Affine
    ]


def bench_floor(data, repeats: int) -> dict:
    """Seconds for the unavoidable matrix products alone: no implementation of the iteration can beat this."""
    x_train, t_train, _, _, V = data
    rng = np.random.default_rng(0)
    out = {}
    for name, peeky in (("Seq2seq", False), ("PeekySeq2seq", True)):
        plan = _products(BATCH, x_train.shape[1], t_train.shape[1] - 1, V, peeky)
        ops = [(rng.standard_normal(a).astype(np.float32), rng.standard_normal(b).astype(np.float32),
                np.empty((a[0], b[1]), np.float32), k) for a, b, k in plan]

        def products(ops=ops):
            for a, b, c, k in ops:
                for _ in range(k):
                    np.matmul(a, b, out=c)

        best = best_of(products, repeats + 3)[1]
        flop = sum(2 * a[0] * a[1] * b[1] * k for a, b, k in plan)
        print(f"{name}: the matrix products alone take {best * 1e3:.2f} ms per iteration "
              f"({flop / 1e6:.0f} MFLOP, {flop / best / 1e9:.0f} GFLOP/s)")
        out[name] = {"floor_s": best, "mflop": flop / 1e6}
    return out


def _decoders(model, book, x_test, start, size) -> dict:
    def book_loop():
        return np.array([book.generate(x_test[[i]], int(start[i]), size) for i in range(len(x_test))])

    def ours_loop():
        return np.concatenate([model.generate(x_test[[i]], int(start[i]), size) for i in range(len(x_test))])

    def ours_batched():
        return model.generate(x_test, start, size)

    return {BOOK_LOOP: book_loop, "scratchnlp, one by one": ours_loop, "scratchnlp, batched": ours_batched}


def bench_decode(data, repeats: int, train_epochs: int) -> dict:
    x_train, t_train, x_test, t_test, V = data
    out = {}
    for cls in (Seq2seq, PeekySeq2seq):
        model = cls(V, WORDVEC, HIDDEN, seed=0)
        if train_epochs:
            Trainer(model, optim.Adam(LR), seed=0).fit(x_train, t_train, train_epochs, BATCH, MAX_GRAD)
        book = BookSeq2seq(model.params, cls is PeekySeq2seq)
        start, size = t_test[:, 0], t_test.shape[1] - 1

        runners = _decoders(model, book, x_test, start, size)
        answers = {k: f() for k, f in runners.items()}
        times, _ = interleave(runners, repeats)
        best = {k: min(v) for k, v in times.items()}
        same_as_book = {k: int((a == answers[BOOK_LOOP]).all(axis=1).sum()) for k, a in answers.items()}
        accuracy = float((answers["scratchnlp, batched"] == t_test[:, 1:]).all(axis=1).mean())
        print(f"\n{cls.__name__}: decoding {len(x_test)} test questions ({size} characters each) after "
              f"{train_epochs} epoch(s) (test accuracy {100 * accuracy:.1f}%), best of {repeats}")
        print(f"{'implementation':<26}{'best s':>9}{'speed-up':>10}{'answers = book':>16}")
        for k in runners:
            print(f"{k:<26}{best[k]:>9.4f}{best[BOOK_LOOP] / best[k]:>9.1f}x{same_as_book[k]:>11}/{len(x_test)}")
        batched_vs_one = int((answers["scratchnlp, batched"] == answers["scratchnlp, one by one"]).all(axis=1).sum())
        distinct = len({tuple(r) for r in answers["scratchnlp, batched"].tolist()})
        print(f"batched = our one-by-one answers: {batched_vs_one}/{len(x_test)}; {distinct} distinct answers")
        out[cls.__name__] = {"best_s": best, "speedup_vs_book": {k: best[BOOK_LOOP] / best[k] for k in best},
                             "answers_equal_book": same_as_book, "batched_equals_one_by_one": batched_vs_one,
                             "distinct_answers": distinct,
                             "test_accuracy": accuracy}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--part", choices=["train", "decode", "all"], default="all")
    ap.add_argument("--repeats", type=int, default=20, help="timed iterations (train) / passes (decode: a fifth)")
    ap.add_argument("--train-epochs", type=int, default=1, help="epochs to train before decoding (default 1)")
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
        print()
        out["floor"] = bench_floor(data, args.repeats)
        for name, floor in out["floor"].items():
            best = out["train"][name]["best_s"]
            print(f"{name}: book's code {best[BOOK] / floor['floor_s']:.2f}x the products' time, "
                  f"scratchnlp {best['scratchnlp'] / floor['floor_s']:.2f}x")
    if args.part in ("decode", "all"):
        out["decode"] = bench_decode(data, max(1, args.repeats // 5), args.train_epochs)
    if args.json:
        write_json(args.json, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
