"""Benchmarks for word2vec on PTB (chapters 3-4): the book's training loop, our version of it, and the fast variant.

Run from the repository root (datasets through the downloader; set ``SCRATCHNLP_MIRROR`` to work offline)::

    python benchmarks/bench_word2vec.py                 # everything (a few minutes on 2 cores)
    python benchmarks/bench_word2vec.py --part book     # only the book-setting loop
    python benchmarks/bench_word2vec.py --part book --models CBOW --repeat 3   # CBOW only, best of 3
    python benchmarks/bench_word2vec.py --json out.json # also write the numbers

Every comparison is measured in the same process, one after the other, and printed as a ratio, so the numbers
mean something on a shared or noisy machine. Four parts:

``scatter``
    Summing repeated rows into an embedding gradient: a Python loop, ``np.add.at`` and
    :func:`scratchnlp.backend.scatter_add`, on the index batches word2vec really produces.
``adam``
    One Adam step over two (10000, 100) float32 matrices, with a dense gradient and with an embedding's
    (a few hundred non-zero rows): :class:`scratchnlp.optim.Adam`, :class:`scratchnlp.optim.FusedAdam` with
    ``exact=True`` (bitwise Adam) and in its default scaled-moment form.
``book``
    The chapter-4 CBOW and skip-gram with the book's settings (window 5, hidden 100, batch 100, Adam, float32),
    written the book's way (the reference below: one layer per context and per negative sample, all sharing
    weights, gradients merged by a pairwise search, a sampler looping over the rows in Python with
    ``np.random.choice``, ``np.add.at`` in the embedding backward, an Adam that allocates temporaries), against
    :class:`scratchnlp.models.CBOW` / :class:`~scratchnlp.models.SkipGram` with
    :class:`~scratchnlp.training.Trainer` and :class:`~scratchnlp.optim.FusedAdam`. Same algorithm,
    same batches; the versions run interleaved ``--repeat`` times (default 2) and each keeps its best time;
    iterations per second, the ratio of the best times, and the ratio of each run.
``fast``
    :func:`scratchnlp.word2vec_fast.train_fast` against gensim's ``Word2Vec`` (``pip install gensim``; the
    ``bench`` extra) with ``workers=2, window=5, negative=5, min_count=1, sample=0, vector_size=100``, on the
    same tokens (PTB train, with ``<eos>``, fed to gensim in chunks of 10,000 tokens so its windows cross line
    ends as ours do): seconds per epoch, and Google-analogy accuracy after the same number of epochs, both
    scored by :func:`scratchnlp.evaluation.evaluate_analogy`.

The book-way classes below are written for this benchmark from the book's description; they are a timing
reference only.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from typing import Any

import numpy as np
from _method import best_of, timed, write_json  # (beside this script)

from scratchnlp import __version__, backend
from scratchnlp.datasets import load_ptb
from scratchnlp.evaluation import evaluate_analogy
from scratchnlp.layers import UnigramSampler
from scratchnlp.models import CBOW, SkipGram
from scratchnlp.optim import Adam, FusedAdam
from scratchnlp.text import create_contexts_target
from scratchnlp.training import Trainer
from scratchnlp.word2vec_fast import train_fast

# --------------------------------------------------------------------------------------------------------
# The book's way: a timing reference
# --------------------------------------------------------------------------------------------------------


class BookEmbedding:
    """Row lookup whose backward zeroes its own (V, D) gradient and adds the rows with ``np.add.at``."""

    def __init__(self, W: np.ndarray) -> None:
        self.params = [W]
        self.grads = [np.zeros_like(W)]
        self.idx: np.ndarray | None = None

    def forward(self, idx: np.ndarray) -> np.ndarray:
        self.idx = idx
        return self.params[0][idx]

    def backward(self, dout: np.ndarray) -> None:
        dW = self.grads[0]
        dW[...] = 0
        np.add.at(dW, self.idx, dout)


class BookEmbeddingDot:
    """One word per example: ``W[idx] . h``."""

    def __init__(self, W: np.ndarray) -> None:
        self.embed = BookEmbedding(W)
        self.params, self.grads = self.embed.params, self.embed.grads
        self.cache: tuple[np.ndarray, np.ndarray] | None = None

    def forward(self, h: np.ndarray, idx: np.ndarray) -> np.ndarray:
        target_W = self.embed.forward(idx)
        self.cache = (h, target_W)
        return np.sum(target_W * h, axis=1)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        h, target_W = self.cache
        dout = dout.reshape(dout.shape[0], 1)
        self.embed.backward(dout * h)
        return dout * target_W


class BookSigmoidLoss:
    """Sigmoid and binary cross-entropy, with the book's ``1e-7`` inside the logarithm."""

    def forward(self, x: np.ndarray, t: np.ndarray) -> float:
        self.t = t
        self.y = 1 / (1 + np.exp(-x))
        return float(-np.mean(t * np.log(self.y + 1e-7) + (1 - t) * np.log(1 - self.y + 1e-7)))

    def backward(self, dout: float = 1.0) -> np.ndarray:
        return (self.y - self.t) * dout / self.t.shape[0]


class BookSampler:
    """The book's CPU sampler: for every row, renormalise without the target and call ``np.random.choice``."""

    def __init__(self, corpus: np.ndarray, power: float, sample_size: int, seed: int) -> None:
        counts = np.bincount(corpus).astype(np.float64)
        self.word_p = counts**power / np.sum(counts**power)
        self.vocab_size = counts.shape[0]
        self.sample_size = sample_size
        self.random = np.random.RandomState(seed)

    def get_negative_sample(self, target: np.ndarray) -> np.ndarray:
        negative = np.zeros((target.shape[0], self.sample_size), dtype=np.int32)
        for i in range(target.shape[0]):
            p = self.word_p.copy()
            p[target[i]] = 0
            p /= p.sum()
            negative[i] = self.random.choice(self.vocab_size, size=self.sample_size, replace=False, p=p)
        return negative


class BookNegativeSamplingLoss:
    """``1 + sample_size`` EmbeddingDot and loss layers, all sharing ``W``."""

    def __init__(self, W: np.ndarray, corpus: np.ndarray, power: float = 0.75, sample_size: int = 5,
                 seed: int = 0) -> None:
        self.sample_size = sample_size
        self.sampler = BookSampler(corpus, power, sample_size, seed)
        self.loss_layers = [BookSigmoidLoss() for _ in range(sample_size + 1)]
        self.embed_dot_layers = [BookEmbeddingDot(W) for _ in range(sample_size + 1)]
        self.params = [p for layer in self.embed_dot_layers for p in layer.params]
        self.grads = [g for layer in self.embed_dot_layers for g in layer.grads]

    def forward(self, h: np.ndarray, target: np.ndarray) -> float:
        n = target.shape[0]
        negative = self.sampler.get_negative_sample(target)
        score = self.embed_dot_layers[0].forward(h, target)
        loss = self.loss_layers[0].forward(score, np.ones(n, dtype=np.int32))
        for i in range(self.sample_size):
            score = self.embed_dot_layers[1 + i].forward(h, negative[:, i])
            loss += self.loss_layers[1 + i].forward(score, np.zeros(n, dtype=np.int32))
        return loss

    def backward(self, dout: float = 1.0) -> np.ndarray:
        dh = 0
        for loss_layer, dot_layer in zip(self.loss_layers, self.embed_dot_layers):
            dh = dh + dot_layer.backward(loss_layer.backward(dout))
        return dh


def _book_weights(V: int, H: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return (0.01 * rng.standard_normal((V, H))).astype("f"), (0.01 * rng.standard_normal((V, H))).astype("f")


class BookCBOW:
    """One Embedding per context position, all sharing ``W_in``."""

    def __init__(self, V: int, H: int, window_size: int, corpus: np.ndarray, seed: int = 0) -> None:
        W_in, W_out = _book_weights(V, H, seed)
        self.in_layers = [BookEmbedding(W_in) for _ in range(2 * window_size)]
        self.ns_loss = BookNegativeSamplingLoss(W_out, corpus, seed=seed)
        layers = self.in_layers + [self.ns_loss]
        self.params = [p for layer in layers for p in layer.params]
        self.grads = [g for layer in layers for g in layer.grads]

    def forward(self, contexts: np.ndarray, target: np.ndarray) -> float:
        h = 0
        for i, layer in enumerate(self.in_layers):
            h = h + layer.forward(contexts[:, i])
        h = h * (1 / len(self.in_layers))
        return self.ns_loss.forward(h, target)

    def backward(self, dout: float = 1.0) -> None:
        dh = self.ns_loss.backward(dout) * (1 / len(self.in_layers))
        for layer in self.in_layers:
            layer.backward(dh)


class BookSkipGram:
    """One negative-sampling loss (with its own 1 + k layers) per context position, all sharing ``W_out``."""

    def __init__(self, V: int, H: int, window_size: int, corpus: np.ndarray, seed: int = 0) -> None:
        W_in, W_out = _book_weights(V, H, seed)
        self.in_layer = BookEmbedding(W_in)
        self.loss_layers = [BookNegativeSamplingLoss(W_out, corpus, seed=seed + i) for i in range(2 * window_size)]
        layers = [self.in_layer] + self.loss_layers
        self.params = [p for layer in layers for p in layer.params]
        self.grads = [g for layer in layers for g in layer.grads]

    def forward(self, contexts: np.ndarray, target: np.ndarray) -> float:
        h = self.in_layer.forward(target)
        return sum(layer.forward(h, contexts[:, i]) for i, layer in enumerate(self.loss_layers))

    def backward(self, dout: float = 1.0) -> None:
        dh = sum(layer.backward(dout) for layer in self.loss_layers)
        self.in_layer.backward(dh)


def book_merge_shared(params: list[Any], grads: list[Any]) -> tuple[list[Any], list[Any]]:
    """The book's duplicate removal: find a pair sharing an array, add the gradients, drop one, start over."""
    params, grads = params[:], grads[:]
    while True:
        found = False
        for i in range(len(params) - 1):
            for j in range(i + 1, len(params)):
                if params[i] is params[j]:
                    grads[i] += grads[j]
                    params.pop(j)
                    grads.pop(j)
                    found = True
                    break
            if found:
                break
        if not found:
            return params, grads


class BookAdam:
    """Adam as the book writes it: every expression makes a new (V, D) temporary."""

    def __init__(self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999) -> None:
        self.lr, self.beta1, self.beta2, self.iter = lr, beta1, beta2, 0
        self.m: list[np.ndarray] | None = None
        self.v: list[np.ndarray] | None = None

    def update(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        if self.m is None:
            self.m = [np.zeros_like(p) for p in params]
            self.v = [np.zeros_like(p) for p in params]
        self.iter += 1
        lr_t = self.lr * np.sqrt(1.0 - self.beta2**self.iter) / (1.0 - self.beta1**self.iter)
        for i in range(len(params)):
            self.m[i] += (1 - self.beta1) * (grads[i] - self.m[i])
            self.v[i] += (1 - self.beta2) * (grads[i] ** 2 - self.v[i])
            params[i] -= lr_t * self.m[i] / (np.sqrt(self.v[i]) + 1e-7)


def book_train(model: Any, contexts: np.ndarray, target: np.ndarray, batch_size: int, seed: int) -> float:
    """The book's Trainer loop over ``len(target) // batch_size`` batches; returns the seconds it took."""
    optimizer = BookAdam()
    order = np.random.default_rng(seed).permutation(len(target))
    start = time.perf_counter()
    for it in range(len(target) // batch_size):
        batch = order[it * batch_size : (it + 1) * batch_size]
        model.forward(contexts[batch], target[batch])
        model.backward()
        params, grads = book_merge_shared(model.params, model.grads)
        optimizer.update(params, grads)
    return time.perf_counter() - start


# --------------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    return {"platform": platform.platform(), "processor": platform.processor() or platform.machine(),
            "cpu_count": os.cpu_count(), "python": platform.python_version(), "numpy": np.__version__,
            "scratchnlp": __version__}


def _print_table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  " + "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))))


# --------------------------------------------------------------------------------------------------------
# Parts
# --------------------------------------------------------------------------------------------------------


def bench_scatter(corpus: np.ndarray) -> dict[str, Any]:
    """Summing repeated rows: the index batches of the book's CBOW (batch 100) and of the fast variant (1024)."""
    print("\n== scatter-add of repeated rows into a (10000, 100) float32 matrix ==")
    rng = np.random.default_rng(0)
    V, D = int(corpus.max()) + 1, 100
    sampler = UnigramSampler(corpus, 0.75, 5, seed=0)
    W = np.zeros((V, D), dtype=np.float32)
    results: dict[str, Any] = {}
    rows = [("case", "rows", "distinct", "loop ms", "np.add.at ms", "scatter_add ms")]
    for batch in (100, 1024):
        target = corpus[rng.integers(0, corpus.shape[0], batch)]
        cases = {
            f"W_out, batch {batch} (target + 5 negatives)":
                np.concatenate([target[:, None], sampler.get_negative_sample(target)], axis=1).ravel(),
            f"W_in, batch {batch} (10 contexts)": corpus[rng.integers(0, corpus.shape[0], batch * 10)],
        }
        for name, idx in cases.items():
            values = rng.standard_normal((idx.shape[0], D)).astype(np.float32)

            def loop(idx: np.ndarray = idx, values: np.ndarray = values) -> None:
                for i, w in enumerate(idx):
                    W[w] += values[i]

            times = {
                "loop": best_of(loop, 3, number=3)[1],
                "add.at": best_of(lambda idx=idx, values=values: np.add.at(W, idx, values), 5, number=20)[1],
                "scatter_add": best_of(lambda idx=idx, values=values: backend.scatter_add(W, idx, values), 5,
                                       number=20)[1],
            }
            results[name] = {"rows": int(idx.shape[0]), "distinct": int(np.unique(idx).shape[0]),
                             **{k: v * 1e3 for k, v in times.items()}}
            rows.append((name, str(idx.shape[0]), str(results[name]["distinct"]),
                         *(f"{times[k] * 1e3:.3f}" for k in ("loop", "add.at", "scatter_add"))))
    _print_table(rows)
    return results


def bench_adam() -> dict[str, Any]:
    """One Adam step over two (10000, 100) float32 matrices, with a dense and with an embedding-like gradient."""
    print("\n== one Adam step over two (10000, 100) float32 matrices, ms (interleaved, best of 5) ==")
    rng = np.random.default_rng(0)
    dense = [rng.standard_normal((10000, 100)).astype(np.float32) for _ in range(2)]
    sparse = [np.zeros((10000, 100), np.float32) for _ in range(2)]
    for g, k in zip(sparse, (1000, 600)):  # the rows a CBOW batch of 100 touches in W_in and W_out
        g[rng.integers(0, 10000, k)] = rng.standard_normal((k, 100))
    makers = {"optim.Adam": Adam, "FusedAdam(exact=True)": lambda: FusedAdam(exact=True), "FusedAdam": FusedAdam}
    out: dict[str, dict[str, float]] = {}
    rows = [("gradient", *makers)]
    for case, grads in (("dense", dense), ("embedding rows", sparse)):
        setups = {}
        for name, make in makers.items():
            params = [rng.standard_normal((10000, 100)).astype(np.float32) for _ in range(2)]
            opt = make()
            opt.update(params, grads)
            setups[name] = (opt, params)
        best = {name: float("inf") for name in makers}
        for _ in range(5):
            for name, (opt, params) in setups.items():
                best[name] = min(best[name], best_of(lambda o=opt, p=params, g=grads: o.update(p, g), 1,
                                                     number=10)[1])
        out[case] = {k: v * 1e3 for k, v in best.items()}
        rows.append((case, *(f"{v * 1e3:.2f}" for v in best.values())))
    _print_table(rows)
    return out


def bench_book(corpus: np.ndarray, vocab_size: int, iters: int, repeat: int = 2,
               models: tuple[str, ...] = ("CBOW", "SkipGram")) -> dict[str, Any]:
    """The book's settings, the book's way vs ours, on the same ``iters`` batches of 100.

    The three versions of a model (the book's way, ours with ``optim.Adam``, ours with ``FusedAdam``) run one
    after the other, ``repeat`` times in turn (interleaved, so a burst of load elsewhere hits all of them
    alike), each from fresh weights; each gets the best (least disturbed) of its ``repeat`` times.
    """
    print(f"\n== book settings (window 5, hidden 100, batch 100, Adam, float32): {iters} iterations each, "
          f"interleaved, best of {repeat} ==")
    contexts, target = create_contexts_target(corpus, 5)
    n = iters * 100
    contexts, target = contexts[:n], target[:n]
    results: dict[str, Any] = {}
    rows = [("model", "book way it/s", "ours (Adam) it/s", "ours (FusedAdam) it/s", "ratio", "runs")]
    classes = {"CBOW": (BookCBOW, CBOW), "SkipGram": (BookSkipGram, SkipGram)}
    for name in models:
        book_cls, our_cls = classes[name]
        times: dict[str, list[float]] = {"book": [], "Adam": [], "FusedAdam": []}
        for _ in range(repeat):
            times["book"].append(book_train(book_cls(vocab_size, 100, 5, corpus), contexts, target, 100, seed=0))
            for opt_name, opt_cls in (("Adam", Adam), ("FusedAdam", FusedAdam)):
                trainer = Trainer(our_cls(vocab_size, 100, 5, corpus, seed=0), opt_cls(), seed=0)
                trainer.fit(contexts, target, max_epoch=1, batch_size=100, progress=False)
                times[opt_name].append(trainer.wall_time)
        best = {k: min(v) for k, v in times.items()}
        ratio = best["book"] / best["FusedAdam"]
        per_run = [b / f for b, f in zip(times["book"], times["FusedAdam"])]
        results[name] = {"iterations": iters, "repeat": repeat, "book_way_s": best["book"],
                         "ours_adam_s": best["Adam"], "ours_fused_adam_s": best["FusedAdam"], "speedup": ratio,
                         "times": times, "speedup_per_run": per_run}
        rows.append((name, f"{iters / best['book']:.1f}", f"{iters / best['Adam']:.1f}",
                     f"{iters / best['FusedAdam']:.1f}", f"{ratio:.1f}x",
                     " ".join(f"{r:.1f}x" for r in per_run)))
    _print_table(rows)
    return results


def _gensim_vectors(model: Any, word_to_id: dict[str, int]) -> np.ndarray:
    W = np.zeros((len(word_to_id), model.wv.vector_size), dtype=np.float32)
    for word, i in word_to_id.items():
        W[i] = model.wv[word]
    return W


def bench_fast(corpus: np.ndarray, word_to_id: dict[str, int], id_to_word: dict[int, str],
               epochs: int, sg_epochs: int) -> dict[str, Any]:
    """train_fast vs gensim: seconds per epoch, and analogy accuracy after the same epochs."""
    try:
        from gensim.models import Word2Vec  # noqa: PLC0415 - optional, the `bench` extra
    except ImportError:
        print("\n== fast variant: gensim is not installed (pip install gensim); skipped ==")
        return {"skipped": "gensim not installed"}
    import gensim  # noqa: PLC0415

    from scratchnlp.experiments import get_experiment  # noqa: PLC0415 - only this part reads the registry

    words = [id_to_word[int(i)] for i in corpus]
    sentences = [words[i : i + 10000] for i in range(0, len(words), 10000)]
    V = len(word_to_id)
    results: dict[str, Any] = {"gensim_version": gensim.__version__}
    print(f"\n== fast variant vs gensim {gensim.__version__} (workers=2, window=5, negative=5, sample=0) ==")
    rows = [("model", "epochs", "ours s/epoch", "gensim s/epoch", "time ratio", "ours analogy %",
             "gensim analogy %", "questions")]
    for name, sg, cls, n_epochs in (("CBOW", 0, CBOW, epochs), ("SkipGram", 1, SkipGram, sg_epochs)):
        if n_epochs < 1:
            continue
        ours = cls(V, 100, 5, corpus, seed=0)
        batch_size = get_experiment(f"{name.lower()}-ptb-fast").defaults["batch_size"]  # 1024 or 256
        history = train_fast(ours, corpus, epochs=n_epochs, batch_size=batch_size, seed=0, progress=False)
        ours_epoch = history["wall_time"] / n_epochs
        gmodel = Word2Vec(vector_size=100, window=5, negative=5, min_count=1, sample=0, sg=sg, workers=2,
                          seed=0)
        gmodel.build_vocab(sentences)
        _, gensim_s = timed(lambda g=gmodel, n=n_epochs: g.train(sentences, total_examples=len(sentences), epochs=n))
        gensim_epoch = gensim_s / n_epochs
        ours_acc = evaluate_analogy(ours.word_vecs, word_to_id)
        gensim_acc = evaluate_analogy(_gensim_vectors(gmodel, word_to_id), word_to_id)
        results[name] = {
            "epochs": n_epochs, "ours_s_per_epoch": ours_epoch, "gensim_s_per_epoch": gensim_epoch,
            "time_ratio": ours_epoch / gensim_epoch, "ours_batch_size": batch_size,
            "ours_epoch_times": history["epoch_time"],
            "ours_analogy": ours_acc.to_dict(), "gensim_analogy": gensim_acc.to_dict(),
        }
        rows.append((name, str(n_epochs), f"{ours_epoch:.2f}", f"{gensim_epoch:.2f}",
                     f"{ours_epoch / gensim_epoch:.1f}x", f"{100 * ours_acc.accuracy:.2f}",
                     f"{100 * gensim_acc.accuracy:.2f}", str(ours_acc.overall.evaluated)))
    _print_table(rows)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=["all", "scatter", "adam", "book", "fast"], default="all")
    parser.add_argument("--iters", type=int, default=300, help="iterations per model in the book part")
    parser.add_argument("--repeat", type=int, default=2, help="interleaved runs per version in the book part")
    parser.add_argument("--models", default="CBOW,SkipGram", help="book part: CBOW, SkipGram or both")
    parser.add_argument("--epochs", type=int, default=10, help="CBOW epochs in the fast part")
    parser.add_argument("--sg-epochs", type=int, default=3, help="skip-gram epochs in the fast part (0: skip)")
    parser.add_argument("--json", help="write the results to this JSON file")
    args = parser.parse_args(argv)

    corpus, word_to_id, id_to_word = load_ptb("train")
    report: dict[str, Any] = {"machine": machine()}
    print(f"PTB train: {corpus.shape[0]} tokens, {len(word_to_id)} words; {report['machine']}")
    if args.part in ("all", "scatter"):
        report["scatter"] = bench_scatter(corpus)
    if args.part in ("all", "adam"):
        report["adam"] = bench_adam()
    if args.part in ("all", "book"):
        models = tuple(m.strip() for m in args.models.split(",") if m.strip())
        report["book"] = bench_book(corpus, len(word_to_id), args.iters, args.repeat, models)
    if args.part in ("all", "fast"):
        report["fast"] = bench_fast(corpus, word_to_id, id_to_word, args.epochs, args.sg_epochs)
    if args.json:
        write_json(args.json, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
