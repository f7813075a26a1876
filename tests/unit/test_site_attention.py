"""The chapter 8 page's helpers: encoded questions, attention maps of a real model, agreement counts."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest

from scratchnlp._site import attention
from scratchnlp.models import AttentionSeq2seq

CHARS = list(" _-0123456789abcdefghijklmnopqrstuvwxyz,/")
CHAR_TO_ID = {c: i for i, c in enumerate(CHARS)}
ID_TO_CHAR = dict(enumerate(CHARS))


def test_encode_questions_pads_and_reverses():
    ids = attention.encode_questions(["ab", "c"], CHAR_TO_ID, 4)
    assert ids.shape == (2, 4)
    assert [ID_TO_CHAR[i] for i in ids[0]] == [" ", " ", "b", "a"]
    plain = attention.encode_questions(["ab"], CHAR_TO_ID, 4, reverse=False)
    assert [ID_TO_CHAR[i] for i in plain[0]] == ["a", "b", " ", " "]
    with pytest.raises(ValueError, match="has 5 characters; the model reads at most 4"):
        attention.encode_questions(["abcde"], CHAR_TO_ID, 4)
    with pytest.raises(ValueError, match=r"characters the model does not know: \['A'\]"):
        attention.encode_questions(["Ab"], CHAR_TO_ID, 4)


def test_attention_maps_of_a_model():
    import matplotlib.pyplot as plt

    model = AttentionSeq2seq(len(CHARS), 4, 6, seed=0)
    fig, answers, readings = attention.attention_maps(
        model, ["may 1, 2000", "1/2/03"], char_to_id=CHAR_TO_ID, id_to_char=ID_TO_CHAR, width=12,
        start_id=CHAR_TO_ID["_"], answer_length=10, parts={"year": (0, 4), "day": (8, 10)}, title="t")
    assert len(fig.axes) >= 2 and len(answers) == 2 and all(len(a) == 10 for a in answers)
    assert set(readings[0]) == {"year", "day"} and all(0 <= share <= 1 for _, share in readings[0].values())
    plt.close(fig)


def test_agreement_counts_parts_read_from_the_expected_word():
    readings = [{"year": ("1994", 0.9), "day": ("27", 0.5)}, {"year": ("JUN", 0.4), "day": ("17", 0.8)}]
    expected = [{"year": "1994", "day": "27"}, {"year": "2013", "day": "17"}]
    assert attention.agreement(readings, expected) == 3
    with pytest.raises(ValueError, match="2 readings for 1 questions"):
        attention.agreement(readings, expected[:1])


def test_not_in():
    assert attention.not_in(["a", "b", "c"], {"b"}) == ["a", "c"]


def test_maps_read_on_a_phone():
    import matplotlib.pyplot as plt
    import numpy as np

    from scratchnlp._site.figures import MIN_PHONE_TEXT_PX, RC_PARAMS, phone_text_px, smallest_text_px

    model = AttentionSeq2seq(len(CHARS), 4, 6, seed=0)
    with matplotlib.rc_context(RC_PARAMS):  # the pages' type size
        fig, _, _ = attention.attention_maps(
            model, ["december 27, 1994", "1/2/03"], char_to_id=CHAR_TO_ID, id_to_char=ID_TO_CHAR, width=29,
            start_id=CHAR_TO_ID["_"], answer_length=10, parts={"year": (0, 4)}, title="t")
        single = attention.attention_figure(np.full((10, 29), 1 / 29), "x" * 29, "y" * 10, title="one map")
    for f in (fig, single):
        f.set_dpi(110)
        width_px = f.get_size_inches()[0] * 110  # at most this wide after a tight crop
        assert phone_text_px(width_px, smallest_text_px(f)) >= MIN_PHONE_TEXT_PX
        plt.close(f)


def test_every_template_exists_in_every_language_with_the_same_placeholders():
    import string

    def fields(template):
        return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}

    assert set(attention.TEMPLATES) == {"en", "ko"}
    assert attention.TEMPLATES["en"].keys() == attention.TEMPLATES["ko"].keys()
    for key, english in attention.TEMPLATES["en"].items():
        assert fields(attention.TEMPLATES["ko"][key]) == fields(english), key


@pytest.mark.parametrize(("lang", "question", "answer"),
                         [("en", "question", "answer"), ("ko", "질문의 문자", "답의 문자")])
def test_maps_are_labelled_in_the_page_language(monkeypatch, lang, question, answer):
    import matplotlib.pyplot as plt
    import numpy as np

    monkeypatch.setenv("SCRATCHNLP_LANG", lang)
    model = AttentionSeq2seq(len(CHARS), 4, 6, seed=0)
    fig, _, _ = attention.attention_maps(
        model, ["1/2/03"], char_to_id=CHAR_TO_ID, id_to_char=ID_TO_CHAR, width=8, start_id=CHAR_TO_ID["_"],
        answer_length=10, parts={"year": (0, 4)}, title="t")
    single = attention.attention_figure(np.full((2, 3), 1 / 3), "abc", "xy", lang=lang)
    for f in (fig, single):
        assert (f.axes[0].get_xlabel(), f.axes[0].get_ylabel()) == (question, answer)
        plt.close(f)
