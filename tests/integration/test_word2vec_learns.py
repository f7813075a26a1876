"""word2vec learns on the real PTB (chapter 4): short runs, fixed seeds, known-answer neighbourhoods."""

import numpy as np
import pytest

from scratchnlp.datasets import load_ptb
from scratchnlp.models import CBOW, SkipGram
from scratchnlp.optim import FusedAdam
from scratchnlp.text import create_contexts_target, most_similar
from scratchnlp.training import Trainer
from scratchnlp.word2vec_fast import train_fast

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def ptb(ptb_files):
    return load_ptb("train")


def neighbours(word, ptb_data, W, top=5):
    _, word_to_id, id_to_word = ptb_data
    return {w for w, _ in most_similar(word, word_to_id, id_to_word, W, top=top)}


def test_fast_cbow_two_epochs_finds_weekdays_and_numbers(ptb):
    corpus, word_to_id, _ = ptb
    model = CBOW(len(word_to_id), 100, 5, corpus, seed=0)
    history = train_fast(model, corpus, epochs=2, seed=0, progress=False)
    assert history["epoch_loss"][1] < history["epoch_loss"][0] < 3.0
    weekdays = {"monday", "tuesday", "wednesday", "thursday", "friday"}
    numbers = {"two", "three", "four", "five", "six", "seven", "eight", "nine"}
    assert len(neighbours("monday", ptb, model.word_vecs) & weekdays) >= 2
    assert len(neighbours("five", ptb, model.word_vecs) & numbers) >= 2
    assert np.isfinite(model.word_vecs).all()


@pytest.mark.parametrize("cls, first, last", [(CBOW, 4.16, 2.9), (SkipGram, 41.6, 29.0)])
def test_book_setting_loss_falls(ptb, cls, first, last):
    """The book's settings (Adam, batch 100) for 600 iterations: the loss falls well below its start, 6 ln 2 =
    4.16 for CBOW (six binary problems at probability 1/2) and ten times that for skip-gram (ten contexts).
    With seed 0 it reaches about 2.6 and 27.3."""
    corpus, word_to_id, _ = ptb
    contexts, target = create_contexts_target(corpus[:60010], 5)
    model = cls(len(word_to_id), 100, 5, corpus, seed=0)
    trainer = Trainer(model, FusedAdam(), seed=0).fit(contexts, target, max_epoch=1, batch_size=100,
                                                      eval_interval=100, progress=False)
    assert trainer.loss_list[0] < first and trainer.loss_list[-1] < last
