"""Open (free-text) answers: segmentation, keywords, groups, a lexicon sentiment, word clouds.

Pure functions on strings and frozen dataclasses; no Django. Seed 004 asks for open answers to be
"按主题归类,提取高频关键词" and shown as a 词云图; seed 002 separates 有效反馈 (concrete: 款式漂亮,
包装破损, 快递慢) from 无效反馈 (客套语和概括语: 挺好, 不错, 赞). The rules below serve both.

Segmentation
------------
- One ``jieba.Tokenizer`` of our own (never jieba's global one), built lazily on first use,
  once per process, under a lock (thread-safe). It loads jieba's default dictionary plus the
  domain dictionary ``text_data/user_dict.txt`` (jieba's "word freq pos" lines; ``#`` comments
  are read by our loader only): after-sales, delivery, product, price, returns and property
  terms gathered from the seeds (售后服务, 交货期, 响应速度, 包装破损, 退换货, 物业费 …), so they
  stay whole. Multi-character generic words missing from jieba's dictionary (挺好) are added too.
- jieba caches its prefix dictionary in a file; ours goes to ``$MANYI_JIEBA_CACHE_DIR`` or the
  system temp dir (never the home directory, which may be read-only), one file per user.
- Default (accurate) mode with HMM on, so unknown words (brand or staff names) come out whole.
- Before cutting, text is NFKC-normalised (full-width Ａ１，→ A1,) and lower-cased (English words
  are counted in lower case).

Keywords of one answer (:func:`answer_terms`)
---------------------------------------------
- Dropped: punctuation and whitespace, numbers, stop words (``text_data/stopwords.txt``:
  Chinese function words and frame words such as 希望/建议/意见, plus English ones), single
  characters unless the domain dictionary lists them (贵, 慢, 差 …; not single latin letters).
- Generic words (``text_data/generic.txt``: 挺好, 不错, 很好, 满意, 赞, 好评, 没有, 无 …) go to
  a separate list. Seed 002 calls such 客套语和概括语 无效反馈, not actionable; counted with the
  keywords, "满意" would top every list and word cloud and hide the concrete 包装破损.
- A degree prefix inside a token is dropped when the rest is a domain or sentiment word
  or a generic word
  (太慢 → 慢, 很差 → 差, 更好 → 好), so the same complaint is counted under one word.
- Negation: a negator (不, 不太, 不够, 不是, 没, 没有, 没什么, 未, 无, 毫无) followed — possibly
  across degree words (很, 太, 那么 …) — by a sentiment-lexicon word or a generic word is joined
  to it: 不/及时 → 不及时, 没有/耐心 → 没耐心, 不是/很/满意 → 不满意, 没/问题 → 没问题. A negator
  before anything else stays apart (没有质量问题 → 没有 + 质量问题: joining nouns would misread it).
  A lone 没有 / 没 / 无 is generic (an empty answer).

Counting (:func:`keyword_frequencies`)
--------------------------------------
- Answers are the texts that are not None and not blank; shares are over them.
- ``count`` is *answers mentioning* the word (each answer counts a word at most once);
  ``occurrences`` counts every mention. Answers mentioning is the default sort because one
  long answer repeating "物流" five times is one customer's view, and "share of answers" is
  what a report says (30%客户提及"售后响应慢", seed 004). Sort: count desc, then word
  (``sort_by="occurrences"``: occurrences desc, then word).

Groups (:func:`keywords_by_group`, :func:`distinctive_keywords`, :func:`score_sentiment`)
-------------------------------------------------------------------------------------------
- The caller gives one label per answer (campaign, dimension, or the response's sentiment
  from :func:`score_sentiment`: index ≥ 75 positive, < 60 negative, else neutral; the
  thresholds forgive float noise like scoring's grades); answers labelled None are left out.
- Distinctive keywords of a group vs the rest: log-odds ratio with an informative Dirichlet
  prior (Monroe, Colaresi & Quinn 2008, "Fightin' Words"), on answers-mentioning counts.
  With y_w the answers of the group mentioning w, n the sum of y over the group's words, the
  same for the rest (y'_w, n'), and a prior α_w = α0 · (all answers mentioning w) / (sum over
  all words) with α0 = ``prior_strength`` (default: that sum itself, i.e. α_w = all answers
  mentioning w)::

      δ_w = ln((y_w + α_w) / (n + α0 − y_w − α_w)) − ln((y'_w + α_w) / (n' + α0 − y'_w − α_w))
      z_w = δ_w / sqrt(1 / (y_w + α_w) + 1 / (y'_w + α_w))

  The prior shrinks rare words (a word in 1 of 3 answers is no signal), unlike a raw ratio.
  Words with z > 0 and at least ``min_count`` answers in the group are returned, by z desc.

Sentiment of the text (:func:`text_sentiment`)
----------------------------------------------
- The trained model of :mod:`manyi.analytics.sentiment` (positive, negative, mixed, neutral,
  with the complaint clauses of a mixed text); its measured accuracy is in that module and in
  `make bench-text`. The word lists here (``positive.txt`` / ``negative.txt``) only decide which
  words a negator is joined to in the keywords, and which words are opinion words for the
  model's neutral rule. The dashboard's keywords are grouped by the model's label of each
  answer (results/open_answers.py); :func:`score_sentiment` groups by a respondent's index.

Word cloud (:func:`word_cloud_png`)
-----------------------------------
- wordcloud lays the words out (horizontal only: Chinese rotated by 90° reads badly), with a
  fixed ``random_state`` (same input → same bytes), white background, a fixed palette of dark
  colours chosen per word (crc32 of the word, stable across processes).
- The font must have CJK glyphs, else every word is tofu boxes: :func:`find_cjk_font` takes
  ``$MANYI_CJK_FONT``, known paths (Debian's fonts-noto-cjk, WenQuanYi, …) or ``fc-match``
  / ``fc-list :lang=zh``, and keeps only a font whose glyph for 满 differs from its missing
  glyph; none → :class:`CJKFontNotFoundError` (install fonts-noto-cjk). In a .ttc collection
  the Simplified Chinese face is chosen (Noto Sans CJK SC is face 2, face 0 is JP with
  Japanese glyph shapes). wordcloud can only open face 0, so it lays out with face 0 and we draw
  with the chosen face: the faces of one collection share the same advance widths.
"""

from __future__ import annotations

import io
import logging
import math
import os
import re
import shutil
import subprocess
import tempfile
import threading
import unicodedata
import zlib
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jieba

from manyi.analytics import sentiment
from manyi.analytics.scoring import EDGE_TOLERANCE

DATA_DIR = Path(__file__).resolve().parent / "text_data"

POSITIVE = "positive"
NEUTRAL = "neutral"
NEGATIVE = "negative"
SENTIMENTS = (POSITIVE, NEUTRAL, NEGATIVE)

# Negator token → the prefix written in a joined word (不太/及时 → 不及时).
NEGATORS: Mapping[str, str] = {
    "不": "不",
    "不太": "不",
    "不够": "不",
    "不是": "不",
    "不怎么": "不",
    "不大": "不",
    "没": "没",
    "没有": "没",
    "没什么": "没",
    "没啥": "没",
    "未": "未",
    "无": "无",
    "毫无": "无",
}
# Words that may stand between a negator and its word (不是/很/满意).
DEGREE_WORDS = frozenset(
    [
        "很",
        "太",
        "挺",
        "蛮",
        "超",
        "较",
        "比较",
        "非常",
        "特别",
        "十分",
        "相当",
        "够",
        "那么",
        "这么",
        "是",
        "大",
        "怎么",
        "太过",
        "过于",
        "有点",
        "有些",
        "一点",
        "有点儿",
        "算",
    ]
)
# Degree prefixes stripped inside a token when the rest is a domain or sentiment word (太慢 → 慢).
DEGREE_PREFIXES = ("很", "太", "挺", "蛮", "超", "较", "好", "更", "最", "极", "真")
CONTRAST_WORDS = frozenset(["但", "但是", "可是", "不过", "然而", "只是", "but", "however"])
WISH_WORDS = frozenset(
    ["希望", "建议", "期望", "期待", "盼望", "如果", "要是", "若", "能否", "能不能", "可否", "最好"]
)

_NUMBER = re.compile(r"^[\d.,:%+\-/]+$")


# --------------------------------------------------------------------------- word lists


@dataclass(frozen=True)
class TextLexicon:
    """The word lists of ``text_data/`` (see the module docstring for their roles)."""

    domain_entries: tuple[tuple[str, int | None, str | None], ...]  # (word, freq, pos)
    domain: frozenset[str]
    stopwords: frozenset[str]
    generic: frozenset[str]
    positive: frozenset[str]
    negative: frozenset[str]


def _read_words(path: Path) -> list[str]:
    words = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            words.append(unicodedata.normalize("NFKC", line).lower())
    return words


def _read_user_dict(path: Path) -> list[tuple[str, int | None, str | None]]:
    """jieba's user dictionary format: ``word [freq] [pos]`` a line; ``#`` starts a comment."""
    entries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        parts = line.split("#", 1)[0].split()
        if not parts:
            continue
        word, freq, pos = unicodedata.normalize("NFKC", parts[0]).lower(), None, None
        rest = parts[1:]
        if rest and rest[0].isdigit():
            freq = int(rest.pop(0))
        if rest:
            pos = rest.pop(0)
        if rest:
            raise ValueError(f"{path.name}:{number}: expected 'word freq pos', got {line!r}")
        entries.append((word, freq, pos))
    return entries


@lru_cache(maxsize=4)
def load_lexicon(data_dir: Path = DATA_DIR) -> TextLexicon:
    """Read the word lists of ``data_dir`` (cached)."""
    entries = tuple(_read_user_dict(data_dir / "user_dict.txt"))
    return TextLexicon(
        domain_entries=entries,
        domain=frozenset(word for word, _, _ in entries),
        stopwords=frozenset(_read_words(data_dir / "stopwords.txt")),
        generic=frozenset(_read_words(data_dir / "generic.txt")),
        positive=frozenset(_read_words(data_dir / "positive.txt")),
        negative=frozenset(_read_words(data_dir / "negative.txt")),
    )


# --------------------------------------------------------------------------- segmentation

_TOKENIZER: jieba.Tokenizer | None = None
_TOKENIZER_LOCK = threading.Lock()


def jieba_cache_dir() -> str:
    """Where jieba's dictionary cache goes: ``$MANYI_JIEBA_CACHE_DIR`` or the system temp dir."""
    return os.environ.get("MANYI_JIEBA_CACHE_DIR") or tempfile.gettempdir()


def build_tokenizer(cache_dir: str | None = None, lexicon: TextLexicon | None = None) -> jieba.Tokenizer:
    """A new jieba tokenizer with the domain dictionary; its cache file goes to ``cache_dir``.

    Building takes about a second (less with a cache file); use :func:`tokenizer` for the shared one.
    """
    lexicon = lexicon or load_lexicon()
    jieba.setLogLevel(logging.WARNING)  # jieba logs "Building prefix dict …" to stderr otherwise
    tok = jieba.Tokenizer()
    tok.tmp_dir = cache_dir or jieba_cache_dir()
    uid = os.getuid() if hasattr(os, "getuid") else "user"
    tok.cache_file = f"manyi-jieba-{uid}.cache"
    tok.initialize()
    for word, freq, pos in lexicon.domain_entries:
        tok.add_word(word, freq, pos)
    for word in sorted(lexicon.generic):
        if len(word) > 1 and not word.isascii() and not tok.FREQ.get(word):
            tok.add_word(word)  # frequency suggested by jieba so the word is cut whole
    return tok


def tokenizer() -> jieba.Tokenizer:
    """The process-wide tokenizer, built on first use (thread-safe)."""
    global _TOKENIZER
    tok = _TOKENIZER
    if tok is None:
        with _TOKENIZER_LOCK:
            if _TOKENIZER is None:
                _TOKENIZER = build_tokenizer()
            tok = _TOKENIZER
    return tok


def normalize_text(text: str) -> str:
    """NFKC (full-width letters, digits and commas to ASCII) and lower case."""
    return unicodedata.normalize("NFKC", text).lower()


# Web addresses are not words: "http://example.com" would otherwise count as "http",
# "example" and "com". ASCII only, so Chinese text written right after one stays.
_URL = re.compile(r"(?:https?://|www\.)[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+", re.IGNORECASE)


def segment(text: str) -> list[str]:
    """jieba's tokens of the normalised text (accurate mode, HMM on), punctuation included;
    web addresses left out."""
    return tokenizer().lcut(_URL.sub(" ", normalize_text(text)), HMM=True)


# --------------------------------------------------------------------------- one answer


@dataclass(frozen=True)
class AnswerTerms:
    """The words of one answer, in order, repeats kept."""

    keywords: tuple[str, ...]
    generic: tuple[str, ...]

    @property
    def content_free(self) -> bool:
        """No keyword: empty, or only courtesy / summary words (挺好, 无)."""
        return not self.keywords


_KEYWORD, _GENERIC = 1, 2


def _is_boundary(token: str) -> bool:
    return not any(ch.isalnum() for ch in token)


def _strip_degree(token: str, lex: TextLexicon) -> str:
    if len(token) > 1 and token.startswith(DEGREE_PREFIXES):
        rest = token[1:]
        if rest in lex.domain or rest in lex.positive or rest in lex.negative or rest in lex.generic:
            return rest
    return token


def _classify(token: str, lex: TextLexicon) -> tuple[int, str]:
    """(kind, word): kind 0 when the token is dropped."""
    if token in lex.generic:
        return _GENERIC, token
    word = _strip_degree(token, lex)
    if word in lex.generic:
        return _GENERIC, word
    if word in lex.stopwords or _NUMBER.match(word):
        return 0, word
    if len(word) == 1 and word not in lex.domain:
        return 0, word
    return _KEYWORD, word


def _polarity(word: str, lex: TextLexicon) -> int:
    if word in lex.positive:
        return 1
    if word in lex.negative:
        return -1
    return 0


_BOUNDARY, _NEGATOR, _DEGREE, _CONTRAST, _WISH, _WORD = range(6)


@lru_cache(maxsize=200_000)
def _token_info(raw: str) -> tuple[int, str, int, int, str]:
    """(role, word, kind, polarity, degree-stripped token) of one jieba token (cached: few distinct)."""
    lex = load_lexicon()
    token = raw.strip()
    if not token or _is_boundary(token):
        return _BOUNDARY, token, 0, 0, token
    for role, words in (
        (_NEGATOR, NEGATORS),
        (_DEGREE, DEGREE_WORDS),
        (_CONTRAST, CONTRAST_WORDS),
        (_WISH, WISH_WORDS),
    ):
        if token in words:
            return role, token, 0, 0, token
    kind, word = _classify(token, lex)
    polarity = _polarity(token, lex) or _polarity(word, lex)
    return _WORD, word, kind, polarity, _strip_degree(token, lex)


class _Pass:
    """What one pass over a text's tokens has gathered so far, and the state the rules need
    (the module doc): a negator waiting for its word."""

    def __init__(self, lex: TextLexicon):
        self.lex = lex
        self.keywords: list[str] = []
        self.generic: list[str] = []
        self.pending: str | None = None  # a negator waiting for its word

    def flush(self) -> None:
        """A negator that found no word to negate counts as a generic word of its own."""
        if self.pending is not None and self.pending in self.lex.generic:
            self.generic.append(self.pending)
        self.pending = None

    def marker(self, role: int, word: str) -> None:
        """A boundary, negator, contrast or wish word."""
        self.flush()
        if role == _NEGATOR:
            self.pending = word

    def word(self, word: str, kind: int, polarity: int, base: str) -> None:
        if self.pending is not None:
            if polarity or base in self.lex.generic:  # 不/及时 → 不及时, 不是/很满意 → 不满意
                word = NEGATORS[self.pending] + base
                kind = _GENERIC if (word in self.lex.generic or base in self.lex.generic) else _KEYWORD
                polarity = -polarity
                self.pending = None
            else:
                self.flush()
        if kind == _KEYWORD:
            self.keywords.append(word)
        elif kind == _GENERIC:
            self.generic.append(word)

    def result(self) -> AnswerTerms:
        self.flush()
        return AnswerTerms(tuple(self.keywords), tuple(self.generic))


@lru_cache(maxsize=50_000)
def _analyse(text: str) -> AnswerTerms:
    """One pass over the tokens: keywords and generic words (rules: module doc).

    Cached: short answers repeat a lot ("无", "挺好的"), and the dashboard asks again and again.
    """
    state = _Pass(load_lexicon())
    for raw in segment(text):
        role, word, kind, polarity, base = _token_info(raw)
        if role == _WORD:
            state.word(word, kind, polarity, base)
        elif role != _DEGREE:  # a degree word ("很") changes nothing, not even a waiting negator
            state.marker(role, word)
    return state.result()


def _is_answer(text: str | None) -> bool:
    return text is not None and bool(str(text).strip())


def answer_terms(text: str | None) -> AnswerTerms:
    """Keywords and generic words of one answer (empty for None or blank text)."""
    if not _is_answer(text):
        return AnswerTerms((), ())
    return _analyse(str(text))


def text_sentiment(text: str | None) -> sentiment.SentimentResult:
    """The sentiment model's label of one text (:mod:`manyi.analytics.sentiment`): positive,
    negative, mixed or neutral, with its complaint clauses; label "" for None or blank text."""
    return sentiment.classify(text)


# --------------------------------------------------------------------------- counting


@dataclass(frozen=True)
class KeywordCount:
    """One word's frequency over a set of answers."""

    word: str
    count: int  # answers mentioning the word (each answer at most once)
    share: float  # count / answers (non-blank texts)
    occurrences: int  # every mention


@dataclass(frozen=True)
class TextSummary:
    """Keywords and generic words of a set of answers."""

    answers: int  # non-blank texts
    content_free: int  # answers without any keyword (empty after filtering, or generic only)
    keywords: tuple[KeywordCount, ...]
    generic: tuple[KeywordCount, ...]


SORT_KEYS = ("answers", "occurrences")


def _rank(docs: Counter, occurrences: Counter, answers: int, top: int | None, sort_by: str, min_count: int):
    if sort_by not in SORT_KEYS:
        raise ValueError(f"Unknown sort_by {sort_by!r}; expected one of {', '.join(SORT_KEYS)}.")
    rows = [
        KeywordCount(word, count, count / answers if answers else 0.0, occurrences[word])
        for word, count in docs.items()
        if count >= min_count
    ]
    if sort_by == "answers":
        rows.sort(key=lambda r: (-r.count, r.word))
    else:
        rows.sort(key=lambda r: (-r.occurrences, r.word))
    return rows if top is None else rows[:top]


def _summarise(terms: Sequence[AnswerTerms], top: int | None, sort_by: str, min_count: int) -> TextSummary:
    docs, occ, gdocs, gocc = Counter(), Counter(), Counter(), Counter()
    for t in terms:
        docs.update(set(t.keywords))
        occ.update(t.keywords)
        gdocs.update(set(t.generic))
        gocc.update(t.generic)
    answers = len(terms)
    return TextSummary(
        answers=answers,
        content_free=sum(1 for t in terms if t.content_free),
        keywords=tuple(_rank(docs, occ, answers, top, sort_by, min_count)),
        generic=tuple(_rank(gdocs, gocc, answers, top, sort_by, min_count)),
    )


def summarise_answers(
    texts: Iterable[str | None], top: int | None = 50, *, sort_by: str = "answers", min_count: int = 1
) -> TextSummary:
    """Keywords and, apart, generic words of the answers, with answer and content-free counts."""
    terms = [answer_terms(t) for t in texts if _is_answer(t)]
    return _summarise(terms, top, sort_by, min_count)


def keyword_frequencies(
    texts: Iterable[str | None],
    top: int | None = 50,
    *,
    sort_by: str = "answers",
    min_count: int = 1,
    generic: bool = False,
) -> list[KeywordCount]:
    """The ``top`` keywords (or, with ``generic=True``, the generic words) of the answers.

    Sorted by answers mentioning (``count``) desc, then word (code point order);
    ``sort_by="occurrences"`` sorts by every mention instead. ``top=None`` gives all.
    """
    summary = summarise_answers(texts, top, sort_by=sort_by, min_count=min_count)
    return list(summary.generic if generic else summary.keywords)


# --------------------------------------------------------------------------- groups


def score_sentiment(index: float | None, positive: float = 75.0, negative: float = 60.0) -> str | None:
    """Sentiment of a response from its index (0-100): ≥ positive "positive", < negative "negative".

    In between "neutral"; None (or NaN: an invalid response) gives None. Both edges forgive
    float noise up to scoring's EDGE_TOLERANCE, as the grades do (74.99999999999999 is positive).
    Defaults follow seed 000's bands: 满意 from 75, 不满意 below 60.
    """
    if negative > positive:
        raise ValueError(f"negative ({negative}) must not exceed positive ({positive}).")
    if index is None or (isinstance(index, float) and math.isnan(index)):
        return None
    if index >= positive - EDGE_TOLERANCE:
        return POSITIVE
    if index < negative - EDGE_TOLERANCE:
        return NEGATIVE
    return NEUTRAL


def _group_key(label: Hashable):
    order = {s: i for i, s in enumerate(SENTIMENTS)}
    return (0, order[label], "") if label in order else (1, 0, str(label))


def _grouped_terms(texts: Sequence[str | None], groups: Sequence[Hashable | None]) -> dict:
    if len(texts) != len(groups):
        raise ValueError(f"{len(texts)} texts but {len(groups)} group labels.")
    by_group: dict = {}
    for text, label in zip(texts, groups, strict=True):
        if label is None or not _is_answer(text):
            continue
        by_group.setdefault(label, []).append(answer_terms(text))
    return {label: by_group[label] for label in sorted(by_group, key=_group_key)}


def keywords_by_group(
    texts: Sequence[str | None],
    groups: Sequence[Hashable | None],
    top: int | None = 20,
    *,
    sort_by: str = "answers",
    min_count: int = 1,
) -> dict[Hashable, TextSummary]:
    """:func:`summarise_answers` per group label (one label per text; None labels are left out).

    Groups come in the order positive, neutral, negative, then the other labels by str().
    """
    return {
        label: _summarise(terms, top, sort_by, min_count)
        for label, terms in _grouped_terms(texts, groups).items()
    }


@dataclass(frozen=True)
class DistinctiveKeyword:
    """A keyword over-represented in a group compared with the other groups."""

    word: str
    z: float  # log-odds ratio with informative Dirichlet prior, divided by its std. error
    count: int  # answers of the group mentioning the word
    share: float  # count / answers of the group
    rest_count: int  # answers of the other groups mentioning it
    rest_share: float


def distinctive_keywords(
    texts: Sequence[str | None],
    groups: Sequence[Hashable | None],
    top: int | None = 20,
    *,
    min_count: int = 2,
    prior_strength: float | None = None,
) -> dict[Hashable, tuple[DistinctiveKeyword, ...]]:
    """Per group, its keywords with z > 0 against the rest, by z desc then word (formula: module doc).

    A group alone (no rest to compare with) gets an empty tuple.
    """
    grouped = _grouped_terms(texts, groups)
    docs = {label: Counter(w for t in terms for w in set(t.keywords)) for label, terms in grouped.items()}
    answers = {label: len(terms) for label, terms in grouped.items()}
    total = Counter()
    for counts in docs.values():
        total.update(counts)
    n_all = sum(total.values())
    a0 = float(n_all if prior_strength is None else prior_strength)
    all_answers = sum(answers.values())
    result: dict[Hashable, tuple[DistinctiveKeyword, ...]] = {}
    for label, counts in docs.items():
        n_i = sum(counts.values())
        n_j = n_all - n_i
        rest_answers = all_answers - answers[label]
        rows = []
        if n_j > 0 and a0 > 0:
            for word, y_i in counts.items():
                if y_i < min_count:
                    continue
                y_j = total[word] - y_i
                alpha = a0 * total[word] / n_all
                den_i = n_i + a0 - y_i - alpha
                den_j = n_j + a0 - y_j - alpha
                if den_i <= 0 or den_j <= 0:
                    continue
                delta = math.log((y_i + alpha) / den_i) - math.log((y_j + alpha) / den_j)
                z = delta / math.sqrt(1 / (y_i + alpha) + 1 / (y_j + alpha))
                if z > 0:
                    rows.append(
                        DistinctiveKeyword(
                            word,
                            z,
                            y_i,
                            y_i / answers[label],
                            y_j,
                            y_j / rest_answers if rest_answers else 0.0,
                        )
                    )
        rows.sort(key=lambda r: (-r.z, r.word))
        result[label] = tuple(rows if top is None else rows[:top])
    return result


# --------------------------------------------------------------------------- word cloud


class CJKFontNotFoundError(RuntimeError):
    """No font with Chinese glyphs: install Debian's fonts-noto-cjk or pass font_path."""


@dataclass(frozen=True)
class FontChoice:
    path: str
    index: int = 0  # face in a .ttc collection


KNOWN_CJK_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/STHeiti Medium.ttc",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simhei.ttf",
)
_PROBE = "满"
_MISSING = "\ue000"  # a private-use code point: fonts draw their .notdef (tofu) glyph for it

PALETTE = ("#1f5fa8", "#c0392b", "#2e7d5b", "#d1661f", "#6a3d9a", "#1b7f99", "#a33a6b", "#5b6b2a")


def font_renders_cjk(path: str, index: int = 0, sample: str = _PROBE) -> bool:
    """True when every character of ``sample`` draws a glyph different from the font's missing glyph."""
    from PIL import ImageFont

    try:
        font = ImageFont.truetype(path, 48, index=index)
    except OSError:
        return False
    missing = font.getmask(_MISSING)
    missing_key = (missing.size, bytes(missing))
    for ch in sample:
        mask = font.getmask(ch)
        if mask.getbbox() is None or (mask.size, bytes(mask)) == missing_key:
            return False
    return True


def simplified_chinese_face(path: str) -> int:
    """The face of a font collection whose family name marks Simplified Chinese ("… SC"), else 0."""
    from PIL import ImageFont

    if not path.lower().endswith((".ttc", ".otc")):
        return 0
    for index in range(32):
        try:
            family = ImageFont.truetype(path, 12, index=index).getname()[0] or ""
        except OSError:
            break
        if re.search(r"\bSC\b", family) and "Mono" not in family:
            return index
    return 0


def _fontconfig_candidates() -> list[FontChoice]:
    if not shutil.which("fc-match"):
        return []
    found = []
    commands = (
        ["fc-match", "-f", "%{file}\t%{index}\n", "Noto Sans CJK SC:style=Bold"],
        ["fc-match", "-f", "%{file}\t%{index}\n", "sans-serif:lang=zh-cn"],
        ["fc-list", ":lang=zh", "file", "index", "-f", "%{file}\t%{index}\n"],
    )
    for command in commands:
        try:
            out = subprocess.run(command, capture_output=True, text=True, timeout=10, check=False).stdout  # noqa: S603
        except (OSError, subprocess.SubprocessError):
            continue
        for line in out.splitlines():
            path, _, index = line.partition("\t")
            if path:
                found.append(FontChoice(path, int(index) if index.strip().isdigit() else 0))
    return found


@lru_cache(maxsize=1)
def find_cjk_font() -> FontChoice:
    """A font that draws Chinese: ``$MANYI_CJK_FONT``, known paths, then fontconfig (cached).

    Raises CJKFontNotFoundError when there is none (``apt-get install fonts-noto-cjk``).
    """
    candidates = []
    env = os.environ.get("MANYI_CJK_FONT")
    if env:
        candidates.append(FontChoice(env, simplified_chinese_face(env)))
    candidates += [FontChoice(p, simplified_chinese_face(p)) for p in KNOWN_CJK_FONTS if os.path.isfile(p)]
    candidates += _fontconfig_candidates()
    for choice in candidates:
        if os.path.isfile(choice.path) and font_renders_cjk(choice.path, choice.index):
            return choice
    raise CJKFontNotFoundError(
        "No font with Chinese glyphs found: install one (Debian: apt-get install fonts-noto-cjk), "
        "set MANYI_CJK_FONT, or pass font_path to word_cloud_png."
    )


def _as_frequencies(frequencies) -> dict[str, float]:
    if isinstance(frequencies, Mapping):
        items = frequencies.items()
    else:
        items = [
            (f.word, f.count) if isinstance(f, KeywordCount | DistinctiveKeyword) else (f[0], f[1])
            for f in frequencies
        ]
    result: dict[str, float] = {}
    for word, value in items:
        word = str(word).strip()
        if word and value and float(value) > 0:
            result[word] = result.get(word, 0.0) + float(value)
    return result


def _palette_color(word, font_size, position, orientation, random_state=None, **kwargs) -> str:
    return PALETTE[zlib.crc32(str(word).encode("utf-8")) % len(PALETTE)]


def word_cloud_png(
    frequencies,
    width: int = 800,
    height: int = 500,
    font_path: str | None = None,
    *,
    font_index: int | None = None,
    max_words: int = 150,
    random_state: int = 7,
) -> bytes:
    """A PNG word cloud of ``frequencies``: a mapping word → weight, or KeywordCount rows, or pairs.

    Font: ``font_path`` (``font_index`` in a collection, default its Simplified Chinese face),
    else :func:`find_cjk_font` (CJKFontNotFoundError when none). Deterministic for a given input.
    Raises ValueError when there is no word with a positive weight.
    """
    from PIL import Image, ImageDraw, ImageFont
    from wordcloud import WordCloud

    words = _as_frequencies(frequencies)
    if not words:
        raise ValueError("No words with a positive frequency to draw.")
    if width < 16 or height < 16:
        raise ValueError(f"The image must be at least 16×16 pixels, got {width}×{height}.")
    if font_path is None:
        font = find_cjk_font()
    else:
        if not os.path.isfile(font_path):
            raise CJKFontNotFoundError(f"Font file not found: {font_path}")
        font = FontChoice(font_path, simplified_chinese_face(font_path) if font_index is None else font_index)
    cloud = WordCloud(
        font_path=font.path,
        width=width,
        height=height,
        background_color="white",
        mode="RGB",
        prefer_horizontal=1.0,
        max_words=max_words,
        min_font_size=8,
        margin=4,
        relative_scaling=0.5,
        color_func=_palette_color,
        random_state=random_state,
    )
    cloud.generate_from_frequencies(words)
    if font.index == 0:
        image = cloud.to_image()
    else:
        # wordcloud opens face 0 only; draw its layout again with the chosen face (same metrics).
        image = Image.new("RGB", (width, height), "white")
        draw = ImageDraw.Draw(image)
        for (word, _), font_size, position, orientation, color in cloud.layout_:
            face = ImageFont.TransposedFont(
                ImageFont.truetype(font.path, font_size, index=font.index), orientation=orientation
            )
            draw.text((position[1], position[0]), word, fill=color, font=face)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
