"""Speed of a language-model training iteration (chapters 5-6): scratchnlp against PyTorch on the CPU.

One iteration is what :class:`scratchnlp.training.RnnlmTrainer` does per mini-batch with the book's settings:
batch 20 x time 35 word ids through the model, the loss, backward, global-norm clipping to 0.25 and an SGD
step (lr 20). The same iteration is written with PyTorch (``nn.Embedding``, ``nn.LSTM``, ``nn.Linear``,
``F.cross_entropy``, ``clip_grad_norm_``, ``torch.optim.SGD``) with identical shapes, float32, the hidden
state carried between iterations, and ``torch.set_num_threads`` equal to the BLAS threads NumPy gets.

Both run in the same process, interleaved (ours, PyTorch, ours, ...), and the table reports the best of each
(the least disturbed by other work on the machine) and the ratio ours / PyTorch (below 1: we are faster).
It also measures this machine's float32 GEMM peak with a large matrix product and reports the achieved
GFLOP/s of each iteration as a share of it (FLOPs counted from the matrix products of forward and backward).

    python benchmarks/bench_rnnlm.py                   # both models, then the book's code against PyTorch
    python benchmarks/bench_rnnlm.py --model rnnlm     # one part: rnnlm, better, or book (the book's own code)
    python benchmarks/bench_rnnlm.py --repeats 30 --json out.json

Set ``OMP_NUM_THREADS`` / ``OPENBLAS_NUM_THREADS`` before starting to change the thread count (default 2).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("OPENBLAS_NUM_THREADS", os.environ["OMP_NUM_THREADS"])

import numpy as np  # noqa: E402

from scratchnlp import optim  # noqa: E402
from scratchnlp.models import BetterRnnlm, Rnnlm  # noqa: E402
from scratchnlp.optim import merge_shared  # noqa: E402

THREADS = int(os.environ["OMP_NUM_THREADS"])
N, T, V = 20, 35, 10000
LR, MAX_GRAD = 20.0, 0.25


def gemm_peak(size: int = 3000, repeats: int = 5) -> float:
    """Float32 GFLOP/s of a large square matrix product (the machine's practical GEMM peak)."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((size, size), dtype=np.float32)
    b = rng.standard_normal((size, size), dtype=np.float32)
    out = np.empty_like(a)
    np.matmul(a, b, out=out)
    best = min(_timed(lambda: np.matmul(a, b, out=out)) for _ in range(repeats))
    return 2 * size**3 / best / 1e9


def _timed(f) -> float:
    t = time.perf_counter()
    f()
    return time.perf_counter() - t


def flops(D: int, H: int, layers: int) -> float:
    """FLOPs of the matrix products of one iteration (forward + backward; backward = 2x forward)."""
    lstm = 0
    d_in = D
    for _ in range(layers):
        lstm += 2 * N * T * (d_in + H) * 4 * H
        d_in = H
    affine = 2 * N * T * H * V
    return 3 * (lstm + affine)


# --- ours -------------------------------------------------------------------------------------------------------


class Ours:
    def __init__(self, model):
        self.model = model
        self.opt = optim.SGD(LR)

    def step(self, xs, ts):
        m = self.model
        m.forward(xs, ts)
        m.backward()
        params, grads = merge_shared(m.params, m.grads)
        norm = optim.clip_grads(grads, MAX_GRAD)
        self.opt.update(params, grads)
        return norm


# --- PyTorch ------------------------------------------------------------------------------------------------


def torch_model(D: int, H: int, layers: int, dropout: float, tied: bool):
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
    opt = torch.optim.SGD(model.parameters(), lr=LR)

    class Step:
        def step(self, xs, ts):
            loss = model(torch.from_numpy(xs), torch.from_numpy(ts))
            opt.zero_grad(set_to_none=False)
            loss.backward()
            norm = torch.nn.utils.clip_grad_norm_(model.parameters(), MAX_GRAD)
            opt.step()
            return float(norm)

    return Step()


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

    class Step:
        pass

    s = Step()
    s.step = step
    return s


# --- running ----------------------------------------------------------------------------------------------------


def compare(name: str, runners: dict, repeats: int, warmup: int, peak: float, flop: float, block: int = 4) -> dict:
    """Time ``repeats`` iterations of each runner, in alternating blocks of ``block`` iterations.

    Each block starts after a pause (so that the spinning worker threads of the previous implementation's
    BLAS/OpenMP pool go to sleep and do not steal the cores) and its first iteration is not counted (it
    wakes the threads up). Every runner sees the same batches.
    """
    rng = np.random.default_rng(1)
    batches = [(rng.integers(0, V, (N, T)).astype(np.int64), rng.integers(0, V, (N, T)).astype(np.int64))
               for _ in range(block + 1)]
    times: dict[str, list[float]] = {k: [] for k in runners}
    for r in runners.values():  # warm up: first calls allocate and fault in memory
        for xs, ts in batches[:warmup]:
            r.step(xs, ts)
    while min(len(v) for v in times.values()) < repeats:
        for k, r in runners.items():
            time.sleep(0.3)
            for i, (xs, ts) in enumerate(batches[:block + 1]):
                dt = _timed(lambda r=r, xs=xs, ts=ts: r.step(xs, ts))
                if i:
                    times[k].append(dt)
    best = {k: min(v) for k, v in times.items()}
    median = {k: float(np.median(v)) for k, v in times.items()}
    print(f"\n{name}: batch {N} x time {T}, V = {V}, {flop / 1e9:.1f} GFLOP per iteration in matrix products; "
          f"best / median of {repeats}+ iterations in alternating blocks")
    print(f"{'implementation':<24}{'best ms':>9}{'median ms':>11}{'GFLOP/s':>9}{'% of peak':>11}"
          f"{'ratio (best)':>14}{'ratio (median)':>16}")
    ref, ref_median = best.get("pytorch"), median.get("pytorch")
    for k in runners:
        gf = flop / best[k] / 1e9
        ratio = f"{best[k] / ref:.2f}" if ref else "-"
        ratio_median = f"{median[k] / ref_median:.2f}" if ref_median else "-"
        print(f"{k:<24}{best[k] * 1e3:>9.1f}{median[k] * 1e3:>11.1f}{gf:>9.1f}{100 * gf / peak:>10.0f}%"
              f"{ratio:>14}{ratio_median:>16}")
    return {"best_s": best, "median_s": median, "gflop": flop / 1e9,
            "ratio_best": {k: best[k] / ref for k in best} if ref else None,
            "ratio_median": {k: median[k] / median["pytorch"] for k in median} if ref else None}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", choices=["rnnlm", "better", "book", "all"], default="all")
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--json", help="also write the numbers to this file")
    args = ap.parse_args(argv)
    import torch  # noqa: PLC0415

    torch.set_num_threads(THREADS)
    peak = gemm_peak()
    print(f"threads: {THREADS} (NumPy BLAS and torch.set_num_threads); NumPy {np.__version__}, "
          f"PyTorch {torch.__version__}, {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs")
    print(f"float32 GEMM peak (3000^3 matmul, NumPy): {peak:.1f} GFLOP/s")
    out = {"threads": THREADS, "gemm_peak_gflops": peak, "numpy": np.__version__, "torch": torch.__version__}
    if args.model in ("rnnlm", "all"):
        runners = {"scratchnlp Rnnlm": Ours(Rnnlm(V, 100, 100)), "pytorch": torch_model(100, 100, 1, 0.0, False)}
        out["rnnlm"] = compare("Rnnlm (D = H = 100, one LSTM)", runners, args.repeats, 3, peak, flops(100, 100, 1))
    if args.model in ("better", "all"):
        runners = {"scratchnlp BetterRnnlm": Ours(BetterRnnlm(V, 650, 650, 0.5)),
                   "pytorch": torch_model(650, 650, 2, 0.5, True)}
        out["better"] = compare("BetterRnnlm (D = H = 650, two LSTMs, dropout 0.5, tied)", runners,
                                max(3, args.repeats // 3), 2, peak, flops(650, 650, 2))
    if args.model in ("book", "all"):  # last: its large temporaries change the allocator's state for what follows
        runners = {"book's code way": book_step_factory(100, 100), "pytorch": torch_model(100, 100, 1, 0.0, False)}
        out["book"] = compare("The book's Rnnlm code (D = H = 100)", runners, args.repeats, 3, peak,
                              flops(100, 100, 1))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(out, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
