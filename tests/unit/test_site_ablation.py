"""The page helpers that measure chapter 6.5's improvements and chapter 8.1's bottleneck: the switchable language
model (equal to BetterRnnlm with every switch on, gradients checked), training and scoring a variant, the
vocabulary shrinking, the copying task, accuracy by length, every branch of the decisions and their wording."""

from __future__ import annotations

import string

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from scratchnlp._site import ablation
from scratchnlp.gradcheck import check_model
from scratchnlp.models import BaseModel, BetterRnnlm
from scratchnlp.optim import merge_shared

# --- the switchable language model -----------------------------------------------------------------------------


def test_with_every_improvement_it_is_better_rnnlm():
    ours, book = ablation.VariantLm(30, 6, seed=3), BetterRnnlm(30, 6, 6, seed=3)
    assert ours.param_names == book.param_names
    assert all(np.array_equal(p, q) for p, q in zip(ours.params, book.params))
    rng = np.random.default_rng(0)
    xs, ts = rng.integers(0, 30, (4, 5)), rng.integers(0, 30, (4, 5))
    for _ in range(2):  # the same dropout masks, call after call, and the same carried state
        assert ours.forward(xs, ts) == book.forward(xs, ts)


@pytest.mark.parametrize(("layers", "dropout", "tie"), [(1, 0.5, True), (2, 0.0, True), (2, 0.5, False),
                                                        (3, 0.2, False)])
def test_switches_change_the_layers(layers, dropout, tie):
    model = ablation.VariantLm(30, 6, num_layers=layers, dropout_ratio=dropout, tie_weights=tie, seed=0)
    assert len(model.lstm_layers) == layers
    n_drop = sum(type(layer).__name__ == "TimeDropout" for layer in model.layers)
    assert n_drop == (layers + 1 if dropout > 0 else 0)
    names = dict(zip(model.param_names, model.params))
    assert np.shares_memory(names["affine_W"], names["embed_W"]) is tie
    unique, _ = merge_shared(model.params, model.grads)
    assert sum(p.size for p in unique) == 30 * 6 + layers * 4 * 6 * (6 + 6 + 1) + (0 if tie else 6 * 30) + 30


class _FromZeroState(BaseModel):
    """Every forward starts the stateful model from a zero state, so repeated calls compute one function."""

    def __init__(self, model):
        super().__init__()
        self.model, self.params, self.grads, self.param_names = model, model.params, model.grads, model.param_names

    def forward(self, xs, ts):
        self.model.reset_state()
        return self.model.forward(xs, ts)

    def backward(self, dout=1):
        return self.model.backward(dout)


@pytest.mark.parametrize("tie", [True, False])
def test_variant_gradients_are_right(tie, assert_grads_ok):
    rng = np.random.default_rng(1)
    xs, ts = rng.integers(0, 7, (2, 3)), rng.integers(0, 7, (2, 3))
    model = ablation.VariantLm(7, 4, num_layers=2, dropout_ratio=0.0, tie_weights=tie, seed=0, dtype=np.float64)
    for p in model.params:  # larger than the initialisation, so every gradient is well above round-off
        p[...] = rng.standard_normal(p.shape) * 0.5
    errors = check_model(_FromZeroState(model), xs, ts)
    assert set(errors) == set(model.param_names) - ({"affine_W"} if tie else set())
    assert_grads_ok(errors)


def test_variant_refuses_bad_switches():
    with pytest.raises(ValueError, match="num_layers must be a positive int"):
        ablation.VariantLm(10, 4, num_layers=0)
    with pytest.raises(ValueError, match=r"dropout_ratio must be a number in \[0, 1\)"):
        ablation.VariantLm(10, 4, dropout_ratio=1.0)
    with pytest.raises(TypeError, match="tie_weights must be True or False"):
        ablation.VariantLm(10, 4, tie_weights="yes")


def test_train_variant_scores_every_pass():
    rng = np.random.default_rng(0)
    text = np.tile(rng.integers(0, 12, 40), 20)  # a short text repeated: learnable
    run = ablation.train_variant("t", text[:600], text[600:], vocab_size=12, hidden_size=8, epochs=3, lr=1.0,
                                 lr_decay=4.0, batch_size=4, time_size=5, seed=0)
    assert len(run.train_ppl) == len(run.valid_ppl) == 3 and run.iterations_per_epoch == 599 // 20
    assert run.valid_ppl[-1] < 12  # it learned something: better than a uniform guess
    assert run.best_valid == min(run.valid_ppl) and run.valid_ppl[run.best_epoch - 1] == run.best_valid
    assert run.gap == pytest.approx(run.valid_ppl[-1] - run.train_ppl[-1])
    assert run.parameters == 12 * 8 + 2 * 4 * 8 * 17 + 12 and run.train_s > 0


# --- vocabulary and the unigram reference ------------------------------------------------------------------------


def test_shrink_vocabulary_keeps_the_most_frequent_words():
    ids = np.array([5, 5, 5, 2, 2, 0, 7, 1])  # 5 three times, 2 twice, then 0, 1, 7 once (ties by id)
    new_id = ablation.shrink_vocabulary(ids, 3, unk_id=2)
    assert new_id[5] == 0 and new_id[2] == 1 and new_id[0] == 2
    assert new_id[1] == new_id[7] == new_id[2]  # the rest became <unk>
    with pytest.raises(ValueError, match="unknown-word id 7 is not among the 2 most frequent"):
        ablation.shrink_vocabulary(ids, 2, unk_id=7)
    with pytest.raises(ValueError, match="non-empty 1-D array of word ids"):
        ablation.shrink_vocabulary(np.array([]), 2, unk_id=0)


def test_unigram_perplexity():
    assert ablation.unigram_perplexity(np.array([0, 1]), np.array([0, 0, 1, 0, 1]), 2) == pytest.approx(2.0)
    skewed = ablation.unigram_perplexity(np.array([0] * 9 + [1]), np.array([0] * 11), 2)
    assert skewed < 1.2


# --- decisions about the improvements ------------------------------------------------------------------------


def _run(valid, train=None, name="r"):
    train = valid if train is None else train
    return ablation.VariantRun(name, 2, 0.5, True, tuple(train), tuple(valid), 10, 100, 1.0)


def test_removal_branches():
    base = [_run([200, 150]), _run([210, 160])]
    helps = ablation.removal("dropout", base, [_run([170]), _run([180])])
    assert helps.verdict == "helps" and helps.differences == (20, 20) and helps.base_mean == 155
    assert ablation.removal("dropout", base, [_run([140]), _run([150])]).verdict == "hurts"
    assert ablation.removal("dropout", base, [_run([170]), _run([150])]).verdict == "unclear"  # seeds disagree
    assert ablation.removal("dropout", base, [_run([151]), _run([161])]).verdict == "unclear"  # under 2%
    with pytest.raises(ValueError, match="same number"):
        ablation.removal("dropout", base, base[:1])


def test_fit_gap_cases():
    small, large = [_run([105], [100]), _run([103], [100])], [_run([130], [100])]
    calm = ablation.fit_gap(small, small)
    assert calm.case == "neither" and calm.without_dropout == pytest.approx(0.04)
    assert ablation.fit_gap(small, large).case == "without_only"
    assert ablation.fit_gap(large, small).case == "with_only"
    assert ablation.fit_gap(large, large).case == "both"
    assert ablation.fit_gap(small, [_run([110], [100])]).case == "without_only"  # the threshold counts
    with pytest.raises(ValueError, match="at least one run"):
        ablation.fit_gap([], small)


def test_removal_and_gap_wording():
    base = [_run([150]), _run([160])]
    cases = {"helps": [_run([170]), _run([180])], "hurts": [_run([130]), _run([140])],
             "unclear": [_run([170]), _run([150])]}
    texts = {verdict: ablation.removal_text(ablation.removal("tying", base, runs)) for verdict, runs in cases.items()}
    assert "weight tying helps" in texts["helps"] and "175 against 155" in texts["helps"]
    assert "weight tying hurts" in texts["hurts"]
    assert "cannot tell whether weight tying helps" in texts["unclear"] and "2%" in texts["unclear"]
    assert "second LSTM layer" in ablation.removal_text(ablation.removal("stacking", base, cases["helps"]))
    small, large = [_run([105], [100])], [_run([130], [100])]
    texts = {case: ablation.gap_text(ablation.fit_gap(with_, without)) for case, (with_, without) in
             {"neither": (small, small), "without_only": (small, large), "with_only": (large, small),
              "both": (large, large)}.items()}
    assert texts["without_only"].startswith("After the last pass, the models without dropout score 30% worse")
    assert "those with dropout 5%" in texts["without_only"] and "without dropout the models have begun" in \
        texts["without_only"]
    assert "nothing yet for dropout" in texts["neither"]
    assert "only the models with dropout" in texts["with_only"]
    assert "with and without dropout" in texts["both"]
    with pytest.raises(ValueError, match="no wording 'tying' for language 'xx'"):
        ablation.removal_text(ablation.removal("tying", base, cases["helps"]), lang="xx")


def test_draw_variant_curves():
    import matplotlib.pyplot as plt

    runs = {"a": [_run([300, 200], [290, 180]), _run([310, 210], [300, 200])], "b": [_run([250, 190], [240, 150])]}
    fig = ablation.draw_variant_curves(runs, unigram=220.0)
    top, bottom = fig.axes
    assert len(top.get_lines()) == 4  # three runs and the unigram line
    assert len(bottom.get_lines()) == 3  # the zero line and one gap curve per version
    assert fig.get_size_inches()[0] <= 5.6
    plt.close(fig)


# --- the copying task and accuracy by length ------------------------------------------------------------------------


def test_digit_copies():
    task = ablation.digit_copies(50, 2, 5, seed=0)
    assert task.questions.shape == (50, 5) and task.answers.shape == (50, 6)
    assert set(task.lengths.tolist()) <= {2, 3, 4, 5}
    space, start = task.char_to_id[" "], task.char_to_id["_"]
    assert (task.answers[:, 0] == start).all() and np.array_equal(task.answers[:, 1:], task.questions)
    for q, n in zip(task.questions, task.lengths):
        assert (q[:n] < 10).all() and (q[n:] == space).all()
    again = ablation.digit_copies(50, 2, 5, seed=0)
    assert np.array_equal(again.questions, task.questions)
    with pytest.raises(ValueError, match="min_length must not exceed max_length"):
        ablation.digit_copies(5, 4, 3)


def test_accuracy_by_length():
    answers = np.array([[1, 2, 0], [1, 2, 3], [1, 2, 3], [4, 5, 0]])
    guesses = np.array([[1, 2, 0], [1, 9, 3], [1, 2, 3], [4, 5, 7]])
    lengths = np.array([2, 3, 3, 2])
    per = ablation.accuracy_by_length(guesses, answers, lengths, scored=lengths)
    assert per.groups == ((2, 2), (3, 3)) and per.counts == (2, 2)
    assert per.answers == (0.5, 0.5)
    assert per.characters == (1.0, pytest.approx(5 / 6))  # the padding's mistake is not scored
    pooled = ablation.accuracy_by_length(guesses, answers, lengths, groups=[(1, 1), (2, 3)])
    assert pooled.groups == ((2, 3),) and pooled.characters == (pytest.approx(10 / 12),)
    with pytest.raises(ValueError, match=r"guesses and answers must be \(N, A\)"):
        ablation.accuracy_by_length(guesses[:, :2], answers, lengths)


def test_implied_share():
    assert ablation.implied_share(5000, 5000) == 1.0
    assert ablation.implied_share(0, 5000) == 0.0
    assert ablation.implied_share(3, 5000) is None
    with pytest.raises(ValueError, match="0 <= correct <= total"):
        ablation.implied_share(6, 5)


# --- the bottleneck decision ------------------------------------------------------------------------------------


def _acc(chars):
    groups = tuple((n, n) for n in range(2, 2 + len(chars)))
    return ablation.LengthAccuracy(groups, (10,) * len(chars), tuple(chars), tuple(chars))


def test_bottleneck_branches():
    falls = ablation.bottleneck_verdict([_acc([1.0, 0.4]), _acc([1.0, 0.3])], [_acc([1.0, 0.9]), _acc([1.0, 0.8])])
    assert falls.verdict == "fixed_falls" and (falls.short, falls.long) == (2, 3)
    assert falls.fixed_long == pytest.approx(0.35) and falls.attention_long_range == (0.8, 0.9)
    overlap = ablation.bottleneck_verdict([_acc([1.0, 0.4]), _acc([1.0, 0.85])], [_acc([1.0, 0.9]), _acc([1.0, 0.5])])
    assert overlap.verdict == "unclear"
    assert ablation.bottleneck_verdict([_acc([1.0, 0.95])], [_acc([0.99, 0.97])]).verdict == "flat"
    assert ablation.bottleneck_verdict([_acc([1.0, 0.9])], [_acc([1.0, 0.5])]).verdict == "attention_falls"
    assert ablation.bottleneck_verdict([_acc([1.0, 0.5])], [_acc([1.0, 0.55])]).verdict == "unclear"
    with pytest.raises(ValueError, match="same length groups"):
        ablation.bottleneck_verdict([_acc([1.0, 0.5])], [_acc([1.0, 0.5, 0.4])])
    with pytest.raises(ValueError, match="at least one result"):
        ablation.bottleneck_verdict([], [_acc([1.0])])


def test_bottleneck_wording():
    falls = ablation.bottleneck_verdict([_acc([1.0, 0.4]), _acc([1.0, 0.3])], [_acc([1.0, 0.9]), _acc([1.0, 0.8])])
    text = ablation.bottleneck_text(falls)
    assert "is the bottleneck" in text and "35%" in text and "30–40% over the seeds" in text and "80–90%" in text
    same = ablation.bottleneck_verdict([_acc([1.0, 0.34])] * 2, [_acc([1.0, 1.0])] * 2)
    assert "34% for 3 digits (on every seed)" in ablation.bottleneck_text(same)
    assert "not a bottleneck" in ablation.bottleneck_text(ablation.bottleneck_verdict([_acc([1.0, 0.95])],
                                                                                        [_acc([0.99, 0.97])]))
    assert "attention model loses more" in ablation.bottleneck_text(
        ablation.bottleneck_verdict([_acc([1.0, 0.9])], [_acc([1.0, 0.5])]))
    assert "does not separate them" in ablation.bottleneck_text(
        ablation.bottleneck_verdict([_acc([1.0, 0.5])], [_acc([1.0, 0.55])]))
    verdicts = {"fixed_falls": falls, "flat": ablation.bottleneck_verdict([_acc([1.0, 0.95])], [_acc([1, 1])]),
                "attention_falls": ablation.bottleneck_verdict([_acc([1.0, 0.9])], [_acc([1.0, 0.5])]),
                "unclear": ablation.bottleneck_verdict([_acc([1.0, 0.5])], [_acc([1.0, 0.55])])}
    conclusions = {k: ablation.bottleneck_conclusion(v) for k, v in verdicts.items()}
    assert all(v.verdict == k for k, v in verdicts.items())
    assert "is real" in conclusions["fixed_falls"] and "neither task" in conclusions["flat"]
    assert "does not show" in conclusions["attention_falls"] and "does not show" in conclusions["unclear"]


def test_draw_accuracy_by_length():
    import matplotlib.pyplot as plt

    fig = ablation.draw_accuracy_by_length({"fixed": [_acc([1.0, 0.4]), _acc([1.0, 0.3])], "attention": [_acc([1, 1])]})
    chars, whole = fig.axes
    assert len(chars.get_lines()) == len(whole.get_lines()) == 3
    assert [t.get_text() for t in whole.get_legend().get_texts()] == ["fixed", "attention"]
    assert fig.get_size_inches()[0] <= 5.6
    plt.close(fig)


def test_length_effect_and_its_wording():
    groups = [(6, 10), (11, 15), (16, 29)]
    flat = ablation.length_effect({"attention": [1.0, 1.0, 0.99], "peeky": [1.0] * 3, "plain": [0.0] * 3,
                                   "unknown": [None] * 3}, groups)
    assert (flat.short, flat.long) == (6, 29) and flat.varying == () and set(flat.spans) == {"attention", "peeky",
                                                                                            "plain"}
    text = ablation.length_effect_text(flat)
    assert text.startswith("From 6 to 29 characters, no model's share") and "plain 0% in every group" in text
    assert "attention 99–100%" in text
    varies = ablation.length_effect({"a": [1.0, 0.5, 0.2], "b": [0.9, 0.9, 0.88]}, groups)
    assert varies.varying == ("a",) and varies.flat == ("b",)
    assert "for a: a 20–100%; b 88–90%" in ablation.length_effect_text(varies)
    with pytest.raises(ValueError, match="a has 2 shares for 3 length groups"):
        ablation.length_effect({"a": [1.0, 0.5]}, groups)


# --- the Korean wording ------------------------------------------------------------------------------------------


def _fields(template):
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def test_every_template_in_both_languages_with_the_same_placeholders():
    en, ko = ablation.TEMPLATES["en"], ablation.TEMPLATES["ko"]
    assert set(en) == set(ko)
    for key in en:
        assert _fields(en[key]) == _fields(ko[key]), key
        assert ko[key].strip() and "**" not in ko[key], key


def test_wording_follows_the_page_language(monkeypatch):
    base = [_run([150]), _run([160])]
    r = ablation.removal("dropout", base, [_run([170]), _run([180])])
    monkeypatch.setenv("SCRATCHNLP_LANG", "ko")
    assert ablation.removal_text(r).startswith("드롭아웃 없이 학습하면")
    assert ablation.words("curves.unigram") == "유니그램 모델"
    monkeypatch.setenv("SCRATCHNLP_LANG", "en")
    assert ablation.removal_text(r).startswith("Without dropout")


def test_removal_and_gap_wording_in_korean():
    base = [_run([150]), _run([160])]
    cases = {"helps": [_run([170]), _run([180])], "hurts": [_run([130]), _run([140])],
             "unclear": [_run([170]), _run([150])]}
    texts = {verdict: ablation.removal_text(ablation.removal("tying", base, runs), lang="ko")
             for verdict, runs in cases.items()}
    assert texts["helps"] == ("가중치 공유 없이 학습하면 최고 검증 퍼플렉서티(시드 평균)가 155에서 175까지 올라가고, "
                              "모든 시드에서 높아진다. 이 학습 규모에서는 가중치 공유의 효과가 있다.")
    assert "155에서 135까지 내려가고" in texts["hurts"] and "가중치 공유의 역효과" in texts["hurts"]
    assert "(155 → 160)" in texts["unclear"] and "2%보다 작다" in texts["unclear"]
    assert ablation.removal_text(ablation.removal("stacking", base, cases["helps"]), lang="ko").startswith(
        "두 번째 LSTM 계층 없이")
    small, large = [_run([105], [100])], [_run([130], [100])]
    texts = {case: ablation.gap_text(ablation.fit_gap(with_, without), lang="ko") for case, (with_, without) in
             {"neither": (small, small), "without_only": (small, large), "with_only": (large, small),
              "both": (large, large)}.items()}
    assert texts["without_only"].startswith("마지막 패스를 마친 뒤 드롭아웃이 없는 모델은 검증 텍스트에서 자신의 "
                                            "훈련 텍스트보다 30% 나쁜 퍼플렉서티를 보이고, 드롭아웃이 있는 모델은 "
                                            "5% 나쁜 퍼플렉서티를 보인다. 드롭아웃이 없는 모델은 과적합이 시작되었고")
    assert "바로잡을 것이 아직 없다" in texts["neither"]
    assert "드롭아웃이 있는 모델만" in texts["with_only"]
    assert "있든 없든" in texts["both"]


def test_bottleneck_wording_in_korean():
    falls = ablation.bottleneck_verdict([_acc([1.0, 0.4]), _acc([1.0, 0.3])], [_acc([1.0, 0.9]), _acc([1.0, 0.8])])
    text = ablation.bottleneck_text(falls, lang="ko")
    assert text.startswith("고정 길이 벡터가 병목이다.") and "35%에 그친다(시드에 따라 30–40%)" in text
    assert "80–90%" in text
    same = ablation.bottleneck_verdict([_acc([1.0, 0.34])] * 2, [_acc([1.0, 1.0])] * 2)
    assert "34%에 그친다(모든 시드에서)" in ablation.bottleneck_text(same, lang="ko")
    verdicts = {"fixed_falls": falls, "flat": ablation.bottleneck_verdict([_acc([1.0, 0.95])], [_acc([1, 1])]),
                "attention_falls": ablation.bottleneck_verdict([_acc([1.0, 0.9])], [_acc([1.0, 0.5])]),
                "unclear": ablation.bottleneck_verdict([_acc([1.0, 0.5])], [_acc([1.0, 0.55])])}
    texts = {k: ablation.bottleneck_text(v, lang="ko") for k, v in verdicts.items()}
    assert "병목이 아니다" in texts["flat"]
    assert "어텐션 모델이 고정 벡터보다" in texts["attention_falls"]
    assert "가려낼 수 없다" in texts["unclear"]
    conclusions = {k: ablation.bottleneck_conclusion(v, lang="ko") for k, v in verdicts.items()}
    assert "실재한다" in conclusions["fixed_falls"] and "두 과제 모두" in conclusions["flat"]
    assert "보여 주지 않는다" in conclusions["attention_falls"] and "보여 주지 않는다" in conclusions["unclear"]


def test_length_effect_wording_in_korean():
    groups = [(6, 10), (11, 15), (16, 29)]
    flat = ablation.length_effect({"attention": [1.0, 1.0, 0.99], "plain": [0.0] * 3}, groups)
    assert ablation.length_effect_text(flat, lang="ko") == (
        "6자에서 29자까지, 질문의 길이에 따라 정답 비율이 5%포인트 이상 달라지는 모델은 없다(모델별 범위: "
        "attention 99–100%; plain 모든 구간에서 0%).")
    varies = ablation.length_effect({"a": [1.0, 0.5, 0.2], "b": [0.1, 0.9, 0.88], "c": [1.0] * 3}, groups)
    assert ablation.length_effect_text(varies, lang="ko").startswith("a 및 b에서는 질문의 길이에 따라")


def test_figures_in_korean():
    import matplotlib.pyplot as plt

    runs = {"a": [_run([300, 200], [290, 180])]}
    fig = ablation.draw_variant_curves(runs, unigram=220.0, lang="ko")
    top, bottom = fig.axes
    assert top.get_ylabel() == "검증 퍼플렉서티" and bottom.get_xlabel() == "훈련 구간을 읽은 횟수"
    assert [t.get_text() for t in top.get_legend().get_texts()] == ["a", "유니그램 모델"]
    plt.close(fig)
    fig = ablation.draw_accuracy_by_length({"fixed": [_acc([1.0, 0.4])]}, lang="ko")
    chars, whole = fig.axes
    assert (chars.get_ylabel(), whole.get_ylabel(), whole.get_xlabel()) == ("맞게 쓴 문자(%)", "맞힌 답(%)",
                                                                           "입력 길이(문자 수)")
    plt.close(fig)
    fig = ablation.draw_accuracy_by_length({"fixed": [_acc([1.0, 0.4])]})
    assert fig.axes[1].get_xlabel() == "input length (characters)"
    plt.close(fig)
