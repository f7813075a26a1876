"""The book map: the book's table of contents, where each of its sections is taught on this site, the book's
reported results beside the library's, and where the book's published code is wrong or fragile.

Everything here is data or is computed from data:

- :data:`BOOK_TOC` is the book's table of contents (the Korean edition's numbering and titles, English titles
  of our own), one :class:`BookSection` per section, in the book's order;
- :func:`read_site_headings` reads the ``##``/``###`` headings of the site's chapter and appendix pages (and of
  its expansion of the book's section 1.5, :data:`SITE_APPENDIX`) and the anchor (slug) MyST gives each, with
  MyST's own parser and slug function, so that a link made here is the link the strict build checks;
  :func:`place_sections` finds, for every book section, the most specific site heading that covers it (a range
  such as ``2.3.2–2.3.3`` covers every section in between), plus the explicit :data:`EXTRA_LINKS` to pages
  whose headings do not place the book's sections;
- :data:`BOOK_RESULTS` holds the numbers the book reports; :func:`compare_result` and :func:`compare_speed`
  decide how the library's committed runs and benchmarks compare with them;
- :data:`CODE_ISSUES` lists the problems of the book's published code, each cited by repository path.

Decisions are language-neutral dataclasses; the words a page shows come from :data:`TEMPLATES`, one set per
language (``"en"``, ``"ko"``), through the ``*_text`` functions, :func:`words` and :func:`header`; a
function whose ``lang`` is ``None`` speaks the page's language (``SCRATCHNLP_LANG``).
"""

from __future__ import annotations

import math
import pickle
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from scratchnlp._pages import and_join

from .wording import LANGUAGES, page_language, say, table_header

__all__ = [
    "BookSection",
    "BOOK_TOC",
    "book_section",
    "section_title",
    "chapters",
    "ExtraLink",
    "EXTRA_LINKS",
    "SITE_APPENDIX",
    "SiteHeading",
    "parse_heading_number",
    "read_site_headings",
    "covered_sections",
    "Placement",
    "place_sections",
    "unknown_numbered_headings",
    "beyond_the_book_headings",
    "toc_pages",
    "linked_pages",
    "heading_link",
    "placement_text",
    "chapter_rows",
    "site_appendix_rows",
    "Coverage",
    "coverage",
    "coverage_text",
    "BookResult",
    "BOOK_RESULTS",
    "book_result",
    "ResultComparison",
    "compare_result",
    "comparison_text",
    "shorter_runs_text",
    "SpeedComparison",
    "compare_speed",
    "speed_text",
    "speed_comparisons",
    "results_rows",
    "BENCHMARKS_SHOWN_AT",
    "BookFile",
    "CodeIssue",
    "CODE_ISSUES",
    "REFERENCE_LINKS",
    "harmless_pickle",
    "issue_text",
    "evidence_text",
    "book_file_links",
    "TEMPLATES",
    "COLUMNS",
    "words",
    "header",
    "chapter_caption",
]


# --------------------------------------------------------------------------------------------------------
# The book's table of contents
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BookSection:
    """One section of the book: its number (``"2"``, ``"2.3"``, ``"2.3.1"``, ``"A"``, ``"A.1"``), its title
    in English (ours) and its title in the Korean edition (밑바닥부터 시작하는 딥러닝 2)."""

    number: str
    title: str
    title_ko: str

    @property
    def chapter(self) -> str:
        """The chapter (or appendix) the section belongs to: ``"2"`` for ``"2.3.1"``."""
        return self.number.split(".")[0]

    @property
    def depth(self) -> int:
        """1 for a chapter, 2 for ``2.3``, 3 for ``2.3.1``."""
        return self.number.count(".") + 1

    @property
    def parent(self) -> str | None:
        """The number of the enclosing section (None for a chapter)."""
        return self.number.rsplit(".", 1)[0] if "." in self.number else None


_TOC_ROWS: tuple[tuple[str, str, str], ...] = (
    ("1", "Neural networks, reviewed", "신경망 복습"),
    ("1.1", "Mathematics and Python, reviewed", "수학과 파이썬 복습"),
    ("1.1.1", "Vectors and matrices", "벡터와 행렬"),
    ("1.1.2", "Element-wise operations on matrices", "행렬의 원소별 연산"),
    ("1.1.3", "Broadcasting", "브로드캐스트"),
    ("1.1.4", "The inner product of vectors and the product of matrices", "벡터의 내적과 행렬의 곱"),
    ("1.1.5", "Checking the shapes of matrices", "행렬 형상 확인"),
    ("1.2", "Inference in a neural network", "신경망의 추론"),
    ("1.2.1", "The big picture of inference", "신경망 추론 전체 그림"),
    ("1.2.2", "Layers as classes, and the forward pass", "계층으로 클래스화 및 순전파 구현"),
    ("1.3", "Training a neural network", "신경망의 학습"),
    ("1.3.1", "The loss function", "손실 함수"),
    ("1.3.2", "Derivatives and gradients", "미분과 기울기"),
    ("1.3.3", "The chain rule", "연쇄 법칙"),
    ("1.3.4", "Computational graphs", "계산 그래프"),
    ("1.3.5", "Deriving the gradients and implementing backpropagation", "기울기 도출과 역전파 구현"),
    ("1.3.6", "Updating the weights", "가중치 갱신"),
    ("1.4", "Solving a problem with a neural network", "신경망으로 문제를 풀다"),
    ("1.4.1", "The spiral dataset", "스파이럴 데이터셋"),
    ("1.4.2", "Implementing the network", "신경망 구현"),
    ("1.4.3", "The training code", "학습용 코드"),
    ("1.4.4", "The Trainer class", "Trainer 클래스"),
    ("1.5", "Speeding up the computation", "계산 고속화"),
    ("1.5.1", "Bit precision", "비트 정밀도"),
    ("1.5.2", "The GPU (CuPy)", "GPU(쿠파이)"),
    ("1.6", "Summary", "정리"),
    ("2", "Natural language and distributed representations of words", "자연어와 단어의 분산 표현"),
    ("2.1", "What is natural language processing?", "자연어 처리란"),
    ("2.1.1", "The meaning of words", "단어의 의미"),
    ("2.2", "Thesauri", "시소러스"),
    ("2.2.1", "WordNet", "WordNet"),
    ("2.2.2", "The problems of thesauri", "시소러스의 문제점"),
    ("2.3", "Count-based methods", "통계 기반 기법"),
    ("2.3.1", "Preprocessing a corpus in Python", "파이썬으로 말뭉치 전처리하기"),
    ("2.3.2", "Distributed representations of words", "단어의 분산 표현"),
    ("2.3.3", "The distributional hypothesis", "분포 가설"),
    ("2.3.4", "The co-occurrence matrix", "동시발생 행렬"),
    ("2.3.5", "Similarity between vectors", "벡터 간 유사도"),
    ("2.3.6", "Ranking similar words", "유사 단어의 랭킹 표시"),
    ("2.4", "Improving the count-based methods", "통계 기반 기법 개선하기"),
    ("2.4.1", "Mutual information", "상호정보량"),
    ("2.4.2", "Dimensionality reduction", "차원 감소"),
    ("2.4.3", "Dimensionality reduction by SVD", "SVD에 의한 차원 감소"),
    ("2.4.4", "The PTB dataset", "PTB 데이터셋"),
    ("2.4.5", "Evaluation on the PTB dataset", "PTB 데이터셋 평가"),
    ("2.5", "Summary", "정리"),
    ("3", "word2vec", "word2vec"),
    ("3.1", "Inference-based methods and neural networks", "추론 기반 기법과 신경망"),
    ("3.1.1", "The problems of count-based methods", "통계 기반 기법의 문제점"),
    ("3.1.2", "Inference-based methods in outline", "추론 기반 기법 개요"),
    ("3.1.3", "Handling words in a neural network", "신경망에서의 단어 처리"),
    ("3.2", "A simple word2vec", "단순한 word2vec"),
    ("3.2.1", "Inference in the CBOW model", "CBOW 모델의 추론 처리"),
    ("3.2.2", "Training the CBOW model", "CBOW 모델의 학습"),
    ("3.2.3", "word2vec's weights and distributed representations", "word2vec의 가중치와 분산 표현"),
    ("3.3", "Preparing the training data", "학습 데이터 준비"),
    ("3.3.1", "Contexts and targets", "맥락과 타깃"),
    ("3.3.2", "Conversion to one-hot representations", "원핫 표현으로 변환"),
    ("3.4", "Implementing the CBOW model", "CBOW 모델 구현"),
    ("3.4.1", "The training code", "학습 코드 구현"),
    ("3.5", "More on word2vec", "word2vec 보충"),
    ("3.5.1", "The CBOW model and probability", "CBOW 모델과 확률"),
    ("3.5.2", "The skip-gram model", "skip-gram 모델"),
    ("3.5.3", "Count-based vs. inference-based", "통계 기반 vs. 추론 기반"),
    ("3.6", "Summary", "정리"),
    ("4", "Speeding up word2vec", "word2vec 속도 개선"),
    ("4.1", "Improving word2vec (1)", "word2vec 개선 ①"),
    ("4.1.1", "The Embedding layer", "Embedding 계층"),
    ("4.1.2", "Implementing the Embedding layer", "Embedding 계층 구현"),
    ("4.2", "Improving word2vec (2)", "word2vec 개선 ②"),
    ("4.2.1", "The problem with the computation after the hidden layer", "은닉층 이후 계산의 문제점"),
    ("4.2.2", "From multiclass to binary classification", "다중 분류에서 이진 분류로"),
    ("4.2.3", "The sigmoid function and the cross-entropy error", "시그모이드 함수와 교차 엔트로피 오차"),
    ("4.2.4", "From multiclass to binary classification (implementation)", "다중 분류에서 이진 분류로 (구현)"),
    ("4.2.5", "Negative sampling", "네거티브 샘플링"),
    ("4.2.6", "How negative sampling samples", "네거티브 샘플링의 샘플링 기법"),
    ("4.2.7", "Implementing negative sampling", "네거티브 샘플링 구현"),
    ("4.3", "Training the improved word2vec", "개선판 word2vec 학습"),
    ("4.3.1", "Implementing the CBOW model", "CBOW 모델 구현"),
    ("4.3.2", "The CBOW training code", "CBOW 모델 학습 코드"),
    ("4.3.3", "Evaluating the CBOW model", "CBOW 모델 평가"),
    ("4.4", "Remaining topics on word2vec", "word2vec 남은 주제"),
    ("4.4.1", "Examples of applications of word2vec", "word2vec을 사용한 애플리케이션의 예"),
    ("4.4.2", "How to evaluate word vectors", "단어 벡터 평가 방법"),
    ("4.5", "Summary", "정리"),
    ("5", "Recurrent neural networks (RNN)", "순환 신경망(RNN)"),
    ("5.1", "Probability and language models", "확률과 언어 모델"),
    ("5.1.1", "word2vec from the viewpoint of probability", "word2vec을 확률 관점에서 바라보다"),
    ("5.1.2", "Language models", "언어 모델"),
    ("5.1.3", "The CBOW model as a language model?", "CBOW 모델을 언어 모델로?"),
    ("5.2", "What is an RNN?", "RNN이란"),
    ("5.2.1", "A network that loops", "순환하는 신경망"),
    ("5.2.2", "Unrolling the loop", "순환 구조 펼치기"),
    ("5.2.3", "BPTT", "BPTT"),
    ("5.2.4", "Truncated BPTT", "Truncated BPTT"),
    ("5.2.5", "Mini-batch training with truncated BPTT", "Truncated BPTT의 미니배치 학습"),
    ("5.3", "Implementing the RNN", "RNN 구현"),
    ("5.3.1", "Implementing the RNN layer", "RNN 계층 구현"),
    ("5.3.2", "Implementing the Time RNN layer", "Time RNN 계층 구현"),
    ("5.4", "Implementing layers that handle time series", "시계열 데이터 처리 계층 구현"),
    ("5.4.1", "The big picture of the RNNLM", "RNNLM의 전체 그림"),
    ("5.4.2", "Implementing the Time layers", "Time 계층 구현"),
    ("5.5", "Training and evaluating the RNNLM", "RNNLM 학습과 평가"),
    ("5.5.1", "Implementing the RNNLM", "RNNLM 구현"),
    ("5.5.2", "Evaluating a language model", "언어 모델의 평가"),
    ("5.5.3", "The RNNLM's training code", "RNNLM의 학습 코드"),
    ("5.5.4", "The RNNLM's Trainer class", "RNNLM의 Trainer 클래스"),
    ("5.6", "Summary", "정리"),
    ("6", "Gated RNNs", "게이트가 추가된 RNN"),
    ("6.1", "The problems of the RNN", "RNN의 문제점"),
    ("6.1.1", "The RNN, reviewed", "RNN 복습"),
    ("6.1.2", "Vanishing or exploding gradients", "기울기 소실 또는 기울기 폭발"),
    ("6.1.3", "The causes of vanishing and exploding gradients", "기울기 소실과 기울기 폭발의 원인"),
    ("6.1.4", "Countering exploding gradients", "기울기 폭발 대책"),
    ("6.2", "Vanishing gradients and the LSTM", "기울기 소실과 LSTM"),
    ("6.2.1", "The LSTM's interface", "LSTM의 인터페이스"),
    ("6.2.2", "Assembling the LSTM layer", "LSTM 계층 조립하기"),
    ("6.2.3", "The output gate", "output 게이트"),
    ("6.2.4", "The forget gate", "forget 게이트"),
    ("6.2.5", "The new memory cell", "새로운 기억 셀"),
    ("6.2.6", "The input gate", "input 게이트"),
    ("6.2.7", "The gradient flow of the LSTM", "LSTM의 기울기 흐름"),
    ("6.3", "Implementing the LSTM", "LSTM 구현"),
    ("6.3.1", "Implementing TimeLSTM", "TimeLSTM 구현"),
    ("6.4", "A language model with the LSTM", "LSTM을 사용한 언어 모델"),
    ("6.5", "Further improvements to the RNNLM", "RNNLM 추가 개선"),
    ("6.5.1", "Stacking LSTM layers", "LSTM 계층 다층화"),
    ("6.5.2", "Suppressing overfitting with dropout", "드롭아웃에 의한 과적합 억제"),
    ("6.5.3", "Weight tying", "가중치 공유"),
    ("6.5.4", "Implementing the improved RNNLM", "개선된 RNNLM 구현"),
    ("6.5.5", "Towards the state of the art", "첨단 연구로"),
    ("6.6", "Summary", "정리"),
    ("7", "Generating text with RNNs", "RNN을 사용한 문장 생성"),
    ("7.1", "Generating text with a language model", "언어 모델을 사용한 문장 생성"),
    ("7.1.1", "How an RNN generates text", "RNN을 사용한 문장 생성의 순서"),
    ("7.1.2", "Implementing text generation", "문장 생성 구현"),
    ("7.1.3", "Towards better text", "더 좋은 문장으로"),
    ("7.2", "seq2seq", "seq2seq"),
    ("7.2.1", "The principle of seq2seq", "seq2seq의 원리"),
    ("7.2.2", "A toy problem of time-series conversion", "시계열 데이터 변환용 장난감 문제"),
    ("7.2.3", "Variable-length time series", "가변 길이 시계열 데이터"),
    ("7.2.4", "The addition dataset", "덧셈 데이터셋"),
    ("7.3", "Implementing seq2seq", "seq2seq 구현"),
    ("7.3.1", "The Encoder class", "Encoder 클래스"),
    ("7.3.2", "The Decoder class", "Decoder 클래스"),
    ("7.3.3", "The Seq2seq class", "Seq2seq 클래스"),
    ("7.3.4", "Evaluating seq2seq", "seq2seq 평가"),
    ("7.4", "Improving seq2seq", "seq2seq 개선"),
    ("7.4.1", "Reversing the input (Reverse)", "입력 데이터 반전(Reverse)"),
    ("7.4.2", "Peeking (Peeky)", "엿보기(Peeky)"),
    ("7.5", "Applications of seq2seq", "seq2seq를 이용하는 애플리케이션"),
    ("7.5.1", "Chatbots", "챗봇"),
    ("7.5.2", "Learning algorithms", "알고리즘 학습"),
    ("7.5.3", "Image captioning", "이미지 캡셔닝"),
    ("7.6", "Summary", "정리"),
    ("8", "Attention", "어텐션"),
    ("8.1", "The structure of attention", "어텐션의 구조"),
    ("8.1.1", "The problem with seq2seq", "seq2seq의 문제점"),
    ("8.1.2", "Improving the encoder", "Encoder 개선"),
    ("8.1.3", "Improving the decoder (1)", "Decoder 개선 ①"),
    ("8.1.4", "Improving the decoder (2)", "Decoder 개선 ②"),
    ("8.1.5", "Improving the decoder (3)", "Decoder 개선 ③"),
    ("8.2", "Implementing seq2seq with attention", "어텐션을 갖춘 seq2seq 구현"),
    ("8.2.1", "Implementing the encoder", "Encoder 구현"),
    ("8.2.2", "Implementing the decoder", "Decoder 구현"),
    ("8.2.3", "Implementing seq2seq", "seq2seq 구현"),
    ("8.3", "Evaluating attention", "어텐션 평가"),
    ("8.3.1", "The date-format conversion problem", "날짜 형식 변환 문제"),
    ("8.3.2", "Training seq2seq with attention", "어텐션을 갖춘 seq2seq의 학습"),
    ("8.3.3", "Visualising attention", "어텐션 시각화"),
    ("8.4", "More about attention", "어텐션에 관한 남은 이야기"),
    ("8.4.1", "Bidirectional RNNs", "양방향 RNN"),
    ("8.4.2", "How to use the Attention layer", "Attention 계층 사용 방법"),
    ("8.4.3", "Deeper seq2seq and skip connections", "seq2seq 심층화와 skip 연결"),
    ("8.5", "Applications of attention", "어텐션 응용"),
    ("8.5.1", "Google's neural machine translation (GNMT)", "구글 신경망 기계 번역(GNMT)"),
    ("8.5.2", "The Transformer", "트랜스포머"),
    ("8.5.3", "Neural Turing Machines (NTM)", "뉴럴 튜링 머신(NTM)"),
    ("8.6", "Summary", "정리"),
    ("A", "Derivatives of the sigmoid and tanh functions", "시그모이드 함수와 tanh 함수의 미분"),
    ("A.1", "The sigmoid function", "시그모이드 함수"),
    ("A.2", "The tanh function", "tanh 함수"),
    ("A.3", "Summary", "정리"),
    ("B", "A first taste of WordNet", "WordNet 맛보기"),
    ("B.1", "Installing NLTK", "NLTK 설치"),
    ("B.2", "Getting synonyms from WordNet", "WordNet에서 동의어 얻기"),
    ("B.3", "WordNet and networks of words", "WordNet과 단어 네트워크"),
    ("B.4", "Semantic similarity with WordNet", "WordNet을 사용한 의미 유사도"),
    ("C", "GRU", "GRU"),
    ("C.1", "The GRU's interface", "GRU의 인터페이스"),
    ("C.2", "The GRU's computational graph", "GRU의 계산 그래프"),
)

#: The book's table of contents, in the book's order (chapters 1-8, appendices A-C).
BOOK_TOC: tuple[BookSection, ...] = tuple(BookSection(n, en, ko) for n, en, ko in _TOC_ROWS)

_BY_NUMBER: dict[str, BookSection] = {s.number: s for s in BOOK_TOC}
_ORDER: dict[str, int] = {s.number: k for k, s in enumerate(BOOK_TOC)}


def book_section(number: str) -> BookSection:
    """The book section numbered ``number`` (``"2.3.1"``, ``"C"``).

    Raises
    ------
    KeyError
        When the book has no such section; the message names it.
    """
    try:
        return _BY_NUMBER[number]
    except KeyError:
        raise KeyError(f"the book has no section {number!r}") from None


def section_title(section: BookSection, lang: str | None = None) -> str:
    """The title of a book section in ``lang`` (``None``: the page's language, ``SCRATCHNLP_LANG``): the Korean
    edition's for ``"ko"``, ours in English otherwise."""
    lang = page_language() if lang is None else lang
    return section.title_ko if lang == "ko" else section.title


def chapters() -> list[BookSection]:
    """The book's chapters and appendices (the sections of depth 1), in order."""
    return [s for s in BOOK_TOC if s.depth == 1]


def _subtree_end(number: str) -> int:
    """The index in :data:`BOOK_TOC` of the last section inside ``number`` (itself when it has none)."""
    start = _ORDER[number]
    end = start
    prefix = number + "."
    for k in range(start + 1, len(BOOK_TOC)):
        if not BOOK_TOC[k].number.startswith(prefix):
            break
        end = k
    return end


def _subtree(number: str) -> frozenset[str]:
    return frozenset(s.number for s in BOOK_TOC[_ORDER[number]:_subtree_end(number) + 1])


# --------------------------------------------------------------------------------------------------------
# Explicit links to pages whose headings do not carry the book's numbers
# --------------------------------------------------------------------------------------------------------

#: This site's own page beyond the book's chapters and appendices: its expansion of the book's section 1.5
#: (bit precision, the GPU). Its headings carry the book's numbers 1.5.1 and 1.5.2 where they expand those
#: sections, and "Beyond the book: ..." elsewhere; the map links it from 1.5, 1.5.1 and 1.5.2 through
#: :data:`EXTRA_LINKS`, never in place of chapter 1's own headings.
SITE_APPENDIX = "speedup"


@dataclass(frozen=True)
class ExtraLink:
    """A link from book section ``section`` to ``page`` (a docname in ``book/``, without ``.md``): to its
    heading numbered ``heading`` (such as ``"1.5.1"`` on :data:`SITE_APPENDIX`), or to the page's title when
    ``heading`` is None."""

    section: str
    page: str
    heading: str | None = None


#: Where a book section is also taught on a page whose headings do not carry its number.
EXTRA_LINKS: tuple[ExtraLink, ...] = (
    ExtraLink("1.5", SITE_APPENDIX),
    ExtraLink("1.5.1", SITE_APPENDIX, "1.5.1"),
    ExtraLink("1.5.2", SITE_APPENDIX, "1.5.2"),
    ExtraLink("2.2.1", "appendix_b_wordnet"),
)


# --------------------------------------------------------------------------------------------------------
# The site's headings
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SiteHeading:
    """A heading of a site page, with the anchor MyST gives it.

    ``text`` is the heading's Markdown source (``"1.4.2–1.4.4 Training with the `Trainer`"``); ``first`` and
    ``last`` are the section numbers it starts with (``"1.4.2"``, ``"1.4.4"``; equal for a single number, None
    for an unnumbered heading); ``order`` is its position among the page's headings; ``translations`` are its
    texts in the site's other editions, ``(language, text)``, where the page's catalog translates it (the anchor
    stays the one of the English text in every edition).
    """

    page: str
    level: int
    text: str
    slug: str
    first: str | None
    last: str | None
    order: int
    translations: tuple[tuple[str, str], ...] = ()

    def text_in(self, lang: str | None = None) -> str:
        """The heading's text in edition ``lang`` (``None``: the page's language): its translation where the
        page's catalog has one, the English text otherwise."""
        lang = page_language() if lang is None else lang
        return dict(self.translations).get(lang, self.text)


_NUMBER = r"(?:\d+(?:\.\d+)*|[A-Z](?:\.\d+)+|[A-Z](?=\.))"
_HEADING_NUMBER = re.compile(rf"^(?P<first>{_NUMBER})\.?(?:\s*[–-]\s*(?P<last>{_NUMBER})\.?)?(?=\s|$)")


def parse_heading_number(text: str) -> tuple[str, str] | None:
    """The section numbers a heading starts with: ``("2.3.2", "2.3.3")`` for ``"2.3.2–2.3.3 The ..."``,
    ``("1", "1")`` for ``"1. Neural networks"``, ``("C", "C")`` for ``"C. The GRU"``; None when the heading
    is not numbered (``"Exercises"``, ``"A look back"``)."""
    if not isinstance(text, str):
        raise TypeError(f"a heading's text must be a str, got {type(text).__name__}")
    m = _HEADING_NUMBER.match(text.strip())
    if m is None:
        return None
    first = m.group("first")
    return first, m.group("last") or first


def _site_pages(book_dir: Path) -> list[Path]:
    pages = sorted(book_dir.glob("ch[0-9]*.md")) + sorted(book_dir.glob("appendix_*.md"))
    pages.append(book_dir / f"{SITE_APPENDIX}.md")
    return [p for p in pages if p.is_file()]


def _myst_settings(root: Path) -> tuple[set[str], int]:
    """The MyST extensions and heading-anchor depth of the site's ``_config.yml``."""
    import yaml  # noqa: PLC0415

    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8")) or {}
    parse = config.get("parse") or {}
    extensions = set(parse.get("myst_enable_extensions") or [])
    # the depth is read where the build takes it: Sphinx's own config (Jupyter Book ignores parse's)
    sphinx_config = (config.get("sphinx") or {}).get("config") or {}
    return extensions, int(sphinx_config.get("myst_heading_anchors", 0))


def _page_headings(path: Path, md: Any, anchors: int) -> list[SiteHeading]:
    """The top-level headings of one page's Markdown cells, with their slugs, as MyST-NB renders them: each
    Markdown cell is parsed on its own, and slugs are made unique over the whole page in order."""
    import jupytext  # noqa: PLC0415
    from markdown_it.tree import SyntaxTreeNode  # noqa: PLC0415
    from myst_parser.mdit_to_docutils.base import compute_unique_slug  # noqa: PLC0415

    notebook = jupytext.read(path)
    slugs: dict[str, Any] = {}
    headings: list[SiteHeading] = []
    for cell in notebook.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.cell_type != "markdown" or "remove-cell" in tags or "remove_cell" in tags:
            continue
        tree = SyntaxTreeNode(md.parse(cell.source, {}))
        for node in tree.children:
            if node.type != "heading":
                continue
            level = int(node.tag[1])
            text = node.children[0].content if node.children else ""
            if level > anchors:
                continue
            slug = compute_unique_slug(node, slugs, None)
            slugs[slug] = True
            numbers = parse_heading_number(text)
            first, last = numbers if numbers is not None else (None, None)
            headings.append(SiteHeading(path.stem, level, text, slug, first, last, len(headings)))
    return headings


def read_site_headings(book_dir: str | Path) -> list[SiteHeading]:
    """The headings (levels up to ``myst_heading_anchors``) of the site's chapter pages (``ch*.md``),
    appendix pages (``appendix_*.md``) and :data:`SITE_APPENDIX` in ``book_dir``, page by page, each with the
    anchor MyST gives it.

    MyST's own Markdown parser (with the extensions of the repository's ``_config.yml``) and its own slug
    function are used, so a link ``page.md#slug`` made from a heading here is one the site build resolves.
    A page that does not exist yet simply has no headings.
    """
    book_dir = Path(book_dir)
    if not book_dir.is_dir():
        raise ValueError(f"book_dir must be the site's book/ folder, got {book_dir} (not a folder)")
    from markdown_it.renderer import RendererHTML  # noqa: PLC0415
    from myst_parser.config.main import MdParserConfig  # noqa: PLC0415
    from myst_parser.parsers.mdit import create_md_parser  # noqa: PLC0415

    extensions, anchors = _myst_settings(book_dir.parent)
    md = create_md_parser(MdParserConfig(enable_extensions=extensions, heading_anchors=anchors), RendererHTML)
    headings: list[SiteHeading] = []
    for path in _site_pages(book_dir):
        translated = _heading_translations(book_dir.parent, path.stem)
        for h in _page_headings(path, md, anchors):
            found = tuple((lang, texts[h.text]) for lang, texts in translated.items() if h.text in texts)
            headings.append(replace(h, translations=found) if found else h)
    return headings


#: Where the editions' message catalogs are, under the repository root (see ``book/_ext/translations.py``).
CATALOGS = "locales"


def _heading_translations(root: Path, page: str) -> dict[str, dict[str, str]]:
    """The translated messages of a page, by language, from its catalogs ``locales/<lang>/LC_MESSAGES/book/
    <page>.po``: only the finished ones (not fuzzy, not empty); none where the page has no catalog."""
    found: dict[str, dict[str, str]] = {}
    for lang in LANGUAGES[1:]:
        path = root / CATALOGS / lang / "LC_MESSAGES" / "book" / f"{page}.po"
        if not path.is_file():
            continue
        from babel.messages.pofile import read_po  # noqa: PLC0415

        with path.open("rb") as f:
            catalog = read_po(f, locale=lang)
        found[lang] = {m.id: m.string for m in catalog
                       if m.id and isinstance(m.id, str) and isinstance(m.string, str) and m.string and not m.fuzzy}
    return found


def covered_sections(heading: SiteHeading) -> frozenset[str]:
    """The book sections a heading covers: from its first to its last number in the book's order, with
    everything inside the last (``"2.1–2.2"`` covers 2.1, 2.1.1, 2.2, 2.2.1 and 2.2.2). Empty for an unnumbered
    heading, one whose numbers are not the book's, and the headings of :data:`SITE_APPENDIX`, which expand
    sections that chapter 1 teaches (the map links them through :data:`EXTRA_LINKS` instead)."""
    if heading.first is None or heading.last is None or heading.page == SITE_APPENDIX:
        return frozenset()
    if heading.first not in _ORDER or heading.last not in _ORDER:
        return frozenset()
    start, end = _ORDER[heading.first], _subtree_end(heading.last)
    if end < start:
        raise ValueError(f"heading {heading.text!r} on {heading.page}: the range runs backwards")
    return frozenset(s.number for s in BOOK_TOC[start:end + 1])


# --------------------------------------------------------------------------------------------------------
# Where each book section is taught
# --------------------------------------------------------------------------------------------------------

How = Literal["own", "range", "parent", "starts", "missing"]


@dataclass(frozen=True)
class Placement:
    """Where book section ``section`` is taught on the site.

    ``how`` is ``"own"`` (a heading with exactly this number), ``"range"`` (a heading whose range includes
    it, such as ``2.3.2–2.3.3``), ``"parent"`` (no heading of its own: taught under the heading of an enclosing
    section), ``"starts"`` (no heading of its own, but its subsections have: ``heading`` is the first of them)
    or ``"missing"`` (no heading covers it, ``heading`` is None). ``extras`` are the resolved
    :data:`EXTRA_LINKS` of the section: ``(link, heading or None when it does not resolve)``.
    """

    section: BookSection
    how: How
    heading: SiteHeading | None
    extras: tuple[tuple[ExtraLink, SiteHeading | None], ...] = field(default=())


def _resolve_extra(link: ExtraLink, headings: Sequence[SiteHeading]) -> SiteHeading | None:
    on_page = [h for h in headings if h.page == link.page]
    if link.heading is None:
        return next((h for h in on_page if h.level == 1), None)
    return next((h for h in on_page if h.first == link.heading and h.last == link.heading), None)


def place_sections(headings: Sequence[SiteHeading], toc: Sequence[BookSection] = BOOK_TOC,
                   extra_links: Sequence[ExtraLink] = EXTRA_LINKS) -> list[Placement]:
    """For every book section, the most specific site heading that covers it (see :class:`Placement`).

    A heading that covers several sections counts as less specific than one that covers fewer; between equals
    the first on the page wins. A section that only a chapter page's title covers is ``"starts"`` when its
    subsections have headings, and ``"missing"`` otherwise: a page that lacks a section never hides it.
    """
    cover = {id(h): covered_sections(h) for h in headings}
    placements = []
    for section in toc:
        candidates = [h for h in headings if section.number in cover[id(h)]]
        extras = tuple((link, _resolve_extra(link, headings)) for link in extra_links
                       if link.section == section.number)
        if not candidates:
            placements.append(Placement(section, "missing", None, extras))
            continue
        best = min(candidates, key=lambda h: (len(cover[id(h)]), h.page, h.order))
        if best.level == 1 and section.depth > 1:
            inside = [h for h in headings if h.first is not None and h.level > 1
                      and h.first in _subtree(section.number) and h.first != section.number]
            if inside:
                first = min(inside, key=lambda h: _ORDER[h.first or ""])
                placements.append(Placement(section, "starts", first, extras))
            else:
                placements.append(Placement(section, "missing", None, extras))
            continue
        if best.first == section.number and best.last == section.number:
            how: How = "own"
        elif section.number in _subtree(best.first or "") and best.first == best.last:
            how = "parent"
        else:
            how = "range"
        placements.append(Placement(section, how, best, extras))
    return placements


def unknown_numbered_headings(headings: Sequence[SiteHeading]) -> list[SiteHeading]:
    """Numbered headings whose numbers are not sections of the book (a typo such as ``2.3.9``, or a range that
    runs backwards): each would hide a section from the map, or, on :data:`SITE_APPENDIX`, pretend to be a
    section the book does not have."""
    bad = []
    for h in headings:
        if h.first is None:
            continue
        if h.first not in _ORDER or (h.last or "") not in _ORDER or _subtree_end(h.last or "") < _ORDER[h.first]:
            bad.append(h)
    return bad


def beyond_the_book_headings(headings: Sequence[SiteHeading], page: str) -> list[SiteHeading]:
    """The headings of ``page`` that name material beyond the book (they start with "Beyond the book")."""
    return [h for h in headings if h.page == page and h.text.lower().startswith("beyond the book")]


def toc_pages(root: str | Path) -> set[str]:
    """The docnames (``"ch02_count_based"``) of the pages under ``book/`` that the site's ``_toc.yml`` lists."""
    import yaml  # noqa: PLC0415

    toc = yaml.safe_load((Path(root) / "_toc.yml").read_text(encoding="utf-8"))
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, Mapping):
            for key, value in node.items():
                if key in ("file", "root") and isinstance(value, str):
                    found.add(value.removeprefix("book/").removesuffix(".md"))
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc)
    return found


def linked_pages(placements: Sequence[Placement]) -> set[str]:
    """The pages the map links: those of every placed heading and every extra link (resolved or not)."""
    pages = {p.heading.page for p in placements if p.heading is not None}
    pages |= {link.page for p in placements for link, _ in p.extras}
    return pages


# --------------------------------------------------------------------------------------------------------
# Wording (one template set per language)
# --------------------------------------------------------------------------------------------------------

#: The words of the map, by language. A template's named placeholders are filled by the ``*_text`` functions.
TEMPLATES: dict[str, dict[str, str]] = {
    "en": {
        "place.own": "{link}",
        "place.range": "{link}",
        "place.parent": "in {link}",
        "place.starts": "begins at {link}",
        "place.missing": "**not on the site yet**",
        "place.extra": "; also {link}",
        "place.extra_missing": "; also {page} (page not written yet)",
        "beyond": "beyond the book",
        "site_appendix.expands": "expands {sections}",
        "site_appendix.own": "this site's own",
        # the tables' headers (COLUMNS) and captions
        "map.section": "section",
        "map.title": "the book's title",
        "map.site": "on this site",
        "caption.chapter": "The book's chapter {chapter}, section by section, and where this site teaches it.",
        "caption.appendix": "The book's appendix {chapter}, section by section, and where this site teaches it.",
        "site_appendix.site": "on this site",
        "site_appendix.relation": "relation to the book",
        "caption.site_appendix": "The site's page on section 1.5, section by section, and the sections it expands.",
        "results.result": "result",
        "results.section": "book section",
        "results.book": "the book",
        "results.ours": "ours",
        "results.comparison": "comparison",
        "results.shown": "shown on",
        "caption.results": "The results the book reports beside the library's committed runs (read from results/), "
                           "and the time of the book's code beside the library's on the same machine (read from "
                           "benchmarks/results/).",
        "issues.problem": "problem",
        "issues.section": "book section",
        "issues.code": "the book's code",
        "issues.evidence": "evidence (computed on this page)",
        "issues.library": "the library",
        "caption.issues": "Problems of the book's published code, with the files cited at fixed commits of the two "
                          "repositories, the evidence computed on this page (or cited, where it needs a GPU), and "
                          "what the library does instead.",
        # the book's results (BOOK_RESULTS), by experiment
        "what.rnnlm-ptb": "Rnnlm (LSTM language model), PTB test perplexity",
        "what.better-rnnlm-ptb": "BetterRnnlm (two LSTM layers, dropout, tied weights), PTB test perplexity",
        "what.seq2seq-addition": "seq2seq on addition, test accuracy",
        "what.seq2seq-addition-reverse": "seq2seq with reversed input, test accuracy",
        "what.peeky-seq2seq-addition": "peeky seq2seq with reversed input, test accuracy",
        "coverage.all": "All {sections} sections of the book have a place on the site: {places}.",
        "coverage.some": "{placed} of the book's {sections} sections have a place on the site: {places}.",
        "coverage.own": "{n} under a heading of their own",
        "coverage.range": "{n} under a heading shared with their neighbours",
        "coverage.parent": "{n} inside the heading of the section that encloses them",
        "coverage.starts": "{n} where their first subsection begins",
        "coverage.missing": "{n} are not on the site yet: {numbers}.",
        "result.book_perplexity": "about {value:g} ({epochs} epochs)",
        "result.book_accuracy": "about {value:.0%} ({epochs} epochs)",
        "result.ours_perplexity": "{value:.1f} ({epochs} epochs, [{file}]({url}))",
        "result.ours_accuracy": "{value:.1%} ({epochs} epochs, [{file}]({url}))",
        "result.ours_missing": "–",
        "result.book_time": "{time}, the book's code on the same machine",
        "result.chapter": "ch. {chapter}",
        "result.not_found": "–",
        "result.close_relative": "close: within {diff:.1%} of the book's",
        "result.close_points": "close: within {diff:.1f} points of the book's",
        "result.fewer_epochs_relative": "differs: fewer epochs ({done} of {book}); {diff:.0%} {direction}",
        "result.fewer_epochs_points": "differs: fewer epochs ({done} of {book}); {diff:.1f} points {direction}",
        "result.differs_relative": "differs: {diff:.0%} {direction}",
        "result.differs_points": "differs: {diff:.1f} points {direction}",
        "result.missing": "no results file yet",
        "result.shorter": "The committed run of `{experiment}` has trained {done} of the book's {book} epochs so "
                          "far, so its row compares a shorter run with the book's; `scratchnlp run {experiment} "
                          "--resume` continues it.",
        "result.none_shorter": "Every committed run has trained as many epochs as the book's.",
        "direction.higher": "higher",
        "direction.lower": "lower",
        "speed.faster": "ours {ratio:.1f}x faster",
        "speed.slower": "the book's code {ratio:.1f}x faster",
        "speed.same": "about the same (within {tol:.0%})",
        "evidence.sys_path": "imported from a temporary folder, the library's {modules} modules left sys.path "
                             "{state}",
        "evidence.sys_path.unchanged": "as it was",
        "evidence.sys_path.changed": "changed",
        "evidence.gpu_scatter": "`backend.scatter_add` against `np.add.at`, {rows:,} rows added into {targets} "
                                "(every index repeated): largest difference {diff:.1g}",
        "evidence.gpu_mixed": "reported by readers: {links}",
        "evidence.ppmi": "the book's formula on a {size}×{size} matrix with {zero} all-zero rows: {nan:,} of "
                         "{cells:,} cells NaN, and NumPy warns \u201c{warning}\u201d; `text.ppmi` on the same "
                         "matrix: {lib_bad} non-finite cells, NumPy warnings: {lib_warnings}",
        "evidence.gpu_negatives": "with the book's GPU draw on PTB, {share:.2%} of the negatives would be the "
                                  "target itself ({rows:.1%} of the targets get at least one); the library's "
                                  "sampler: {hits} of {draws:,}",
        "evidence.pickle": "`pickle.loads` returned {marker}, made by code the file named; `load_book_params` "
                           "{outcome}",
        "evidence.pickle.refused": "refused it ({error}) and called nothing",
        "evidence.pickle.loaded": "loaded it",
        "evidence.gru": "`GRU(Wx, Wh, b).params` here: shapes {shapes}",
        "evidence.cited": "cited: {links}",
        # the problems and what the library does instead
        "issue.sys_path.title": "Scripts run only from their own folder",
        "issue.sys_path.problem": "Scripts find the shared code by appending the parent folder (in the Korean "
                                  "edition's ch08 also `../ch07`) to `sys.path` and open weights by relative "
                                  "paths such as `../ch06/Rnnlm.pkl`; both READMEs say to run them from the "
                                  "chapter's folder.",
        "issue.sys_path.library": "An installed package: nothing edits `sys.path`, `scratchnlp run` works from "
                                  "any folder, and data and weights come from a cache folder.",
        "issue.gpu_scatter.title": "The GPU scatter-add goes through a function CuPy removed",
        "issue.gpu_scatter.problem": "In GPU mode the Korean edition's `common/np.py` patches CuPy itself "
                                     "(`np.add.at = np.scatter_add`, with CuPy as `np`); the "
                                     "Japanese repository calls `cupy.scatter_add` in `Embedding.backward` "
                                     "instead. CuPy removed `cupy.scatter_add` in version 8, so the GPU mode of "
                                     "either fails there.",
        "issue.gpu_scatter.library": "One `backend.scatter_add` (`cupyx.scatter_add` on the GPU, a sorted, "
                                     "grouped add on the CPU); NumPy and CuPy are never patched.",
        "issue.gpu_mixed.title": "The GPU mode mixes NumPy and CuPy arrays",
        "issue.gpu_mixed.problem": "`config.GPU = True` makes the models CuPy, but scripts such as "
                                   "`ch07/train_seq2seq.py` leave the data in NumPy, and CuPy refuses to "
                                   "combine the two (`ls *= mask` in `TimeSoftmaxWithLoss`).",
        "issue.gpu_mixed.library": "The trainers move every batch to the model's device; every function takes "
                                   "its array module from its inputs; the tests run every trainer on a stand-in "
                                   "for CuPy that refuses NumPy arrays as CuPy does.",
        "issue.ppmi.title": "PPMI divides zero by zero",
        "issue.ppmi.problem": "`ppmi` computes `C[i, j] * N / (S[j] * S[i])` cell by cell; for a word with no "
                              "co-occurrences that is 0/0, which NumPy answers with NaN and a warning; "
                              "`max(0, pmi)` turns the NaN into 0 only because Python's `max` keeps its first "
                              "argument when the other is NaN.",
        "issue.ppmi.library": "`text.ppmi` computes `log2(max(1, x))` for the whole matrix at once: a zero "
                              "count or an all-zero row gives exactly 0, with no warning.",
        "issue.gpu_negatives.title": "On the GPU, a negative sample can be the target",
        "issue.gpu_negatives.problem": "`UnigramSampler` excludes the target on the CPU, but on the GPU draws "
                                       "all negatives at once from the whole distribution, as its comment says, "
                                       "so the positive word is sometimes also scored as a negative.",
        "issue.gpu_negatives.library": "`UnigramSampler` redraws the negatives that hit their target, on "
                                       "both devices, so each follows the distribution without its target.",
        "issue.pickle.title": "Weights are pickles, and loading one runs code",
        "issue.pickle.problem": "`BaseModel.load_params` and `ch04/eval.py` read weights with `pickle.load`, "
                                "which calls whatever the file names: a downloaded `.pkl` can run any code.",
        "issue.pickle.library": "`checkpoint.save_params` writes `.npz` with a JSON header, never a pickle; "
                                "`checkpoint.load_book_params` reads the book's pickles with an unpickler that "
                                "only rebuilds float arrays and refuses every other global.",
        "issue.gru.title": "The Korean edition's GRU has no biases",
        "issue.gru.problem": "`GRU(Wx, Wh)` and `TimeGRU(Wx, Wh)` have no bias, keep their gradients in "
                             "`dWx`/`dWh` instead of `params`/`grads` (so the book's optimizers cannot update them), "
                             "and `TimeGRU.__init__` misspells `self.dWx`. The Japanese repository fixed all "
                             "three in 2020.",
        "issue.gru.library": "`GRU(Wx, Wh, b)` and `TimeGRU(Wx, Wh, b)` follow the layer protocol like the "
                             "LSTM, pass the numerical gradient check, and `b = 0` gives the book's GRU.",
    },
    "ko": {
        "place.own": "{link}",
        "place.range": "{link}",
        "place.parent": "{link} 안에서",
        "place.starts": "{link}에서 시작",
        "place.missing": "**아직 사이트에 없음**",
        "place.extra": "; 그리고 {link}",
        "place.extra_missing": "; 그리고 {page}(아직 쓰지 않은 페이지)",
        "beyond": "책 너머",
        "site_appendix.expands": "{sections} 확장",
        "site_appendix.own": "이 사이트 고유의 내용",
        "map.section": "절",
        "map.title": "책의 제목",
        "map.site": "이 사이트에서",
        "caption.chapter": "책의 {chapter}장: 절마다 이 사이트에서 다루는 곳.",
        "caption.appendix": "책의 부록 {chapter}: 절마다 이 사이트에서 다루는 곳.",
        "site_appendix.site": "이 사이트에서",
        "site_appendix.relation": "책과의 관계",
        "caption.site_appendix": "1.5절을 다루는 이 사이트의 페이지: 절마다 그 절이 확장하는 책의 절.",
        "results.result": "결과",
        "results.section": "책의 절",
        "results.book": "책",
        "results.ours": "라이브러리",
        "results.comparison": "비교",
        "results.shown": "보여 주는 곳",
        "caption.results": "책이 보고한 결과와 라이브러리의 커밋된 실행 결과(results/에서 읽음), 그리고 같은 기기에서 "
                           "잰 책의 코드와 라이브러리의 실행 시간(benchmarks/results/에서 읽음).",
        "issues.problem": "문제",
        "issues.section": "책의 절",
        "issues.code": "책의 코드",
        "issues.evidence": "근거(이 페이지에서 계산)",
        "issues.library": "라이브러리",
        "caption.issues": "책이 공개한 코드의 문제. 두 저장소의 고정된 커밋에서 인용한 파일, 이 페이지에서 계산한 "
                          "근거(GPU가 필요한 경우는 인용), 그리고 라이브러리가 대신 하는 일을 보인다.",
        "what.rnnlm-ptb": "Rnnlm(LSTM 언어 모델), PTB 테스트 퍼플렉서티",
        "what.better-rnnlm-ptb": "BetterRnnlm(LSTM 계층 2개, 드롭아웃, 가중치 공유), PTB 테스트 퍼플렉서티",
        "what.seq2seq-addition": "덧셈 문제의 seq2seq, 테스트 정확도",
        "what.seq2seq-addition-reverse": "입력을 반전한 seq2seq, 테스트 정확도",
        "what.peeky-seq2seq-addition": "입력을 반전한 Peeky seq2seq, 테스트 정확도",
        "coverage.all": "책의 {sections}개 절 모두가 이 사이트에 자리가 있다. {places} 있다.",
        "coverage.some": "책의 {sections}개 절 가운데 {placed}개가 이 사이트에 자리가 있다. {places} 있다.",
        "coverage.own": "{n}개는 자기만의 제목 아래에",
        "coverage.range": "{n}개는 이웃한 절과 함께 쓰는 제목 아래에",
        "coverage.parent": "{n}개는 자신을 감싸는 절의 제목 안에",
        "coverage.starts": "{n}개는 첫 번째 하위 절이 시작하는 곳에",
        "coverage.missing": "{n}개는 아직 사이트에 없다: {numbers}.",
        "result.book_perplexity": "약 {value:g}({epochs}에폭)",
        "result.book_accuracy": "약 {value:.0%}({epochs}에폭)",
        "result.ours_perplexity": "{value:.1f}({epochs}에폭, [{file}]({url}))",
        "result.ours_accuracy": "{value:.1%}({epochs}에폭, [{file}]({url}))",
        "result.ours_missing": "–",
        "result.book_time": "{time}, 같은 기기에서 책의 코드",
        "result.chapter": "{chapter}장",
        "result.not_found": "–",
        "result.close_relative": "가깝다: 책의 값과 {diff:.1%} 이내",
        "result.close_points": "가깝다: 책의 값과 {diff:.1f}%p 이내",
        "result.fewer_epochs_relative": "다르다: 에폭이 더 적음({book}에폭 중 {done}에폭), {diff:.0%} {direction}",
        "result.fewer_epochs_points": "다르다: 에폭이 더 적음({book}에폭 중 {done}에폭), {diff:.1f}%p {direction}",
        "result.differs_relative": "다르다: {diff:.0%} {direction}",
        "result.differs_points": "다르다: {diff:.1f}%p {direction}",
        "result.missing": "아직 결과 파일 없음",
        "result.shorter": "커밋된 `{experiment}` 실행은 지금까지 책의 {book}에폭 가운데 {done}에폭만 학습했으므로, 이 "
                          "행은 책보다 짧은 실행을 책의 결과와 비교한다. `scratchnlp run {experiment} --resume`으로 "
                          "이어서 학습할 수 있다.",
        "result.none_shorter": "커밋된 실행은 모두 책과 같은 수의 에폭을 학습했다.",
        "direction.higher": "높음",
        "direction.lower": "낮음",
        "speed.faster": "라이브러리가 {ratio:.1f}배 빠름",
        "speed.slower": "책의 코드가 {ratio:.1f}배 빠름",
        "speed.same": "거의 같음({tol:.0%} 이내)",
        "evidence.sys_path": "임시 폴더에서 라이브러리의 모듈 {modules}개를 임포트한 뒤 sys.path: {state}",
        "evidence.sys_path.unchanged": "그대로",
        "evidence.sys_path.changed": "바뀜",
        "evidence.gpu_scatter": "`backend.scatter_add`와 `np.add.at`의 비교, 행 {rows:,}개를 {targets}개 행에 더함"
                                "(모든 인덱스가 반복됨): 최대 차이 {diff:.1g}",
        "evidence.gpu_mixed": "독자들의 보고: {links}",
        "evidence.ppmi": "0으로만 된 행이 {zero}개인 {size}×{size} 행렬에 책의 식을 적용: 원소 {cells:,}개 중 "
                         "{nan:,}개가 NaN이고, NumPy가 \u201c{warning}\u201d 경고를 낸다. 같은 행렬에 `text.ppmi`를 "
                         "적용: 유한하지 않은 원소 {lib_bad}개, NumPy 경고 {lib_warnings}개",
        "evidence.gpu_negatives": "PTB에서 책의 GPU 방식으로 뽑으면 타깃 자신인 부정적 예의 비율이 {share:.2%}이다"
                                  "(그런 부정적 예를 하나 이상 받는 타깃의 비율 {rows:.1%}). 라이브러리의 샘플러: "
                                  "{draws:,}개 중 {hits}개",
        "evidence.pickle": "`pickle.loads`가 돌려준 값은 {marker}이며, 파일이 지정한 코드가 만든 것이다. "
                           "`load_book_params`: {outcome}",
        "evidence.pickle.refused": "파일을 거부했고({error}) 아무것도 호출하지 않았다",
        "evidence.pickle.loaded": "파일을 읽어 들였다",
        "evidence.gru": "여기서 `GRU(Wx, Wh, b).params`의 형상: {shapes}",
        "evidence.cited": "인용: {links}",
        "issue.sys_path.title": "자기 폴더에서만 실행되는 스크립트",
        "issue.sys_path.problem": "스크립트는 부모 폴더(한국어판 ch08에서는 `../ch07`도)를 `sys.path`에 추가해서 공용 "
                                  "코드를 찾고, `../ch06/Rnnlm.pkl` 같은 상대 경로로 가중치를 연다. 두 README 모두 "
                                  "각 장의 폴더에서 실행하라고 안내한다.",
        "issue.sys_path.library": "설치하는 패키지다. `sys.path`를 고치는 코드가 없고, `scratchnlp run`은 어느 "
                                  "폴더에서든 동작하며, 데이터와 가중치는 캐시 폴더에서 읽는다.",
        "issue.gpu_scatter.title": "GPU의 scatter-add가 CuPy에서 제거된 함수를 거친다",
        "issue.gpu_scatter.problem": "GPU 모드에서 한국어판의 `common/np.py`는 CuPy 자체를 고친다(CuPy를 `np`로 "
                                     "불러 `np.add.at = np.scatter_add`). 일본어 저장소는 그 대신 "
                                     "`Embedding.backward`에서 `cupy.scatter_add`를 호출한다. CuPy 8에서 "
                                     "`cupy.scatter_add`가 제거되었으므로 어느 쪽의 GPU 모드든 그 줄에서 실패한다.",
        "issue.gpu_scatter.library": "`backend.scatter_add` 하나(GPU에서는 `cupyx.scatter_add`, CPU에서는 정렬 후 "
                                     "묶어서 더하기)를 쓰고, NumPy와 CuPy는 전혀 고치지 않는다.",
        "issue.gpu_mixed.title": "GPU 모드에서 NumPy 배열과 CuPy 배열이 섞인다",
        "issue.gpu_mixed.problem": "`config.GPU = True`로 모델은 CuPy가 되지만, `ch07/train_seq2seq.py` 같은 "
                                   "스크립트는 데이터를 NumPy로 남겨 두고, CuPy는 둘을 함께 계산하기를 거부한다"
                                   "(`TimeSoftmaxWithLoss`의 `ls *= mask`).",
        "issue.gpu_mixed.library": "트레이너가 모든 배치를 모델의 장치로 옮기고, 모든 함수는 입력에서 배열 모듈을 "
                                   "얻는다. 테스트는 모든 트레이너를 CuPy처럼 NumPy 배열을 거부하는 CuPy 대역에서 "
                                   "실행한다.",
        "issue.ppmi.title": "PPMI가 0을 0으로 나눈다",
        "issue.ppmi.problem": "`ppmi`는 원소마다 `C[i, j] * N / (S[j] * S[i])`를 계산한다. 동시발생이 하나도 없는 "
                              "단어에서는 0/0이 되고, NumPy는 NaN과 경고로 답한다. `max(0, pmi)`가 NaN을 0으로 "
                              "바꾸는 것은 다른 인수가 NaN이면 파이썬의 `max`가 첫 번째 인수를 남기기 때문일 뿐이다.",
        "issue.ppmi.library": "`text.ppmi`는 행렬 전체에 한 번에 `log2(max(1, x))`를 계산한다. 개수가 0이거나 "
                              "행이 모두 0이면 경고 없이 정확히 0이 된다.",
        "issue.gpu_negatives.title": "GPU에서는 부정적 예가 타깃일 수 있다",
        "issue.gpu_negatives.problem": "`UnigramSampler`는 CPU에서는 타깃을 제외하지만, GPU에서는 주석에 적힌 대로 "
                                       "전체 분포에서 모든 부정적 예를 한 번에 뽑는다. 그래서 긍정적 예인 단어가 "
                                       "부정적 예로도 점수를 받는 일이 생긴다.",
        "issue.gpu_negatives.library": "`UnigramSampler`는 두 장치 모두에서 타깃과 겹친 부정적 예를 다시 뽑는다. "
                                       "그래서 각 부정적 예는 타깃을 뺀 분포를 따른다.",
        "issue.pickle.title": "가중치가 pickle이고, 읽으면 코드가 실행된다",
        "issue.pickle.problem": "`BaseModel.load_params`와 `ch04/eval.py`는 `pickle.load`로 가중치를 읽는데, 이 "
                                "함수는 파일이 지정한 것은 무엇이든 호출한다. 내려받은 `.pkl`은 어떤 코드든 실행할 "
                                "수 있다.",
        "issue.pickle.library": "`checkpoint.save_params`는 JSON 헤더가 붙은 `.npz`를 쓰고 pickle은 쓰지 않는다. "
                                "`checkpoint.load_book_params`는 실수 배열만 다시 만들고 그 밖의 전역 이름은 모두 "
                                "거부하는 언피클러로 책의 pickle을 읽는다.",
        "issue.gru.title": "한국어판의 GRU에는 편향이 없다",
        "issue.gru.problem": "`GRU(Wx, Wh)`와 `TimeGRU(Wx, Wh)`에는 편향이 없고, 기울기를 `params`/`grads` 대신 "
                             "`dWx`/`dWh`에 두며(그래서 책의 옵티마이저가 갱신하지 못한다), `TimeGRU.__init__`은 "
                             "`self.dWx`의 철자를 틀린다. 일본어 저장소는 2020년에 세 가지를 모두 고쳤다.",
        "issue.gru.library": "`GRU(Wx, Wh, b)`와 `TimeGRU(Wx, Wh, b)`는 LSTM처럼 계층 규약을 따르고, 수치 미분을 "
                             "이용한 기울기 확인을 통과하며, `b = 0`이면 책의 GRU와 같다.",
    },
}


def _say(key: str, lang: str | None = None, **values: Any) -> str:
    return say(TEMPLATES, key, lang, **values)


#: The columns of the page's tables, whose headers come from :data:`TEMPLATES` (``"<table>.<column>"`` keys).
COLUMNS: dict[str, tuple[str, ...]] = {
    "map": ("section", "title", "site"),
    "site_appendix": ("site", "relation"),
    "results": ("result", "section", "book", "ours", "comparison", "shown"),
    "issues": ("problem", "section", "code", "evidence", "library"),
}


def words(key: str, lang: str | None = None, **values: Any) -> str:
    """The map's wording ``key`` from :data:`TEMPLATES` with ``values`` filled in; ``lang=None``: the page's
    language (``SCRATCHNLP_LANG``, see :func:`scratchnlp._site.wording.page_language`)."""
    return _say(key, lang, **values)


def header(table: str, lang: str | None = None) -> list[str]:
    """The column headers of one of the page's tables (a key of :data:`COLUMNS`) in ``lang``."""
    return table_header(TEMPLATES, COLUMNS, table, lang)


def chapter_caption(chapter: str, lang: str | None = None) -> str:
    """The caption of one chapter's (or appendix's) table of the map: "The book's chapter 2, section by
    section, and where this site teaches it." """
    if chapter not in _BY_NUMBER or book_section(chapter).depth != 1:
        raise ValueError(f"chapter must be one of {[c.number for c in chapters()]}, got {chapter!r}")
    return _say("caption.appendix" if chapter.isalpha() else "caption.chapter", lang, chapter=chapter)


def heading_link(heading: SiteHeading, lang: str | None = None) -> str:
    """A MyST link to a site heading, ``[text](page.md#slug)`` (a page's title links the page itself), with the
    heading's text in ``lang`` where its page is translated (:meth:`SiteHeading.text_in`)."""
    text = heading.text_in(lang).replace("[", "\\[").replace("]", "\\]")
    target = f"{heading.page}.md" if heading.level == 1 else f"{heading.page}.md#{heading.slug}"
    return f"[{text}]({target})"


def placement_text(placement: Placement, lang: str | None = None) -> str:
    """The "on this site" cell of a book section: its link(s), or a note that it is missing."""
    if placement.heading is None:
        words = _say("place.missing", lang)
    else:
        words = _say(f"place.{placement.how}", lang, link=heading_link(placement.heading, lang))
    for link, heading in placement.extras:
        if heading is None:
            words += _say("place.extra_missing", lang, page=f"`{link.page}.md`")
        else:
            words += _say("place.extra", lang, link=heading_link(heading, lang))
    return words


def _page_of_chapter(headings: Sequence[SiteHeading], chapter: str) -> str | None:
    for h in headings:
        if h.level == 1 and h.first == chapter and h.page != SITE_APPENDIX:
            return h.page
    return None


def chapter_rows(placements: Sequence[Placement], headings: Sequence[SiteHeading], chapter: str,
                 lang: str | None = None) -> list[list[str]]:
    """The rows of one chapter's table: ``[number, the book's title, on this site]`` for every section of
    the chapter, then one row per "Beyond the book" heading of the chapter's page."""
    if chapter not in _BY_NUMBER or book_section(chapter).depth != 1:
        raise ValueError(f"chapter must be one of {[c.number for c in chapters()]}, got {chapter!r}")
    rows = [[p.section.number, section_title(p.section, lang), placement_text(p, lang)]
            for p in placements if p.section.chapter == chapter]
    page = _page_of_chapter(headings, chapter)
    if page is not None:
        rows += [["–", _say("beyond", lang), heading_link(h, lang)] for h in beyond_the_book_headings(headings, page)]
    return rows


def site_appendix_rows(placements: Sequence[Placement], headings: Sequence[SiteHeading],
                       lang: str | None = None) -> list[list[str]]:
    """The rows of this site's expansion of section 1.5: each section (``##`` heading) of :data:`SITE_APPENDIX`
    that carries a book number or goes beyond the book, with the book sections whose extra links lead to it
    (``[heading link, what it expands]``)."""
    rows = []
    beyond = set(beyond_the_book_headings(headings, SITE_APPENDIX))
    for h in headings:
        if h.page != SITE_APPENDIX or h.level != 2 or (h.first is None and h not in beyond):
            continue
        expands = [p.section.number for p in placements for link, target in p.extras if target == h]
        words = (_say("site_appendix.expands", lang, sections=", ".join(expands)) if expands
                 else _say("site_appendix.own", lang))
        rows.append([heading_link(h, lang), words])
    return rows


@dataclass(frozen=True)
class Coverage:
    """How the book's sections are placed on the site: ``sections`` in all, ``counts`` by
    :attr:`Placement.how`, and the numbers of the ``missing`` ones in the book's order."""

    sections: int
    counts: dict[str, int]
    missing: tuple[str, ...]


def coverage(placements: Sequence[Placement]) -> Coverage:
    """Count the placements of :func:`place_sections` by kind."""
    counts = {how: 0 for how in ("own", "range", "parent", "starts", "missing")}
    for p in placements:
        counts[p.how] += 1
    missing = tuple(p.section.number for p in placements if p.how == "missing")
    return Coverage(len(placements), counts, missing)


def coverage_text(c: Coverage, lang: str | None = None) -> str:
    """The sentence that sums up a :class:`Coverage`."""
    placed = c.sections - len(c.missing)
    # each kind of place that holds a section, in this order; a kind that holds none is not mentioned
    places = [_say(f"coverage.{how}", lang, n=c.counts.get(how, 0)) for how in ("own", "range", "parent", "starts")
              if c.counts.get(how, 0)]
    if not places:
        raise ValueError("the coverage places no section of the book")
    # Korean lists the places as clauses that share the sentence's verb ("A에, B에 있다"), without a conjunction
    listed = ", ".join(places) if (lang or page_language()) == "ko" else and_join(places, lang="en", serial=True)
    head = _say("coverage.all" if not c.missing else "coverage.some", lang, placed=placed, sections=c.sections,
                places=listed)
    if not c.missing:
        return head
    return head + " " + _say("coverage.missing", lang, n=len(c.missing), numbers=", ".join(c.missing))


# --------------------------------------------------------------------------------------------------------
# The book's results beside ours
# --------------------------------------------------------------------------------------------------------

Metric = Literal["test_perplexity", "test_accuracy"]


@dataclass(frozen=True)
class BookResult:
    """A number the book reports: ``metric`` of the run ``experiment`` (its committed results file is
    ``results/<experiment>.json``) after ``book_epochs`` epochs, in book section ``section``; the site shows
    it on ``page`` under the heading numbered ``heading``. ``what`` describes the run in English."""

    experiment: str
    section: str
    what: str
    metric: Metric
    book_value: float
    book_epochs: int
    page: str
    heading: str


#: The book's reported results that a committed run of the library repeats (perplexities are "about" the
#: book's figures; accuracies are fractions).
BOOK_RESULTS: tuple[BookResult, ...] = (
    BookResult("rnnlm-ptb", "6.4", "Rnnlm (LSTM language model), PTB test perplexity", "test_perplexity",
               136.0, 4, "ch06_gated_rnn", "6.4"),
    BookResult("better-rnnlm-ptb", "6.5.4", "BetterRnnlm (two LSTM layers, dropout, tied weights), PTB test "
               "perplexity", "test_perplexity", 75.8, 40, "ch06_gated_rnn", "6.5.4"),
    BookResult("seq2seq-addition", "7.3.4", "seq2seq on addition, test accuracy", "test_accuracy", 0.10, 25,
               "ch07_seq2seq", "7.3.4"),
    BookResult("seq2seq-addition-reverse", "7.4.1", "seq2seq with reversed input, test accuracy",
               "test_accuracy", 0.54, 25, "ch07_seq2seq", "7.4.1"),
    BookResult("peeky-seq2seq-addition", "7.4.2", "peeky seq2seq with reversed input, test accuracy",
               "test_accuracy", 0.98, 25, "ch07_seq2seq", "7.4.2"),
)

def book_result(experiment: str) -> BookResult:
    """The book's reported result for the run ``experiment`` (one of :data:`BOOK_RESULTS`), so that a page
    quotes the book's figure from this one table instead of typing it again."""
    for result in BOOK_RESULTS:
        if result.experiment == experiment:
            return result
    known = ", ".join(r.experiment for r in BOOK_RESULTS)
    raise KeyError(f"the book reports no result for the run {experiment!r}; it reports results for: {known}")


Verdict = Literal["close", "fewer_epochs", "differs", "missing"]


@dataclass(frozen=True)
class ResultComparison:
    """How a committed run compares with the book's figure.

    ``difference`` is relative (``ours / book - 1``) for perplexities and in points of percentage
    (``100 * (ours - book)``) for accuracies; ``verdict`` is ``"close"`` (within ``tolerance``),
    ``"fewer_epochs"`` (not close, and the run trained fewer epochs than the book), ``"differs"`` or
    ``"missing"`` (no results file).
    """

    result: BookResult
    verdict: Verdict
    ours: float | None
    ours_epochs: int | None
    difference: float | None
    tolerance: float


def _epochs_done(run: Mapping[str, Any]) -> int:
    history = run.get("history") or {}
    for key in ("epoch_loss", "valid_perplexity", "test_accuracy"):
        values = history.get(key)
        if isinstance(values, list) and values:
            return len(values)
    epochs = (run.get("config") or {}).get("epochs")
    if isinstance(epochs, int) and not isinstance(epochs, bool):
        return epochs
    raise ValueError(f"results of {run.get('experiment')!r} say neither how many epochs ran nor were asked for")


def compare_result(result: BookResult, run: Mapping[str, Any] | None, *, rel_tol: float = 0.05,
                   points_tol: float = 5.0) -> ResultComparison:
    """Compare the committed run ``run`` (a results dict from ``experiments.load_results``, or None when
    there is no file) with the book's figure ``result``.

    Perplexities are close within ``rel_tol`` (relative), accuracies within ``points_tol`` points.
    """
    if not isinstance(result, BookResult):
        raise TypeError(f"result must be a BookResult, got {type(result).__name__}")
    relative = result.metric == "test_perplexity"
    tolerance = rel_tol if relative else points_tol
    if not tolerance > 0:
        raise ValueError(f"tolerances must be positive, got rel_tol={rel_tol!r}, points_tol={points_tol!r}")
    if run is None:
        return ResultComparison(result, "missing", None, None, None, tolerance)
    if run.get("experiment") not in (None, result.experiment):
        raise ValueError(f"the results are of {run.get('experiment')!r}, expected {result.experiment!r}")
    value = (run.get("evaluation") or {}).get(result.metric)
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
        raise ValueError(f"results of {result.experiment!r} have no finite evaluation.{result.metric}, got {value!r}")
    ours = float(value)
    epochs = _epochs_done(run)
    difference = ours / result.book_value - 1 if relative else 100 * (ours - result.book_value)
    if abs(difference) <= tolerance:
        verdict: Verdict = "close"
    elif epochs < result.book_epochs:
        verdict = "fewer_epochs"
    else:
        verdict = "differs"
    return ResultComparison(result, verdict, ours, epochs, difference, tolerance)


def comparison_text(c: ResultComparison, lang: str | None = None) -> str:
    """The words of a :class:`ResultComparison`: "close: within 1.1% of the book's", "differs: fewer epochs
    (5 of 40); 36% higher", ..."""
    if c.verdict == "missing" or c.difference is None:
        return _say("result.missing", lang)
    kind = "relative" if c.result.metric == "test_perplexity" else "points"
    direction = _say("direction.higher" if c.difference > 0 else "direction.lower", lang)
    return _say(f"result.{c.verdict}_{kind}", lang, diff=abs(c.difference), direction=direction,
                done=c.ours_epochs, book=c.result.book_epochs)


def shorter_runs_text(comparisons: Sequence[ResultComparison], lang: str | None = None) -> str:
    """A sentence naming the committed runs that trained fewer epochs than the book's (each with its epochs
    done), or saying that none did."""
    shorter = [c for c in comparisons if c.ours_epochs is not None and c.ours_epochs < c.result.book_epochs]
    if not shorter:
        return _say("result.none_shorter", lang)
    return " ".join(_say("result.shorter", lang, experiment=c.result.experiment, done=c.ours_epochs,
                         book=c.result.book_epochs) for c in shorter)


@dataclass(frozen=True)
class SpeedComparison:
    """The book's code against the library on the same machine: ``ratio`` is the book's time over ours;
    ``verdict`` is ``"faster"`` (ours), ``"slower"`` or ``"same"`` (within ``tolerance``)."""

    what: str
    book_s: float
    ours_s: float
    ratio: float
    verdict: Literal["faster", "slower", "same"]
    tolerance: float


def compare_speed(what: str, book_s: float, ours_s: float, *, tolerance: float = 0.1) -> SpeedComparison:
    """Compare the book's code's time ``book_s`` with the library's ``ours_s`` (seconds, same machine)."""
    for name, value in (("book_s", book_s), ("ours_s", ours_s)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
            raise ValueError(f"{name} must be a positive number of seconds, got {value!r}")
    ratio = float(book_s) / float(ours_s)
    if abs(ratio - 1) <= tolerance:
        verdict: Literal["faster", "slower", "same"] = "same"
    else:
        verdict = "faster" if ratio > 1 else "slower"
    return SpeedComparison(what, float(book_s), float(ours_s), ratio, verdict, tolerance)


def speed_text(c: SpeedComparison, lang: str | None = None) -> str:
    """The words of a :class:`SpeedComparison`: "ours 13.8x faster", "the book's code 1.2x faster", ..."""
    if c.verdict == "same":
        return _say("speed.same", lang, tol=c.tolerance)
    ratio = c.ratio if c.verdict == "faster" else 1 / c.ratio
    return _say(f"speed.{c.verdict}", lang, ratio=ratio)


#: Where the site shows the benchmark ratios: :data:`SITE_APPENDIX` (its section "Beyond the book: what
#: vectorising bought").
BENCHMARKS_SHOWN_AT = ExtraLink("", SITE_APPENDIX)


def speed_comparisons(ratio_rows: Sequence[Mapping[str, Any]], *,
                      tolerance: float = 0.1) -> list[tuple[str | None, SpeedComparison]]:
    """The benchmark comparisons whose reference is the book's own code
    (:data:`scratchnlp.benchmarking.BOOK_REFERENCE_KEYS`), from the rows of ``speedup.benchmark_ratios`` (worded in
    the language they are to be shown in): ``(chapter or None, SpeedComparison)`` each, in the rows' order."""
    from ..benchmarking import BOOK_REFERENCE_KEYS  # noqa: PLC0415

    out = []
    for row in ratio_rows:
        if row["reference_key"] not in BOOK_REFERENCE_KEYS:
            continue
        chapter = None if row["chapter"] is None else str(row["chapter"])
        out.append((chapter, compare_speed(str(row["subject"]), row["reference_s"], row["ours_s"],
                                           tolerance=tolerance)))
    return out


def _heading_by_number(headings: Sequence[SiteHeading], page: str, number: str) -> SiteHeading | None:
    return _resolve_extra(ExtraLink("", page, number), headings)


def results_rows(comparisons: Sequence[ResultComparison],
                 speeds: Sequence[tuple[str | None, SpeedComparison]],
                 headings: Sequence[SiteHeading], *, source_url: str, lang: str | None = None) -> list[list[str]]:
    """The rows of the results table: ``[what, book section, the book, ours, comparison, shown on]``, first
    the book's reported results, then the speed of the book's code against the library's.

    ``source_url`` is the base of links to files of the repository (the committed results files).
    """
    from .speedup import seconds_text  # noqa: PLC0415

    rows = []
    for c in comparisons:
        r = c.result
        kind = "perplexity" if r.metric == "test_perplexity" else "accuracy"
        book = _say(f"result.book_{kind}", lang, value=r.book_value, epochs=r.book_epochs)
        if c.ours is None:
            ours = _say("result.ours_missing", lang)
        else:
            file = f"results/{r.experiment}.json"
            ours = _say(f"result.ours_{kind}", lang, value=c.ours, epochs=c.ours_epochs, file=file,
                        url=f"{source_url}/{file}")
        shown = _heading_by_number(headings, r.page, r.heading)
        what = _say(f"what.{r.experiment}", lang) if f"what.{r.experiment}" in TEMPLATES["en"] else r.what
        rows.append([what, r.section, book, ours, comparison_text(c, lang),
                     heading_link(shown, lang) if shown is not None else _say("result.not_found", lang)])
    shown = _resolve_extra(BENCHMARKS_SHOWN_AT, headings)
    for chapter, sc in speeds:
        where = heading_link(shown, lang) if shown is not None else _say("result.not_found", lang)
        rows.append([sc.what, _say("result.chapter", lang, chapter=chapter) if chapter else "–",
                     _say("result.book_time", lang, time=seconds_text(sc.book_s)), seconds_text(sc.ours_s),
                     speed_text(sc, lang), where])
    return rows


# --------------------------------------------------------------------------------------------------------
# Where the book's published code is wrong or fragile
# --------------------------------------------------------------------------------------------------------

#: The two repositories of the book's code, at the commits read for this map.
BOOK_REPOSITORIES: dict[str, tuple[str, str]] = {
    "ko": ("WegraLee/deep-learning-from-scratch-2", "7c414a9a72b0d8f5faff332d0c3da6c1dd1cf18b"),
    "ja": ("oreilly-japan/deep-learning-from-scratch-2", "842ae31c2bb070f5116275606ed90396626a2c17"),
}

_EDITION_NAMES = {"en": {"ko": "Korean edition", "ja": "Japanese original"},
                  "ko": {"ko": "한국어판", "ja": "일본어 원서"}}


@dataclass(frozen=True)
class BookFile:
    """A file of the book's code: ``edition`` ``"ko"`` (WegraLee) or ``"ja"`` (oreilly-japan), its path, and
    the lines concerned (``(first, last)``, or None for the whole file)."""

    edition: Literal["ko", "ja"]
    path: str
    lines: tuple[int, int] | None = None

    @property
    def url(self) -> str:
        repo, commit = BOOK_REPOSITORIES[self.edition]
        anchor = ""
        if self.lines is not None:
            first, last = self.lines
            anchor = f"#L{first}" if first == last else f"#L{first}-L{last}"
        return f"https://github.com/{repo}/blob/{commit}/{self.path}{anchor}"


@dataclass(frozen=True)
class CodeIssue:
    """A problem of the book's published code: ``key`` names its wording in :data:`TEMPLATES`
    (``issue.<key>.title``, ``.problem`` and ``.library``), ``sections`` the book sections concerned, ``files``
    where the code is, and ``references`` other public records of it (``(label, url)``: issues, commits,
    release notes)."""

    key: str
    sections: tuple[str, ...]
    files: tuple[BookFile, ...]
    references: tuple[tuple[str, str], ...] = ()


#: Public records cited by the issues.
REFERENCE_LINKS: dict[str, tuple[str, str]] = {
    "ja_issue_7": ("oreilly-japan issue #7", "https://github.com/oreilly-japan/deep-learning-from-scratch-2/issues/7"),
    "cupy_3074": ("CuPy pull request #3074 (CuPy 8)", "https://github.com/cupy/cupy/pull/3074"),
    "ja_gru_bias": ("oreilly-japan commit e1fb440 (2020)", "https://github.com/oreilly-japan/deep-learning-from-"
                    "scratch-2/commit/e1fb440c72fcbaf744357e9fd2da75ebc9c9abb1"),
    "ja_timegru_init": ("oreilly-japan commit eee555a (2020)", "https://github.com/oreilly-japan/deep-learning-"
                        "from-scratch-2/commit/eee555aaf9a92ccf33535a436ad7d3cab6e44260"),
}

#: The problems of the book's code that the library does differently, in the order of the book.
CODE_ISSUES: tuple[CodeIssue, ...] = (
    CodeIssue("sys_path", ("1", "8"), (
        BookFile("ko", "README.md", (40, 40)),
        BookFile("ko", "ch08/train.py", (3, 4)),
        BookFile("ko", "ch07/generate_text.py", (13, 13)),
    )),
    CodeIssue("gpu_scatter", ("1.5.2", "4.1.2"), (
        BookFile("ko", "common/np.py", (8, 8)),
        BookFile("ja", "common/layers.py", (166, 169)),
    ), (REFERENCE_LINKS["cupy_3074"],)),
    CodeIssue("gpu_mixed", ("1.5.2", "7.3"), (
        BookFile("ko", "ch07/train_seq2seq.py", (15, 15)),
        BookFile("ko", "common/time_layers.py", (308, 317)),
    ), (REFERENCE_LINKS["ja_issue_7"],)),
    CodeIssue("ppmi", ("2.4.1",), (
        BookFile("ko", "common/util.py", (141, 142)),
        BookFile("ja", "common/util.py", (139, 140)),
    )),
    CodeIssue("gpu_negatives", ("4.2.6",), (
        BookFile("ko", "ch04/negative_sampling_layer.py", (66, 69)),
        BookFile("ja", "ch04/negative_sampling_layer.py", (66, 69)),
    )),
    CodeIssue("pickle", ("4.3.2", "6.4"), (
        BookFile("ko", "common/base_model.py", (41, 42)),
        BookFile("ko", "ch04/eval.py", (11, 12)),
    )),
    CodeIssue("gru", ("C",), (
        BookFile("ko", "common/time_layers.py", (432, 443)),
        BookFile("ko", "common/time_layers.py", (501, 501)),
    ), (REFERENCE_LINKS["ja_gru_bias"], REFERENCE_LINKS["ja_timegru_init"])),
)


def harmless_pickle(marker: str) -> bytes:
    """A pickle that *calls a function* when loaded, harmlessly: ``str.upper(marker)``, wrapped in a list.

    ``pickle.loads`` of it returns ``[marker.upper()]``: the upper-cased text can only come from calling the
    function the file names, which is how a malicious pickle runs code (``os.system`` in place of
    ``str.upper``). It is written opcode by opcode (protocol 4), so no class with a ``__reduce__`` is needed.
    """
    if not isinstance(marker, str):
        raise TypeError(f"marker must be a str, got {type(marker).__name__}")
    text = marker.encode("utf-8")
    if not text or len(text) > 255 or not any(ch.islower() for ch in marker):
        raise ValueError(f"marker must be 1-255 bytes with a lower-case letter (to show the call), got {marker!r}")

    def short_unicode(b: bytes) -> bytes:
        return pickle.SHORT_BINUNICODE + bytes([len(b)]) + b

    return b"".join([
        pickle.PROTO, bytes([4]),
        pickle.EMPTY_LIST, pickle.MARK,
        short_unicode(b"builtins"), short_unicode(b"str.upper"), pickle.STACK_GLOBAL,  # the function ...
        short_unicode(text), pickle.TUPLE1, pickle.REDUCE,  # ... called on the marker
        pickle.APPENDS, pickle.STOP,
    ])


def book_file_links(issue: CodeIssue, lang: str | None = None) -> str:
    """The files of an issue as Markdown links, ``[`common/util.py` 141–142 (Korean edition)](url)``, and its
    other references, separated by semicolons."""
    names = _EDITION_NAMES.get(page_language() if lang is None else lang, _EDITION_NAMES["en"])
    parts = []
    for f in issue.files:
        where = ""
        if f.lines is not None:
            where = f" {f.lines[0]}" if f.lines[0] == f.lines[1] else f" {f.lines[0]}–{f.lines[1]}"
        parts.append(f"[`{f.path}`{where} ({names[f.edition]})]({f.url})")
    parts += [f"[{label}]({url})" for label, url in issue.references]
    return "; ".join(parts)


def issue_text(issue: CodeIssue, part: Literal["title", "problem", "library"], lang: str | None = None) -> str:
    """The title of an issue, what goes wrong, or what the library does instead, in ``lang``."""
    if part not in ("title", "problem", "library"):
        raise ValueError(f"part must be 'title', 'problem' or 'library', got {part!r}")
    return _say(f"issue.{issue.key}.{part}", lang)


def evidence_text(key: str, evidence: Mapping[str, Any] | None, lang: str | None = None) -> str:
    """The evidence cell of issue ``key`` from the numbers the page computed (``evidence``), or the issue's
    citations when nothing could be computed (``None``).

    Each issue's evidence names its own values: ``sys_path`` (``modules``, ``unchanged``), ``gpu_scatter``
    (``rows``, ``targets``, ``diff``), ``ppmi`` (``size``, ``zero``, ``nan``, ``cells``, ``warning``,
    ``lib_bad``, ``lib_warnings``), ``gpu_negatives`` (``share``, ``rows``, ``hits``, ``draws``),
    ``pickle`` (``marker``, ``refused``, ``error``), ``gru`` (``shapes``).
    """
    issue = next((i for i in CODE_ISSUES if i.key == key), None)
    if issue is None:
        raise ValueError(f"no issue {key!r}; known: {[i.key for i in CODE_ISSUES]}")
    if evidence is None:
        links = "; ".join(f"[{label}]({url})" for label, url in issue.references) or book_file_links(issue, lang)
        return _say("evidence.gpu_mixed" if key == "gpu_mixed" else "evidence.cited", lang, links=links)
    values = dict(evidence)
    try:
        if key == "sys_path":
            state = _say("evidence.sys_path.unchanged" if values.pop("unchanged") else "evidence.sys_path.changed",
                         lang)
            return _say("evidence.sys_path", lang, state=state, **values)
        if key == "pickle":
            outcome = (_say("evidence.pickle.refused", lang, error=values["error"]) if values["refused"]
                       else _say("evidence.pickle.loaded", lang))
            return _say("evidence.pickle", lang, marker=f"`{values['marker']!r}`", outcome=outcome)
        if key == "gru":
            shapes = ", ".join(str(tuple(s)) for s in values["shapes"])
            return _say("evidence.gru", lang, shapes=shapes)
        return _say(f"evidence.{key}", lang, **values)
    except KeyError as exc:
        raise ValueError(f"the evidence of {key!r} needs the value {exc.args[0]!r}; got {sorted(evidence)}") from None
