"""Appendix B's page helpers: word similarity from synsets, the comparison with human scores and its wording
(every branch), and the two figures. A small stand-in replaces NLTK's WordNet reader."""

from __future__ import annotations

import math
import re
import string
from pathlib import Path

import numpy as np
import pytest

from scratchnlp._site import wordnet as site

PAGE = Path(__file__).resolve().parents[2] / "book" / "appendix_b_wordnet.md"


@pytest.fixture(autouse=True)
def _english_unless_asked(monkeypatch):
    """The functions follow SCRATCHNLP_LANG when no language is given: these tests ask for English by default."""
    monkeypatch.delenv("SCRATCHNLP_LANG", raising=False)


class FakeSynset:
    def __init__(self, name: str, table: dict[frozenset[str], float | None]):
        self.name, self.table = name, table

    def path_similarity(self, other: FakeSynset) -> float | None:
        return 1.0 if other.name == self.name else self.table.get(frozenset((self.name, other.name)))


class FakeWordNet:
    """Synsets per (word, pos), in sense order, with path similarities from a table."""

    def __init__(self, senses: dict[tuple[str, str], list[str]], table: dict[tuple[str, str], float | None]):
        sims = {frozenset(k): v for k, v in table.items()}
        self.senses = {key: [FakeSynset(n, sims) for n in names] for key, names in senses.items()}

    def synsets(self, word: str, pos: str | None = None) -> list[FakeSynset]:
        return list(self.senses.get((word, pos), []))


@pytest.fixture
def fake():
    return FakeWordNet(
        {("bank", "n"): ["bank.n.01", "bank.n.02"], ("shore", "n"): ["shore.n.01"],
         ("bank", "v"): ["bank.v.01"], ("rely", "v"): ["rely.v.01"],
         ("money", "n"): ["money.n.01"], ("happy", "a"): ["happy.a.01"], ("glad", "a"): ["glad.a.01"]},
        {("bank.n.01", "shore.n.01"): 0.1, ("bank.n.02", "shore.n.01"): 0.5, ("bank.v.01", "rely.v.01"): 0.25,
         ("bank.n.01", "money.n.01"): 0.2, ("bank.n.02", "money.n.01"): None, ("happy.a.01", "glad.a.01"): 0.9},
    )


# --- scoring pairs ---------------------------------------------------------------------------------------------


def test_word_similarity_takes_the_best_senses_of_nouns_and_verbs(fake):
    assert site.word_similarity(fake, "bank", "shore") == 0.5  # the second sense of bank
    assert site.word_similarity(fake, "bank", "rely") == 0.25  # only as verbs
    assert site.word_similarity(fake, "bank", "money") == 0.2  # a None score is skipped
    assert site.word_similarity(fake, "happy", "glad") is None  # adjectives: no hierarchy, not asked
    assert site.word_similarity(fake, "happy", "glad", pos=("a",)) == 0.9
    assert site.word_similarity(fake, "bank", "unknown") is None


def test_word_similarity_with_first_senses(fake):
    assert site.word_similarity(fake, "bank", "shore", senses="first") == 0.1
    assert site.word_similarity(fake, "bank", "rely", senses="first") == 0.25  # no shared noun: the verbs
    assert site.word_similarity(fake, "happy", "glad", senses="first") is None


def test_word_similarity_refuses_bad_options(fake):
    with pytest.raises(ValueError, match="senses must be 'max' or 'first'"):
        site.word_similarity(fake, "bank", "shore", senses="mean")
    with pytest.raises(ValueError, match="pos must be a non-empty sequence"):
        site.word_similarity(fake, "bank", "shore", pos="n")
    with pytest.raises(ValueError, match="pos must be a non-empty sequence"):
        site.word_similarity(fake, "bank", "shore", pos=())


def test_cosine_or_none():
    W = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 0.0]], dtype=np.float32)
    ids = {"a": 0, "b": 1, "zero": 2}
    assert site.cosine_or_none(W, ids, "a", "b") == pytest.approx(1 / math.sqrt(2))
    assert site.cosine_or_none(W, ids, "a", "a") == pytest.approx(1.0)
    assert site.cosine_or_none(W, ids, "a", "zero") == 0.0
    assert site.cosine_or_none(W, ids, "a", "missing") is None
    assert site.cosine_or_none(W, ids, "missing", "a") is None


# --- comparing with human scores -------------------------------------------------------------------------------


HUMAN = [1.0, 2.0, 3.0, 4.0, 5.0]


def test_compare_similarity_on_own_and_common_pairs():
    c = site.compare_similarity("Set", HUMAN, {
        "perfect": [1, 2, 3, 4, 5],
        "reversed": [5, 4, 3, 2, 1],
        "gappy": [None, 2, 3, 5, 4],
    })
    assert (c.dataset, c.total, c.common) == ("Set", 5, 4)
    assert c.score("perfect") == site.MethodScore("perfect", 5, 1.0, 1.0)
    assert c.score("reversed").own == pytest.approx(-1.0) and c.score("reversed").on_common == pytest.approx(-1.0)
    gappy = c.score("gappy")
    assert gappy.scored == 4 and gappy.own == pytest.approx(0.8) and gappy.on_common == pytest.approx(0.8)
    assert c.ranking == (("perfect",), ("gappy",), ("reversed",))
    with pytest.raises(ValueError, match="no method 'other'"):
        c.score("other")


def test_compare_similarity_groups_near_ties():
    scores = {"a": [1, 2, 3, 4, 5], "b": [1, 2, 3, 5, 4], "c": [2, 1, 3, 4, 5], "d": [5, 4, 3, 2, 1]}
    # rho: a 1.0, b and c 0.9, d -1.0
    assert site.compare_similarity("Set", HUMAN, scores, tie=0.25).ranking == (("a", "b", "c"), ("d",))
    assert site.compare_similarity("Set", HUMAN, scores, tie=0.05).ranking == (("a",), ("b", "c"), ("d",))
    assert site.compare_similarity("Set", HUMAN, scores, tie=0.0).ranking == (("a",), ("b", "c"), ("d",))
    assert site.compare_similarity("Set", HUMAN, scores, tie=2.5).ranking == (("a", "b", "c", "d"),)


def test_compare_similarity_with_a_method_that_has_no_rho():
    c = site.compare_similarity("Set", HUMAN, {"a": [1, 2, 3, 4, 5], "flat": [1, 1, 1, 1, 1]})
    assert math.isnan(c.score("flat").on_common)  # a constant score has no rank correlation
    assert c.ranking == (("a",), ("flat",))


def test_compare_similarity_refuses_bad_input():
    with pytest.raises(ValueError, match="at least one method"):
        site.compare_similarity("Set", HUMAN, {})
    with pytest.raises(ValueError, match="at least one pair"):
        site.compare_similarity("Set", [], {"a": []})
    with pytest.raises(ValueError, match="method 'a' has 2 scores for 5 pairs"):
        site.compare_similarity("Set", HUMAN, {"a": [1, 2]})
    with pytest.raises(ValueError, match="tie must be a number >= 0"):
        site.compare_similarity("Set", HUMAN, {"a": HUMAN}, tie=-1)
    with pytest.raises(ValueError, match="the methods can all score only 1 of the 5 pairs"):
        site.compare_similarity("Set", HUMAN, {"a": HUMAN, "few": [None, None, None, None, 1]})


def comparison(name: str, rhos: dict[str, float], tie: float = 0.03) -> site.SimilarityComparison:
    """A comparison with the given rho on the common pairs (built directly: the ranking as compare_similarity)."""
    scores = tuple(site.MethodScore(m, 10, r, r) for m, r in rhos.items())
    ordered = sorted(rhos, key=lambda m: -rhos[m])
    ranking, group = [], [ordered[0]]
    for m in ordered[1:]:
        if rhos[group[0]] - rhos[m] <= tie:
            group.append(m)
        else:
            ranking.append(tuple(group))
            group = [m]
    ranking.append(tuple(group))
    return site.SimilarityComparison(name, 12, 10, scores, tuple(ranking), tie)


@pytest.mark.parametrize(("sim", "rel", "outcome", "behind"), [
    ({"WordNet": 0.5, "vec": 0.1}, {"WordNet": 0.3, "vec": 0.2}, "larger_on_similarity", ()),
    ({"WordNet": 0.3, "vec": 0.2}, {"WordNet": 0.6, "vec": 0.1}, "larger_on_relatedness", ()),
    ({"WordNet": 0.5, "vec": 0.3}, {"WordNet": 0.41, "vec": 0.2}, "about_equal", ()),
    ({"WordNet": 0.5, "vec": 0.1}, {"WordNet": 0.2, "vec": 0.3}, "behind", ("Rel",)),
    ({"WordNet": 0.2, "vec": 0.19, "other": 0.1}, {"WordNet": 0.2, "vec": 0.3}, "behind", ("Sim", "Rel")),
])
def test_reference_gap_every_outcome(sim, rel, outcome, behind):
    gap = site.reference_gap(comparison("Sim", sim), comparison("Rel", rel))
    assert gap.outcome == outcome and gap.behind_on == behind
    assert gap.similarity_gap == pytest.approx(sim["WordNet"] - max(v for k, v in sim.items() if k != "WordNet"))
    text = site.gap_text(gap)
    assert "WordNet" in text and "Sim" in text and "Rel" in text
    assert f"{gap.similarity_gap:+.2f}" in text or outcome == "behind"


def test_gap_text_every_branch_says_something_different():
    texts = {
        site.gap_text(site.reference_gap(comparison("Sim", s), comparison("Rel", r)))
        for s, r in [({"WordNet": 0.5, "vec": 0.1}, {"WordNet": 0.3, "vec": 0.2}),
                     ({"WordNet": 0.3, "vec": 0.2}, {"WordNet": 0.6, "vec": 0.1}),
                     ({"WordNet": 0.5, "vec": 0.3}, {"WordNet": 0.41, "vec": 0.2}),
                     ({"WordNet": 0.5, "vec": 0.1}, {"WordNet": 0.2, "vec": 0.3})]
    }
    assert len(texts) == 4
    behind = site.gap_text(site.reference_gap(comparison("Sim", {"WordNet": 0.5, "vec": 0.1}),
                                              comparison("Rel", {"WordNet": 0.2, "vec": 0.3})))
    assert behind.startswith("WordNet is not clearly ahead of the best vectors on Rel (-0.10), while it leads on "
                             "Sim (+0.40)")
    both = site.gap_text(site.reference_gap(comparison("Sim", {"WordNet": 0.2, "vec": 0.19}),
                                            comparison("Rel", {"WordNet": 0.2, "vec": 0.3})))
    assert both.startswith("WordNet is not clearly ahead of the best vectors on Sim and Rel (+0.01 and -0.10): ")


def test_reference_gap_needs_the_reference_and_another_method():
    with pytest.raises(ValueError, match="need a rho for 'WordNet' and for at least one other method"):
        site.reference_gap(comparison("Sim", {"WordNet": 0.5}), comparison("Rel", {"WordNet": 0.5, "v": 0.1}))
    with pytest.raises(ValueError, match="no method 'WordNet'"):
        site.reference_gap(comparison("Sim", {"v": 0.5, "w": 0.1}), comparison("Rel", {"WordNet": 0.5, "v": 0.1}))


def test_comparison_text_every_branch():
    leader = site.comparison_text(comparison("Set", {"WordNet": 0.48, "PPMI": 0.14, "w2v": 0.12}))
    assert leader == ("On the 10 pairs of Set that every method can score, WordNet agrees best with the human "
                      "judgements (ρ = 0.48), ahead of PPMI (0.14) and w2v (0.12).")
    shared = site.comparison_text(comparison("Set", {"a": 0.50, "b": 0.49, "c": 0.1}))
    assert shared == ("On the 10 pairs of Set that every method can score, a (0.50) and b (0.49) are level at the "
                      "top (within 0.03 of each other), ahead of c (0.10).")
    level = site.comparison_text(comparison("Set", {"a": 0.50, "b": 0.49, "c": 0.48}))
    assert level == ("On the 10 pairs of Set that every method can score, all of them are level: a (0.50), "
                     "b (0.49), and c (0.48) are within 0.03 of each other.")
    many = site.comparison_text(comparison("Set", {"a": 0.9, "b": 0.5, "c": 0.3, "d": 0.1}))
    assert many.endswith("ahead of b (0.50), c (0.30), and d (0.10).")


def test_pair_order_and_its_text_every_branch():
    order = site.pair_order("WordNet", {"novel": 0.05, "dog": 0.07, "motorcycle": 0.33})
    assert order == site.PairOrder("WordNet", ("motorcycle", "dog", "novel"), ())
    assert site.pair_order_text(order) == "WordNet ranks motorcycle first, then dog, then novel"
    some = site.pair_order("vec", {"novel": 0.3, "dog": 0.5, "motorcycle": None})
    assert site.pair_order_text(some) == "vec ranks dog above novel and cannot score motorcycle"
    one = site.pair_order("vec", {"novel": 0.3, "dog": None, "motorcycle": None})
    assert site.pair_order_text(one) == "vec can score only novel and not dog and motorcycle"
    none = site.pair_order("vec", {"novel": None, "dog": None})
    assert site.pair_order_text(none) == "vec can score none of them"
    two = site.pair_order("vec", {"novel": 0.3, "dog": 0.5})
    assert site.pair_order_text(two) == "vec ranks dog above novel"
    assert site.pair_orders_text([order, some]) == ("WordNet ranks motorcycle first, then dog, then novel; vec ranks "
                                                    "dog above novel and cannot score motorcycle.")
    with pytest.raises(ValueError, match="at least one pair"):
        site.pair_order("vec", {})
    with pytest.raises(ValueError, match="at least one ranking"):
        site.pair_orders_text([])


def test_unknown_language_is_a_clear_error():
    with pytest.raises(ValueError, match="no wording '[a-z_.]+' for language 'xx'"):
        site.comparison_text(comparison("Set", {"a": 0.9, "b": 0.1}), lang="xx")


def test_every_template_is_used_by_a_function_or_the_page():
    import inspect

    source = inspect.getsource(site) + PAGE.read_text(encoding="utf-8")
    by_columns = {f"{table}.{column}" for table, columns in site.COLUMNS.items() for column in columns}
    for key in site.TEMPLATES["en"]:
        prefix, _, rest = key.partition(".")
        used = f'"{key}"' in source or (rest and f'f"{prefix}.{{' in source) or key in by_columns
        assert used, f"template {key!r} is never used"


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def test_every_template_exists_in_every_language_with_the_same_placeholders():
    assert set(site.TEMPLATES) == {"en", "ko"}
    assert site.TEMPLATES["en"].keys() == site.TEMPLATES["ko"].keys()
    for key, english in site.TEMPLATES["en"].items():
        assert _fields(site.TEMPLATES["ko"][key]) == _fields(english), key


# A Korean particle whose form depends on the sound before it (은/는, 이/가, 을/를, 와/과, (으)로) cannot follow a
# placeholder, whose last sound is unknown; the copula 이다 (이고, 이며) and 의, 에, 에서 take every noun.
_VARIABLE_PARTICLE = re.compile(r"\}(은|는|가|을|를|와|과|으로|로|이(?![다고며]))")


def test_korean_templates_put_no_variable_particle_after_a_placeholder():
    for key, template in site.TEMPLATES["ko"].items():
        assert not _VARIABLE_PARTICLE.search(template), (key, template)


def test_listing_in_both_languages():
    assert site.listing(["a"]) == "a"
    assert site.listing(["a", "b"]) == "a and b"
    assert site.listing([1, 2, 3]) == "1, 2, and 3"
    assert site.listing(["a", "b", "c"], lang="ko") == "a, b, c"
    assert site.listing(["a", "b"], lang="ko") == "a, b"
    with pytest.raises(ValueError, match="nothing to list"):
        site.listing([])


def test_words_and_headers_follow_the_page_language(monkeypatch):
    assert site.header("path") == ["synset", "definition", "lowest common hypernym", "edges apart",
                                   "path similarity"]
    assert site.words("human.scored_of", scored=1200, total=1999) == "1,200 of 1,999"
    monkeypatch.setenv("SCRATCHNLP_LANG", "ko")
    assert site.header("path") == ["synset", "정의", "최소 공통 상위어", "에지 수", "경로 유사도"]
    assert site.words("human.scored_of", scored=1200, total=1999) == "1,999쌍 중 1,200쌍"
    assert site.listing(["x", "y", "z"]) == "x, y, z"
    assert site.words("human.scored_of", "en", scored=1, total=2) == "1 of 2"  # an explicit language wins
    with pytest.raises(ValueError, match="no table 'other'"):
        site.header("other")


def test_korean_sentences(monkeypatch):
    monkeypatch.setenv("SCRATCHNLP_LANG", "ko")
    leader = site.comparison_text(comparison("Set", {"WordNet": 0.48, "PPMI": 0.14, "w2v": 0.12}))
    assert leader == ("Set에서 모든 방법이 점수를 매길 수 있는 10쌍에서는 WordNet의 점수가 사람의 판단과 가장 잘 "
                      "일치하고(ρ = 0.48), 그 뒤로 PPMI(0.14), w2v(0.12) 순이다.")
    order = site.pair_order("WordNet", {"novel": 0.05, "dog": 0.07, "motorcycle": 0.33})
    some = site.pair_order("vec", {"novel": 0.3, "dog": 0.5, "motorcycle": None})
    assert site.pair_orders_text([order, some]) == ("WordNet에서는 motorcycle, dog, novel 순이다. vec에서는 dog, "
                                                    "novel 순이고, motorcycle에는 점수를 매기지 못한다.")
    behind = site.gap_text(site.reference_gap(comparison("Sim", {"WordNet": 0.5, "vec": 0.1}),
                                              comparison("Rel", {"WordNet": 0.2, "vec": 0.3})))
    assert behind.startswith("Rel에서는 WordNet의 점수가 가장 좋은 벡터보다 뚜렷하게 앞서지 않지만(-0.10), "
                             "Sim에서는 앞선다(+0.40).")


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_every_branch_has_its_own_sentence_in_each_language(lang):
    texts = {
        site.comparison_text(comparison("Set", rhos), lang=lang)
        for rhos in [{"a": 0.9, "b": 0.1}, {"a": 0.50, "b": 0.49, "c": 0.1}, {"a": 0.50, "b": 0.49}]
    }
    texts |= {
        site.gap_text(site.reference_gap(comparison("Sim", s), comparison("Rel", r)), lang=lang)
        for s, r in [({"WordNet": 0.5, "vec": 0.1}, {"WordNet": 0.3, "vec": 0.2}),
                     ({"WordNet": 0.3, "vec": 0.2}, {"WordNet": 0.6, "vec": 0.1}),
                     ({"WordNet": 0.5, "vec": 0.3}, {"WordNet": 0.41, "vec": 0.2}),
                     ({"WordNet": 0.5, "vec": 0.1}, {"WordNet": 0.2, "vec": 0.3}),
                     ({"WordNet": 0.2, "vec": 0.19}, {"WordNet": 0.2, "vec": 0.3})]
    }
    texts |= {
        site.pair_order_text(site.pair_order("vec", scores), lang=lang)
        for scores in [{"a": 0.1, "b": 0.2, "c": 0.3}, {"a": 0.1, "b": 0.2, "c": None}, {"a": 0.1, "b": None},
                       {"a": None}, {"a": 0.1, "b": 0.2}]
    }
    assert len(texts) == 3 + 5 + 5
    hangul = [t for t in texts if re.search("[가-힣]", t)]
    assert len(hangul) == (len(texts) if lang == "ko" else 0)


# --- figures ---------------------------------------------------------------------------------------------------


PATHS = [
    ["entity", "object", "artifact", "container", "wheeled", "car"],
    ["entity", "object", "artifact", "conveyance", "vehicle", "wheeled", "car"],
]


def test_hypernym_layout_merges_the_paths_top_down():
    layout = site.hypernym_layout(PATHS)
    assert layout.levels == 7
    y = {name: pos[1] for name, pos in layout.positions.items()}
    assert y == {"entity": 0, "object": -1, "artifact": -2, "container": -3, "conveyance": -3, "vehicle": -4,
                 "wheeled": -5, "car": -6}
    x = {name: pos[0] for name, pos in layout.positions.items()}
    assert (x["container"], x["conveyance"]) == (-1.0, 1.0)  # one row, spread in order of first appearance
    assert x["vehicle"] == 1.0  # alone on its row, below its only hypernym
    assert x["wheeled"] == 0.0  # two hypernyms: centred
    assert set(layout.edges) == {("object", "entity"), ("artifact", "object"), ("container", "artifact"),
                                 ("wheeled", "container"), ("car", "wheeled"), ("conveyance", "artifact"),
                                 ("vehicle", "conveyance"), ("wheeled", "vehicle")}
    assert len(layout.edges) == 8  # shared edges once


def test_hypernym_layout_puts_a_synset_below_all_its_hypernyms():
    # "b" is reached at depth 1 by one path and depth 2 by the other: it goes to depth 2, its child below it
    layout = site.hypernym_layout([["r", "b", "c"], ["r", "a", "b", "c"]])
    y = {name: pos[1] for name, pos in layout.positions.items()}
    assert y == {"r": 0, "a": -1, "b": -2, "c": -3}


def test_hypernym_layout_refuses_bad_paths():
    with pytest.raises(ValueError, match="one or more non-empty paths"):
        site.hypernym_layout([])
    with pytest.raises(ValueError, match="one or more non-empty paths"):
        site.hypernym_layout([["a"], []])
    with pytest.raises(ValueError, match="start at one root"):
        site.hypernym_layout([["a", "b"], ["c", "b"]])
    with pytest.raises(ValueError, match="cycle"):
        site.hypernym_layout([["r", "a", "b"], ["r", "b", "a"]])


def test_draw_hypernym_graph(ax):
    layout = site.draw_hypernym_graph(ax, PATHS, highlight=["car"])
    labels = {t.get_text(): t for t in ax.texts if t.get_text()}  # the arrows are text-less annotations
    assert set(labels) == set(layout.positions)
    assert labels["car"].get_color() == "white" and labels["entity"].get_color() == "black"
    assert len([c for c in ax.get_children() if type(c).__name__ == "Annotation"]) == len(layout.edges)
    assert not ax.axison


def test_draw_similarity_comparison(ax):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 1, layout="constrained")
    try:
        comps = [comparison("WS", {"WordNet": 0.3, "vec": 0.2}),
                 site.compare_similarity("SL", HUMAN, {"WordNet": [1, 2, 3, 4, 5], "vec": [1, 1, 1, 1, 1]})]
        site.draw_similarity_comparison(axes, comps)
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        legend_box = fig.legends[0].get_window_extent(renderer)
        assert all(legend_box.y1 <= ax.get_tightbbox(renderer).y0 + 1 for ax in axes)  # below every panel
        assert axes[0].get_title() == "WS (12 pairs)" and axes[1].get_title() == "SL (5 pairs)"
        texts = [t.get_text() for t in axes[1].texts]
        assert "1.00 (5 pairs)" in texts and "n/a (5 pairs)" in texts  # a constant score has no rho
        assert [t.get_text() for t in axes[0].get_yticklabels()] == ["WordNet", "vec"]
        assert len(axes[0].patches) == 4 and len(fig.legends) == 1  # below the panels, covering no bar
        assert axes[1].get_xlabel() == "Spearman's ρ with the human scores"
        with pytest.raises(ValueError, match="one axes per comparison"):
            site.draw_similarity_comparison([axes[0]], comps)
    finally:
        plt.close(fig)


def test_draw_similarity_comparison_in_the_page_language(monkeypatch):
    import matplotlib.pyplot as plt

    monkeypatch.setenv("SCRATCHNLP_LANG", "ko")
    fig, axes = plt.subplots(2, 1)
    try:
        comps = [comparison("WS", {"WordNet": 0.3, "vec": 0.2}),
                 site.compare_similarity("SL", HUMAN, {"WordNet": [1, 2, 3, 4, 5], "vec": [1, 1, 1, 1, 1]})]
        site.draw_similarity_comparison(axes, comps)
        assert axes[0].get_title() == "WS (12쌍)" and axes[1].get_xlabel() == "사람의 점수와의 스피어먼 ρ"
        assert "없음 (5쌍)" in [t.get_text() for t in axes[1].texts]
        legend = [t.get_text() for t in fig.legends[0].get_texts()]
        assert legend == ["점수를 매길 수 있는 쌍에서의 ρ", "모두 매길 수 있는 쌍에서의 ρ"]
    finally:
        plt.close(fig)
