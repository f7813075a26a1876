"""The wording of chapter 6's page (gated RNNs): the sentences about gradients, clipping and the LSTM language models,
and the words of the page's tables and figures.

The sentences and labels come from :data:`TEMPLATES`, one set per language, through :func:`words`;
``lang=None`` follows the page's language (``SCRATCHNLP_LANG``).

Not part of the library's API; see :mod:`scratchnlp._pages` for what every page shares.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from typing import Any

from scratchnlp._pages import and_join

from .wording import say, table_header

__all__ = ["TEMPLATES", "COLUMNS", "words", "header", "gradient_fate_sentence", "clipping_sentence",
           "book_weights_sentence", "better_rnnlm_sentence", "better_summary_sentence", "better_samples",
           "better_samples_sentence"]

def gradient_fate_sentence(final_ratio: Mapping[str, float], steps: int, *, low: float = 1e-3,
                           high: float = 1e3, lang: str | None = None) -> str:
    """What became of a gradient sent back ``steps`` time steps, for each setting (chapter 6.1.2).

    Parameters
    ----------
    final_ratio : mapping of a setting's label to a ratio
        The gradient's norm after ``steps`` steps back divided by its norm at the start, per setting (in the
        order the sentence should name them).
    steps : int
        How many steps back the ratio was measured.
    low, high : float
        Below ``low`` the gradient counts as vanished, above ``high`` as exploded.
    lang : str, optional
        The language of the sentence; None: the page's language.
    """
    if not final_ratio or steps < 1 or not 0 < low < 1 < high:
        raise ValueError(f"need at least one setting, steps >= 1 and 0 < low < 1 < high, got {dict(final_ratio)}, "
                         f"{steps}, {low} and {high}")
    if any(not (math.isfinite(r) and r >= 0) for r in final_ratio.values()):
        raise ValueError(f"ratios must be finite and >= 0, got {dict(final_ratio)}")
    vanished = [k for k, r in final_ratio.items() if r < low]
    exploded = [k for k, r in final_ratio.items() if r > high]
    between = [k for k, r in final_ratio.items() if low <= r <= high]
    parts: list[str] = []
    for case, settings in [("vanished", vanished), ("exploded", exploded), ("between", between)]:
        if settings:
            subject = words("fate.it" if parts else "fate.the_gradient", lang)
            parts.append(words(f"fate.{case}", lang, settings=and_join(settings, lang=lang), subject=subject,
                               steps=steps, low=low, high=high))
    return " ".join(parts)


def clipping_sentence(norms: Sequence[float], max_grad: float, lang: str | None = None) -> str:
    """How often gradient clipping changed an update during a training run, and when (chapter 6.1.4).

    ``norms`` are the global gradient norms before clipping, one per iteration (``RnnlmTrainer``'s
    ``history["grad_norm"]``); an update is clipped when its norm exceeds ``max_grad``.
    """
    n = len(norms)
    if n == 0 or not max_grad > 0:
        raise ValueError(f"need at least one norm and max_grad > 0, got {n} norms and {max_grad}")
    clipped = [i for i, g in enumerate(norms) if g > max_grad]
    if not clipped:
        return words("clip.never", lang, max_grad=max_grad, n=n)
    if len(clipped) == n:
        return words("clip.always", lang, max_grad=max_grad, n=n)
    half = n // 2
    early = sum(1 for i in clipped if i < half)
    late = len(clipped) - early
    head = words("clip.some", lang, clipped=len(clipped), n=n, pct=100 * len(clipped) / n, early=early, late=late)
    if early > late:
        return head + " " + words("clip.early", lang)
    if late > early:
        return head + " " + words("clip.late", lang)
    return head


def book_weights_sentence(ours: float, book: float, tol: float = 1.0, lang: str | None = None) -> str:
    """The library's test perplexity with the book's published ``Rnnlm.pkl`` against the book's figure (6.4)."""
    if not (math.isfinite(ours) and ours >= 1 and math.isfinite(book) and book >= 1) or not tol > 0:
        raise ValueError(f"perplexities are finite and >= 1 and tol > 0, got {ours}, {book} and {tol}")
    head = words("weights.head", lang, ours=ours)
    if abs(ours - book) <= tol:
        return head + words("weights.same", lang, book=book)
    side = words("weights.above" if ours > book else "weights.below", lang)
    return head + words("weights.differs", lang, side=side, book=book)


def better_rnnlm_sentence(results: Mapping[str, Any] | None, book_epochs: int, book_ppl: float,
                          command: str, lang: str | None = None, *, flat: float = 1e-3) -> str:
    """What the committed ``better-rnnlm-ptb`` run shows, or that there is none yet (chapter 6.5.4).

    Parameters
    ----------
    results : mapping or None
        The committed results (``results/better-rnnlm-ptb.json``), or None when there is no such file.
    book_epochs : int
        The epochs of the book's run (40).
    book_ppl : float
        The book's test perplexity after those epochs.
    command : str
        The command that produces the results file.
    lang : str, optional
        The language of the sentence; None: the page's language.
    flat : float
        When the best epoch is the last and it improved on the one before by less than this fraction of its
        validation perplexity, the run is said to have all but stopped improving, not to be still improving.
    """
    if book_epochs < 1 or not book_ppl >= 1:
        raise ValueError(f"need book_epochs >= 1 and book_ppl >= 1, got {book_epochs} and {book_ppl}")
    if results is None:
        return words("better.missing", lang, command=command)
    history = results["history"]
    valid, best, test = _run_scores(results)
    epochs = len(valid)
    corpus_size = int(results.get("config", {}).get("corpus_size", 0) or 0)
    length = "shorter" if epochs < book_epochs else "all" if epochs == book_epochs else "longer"
    if results.get("partial"):  # a snapshot of a run still training (``scratchnlp run --snapshot``)
        length = "in_progress"
    planned = int(results.get("epochs_planned") or book_epochs)
    parts = [words(f"better.{length}", lang, epochs=epochs, book_epochs=book_epochs, planned=planned)]
    if corpus_size:
        parts.append(words("better.corpus", lang, corpus_size=corpus_size))
    gain = valid[-2] - valid[-1] if epochs >= 2 else math.inf
    lr = (history.get("lr") or [None])[-1]
    if best == epochs and gain < flat * valid[-1] and lr is not None:
        parts.append(words("better.nearly_flat", lang, gain=gain, last=valid[-1], lr=lr))
    elif best == epochs:
        parts.append(words("better.still_falling", lang, last=valid[-1]))
    else:
        parts.append(words("better.best", lang, best_ppl=valid[best - 1], best=best))
    parts.append(words("better.test", lang, test=test, book_ppl=book_ppl, book_epochs=book_epochs))
    times = [float(t) for t in history.get("epoch_time") or []]
    if times:
        # the median, because an epoch's wall time also counts the time the machine spent on other work
        parts.append(words("better.time", lang, minutes=statistics.median(times) / 60,
                           machine=_trained_on(results, lang)))
    return " ".join(parts)


def better_summary_sentence(results: Mapping[str, Any] | None, lang: str | None = None) -> str:
    """The committed ``better-rnnlm-ptb`` run's test perplexity in one sentence, for the chapter's summary; the
    empty string without results (section 6.5.4 says that there are none)."""
    if results is None:
        return ""
    valid, best, test = _run_scores(results)
    key = "better.summary_in_progress" if results.get("partial") else "better.summary"
    return words(key, lang, test=test, epochs=len(valid), best=best)


def _run_scores(results: Mapping[str, Any]) -> tuple[list[float], int, float]:
    """The validation perplexity of every epoch, the kept epoch and its test perplexity, from a results dict."""
    valid = [float(v) for v in results["history"]["valid_perplexity"]]
    if not valid:
        raise ValueError("the results hold no epoch")
    return valid, int(results["history"]["best_epoch"]), float(results["evaluation"]["test_perplexity"])


def _trained_on(results: Mapping[str, Any], lang: str | None) -> str:
    """The machine that trained every epoch of ``results`` (from each epoch's record, else the file's), in words."""
    log = results["history"].get("epoch_log") or []
    machines = [entry["machine"] for entry in log if entry.get("machine")] or [results.get("machine") or {}]
    kinds = {(m.get("device", "cpu"), m.get("cpu_count"), m.get("machine"), m.get("numpy")) for m in machines}
    if len(kinds) > 1:
        return words("better.machines", lang)
    device, cores, arch, numpy_version = kinds.pop()
    if device == "gpu":
        return words("better.gpu", lang)
    return words("better.cpu", lang, cores=cores or "?", arch=arch or "", numpy=numpy_version or "?")


def better_samples(results: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """The texts the kept model of the committed ``better-rnnlm-ptb`` run wrote (``evaluation.samples``), as
    ``(prompt, text)`` pairs, each ``<eos>`` written as the end of a sentence (a full stop and a new line), as the
    book prints them; an empty list without results or samples (chapter 6.5.4, 7.1.3)."""
    if results is None:
        return []
    samples = (results.get("evaluation") or {}).get("samples") or []
    out = []
    for sample in samples:
        prompt, text = sample.get("prompt"), sample.get("text")
        if not isinstance(prompt, str) or not isinstance(text, str) or not text.startswith(prompt):
            raise ValueError(f"a sample must hold its prompt and a text that starts with it, got {sample!r}")
        sentences = [part.strip() for part in f" {text} ".split(" <eos> ")]  # the last one may be unfinished
        lines = [f"{sentence}." for sentence in sentences[:-1]] + ([sentences[-1]] if sentences[-1] else [])
        out.append((prompt, "\n".join(lines)))
    return out


def better_samples_sentence(results: Mapping[str, Any] | None, lang: str | None = None) -> str:
    """What the texts shown after the committed ``better-rnnlm-ptb`` run are, or that the run recorded none
    (chapter 6.5.4); the empty string without results (:func:`better_rnnlm_sentence` says so)."""
    if results is None:
        return ""
    if not better_samples(results):  # which also checks that each holds its prompt and a text that starts with it
        return words("better.no_samples", lang)
    samples = results["evaluation"]["samples"]
    lengths = {len(s["text"].split()) for s in samples}  # the model's words, each <eos> one of them
    length = lengths.pop() if len(lengths) == 1 else None
    prompts = and_join([f"`{s['prompt']}`" for s in samples], lang=lang)
    best = int(results["history"]["best_epoch"])
    key = "better.samples" if length is not None else "better.samples_lengths"
    return words(key, lang, best=best, prompts=prompts, length=length)


# --------------------------------------------------------------------------------------------------------
# Wording (one template set per language)
# --------------------------------------------------------------------------------------------------------

#: The words of chapter 6's page that its code produces (sentences, table headers and captions, figure labels),
#: by language. Keys ``"<table>.<column>"`` are the column headers of the tables listed in :data:`COLUMNS`.
TEMPLATES: dict[str, dict[str, str]] = {
    "en": {
        "fate.the_gradient": "the gradient",
        "fate.it": "it",
        "fate.vanished": "With {settings} {subject} vanishes: {steps} steps back it is less than {low:g} times its "
                         "size at the last step.",
        "fate.exploded": "With {settings} {subject} explodes, growing more than {high:g}-fold over {steps} steps.",
        "fate.between": "With {settings} {subject} stays between {low:g} and {high:g} times its starting size over "
                        "{steps} steps: neither vanished nor exploded yet.",
        "clip.never": "The gradient norm never exceeded {max_grad:g} in these {n:,} iterations, so clipping never "
                      "changed an update.",
        "clip.always": "The gradient norm exceeded {max_grad:g} in every one of the {n:,} iterations, so every update "
                       "was clipped: each step of SGD had exactly the length lr × {max_grad:g}.",
        "clip.some": "Clipping changed {clipped:,} of the {n:,} updates ({pct:.0f}%): {early:,} in the first half of "
                     "the run and {late:,} in the second.",
        "clip.early": "It acts mostly early, while the model is still untrained and its gradients are largest.",
        "clip.late": "It acts more often later in the run, as the model starts to pick up longer dependencies.",
        "weights.head": "With the book's own weights, the library's `Rnnlm` scores a test perplexity of {ours:.2f}",
        "weights.same": "; the book reports about {book:g}. The library's model computes what the book's code "
                        "computes with these weights.",
        "weights.above": "above",
        "weights.below": "below",
        "weights.differs": ", {side} the book's figure of about {book:g} by more than rounding explains: the "
                           "library's model does not compute exactly what the book's code computes with these "
                           "weights.",
        "better.missing": "No committed run of `better-rnnlm-ptb` exists yet: there was no results file "
                          "`results/better-rnnlm-ptb.json` when this page was built, so the only numbers this "
                          "section can give are the book's. `{command}` produces the file; it takes many hours on a "
                          "CPU, and `--resume` continues a run that was stopped.",
        "better.shorter": "The committed run trained {epochs} of the book's {book_epochs} epochs, so it is a shorter "
                          "run than the book's.",
        "better.all": "The committed run trained all {book_epochs} epochs of the book's settings.",
        "better.in_progress": "The committed run is a {planned}-epoch run still in progress: {epochs} of its "
                              "{planned} epochs were done when its results were last written, and the file is "
                              "replaced as the run goes on.",
        "better.longer": "The committed run trained {epochs} epochs, more than the book's {book_epochs}.",
        "better.corpus": "It read only the first {corpus_size:,} words of the training set each epoch.",
        "better.still_falling": "Its validation perplexity was still falling at its last epoch ({last:.1f}), so the "
                                "run had not finished improving.",
        "better.nearly_flat": "Its validation perplexity still fell at its last epoch, but only by {gain:.3f}, to "
                              "{last:.2f}: with the learning rate down to {lr:.3g}, the run had all but stopped "
                              "improving.",
        "better.best": "Its best validation perplexity, {best_ppl:.1f}, came at epoch {best}; the parameters of "
                       "that epoch are the ones kept and scored.",
        "better.test": "The kept parameters score a test perplexity of {test:.1f}, against the book's {book_ppl:g} "
                       "after {book_epochs} epochs.",
        "better.time": "On {machine}, an epoch took a median of {minutes:.1f} minutes.",
        "better.summary": "The library's committed run reaches {test:.1f} after {epochs} epochs.",
        "better.summary_in_progress": "The library's run, still in progress, reaches {test:.1f} with the best of its "
                                      "first {epochs} epochs (epoch {best}).",
        "better.cpu": "a {cores}-core {arch} CPU with NumPy {numpy}",
        "better.gpu": "a GPU with CuPy",
        "better.machines": "more than one machine (the results file records which one trained each epoch)",
        "better.samples": "The kept parameters (epoch {best}) continue the book's beginnings {prompts} below, "
                          "{length} words each, the beginning included. Each word is drawn from the model's "
                          "distribution (temperature 1) without `N`, `<unk>` and `$`, as the book's "
                          "`generate_better_text.py` does; the seeds are in the results file. Section 7.1.3 sets "
                          "the one that starts with `you` beside a text of chapter 6.4's smaller model.",
        "better.samples_lengths": "The kept parameters (epoch {best}) continue the book's beginnings {prompts} "
                                  "below. Each word is drawn from the model's distribution (temperature 1) without "
                                  "`N`, `<unk>` and `$`, as the book's `generate_better_text.py` does; the seeds "
                                  "are in the results file. Section 7.1.3 sets the one that starts with `you` "
                                  "beside a text of chapter 6.4's smaller model.",
        "better.no_samples": "The committed results hold no text written by the model: the library that wrote "
                             "them did not record any yet.",
        "grad.steps_back": "time steps back",
        "grad.relative_norm": "gradient norm (relative)",
        "grad.tanh_title": "tanh RNN (RNN layers)",
        "grad.matrix_title": r"the matrix product alone: $dh \leftarrow dh\, W_h^{{\top}}$",
        "spectra.scale": "scale s",
        "spectra.sigma": "σ_max of W_h",
        "spectra.rho": "ρ of W_h",
        "spectra.linear": "growth per step, W_h alone",
        "spectra.tanh": "growth per step, tanh RNN",
        "spectra.deriv": "mean tanh′ in the forward pass",
        "spectra.caption": "The recurrent matrices of the figure above: largest singular value σ_max, spectral "
                           "radius ρ, and the measured growth of the gradient's norm per step (geometric mean over "
                           "steps {half} to {T} back), for the product with W_h alone and for the tanh RNN; the last "
                           "column is the mean of tanh′ = 1 − h² over all steps and units of the forward pass.",
        "reach.rnn": "RNN, initial weights",
        "reach.lstm": "LSTM, initial weights",
        "reach.trained": "LSTM, the book's trained weights",
        "rnnlm.perplexity": "perplexity",
        "rnnlm.iteration": "iteration",
        "rnnlm.full": "committed full run ({epochs} epochs)",
        "rnnlm.build": "this build ({iters} iterations)",
        "rnnlm.threshold": "clipping threshold",
        "rnnlm.build_iteration": "iteration of this build's run",
        "rnnlm.grad_norm": "gradient norm",
        "runs.run": "run",
        "runs.training": "training",
        "runs.test": "test perplexity",
        "runs.source": "where the number comes from",
        "runs.book": "the book's weights (`Rnnlm.pkl`)",
        "runs.book_training": "4 epochs, the book's code",
        "runs.book_source": "computed when this page was built; the book reports about 136",
        "runs.full": "committed `rnnlm-ptb` run",
        "runs.full_training": "{epochs} epochs, the library",
        "runs.full_source": "read from [results/rnnlm-ptb.json]({link})",
        "runs.build": "this build",
        "runs.build_training": "{iters} iterations, the library",
        "runs.build_source": "training perplexity of its last window: {ppl:.0f}",
        "runs.caption": "The LSTM language model of section 6.4 (100-dimensional word vectors and hidden state), "
                        "scored on PTB's test set with batch 10 and time 35, as the book's eval_perplexity does.",
        "better.label": "committed run, validation",
        "better.reference": "the book's test perplexity (40 epochs)",
        "better.valid": "validation perplexity",
        "better.epoch": "epoch",
        "better.best_epoch": "best epoch ({{}})",
        "better.lr": "learning rate",
        "variant.base": "all three",
        "variant.stacking": "one LSTM layer",
        "variant.dropout": "no dropout",
        "variant.tying": "no weight tying",
        "ablation.version": "version",
        "ablation.layers": "LSTM layers",
        "ablation.dropout": "dropout",
        "ablation.tied": "tied",
        "ablation.parameters": "parameters",
        "ablation.best": "best validation perplexity, by seed",
        "ablation.gap": "validation over training, last pass",
        "ablation.yes": "yes",
        "ablation.no": "no",
        "ablation.caption": "The language model of section 6.5 with one improvement removed at a time, trained on "
                            "this page ({slice_words:,} training words read {passes} times, a {keep:,}-word "
                            "vocabulary, {size} units) with seeds {seeds}: the lowest validation perplexity over "
                            "the passes (the book's procedure keeps the parameters of that pass), and how much "
                            "higher the validation perplexity was than the training perplexity after the last "
                            "pass. A model that predicts every word by its frequency alone scores {unigram:.1f}.",
    },
    "ko": {
        "fate.the_gradient": "기울기가",
        "fate.it": "기울기가",
        "fate.vanished": "{settings}에서는 {subject} 소실된다. {steps}시각 거슬러 올라가면 마지막 시각에서의 크기의 "
                         "{low:g}배보다도 작다.",
        "fate.exploded": "{settings}에서는 {subject} 폭발하여 {steps}시각 동안 {high:g}배 넘게 커진다.",
        "fate.between": "{settings}에서는 {subject} {steps}시각 동안 처음 크기의 {low:g}배에서 {high:g}배 사이에 "
                        "머문다. 아직 소실되지도 폭발하지도 않았다.",
        "clip.never": "기울기 노름은 이번 {n:,}회의 반복 동안 한 번도 {max_grad:g}보다 커지지 않았다. 따라서 클리핑이 "
                      "갱신을 바꾼 적은 없다.",
        "clip.always": "기울기 노름은 {n:,}회의 반복 모두에서 {max_grad:g}보다 컸으므로 모든 갱신이 클리핑되었다. "
                       "SGD의 각 스텝은 정확히 lr × {max_grad:g}의 길이였다.",
        "clip.some": "클리핑은 갱신 {n:,}회 가운데 {clipped:,}회({pct:.0f}%)를 바꿨다. 학습의 전반부에 {early:,}회, "
                     "후반부에 {late:,}회다.",
        "clip.early": "클리핑은 주로 초반에, 모델이 아직 학습되지 않아 기울기가 가장 클 때 작동한다.",
        "clip.late": "클리핑은 학습 후반에 더 자주 작동한다. 모델이 더 긴 의존 관계를 포착하기 시작하기 때문이다.",
        "weights.head": "책이 학습한 가중치를 라이브러리의 `Rnnlm`에 넣으면 테스트 퍼플렉서티가 {ours:.2f}에 이른다",
        "weights.same": ". 책이 보고한 값(약 {book:g})과 같은 수준이다. 라이브러리의 모델은 이 가중치로 책의 코드와 "
                        "같은 계산을 한다.",
        "weights.above": "높으며",
        "weights.below": "낮으며",
        "weights.differs": ". 책이 보고한 값(약 {book:g})보다 {side}, 그 차이는 반올림으로 설명되는 정도를 넘는다. "
                           "라이브러리의 모델은 이 가중치로 책의 코드와 정확히 같은 계산을 하지는 않는다.",
        "better.missing": "`better-rnnlm-ptb`의 커밋된 실행은 아직 없다. 이 페이지를 빌드할 때 결과 파일 "
                          "`results/better-rnnlm-ptb.json`이 없었으므로, 이 절이 보여 줄 수 있는 수치는 책의 "
                          "수치뿐이다. `{command}` 명령이 이 파일을 만든다. CPU에서는 여러 시간이 걸리며, 중단된 "
                          "실행은 `--resume` 옵션으로 이어서 할 수 있다.",
        "better.shorter": "커밋된 실행은 책의 {book_epochs}에폭 가운데 {epochs}에폭만 학습했으므로 책보다 짧은 "
                          "실행이다.",
        "better.all": "커밋된 실행은 책의 설정대로 {book_epochs}에폭을 모두 학습했다.",
        "better.in_progress": "커밋된 실행은 아직 진행 중인 {planned}에폭 실행이다. 결과를 마지막으로 기록했을 때 "
                              "{planned}에폭 가운데 {epochs}에폭을 마쳤으며, 실행이 이어지는 대로 파일을 새로 쓴다.",
        "better.longer": "커밋된 실행은 책의 {book_epochs}에폭보다 많은 {epochs}에폭을 학습했다.",
        "better.corpus": "에폭마다 훈련 데이터의 처음 {corpus_size:,}단어만 읽었다.",
        "better.still_falling": "검증 퍼플렉서티가 마지막 에폭에서도 계속 내려가고 있었으므로({last:.1f}) 이 실행은 "
                                "아직 개선을 다 마치지 않은 상태다.",
        "better.nearly_flat": "검증 퍼플렉서티는 마지막 에폭에서도 떨어졌지만, 그 폭은 {gain:.3f}({last:.2f}까지)에 "
                              "그쳤다. 학습률이 {lr:.3g}까지 줄어든 터라 개선은 사실상 멈춘 상태다.",
        "better.best": "가장 좋은 검증 퍼플렉서티({best_ppl:.1f})는 {best}번째 에폭에서 나왔고, 그 에폭의 "
                       "매개변수를 보존해 평가했다.",
        "better.test": "보존한 매개변수의 테스트 퍼플렉서티는 {test:.1f}에 이른다. 책은 {book_epochs}에폭 학습한 뒤 "
                       "{book_ppl:g}에 이르렀다.",
        "better.time": "{machine}에서 에폭 하나에 걸린 시간의 중앙값은 {minutes:.1f}분이다.",
        "better.summary": "라이브러리의 커밋된 실행은 {epochs}에폭 학습한 뒤 {test:.1f}에 이른다.",
        "better.summary_in_progress": "아직 진행 중인 라이브러리의 실행은 처음 {epochs}에폭 가운데 가장 좋은 "
                                      "{best}번째 에폭의 매개변수로 {test:.1f}에 이른다.",
        "better.cpu": "{cores}코어 {arch} CPU(NumPy {numpy})",
        "better.gpu": "GPU(CuPy)",
        "better.machines": "여러 기계(에폭마다 어느 기계에서 학습했는지는 결과 파일에 기록되어 있다)",
        "better.samples": "아래는 보존한 매개변수({best}번째 에폭)가 책의 시작 문구 {prompts}에 이어 쓴 글이다. "
                          "시작 문구를 포함해 각각 {length}단어다. 책의 `generate_better_text.py`처럼 단어마다 "
                          "모델의 확률 분포(온도 1)에서 뽑되 `N`, `<unk>`, `$`는 쓰지 않았으며, 시드는 결과 파일에 "
                          "기록되어 있다. 7.1.3절에서는 그중 `you`로 시작하는 글을 6.4절의 작은 모델이 쓴 글과 "
                          "나란히 놓는다.",
        "better.samples_lengths": "아래는 보존한 매개변수({best}번째 에폭)가 책의 시작 문구 {prompts}에 이어 쓴 "
                                  "글이다. 책의 `generate_better_text.py`처럼 단어마다 모델의 확률 분포(온도 1)에서 "
                                  "뽑되 `N`, `<unk>`, `$`는 쓰지 않았으며, 시드는 결과 파일에 기록되어 있다. "
                                  "7.1.3절에서는 그중 `you`로 시작하는 글을 6.4절의 작은 모델이 쓴 글과 나란히 "
                                  "놓는다.",
        "better.no_samples": "커밋된 결과에는 모델이 쓴 글이 없다. 이 결과를 쓴 라이브러리는 아직 글을 기록하지 "
                             "않았다.",
        "grad.steps_back": "거슬러 올라간 시각 수",
        "grad.relative_norm": "기울기 노름(상대값)",
        "grad.tanh_title": "tanh RNN(RNN 계층)",
        "grad.matrix_title": "행렬 곱만: dh ← dh W_hᵀ",
        "spectra.scale": "스케일 s",
        "spectra.sigma": "W_h의 σ_max",
        "spectra.rho": "W_h의 ρ",
        "spectra.linear": "시각당 증가율, W_h만",
        "spectra.tanh": "시각당 증가율, tanh RNN",
        "spectra.deriv": "순전파의 tanh′ 평균",
        "spectra.caption": "위 그림의 순환 행렬들. 최대 특잇값 σ_max, 스펙트럼 반지름 ρ, 그리고 기울기 노름이 "
                           "시각마다 커진 비율의 측정값(거슬러 {half}시각부터 {T}시각까지의 기하평균)을 W_h만 곱한 "
                           "경우와 tanh RNN에 대해 나타냈다. 마지막 열은 순전파의 모든 시각과 유닛에 걸친 "
                           "tanh′ = 1 − h²의 평균이다.",
        "reach.rnn": "RNN, 초깃값 가중치",
        "reach.lstm": "LSTM, 초깃값 가중치",
        "reach.trained": "LSTM, 책이 학습한 가중치",
        "rnnlm.perplexity": "퍼플렉서티",
        "rnnlm.iteration": "반복",
        "rnnlm.full": "커밋된 전체 실행({epochs}에폭)",
        "rnnlm.build": "이번 빌드({iters}회 반복)",
        "rnnlm.threshold": "클리핑 임계값",
        "rnnlm.build_iteration": "이번 빌드 실행의 반복",
        "rnnlm.grad_norm": "기울기 노름",
        "runs.run": "실행",
        "runs.training": "학습",
        "runs.test": "테스트 퍼플렉서티",
        "runs.source": "수치의 출처",
        "runs.book": "책의 가중치(`Rnnlm.pkl`)",
        "runs.book_training": "4에폭, 책의 코드",
        "runs.book_source": "이 페이지를 빌드할 때 계산(책의 보고값은 약 136)",
        "runs.full": "커밋된 `rnnlm-ptb` 실행",
        "runs.full_training": "{epochs}에폭, 라이브러리",
        "runs.full_source": "[results/rnnlm-ptb.json]({link})에서 읽음",
        "runs.build": "이번 빌드",
        "runs.build_training": "{iters}회 반복, 라이브러리",
        "runs.build_source": "마지막 구간의 훈련 퍼플렉서티: {ppl:.0f}",
        "runs.caption": "6.4절의 LSTM 언어 모델(단어 벡터와 은닉 상태 모두 100차원)을 책의 eval_perplexity처럼 "
                        "배치 크기 10, 시간 크기 35로 PTB의 테스트 데이터에서 평가한 결과.",
        "better.label": "커밋된 실행, 검증",
        "better.reference": "책의 테스트 퍼플렉서티(40에폭)",
        "better.valid": "검증 퍼플렉서티",
        "better.epoch": "에폭",
        "better.best_epoch": "최고 에폭({{}})",
        "better.lr": "학습률",
        "variant.base": "세 가지 모두",
        "variant.stacking": "LSTM 계층 하나",
        "variant.dropout": "드롭아웃 없음",
        "variant.tying": "가중치 공유 없음",
        "ablation.version": "버전",
        "ablation.layers": "LSTM 계층 수",
        "ablation.dropout": "드롭아웃",
        "ablation.tied": "공유",
        "ablation.parameters": "매개변수 수",
        "ablation.best": "최고 검증 퍼플렉서티(시드별)",
        "ablation.gap": "훈련 대비 검증의 차이(마지막 패스)",
        "ablation.yes": "예",
        "ablation.no": "아니요",
        "ablation.caption": "6.5절의 언어 모델에서 개선을 하나씩 뺀 버전들을 이 페이지에서 {seeds}번 시드로 학습한 "
                            "결과(훈련 데이터 {slice_words:,}단어를 {passes}번 읽음, 어휘 {keep:,}개, 유닛 "
                            "{size}개). 패스들 가운데 가장 낮은 검증 퍼플렉서티(책의 절차는 그 패스의 매개변수를 "
                            "보존한다)와, 마지막 패스를 마친 뒤 검증 퍼플렉서티가 훈련 퍼플렉서티보다 얼마나 "
                            "높았는지를 나타냈다. 모든 단어를 빈도만으로 예측하는 모델의 퍼플렉서티는 "
                            "{unigram:.1f}이다.",
    },
}

#: The columns of the page's tables, in order: their headers are the ``"<table>.<column>"`` templates.
COLUMNS: dict[str, tuple[str, ...]] = {
    "spectra": ("scale", "sigma", "rho", "linear", "tanh", "deriv"),
    "runs": ("run", "training", "test", "source"),
    "ablation": ("version", "layers", "dropout", "tied", "parameters", "best", "gap"),
}


def words(key: str, lang: str | None = None, **values: Any) -> str:
    """The page's wording ``key`` from :data:`TEMPLATES` with ``values`` filled in (``str.format``);
    ``lang=None``: the page's language (``SCRATCHNLP_LANG``).

    Raises
    ------
    ValueError
        When there is no wording ``key`` in ``lang``.
    """
    return say(TEMPLATES, key, lang, **values)


def header(table: str, lang: str | None = None) -> list[str]:
    """The column headers of one of the page's tables (a key of :data:`COLUMNS`) in ``lang``.

    Raises
    ------
    ValueError
        When ``table`` is not one of :data:`COLUMNS`.
    """
    return table_header(TEMPLATES, COLUMNS, table, lang)
