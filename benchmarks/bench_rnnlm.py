"""Speed of a training iteration of the recurrent models (chapters 5-8): scratchnlp against PyTorch on the CPU.

One iteration is :func:`scratchnlp.training.train_step`, what ``RnnlmTrainer`` and ``Trainer`` run per
mini-batch, with the book's settings:

* ``rnnlm`` / ``better``: a batch of 20 x 35 word ids (V = 10,000) through ``Rnnlm`` (100/100, one LSTM) or
  ``BetterRnnlm`` (650/650, two LSTMs, dropout 0.5, tied weights), the loss, backward, global-norm clipping to
  0.25 and an SGD step (lr 20), the hidden state carried from batch to batch;
* ``seq2seq`` / ``peeky``: ``Seq2seq`` and ``PeekySeq2seq`` (wordvec 16, hidden 128) on batches of 128
  addition questions (7 characters in, 5 out, 13 symbols), Adam (lr 0.001), clipping 5.0 (chapter 7);
* ``attention``: ``AttentionSeq2seq`` (wordvec 16, hidden 256) on batches of 128 dates (29 characters in,
  11 out, 59 symbols), Adam, clipping 5.0 (chapter 8);
* ``book``: the book's own code organisation for ``Rnnlm`` (below) against PyTorch.

The reference is the same architecture in PyTorch (``nn.Embedding``, ``nn.LSTM``, ``nn.Dropout``,
``nn.Linear``, ``F.cross_entropy``, ``clip_grad_norm_``, ``torch.optim.SGD`` / ``Adam``; the peeky decoder's
concatenations and the attention's batched products and softmax written out), float32, identical shapes, and
``torch.set_num_threads`` equal to the BLAS threads NumPy gets. The batches are random ids of the book's
shapes and vocabulary sizes (the time does not depend on which ids). On the CPU ``nn.LSTM`` runs oneDNN's fused
LSTM layer; each part also times the same PyTorch model with oneDNN switched off (``pytorch without oneDNN``:
one operation at a time, what NumPy code can express) and the iteration's matrix products alone (the floor of
any NumPy implementation).

How it measures (``_method.py``): the BLAS library and kernel in use and the load average are printed, the
float32 GEMM peak (2000^3) of NumPy and of PyTorch is measured in the same run, the implementations alternate
in blocks (ours, PyTorch, ours, ...), and each table gives best and median and the ratio **ours / PyTorch
(below 1: ours is faster)**, and each iteration's GFLOP/s (matrix products of forward and backward) as a
share of NumPy's peak. Then the whole measurement runs again in a fresh process without
``OPENBLAS_CORETYPE`` and ``OPENBLAS_L2_SIZE`` (where the environment sets them), so the numbers are given
for this machine's environment and for the kernel a user's NumPy picks.

    python benchmarks/bench_rnnlm.py                         # every part, both BLAS environments
    python benchmarks/bench_rnnlm.py --model better --model attention
    python benchmarks/bench_rnnlm.py --repeats 1 --one-environment     # a quick look
    python benchmarks/bench_rnnlm.py --repeats 30 --json out.json

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
from _method import (  # noqa: E402  (beside this script)
    RATIO,
    alternate,
    blas_report,
    describe_blas,
    gemm_peak,
    in_both_blas_environments,
    strip_json_argument,
)

from scratchnlp import optim  # noqa: E402
from scratchnlp.benchmarking import PRODUCTS_ALONE, PYTORCH_PER_OP  # noqa: E402
from scratchnlp.models import AttentionSeq2seq, BetterRnnlm, PeekySeq2seq, Rnnlm, Seq2seq  # noqa: E402
from scratchnlp.training import train_step  # noqa: E402

THREADS = int(os.environ["OMP_NUM_THREADS"])
N, T, V = 20, 35, 10000
LR, MAX_GRAD = 20.0, 0.25
#: The seq2seq models of chapters 7 and 8 as the book trains them: data shapes, vocabulary, sizes.
SEQ2SEQ = {
    "seq2seq": {"cls": Seq2seq, "kind": "plain", "V": 13, "D": 16, "H": 128, "x": 7, "t": 5,
                "title": "Seq2seq on addition (wordvec 16, hidden 128)"},
    "peeky": {"cls": PeekySeq2seq, "kind": "peeky", "V": 13, "D": 16, "H": 128, "x": 7, "t": 5,
              "title": "PeekySeq2seq on addition (wordvec 16, hidden 128)"},
    "attention": {"cls": AttentionSeq2seq, "kind": "attention", "V": 59, "D": 16, "H": 256, "x": 29, "t": 11,
                  "title": "AttentionSeq2seq on dates (wordvec 16, hidden 256)"},
}
SEQ_BATCH, SEQ_LR, SEQ_MAX_GRAD = 128, 0.001, 5.0
PARTS = ("rnnlm", "better", "seq2seq", "peeky", "attention", "book")
#: The runner that does only the iteration's matrix products: the floor of any NumPy implementation.
FLOOR = PRODUCTS_ALONE
#: The reference again with oneDNN switched off: ``nn.LSTM`` then runs one operation at a time, as NumPy does,
#: instead of oneDNN's fused LSTM layer (``aten::mkldnn_rnn_layer`` in PyTorch's profiler).
PER_OP = PYTORCH_PER_OP


# --- the floor: the matrix products alone --------------------------------------------------------------------


def lstm_products(n: int, t: int, d: int, h: int, *, zero_start: bool, start_grad: bool) -> list[tuple]:
    """The products of one LSTM layer's forward and backward that no implementation can avoid.

    ``(a_shape, b_shape, count)``: the input projection of all steps, ``h @ Wh`` per step (none at a zero
    start state), ``dA_t @ Wh^T`` per step (none into the start state unless its gradient is used, as the
    seq2seq encoder uses the decoder's), and the weight gradients and ``dxs`` as one product each.
    """
    g = 4 * h
    steps = t - 1 if zero_start else t
    return [((t * n, d), (d, g), 1), ((n, h), (h, g), steps),
            ((n, g), (g, h), t if start_grad else t - 1), ((h, steps * n), (steps * n, g), 1),
            ((d, t * n), (t * n, g), 1), ((t * n, g), (g, d), 1)]


def affine_products(m: int, d: int, v: int) -> list[tuple]:
    """Forward ``x @ W``, backward ``x^T @ dout`` and ``dout @ W^T``."""
    return [((m, d), (d, v), 1), ((d, m), (m, v), 1), ((m, v), (v, d), 1)]


def product_plan(part: str) -> list[tuple]:
    """Every matrix product of one training iteration of ``part`` (batched products for the attention)."""
    if part in ("rnnlm", "better"):
        size, layers = (100, 1) if part == "rnnlm" else (650, 2)
        plan = []
        for _ in range(layers):  # the state is carried: no zero start, and nothing reads dh of the start
            plan += lstm_products(N, T, size, size, zero_start=False, start_grad=False)
        return plan + affine_products(N * T, size, V)
    spec = SEQ2SEQ[part]
    n, d, h, v, tq, ta = SEQ_BATCH, spec["D"], spec["H"], spec["V"], spec["x"], spec["t"] - 1
    plan = lstm_products(n, tq, d, h, zero_start=True, start_grad=False)
    plan += lstm_products(n, ta, d + h if spec["kind"] == "peeky" else d, h, zero_start=False, start_grad=True)
    plan += affine_products(n * ta, 2 * h if spec["kind"] in ("peeky", "attention") else h, v)
    if spec["kind"] == "attention":  # scores and context forward; their four gradients backward
        plan += [((n, ta, h), (n, h, tq), 1), ((n, ta, tq), (n, tq, h), 1),
                 ((n, ta, h), (n, h, tq), 1), ((n, tq, ta), (n, ta, h), 1),
                 ((n, ta, tq), (n, tq, h), 1), ((n, tq, ta), (n, ta, h), 1)]
    return plan


def products_alone(part: str):
    """A runner that does only ``product_plan(part)``'s products (float32, ``out=`` buffers made once): the
    time no NumPy implementation of the iteration can go below, measured beside the others."""
    rng = np.random.default_rng(0)
    ops = []
    for a, b, count in product_plan(part):
        x, y = rng.standard_normal(a, dtype=np.float32), rng.standard_normal(b, dtype=np.float32)
        ops.append((x, y, np.matmul(x, y), count))

    def step(xs, ts):
        for x, y, out, count in ops:
            for _ in range(count):
                np.matmul(x, y, out=out)

    return step


def plan_flops(part: str) -> float:
    """FLOPs of ``product_plan(part)``."""
    total = 0.0
    for a, b, count in product_plan(part):
        total += 2.0 * float(np.prod(a)) * b[-1] * count
    return total


# --- ours: the library's train_step -----------------------------------------------------------------------------


def ours(model, optimizer, max_grad):
    """One iteration as the trainers run it: :func:`scratchnlp.training.train_step`."""
    model.train()

    def step(xs, ts):
        return train_step(model, optimizer, (xs, ts), max_grad).loss

    return step


# --- PyTorch ----------------------------------------------------------------------------------------------------


def _torch_step(model, opt, max_grad):
    import torch  # noqa: PLC0415

    model.train()

    def step(xs, ts):
        loss = model(torch.from_numpy(xs), torch.from_numpy(ts))
        opt.zero_grad(set_to_none=False)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad)
        opt.step()
        return float(loss.detach())

    return step


def per_operation(step):
    """``step`` run with oneDNN switched off (:data:`PER_OP`): PyTorch's LSTM one operation at a time."""
    import warnings  # noqa: PLC0415

    import torch  # noqa: PLC0415

    warnings.filterwarnings("ignore", message="TF32 acceleration on top of oneDNN")  # (an Intel-GPU note)

    def run(xs, ts):
        with torch.backends.mkldnn.flags(enabled=False):
            return step(xs, ts)

    return run


def torch_lm(D: int, H: int, layers: int, dropout: float, tied: bool):
    """The book's Rnnlm (``layers=1``) or BetterRnnlm (2 layers, dropout before, between and after the LSTMs,
    the output weight tied to the embedding), state carried between batches, SGD and clipping."""
    import torch  # noqa: PLC0415
    from torch import nn  # noqa: PLC0415
    from torch.nn import functional as F  # noqa: PLC0415

    torch.set_num_threads(THREADS)
    torch.manual_seed(0)

    class LM(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(V, D)
            self.drop = nn.Dropout(dropout)
            self.lstm = nn.LSTM(D, H, num_layers=layers, dropout=dropout if layers > 1 else 0.0, batch_first=True)
            self.affine = nn.Linear(H, V)
            if tied:
                self.affine.weight = self.embed.weight
            self.state = None

        def forward(self, xs, ts):
            e = self.drop(self.embed(xs))
            hs, state = self.lstm(e, self.state)
            self.state = tuple(s.detach() for s in state)
            score = self.affine(self.drop(hs))
            return F.cross_entropy(score.reshape(-1, V), ts.reshape(-1))

    model = LM()
    return _torch_step(model, torch.optim.SGD(model.parameters(), lr=LR), MAX_GRAD)


def torch_seq2seq(kind: str, V: int, D: int, H: int):
    """The book's Seq2seq (chapter 7.3), PeekySeq2seq (7.4.2) or AttentionSeq2seq (8.2), with Adam and clipping.

    Encoder: embedding and LSTM from a zero state; the decoder's LSTM starts from the encoder's last hidden
    state and a zero cell. Peeky: that hidden state is concatenated before the decoder's embedding and before
    its LSTM output (``[h, x]``). Attention: scores ``dec_hs @ enc_hs^T``, softmax over the encoder positions,
    context ``a @ enc_hs``, and ``[context, dec_hs]`` into the output layer. Loss: mean cross-entropy of
    ``t[:, 1:]`` given ``t[:, :-1]``.
    """
    import torch  # noqa: PLC0415
    from torch import nn  # noqa: PLC0415
    from torch.nn import functional as F  # noqa: PLC0415

    torch.set_num_threads(THREADS)
    torch.manual_seed(0)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.enc_embed = nn.Embedding(V, D)
            self.enc_lstm = nn.LSTM(D, H, batch_first=True)
            self.dec_embed = nn.Embedding(V, D)
            self.dec_lstm = nn.LSTM(D + H if kind == "peeky" else D, H, batch_first=True)
            self.affine = nn.Linear(2 * H if kind in ("peeky", "attention") else H, V)

        def forward(self, xs, ts):
            dec_x, dec_t = ts[:, :-1], ts[:, 1:]
            enc_hs, (h, c) = self.enc_lstm(self.enc_embed(xs))
            e = self.dec_embed(dec_x)
            if kind == "peeky":
                peek = h[-1][:, None, :].expand(-1, e.shape[1], -1)
                e = torch.cat([peek, e], dim=2)
            dec_hs, _ = self.dec_lstm(e, (h, torch.zeros_like(c)))
            if kind == "peeky":
                out = torch.cat([peek, dec_hs], dim=2)
            elif kind == "attention":
                a = torch.softmax(dec_hs @ enc_hs.transpose(1, 2), dim=2)
                out = torch.cat([a @ enc_hs, dec_hs], dim=2)
            else:
                out = dec_hs
            score = self.affine(out)
            return F.cross_entropy(score.reshape(-1, V), dec_t.reshape(-1))

    model = Net()
    return _torch_step(model, torch.optim.Adam(model.parameters(), lr=SEQ_LR, eps=1e-7), SEQ_MAX_GRAD)


# --- the book's way ---------------------------------------------------------------------------------------------


def book_step_factory(D: int, H: int):
    """The book's ``Rnnlm`` iteration written as its code does it (``common/time_layers.py``): an Embedding and
    an LSTM step per time step (each Embedding clearing and filling a full (V, D) gradient with ``np.add.at``,
    the T gradients then summed), the gate gradients joined with ``hstack``, softmax then log, the book's
    ``clip_grads`` and ``SGD``: a reference for how much the organisation of the computation moves the time."""

    def sigmoid(x):
        return 1 / (1 + np.exp(-x))

    rng = np.random.default_rng(0)
    rn = rng.standard_normal
    params = [(rn((V, D)) / 100).astype("f"), (rn((D, 4 * H)) / np.sqrt(D)).astype("f"),
              (rn((H, 4 * H)) / np.sqrt(H)).astype("f"), np.zeros(4 * H, "f"),
              (rn((H, V)) / np.sqrt(H)).astype("f"), np.zeros(V, "f")]
    state = {"h": None, "c": None}

    def step(xs, ts):
        embed_W, Wx, Wh, b, W, bias = params
        n, t_len = xs.shape
        out = np.empty((n, t_len, D), dtype="f")
        for t in range(t_len):
            out[:, t, :] = embed_W[xs[:, t]]
        hs = np.empty((n, t_len, H), dtype="f")
        h = state["h"] if state["h"] is not None else np.zeros((n, H), "f")
        c = state["c"] if state["c"] is not None else np.zeros((n, H), "f")
        caches = []
        for t in range(t_len):
            x = out[:, t, :]
            A = np.dot(x, Wx) + np.dot(h, Wh) + b
            f, g, i, o = sigmoid(A[:, :H]), np.tanh(A[:, H:2 * H]), sigmoid(A[:, 2 * H:3 * H]), sigmoid(A[:, 3 * H:])
            c_next = f * c + g * i
            h_next = o * np.tanh(c_next)
            caches.append((x, h, c, i, f, g, o, c_next))
            h, c = h_next, c_next
            hs[:, t, :] = h
        state["h"], state["c"] = h, c
        rx = hs.reshape(n * t_len, -1)
        score = np.dot(rx, W) + bias
        ys = score - score.max(axis=1, keepdims=True)
        ys = np.exp(ys)
        ys /= ys.sum(axis=1, keepdims=True)
        tt = ts.reshape(-1)
        loss = -np.sum(np.log(ys[np.arange(n * t_len), tt])) / (n * t_len)
        dx = ys
        dx[np.arange(n * t_len), tt] -= 1
        dx /= n * t_len
        dW = np.dot(rx.T, dx)
        dbias = np.sum(dx, axis=0)
        dhs = np.dot(dx, W.T).reshape(n, t_len, H)
        grads = [np.zeros_like(p) for p in params]
        dh, dc = 0, 0
        dxs = np.empty((n, t_len, D), dtype="f")
        for t in reversed(range(t_len)):
            x, h_prev, c_prev, i, f, g, o, c_next = caches[t]
            dh_next = dhs[:, t, :] + dh
            tanh_c = np.tanh(c_next)
            ds = dc + (dh_next * o) * (1 - tanh_c**2)
            dc = ds * f
            di, df, do, dg = ds * g, ds * c_prev, dh_next * tanh_c, ds * i
            di *= i * (1 - i)
            df *= f * (1 - f)
            do *= o * (1 - o)
            dg *= 1 - g**2
            dA = np.hstack((df, dg, di, do))
            grads[2] += np.dot(h_prev.T, dA)
            grads[1] += np.dot(x.T, dA)
            grads[3] += dA.sum(axis=0)
            dxs[:, t, :] = np.dot(dA, Wx.T)
            dh = np.dot(dA, Wh.T)
        total = 0  # the book's TimeEmbedding: one Embedding per step, each with a full (V, D) gradient
        for t in range(t_len):
            dE = np.empty_like(embed_W)
            dE[...] = 0
            np.add.at(dE, xs[:, t], dxs[:, t, :])
            total += dE
        grads[0][...] = total
        grads[4][...] = dW
        grads[5][...] = dbias
        norm = np.sqrt(sum(np.sum(g**2) for g in grads))  # the book's clip_grads
        rate = MAX_GRAD / (norm + 1e-6)
        if rate < 1:
            for g in grads:
                g *= rate
        for p, g in zip(params, grads):
            p -= LR * g
        return loss

    return step


# --- running ----------------------------------------------------------------------------------------------------


def report(name: str, result: dict, peak: float, flop: float, repeats: int) -> dict:
    """Print one part's table and return its numbers (with GFLOP/s and the share of the GEMM peak)."""
    best, median = result["best_s"], result["median_s"]
    print(f"\n{name}: {flop / 1e9:.2f} GFLOP per iteration in matrix products; best / median of {repeats}+ "
          "iterations in alternating blocks")
    print(f"{'implementation':<28}{'best ms':>9}{'median ms':>11}{'GFLOP/s':>9}{'% of peak':>11}"
          f"{'ours/ref best':>15}{'ours/ref median':>17}")
    gflops = {}
    for k in best:
        gflops[k] = flop / best[k] / 1e9
        rb = f"{result['ratio_best'][k]:.2f}" if result["ratio_best"] else "-"
        rm = f"{result['ratio_median'][k]:.2f}" if result["ratio_median"] else "-"
        print(f"{k:<28}{best[k] * 1e3:>9.1f}{median[k] * 1e3:>11.1f}{gflops[k]:>9.1f}{100 * gflops[k] / peak:>10.0f}%"
              f"{rb:>15}{rm:>17}")
    ours_key = next(iter(best))
    if FLOOR in best and result["ratio_best"]:
        print(f"the floor: the matrix products alone are {result['ratio_best'][FLOOR]:.2f} of PyTorch's best "
              f"time; everything else in ours adds {(best[ours_key] - best[FLOOR]) * 1e3:.1f} ms "
              f"({100 * (1 - best[FLOOR] / best[ours_key]):.0f}% of our step)")
    if PER_OP in best:
        print(f"against PyTorch without oneDNN's fused LSTM (one operation at a time, as NumPy): ours / that = "
              f"{best[ours_key] / best[PER_OP]:.2f}")
    out = {key: result[key] for key in ("best_s", "median_s", "ratio_best", "ratio_median")}
    out |= {"gflop": flop / 1e9, "gflops": gflops, "share_of_peak": {k: g / peak for k, g in gflops.items()}}
    return out


def lm_batches(count: int = 5) -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(1)
    return [(rng.integers(0, V, (N, T)).astype(np.int64), rng.integers(0, V, (N, T)).astype(np.int64))
            for _ in range(count)]


def seq2seq_batches(spec: dict, count: int = 5) -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(2)
    return [(rng.integers(0, spec["V"], (SEQ_BATCH, spec["x"])).astype(np.int64),
             rng.integers(0, spec["V"], (SEQ_BATCH, spec["t"])).astype(np.int64)) for _ in range(count)]


def measure(parts: list[str], repeats: int, block: int) -> dict:
    """Every part in ``parts``, in this process's BLAS environment."""
    import torch  # noqa: PLC0415

    torch.set_num_threads(THREADS)
    print(describe_blas(blas_report()))
    peak = gemm_peak()
    torch_peak = gemm_peak(matmul=lambda a, b, o: torch.matmul(torch.from_numpy(a), torch.from_numpy(b),
                                                               out=torch.from_numpy(o)))
    print(f"threads: {THREADS} (NumPy's BLAS and torch.set_num_threads); NumPy {np.__version__}, PyTorch "
          f"{torch.__version__}, {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs")
    print(f"float32 GEMM peak (2000^3, best of 5): NumPy {peak:.1f} GFLOP/s, PyTorch {torch_peak:.1f} GFLOP/s; "
          f"ratio = {RATIO}")
    out: dict = {"threads": THREADS, "gemm_peak_gflops": peak, "torch_gemm_peak_gflops": torch_peak,
                 "numpy": np.__version__, "torch": torch.__version__, "ratio": RATIO}
    for part in parts:
        if part == "rnnlm":
            runners = {"scratchnlp Rnnlm": ours(Rnnlm(V, 100, 100), optim.SGD(LR), MAX_GRAD),
                       "pytorch": torch_lm(100, 100, 1, 0.0, False), FLOOR: products_alone(part),
                       PER_OP: per_operation(torch_lm(100, 100, 1, 0.0, False))}
            res = alternate(runners, lm_batches(), repeats, block=block)
            out[part] = report("Rnnlm (D = H = 100, one LSTM), batch 20 x 35, SGD, clip 0.25", res, peak,
                               plan_flops(part), repeats)
        elif part == "better":
            runners = {"scratchnlp BetterRnnlm": ours(BetterRnnlm(V, 650, 650, 0.5), optim.SGD(LR), MAX_GRAD),
                       "pytorch": torch_lm(650, 650, 2, 0.5, True), FLOOR: products_alone(part),
                       PER_OP: per_operation(torch_lm(650, 650, 2, 0.5, True))}
            res = alternate(runners, lm_batches(), max(1, repeats // 3), block=block)
            out[part] = report("BetterRnnlm (D = H = 650, two LSTMs, dropout 0.5, tied), batch 20 x 35, SGD, "
                               "clip 0.25", res, peak, plan_flops(part), max(1, repeats // 3))
            share = out[part]["share_of_peak"]["scratchnlp BetterRnnlm"]
            print(f"BetterRnnlm: ours reaches {out[part]['gflops']['scratchnlp BetterRnnlm']:.1f} GFLOP/s, "
                  f"{100 * share:.0f}% of the GEMM peak ({peak:.1f} GFLOP/s)")
        elif part in SEQ2SEQ:
            spec = SEQ2SEQ[part]
            model = spec["cls"](spec["V"], spec["D"], spec["H"], seed=0)
            runners = {f"scratchnlp {spec['cls'].__name__}": ours(model, optim.Adam(SEQ_LR), SEQ_MAX_GRAD),
                       "pytorch": torch_seq2seq(spec["kind"], spec["V"], spec["D"], spec["H"]),
                       FLOOR: products_alone(part),
                       PER_OP: per_operation(torch_seq2seq(spec["kind"], spec["V"], spec["D"], spec["H"]))}
            res = alternate(runners, seq2seq_batches(spec), repeats, block=block)
            out[part] = report(f"{spec['title']}, batch {SEQ_BATCH}, Adam, clip {SEQ_MAX_GRAD}", res, peak,
                               plan_flops(part), repeats)
        elif part == "book":  # last: its large temporaries change the allocator's state for what follows
            runners = {"book's code way": book_step_factory(100, 100), "pytorch": torch_lm(100, 100, 1, 0.0, False)}
            res = alternate(runners, lm_batches(), repeats, block=block)
            out[part] = report("The book's Rnnlm code (D = H = 100)", res, peak, plan_flops("rnnlm"), repeats)
    return out


def compare_environments(result: dict) -> None:
    """The ratios of both BLAS environments side by side."""
    other = result.get("blas_vars_unset")
    if not other:
        print(f"\nOne BLAS environment only: {result.get('blas_vars_unset_note')}")
        return
    print(f"\nBoth BLAS environments, {RATIO}:")
    print(f"{'part':<12}{'as set: best':>14}{'median':>9}{'unset: best':>14}{'median':>9}")
    for part in PARTS:
        a, b = result.get(part), other.get(part)
        if not (a and b and a["ratio_best"]):
            continue
        ours_key = next(k for k in a["best_s"] if k != "pytorch")
        print(f"{part:<12}{a['ratio_best'][ours_key]:>14.2f}{a['ratio_median'][ours_key]:>9.2f}"
              f"{b['ratio_best'][ours_key]:>14.2f}{b['ratio_median'][ours_key]:>9.2f}")
    kernels = [", ".join(str(lib.get("architecture")) for lib in r["blas"]["libraries"]
                         if lib.get("user_api") == "blas") for r in (result, other)]
    print(f"(BLAS kernel as set: {kernels[0]}; unset: {kernels[1]})")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", action="append", choices=[*PARTS, "all"],
                    help="a part to run (repeatable; default all)")
    ap.add_argument("--repeats", type=int, default=20, help="timed iterations of each (BetterRnnlm: a third)")
    ap.add_argument("--block", type=int, default=4, help="timed iterations per alternating block")
    ap.add_argument("--one-environment", action="store_true",
                    help="measure only with the environment as it is (no second process without the OpenBLAS "
                         "variables)")
    ap.add_argument("--json", help="also write the numbers to this file")
    args = ap.parse_args(argv)
    parts = list(PARTS) if not args.model or "all" in args.model else [p for p in PARTS if p in args.model]
    result = in_both_blas_environments(lambda: measure(parts, args.repeats, args.block), strip_json_argument(argv),
                                       args.json, both=not args.one_environment)
    if not os.environ.get("SCRATCHNLP_BENCH_BLAS_CHILD"):
        compare_environments(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
