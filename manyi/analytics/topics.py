"""The topic of an open answer or a ticket: which part of the business it is about. Pure; no Django.

Seed 004: "质性数据:整理开放性建议,按“产品功能”“服务流程”“人员态度”等主题归类,提取高频关键词";
"若“问题解决及时性”维度平均分3.2,且30%客户提及“售后响应慢”,则需优先优化售后流程". The company
keeps its own list of topics (``results.Topic``); this module holds the rule that puts one text
under one of them, and the ten topics the list starts from (:data:`SEED_TOPICS`, from the
seeds' survey items: 产品质量 / 交货期 / 服务态度 / 售后服务·维修质量 / 价格合理性 / 技术·功能 /
环境·设施 / 收费 / 沟通·响应速度, seeds 000-004).

The rule (:class:`TopicClassifier`)
-----------------------------------
Two kinds of evidence, added up per topic:

- **Keywords** (live: the company edits them): each topic's keywords and seed phrases are
  looked for in the text (NFKC, lower case), longest first, without overlap (客服 is not also
  服务). ``k_t`` is the number of distinct keywords of topic t found.
- **Learned** (refitted on retraining): a multinomial naive Bayes over the text's character
  2- and 3-grams (inside runs of letters and digits, as the sentiment model reads them), trained
  on labelled examples (grams no example holds are left out): the training part of the labelled reviews shipped with Manyi
  (``text_data/topic_labels.tsv``) and the topics handlers confirmed on tickets. Laplace
  smoothing α; class priors from the examples' counts, flattened by a square root so the
  commonest topic in the examples does not win every doubt. ``p_t`` is its posterior. A topic
  without examples gets the lowest score of the others (the learned part never prefers it; its
  keywords may).

Score: ``s_t = ln p_t + β · (k_t + φ · [a keyword of t comes first in the text])``; the topic is
the one with the highest score (the labelling guide takes the main complaint, else the first
aspect named, and a text's first keyword is the best single hint of it). A text goes to
"other" when the learned part prefers "other", or when no keyword was found and the best
posterior is below τ (nothing says what it is about): "挺好", "非常不错的酒店", "支持,下次还住".
A blank text, or one without any letter, has no topic (code "").

Without examples (a fresh list, or topics whose codes no example carries), the learned part is
flat and the keywords decide alone. α, β, τ and φ were chosen by 5-fold cross-validation on the
training part of the labelled set only (:mod:`manyi.analytics.topic_bench`); the held-out part
is scored once, by ``make bench-text``.

Actionable (有效反馈) or not is not decided here: it is :func:`manyi.analytics.feedback.classify_feedback`
(seed 002), one rule for tickets and open answers alike; :func:`classify` only carries it along.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from manyi.analytics.feedback import classify_feedback
from manyi.analytics.sentiment import normalize

OTHER = "other"
LABELS_PATH = Path(__file__).resolve().parent / "text_data" / "topic_labels.tsv"
MAX_CHARS = 2000  # a longer text is classified on its first 2,000 characters

# Chosen by 5-fold cross-validation on the training part (topic_bench.tune: 0.707 accuracy on
# the training part's folds, the first best of a grid of 192 points); see the module doc.
ALPHA = 1.0
BETA = 8.0
TAU = 0.7
FIRST = 1.5

_RUN = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class TopicDef:
    """One topic of the company's list, as the rule needs it."""

    code: str
    keywords: tuple[str, ...] = ()
    name: str = ""


@dataclass(frozen=True)
class SeedTopic:
    """One of the ten topics the company's list starts from."""

    code: str
    name_zh: str
    name_en: str
    keywords: tuple[str, ...]


# From the seeds' survey items and complaint categories (000: 产品质量/产品性能/产品外观/价格合理性/
# 服务态度/按时交付/维修质量/服务是否及时; 002: 包装破损, 快递慢, 物流部 "运输类问题", 退换货;
# 003: 交付准时性, 服务响应速度, 售后服务, 物业管理, 社区环境, 收费; 004: 沟通响应效率, 售后响应慢),
# with the everyday words customers write for them.
SEED_TOPICS: tuple[SeedTopic, ...] = tuple(
    SeedTopic(code, zh, en, tuple(words.split()))
    for code, zh, en, words in (
        (
            "product_quality",
            "产品质量",
            "Product quality",
            "产品质量 质量 做工 外观 包装破损 包装 破损 瑕疵 划痕 做工粗糙 材质 用料 质感 易坏 坏了 损坏 漏液 异物 掉漆 脱漆 坏点 次品 假货 正品 盗版 "
            "说明书 印刷 装订 内容 款式 颜色 口感 味道 耐用 结实 轻薄 重量 厚重 塑料感 配件 赠品",
        ),
        (
            "delivery",
            "物流配送",
            "Delivery and logistics",
            "物流 快递 快递慢 配送 送货 发货 到货 收货 交货 交货期 交付 按时交付 按期交货 运输 运费 签收 提货 自提 送到 没收到 未收到 缺货 漏发 错发 "
            "快递员 送货员 邮政 ems 顺丰 订单",
        ),
        (
            "service_attitude",
            "服务态度",
            "Service attitude",
            "服务态度 态度 热情 耐心 周到 礼貌 微笑 冷淡 冷冰冰 傲慢 敷衍 不耐烦 态度恶劣 态度差 服务员 前台 店员 工作人员 服务人员 员工 服务 素质 培训 "
            "领班 经理 接待 礼宾",
        ),
        (
            "after_sales",
            "售后维修",
            "After-sales and repair",
            "售后 售后服务 维修 维修质量 保修 报修 返修 检修 上门维修 退货 换货 退换货 三包 质保 保修期 维修点 售后网点 客服点 修好 修理 师傅 故障处理",
        ),
        (
            "price",
            "价格",
            "Price",
            "价格 价格合理 价位 性价比 贵 便宜 实惠 划算 不值 值得 优惠 折扣 降价 涨价 特价 促销 活动 返券 价钱 房价 售价 太贵 物有所值 超值 价格保护",
        ),
        (
            "technical",
            "技术与功能",
            "Technical and function",
            "功能 性能 技术 系统 软件 驱动 配置 速度 运行 卡顿 死机 蓝屏 黑屏 稳定 不稳定 操作 操作繁琐 兼容 升级 安装 设置 散热 发热 噪音 风扇 电池 "
            "续航 待机 屏幕 分辨率 显卡 内存 硬盘 接口 usb 键盘 触摸板 摄像头 光驱 声音 音质 信号",
        ),
        (
            "environment",
            "环境与设施",
            "Environment and facilities",
            "环境 设施 社区环境 卫生 干净 脏 整洁 安静 吵 嘈杂 隔音 房间 客房 装修 陈旧 老化 设备 空调 热水 卫生间 床 早餐 餐厅 停车 停车场 车位 "
            "位置 交通 地理位置 周边 绿化 电梯 大堂 泳池 异味 网络 宽带 物业 小区 门店 场地",
        ),
        (
            "billing",
            "收费与账单",
            "Billing and charges",
            "收费 乱收费 费用 物业费 账单 结账 付款 支付 押金 退款 发票 扣费 多收 另收费 额外收费 计费 赔偿 罚款 刷卡 信用卡 报销 最低消费 积分",
        ),
        (
            "communication",
            "沟通与响应",
            "Communication and response",
            "沟通 响应 响应速度 响应慢 回复 答复 回应 联系 联系不上 电话 客服电话 打不通 没人接 通知 告知 解释 反馈 投诉 及时 不及时 跟进 咨询 预订 "
            "预定 订单取消 信息 说明",
        ),
        ("other", "其他", "Other", ""),
    )
)

SEED_CODES = tuple(t.code for t in SEED_TOPICS)


# --------------------------------------------------------------------------- features


def features(text: str) -> set[str]:
    """The character 2- and 3-grams of each run of letters and digits of the normalised text."""
    found: set[str] = set()
    for run in _RUN.findall(normalize(text)[:MAX_CHARS]):
        n = len(run)
        if n == 1:
            found.add(run)
        for i in range(n - 1):
            found.add(run[i : i + 2])
            if i + 2 < n:
                found.add(run[i : i + 3])
    return found


def _keyword_pattern(topics: Sequence[TopicDef]) -> tuple[re.Pattern[str] | None, dict[str, set[str]]]:
    owners: dict[str, set[str]] = {}
    for topic in topics:
        for word in topic.keywords:
            word = normalize(word)
            if word:
                owners.setdefault(word, set()).add(topic.code)
    if not owners:
        return None, owners
    ordered = sorted(owners, key=lambda w: (-len(w), w))
    return re.compile("|".join(re.escape(w) for w in ordered)), owners


# --------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class TopicResult:
    """The topic of one text, the evidence for it, and whether the text is actionable."""

    code: str  # a topic code, OTHER, or "" for a blank text
    keywords: tuple[str, ...] = ()  # the topic's keywords found in the text
    probability: float = 0.0  # the learned part's posterior of the chosen topic
    actionable: bool = False  # analytics.feedback.classify_feedback (seed 002)


@dataclass
class LearnedCounts:
    """Naive Bayes counts: per topic, how many examples hold each feature."""

    examples: Counter = field(default_factory=Counter)  # topic → examples
    features: dict[str, Counter] = field(default_factory=dict)  # topic → feature → examples
    totals: Counter = field(default_factory=Counter)  # topic → sum of its feature counts
    vocabulary: set[str] = field(default_factory=set)

    def add(self, text: str, code: str) -> None:
        grams = features(text)
        if not grams:
            return
        self.examples[code] += 1
        self.features.setdefault(code, Counter()).update(grams)
        self.totals[code] += len(grams)
        self.vocabulary |= grams


class TopicClassifier:
    """The rule of the module doc for one list of topics and one set of examples."""

    def __init__(
        self,
        topics: Sequence[TopicDef],
        examples: Iterable[tuple[str, str]] = (),
        *,
        alpha: float = ALPHA,
        beta: float = BETA,
        tau: float = TAU,
        first: float = FIRST,
    ):
        self.topics = tuple(topics)
        self.codes = tuple(t.code for t in self.topics)
        if OTHER not in self.codes:
            self.codes = (*self.codes, OTHER)
        self.alpha, self.beta, self.tau, self.first = float(alpha), float(beta), float(tau), float(first)
        self.pattern, self.owners = _keyword_pattern(self.topics)
        known = set(self.codes)
        self.counts = LearnedCounts()
        for text, code in examples:
            if code in known and text:
                self.counts.add(text, code)
        self.example_count = sum(self.counts.examples.values())
        vocabulary = max(len(self.counts.vocabulary), 1)
        self._log_prior = {}
        self._log_unseen = {}
        roots = {code: math.sqrt(self.counts.examples[code] + 1) for code in self.codes}
        total = sum(roots.values())
        for code in self.codes:
            self._log_prior[code] = math.log(roots[code] / total)
            self._log_unseen[code] = math.log(
                self.alpha / (self.counts.totals[code] + self.alpha * vocabulary)
            )

    # ----------------------------------------------------------------- evidence

    def keyword_hits(self, text: str) -> dict[str, tuple[str, ...]]:
        """Topic code → its distinct keywords found in the text (longest first, no overlap), the
        topics in the order their first keyword comes in the text."""
        if self.pattern is None:
            return {}
        hits: dict[str, list[str]] = {}
        for word in dict.fromkeys(self.pattern.findall(normalize(text)[:MAX_CHARS])):
            for code in sorted(self.owners[word]):
                hits.setdefault(code, []).append(word)
        return {code: tuple(words) for code, words in hits.items()}

    def posteriors(self, text: str) -> dict[str, float]:
        """The learned part's posterior of each topic (flat without examples)."""
        if not self.example_count:
            return dict.fromkeys(self.codes, 1 / len(self.codes))
        grams = features(text) & self.counts.vocabulary  # a gram no example holds says nothing
        scores = {}
        for code in self.codes:
            if not self.counts.examples[code]:
                continue
            counts = self.counts.features.get(code, Counter())
            unseen = self._log_unseen[code]
            denominator = self.counts.totals[code] + self.alpha * max(len(self.counts.vocabulary), 1)
            score = self._log_prior[code]
            for gram in grams:
                seen = counts.get(gram)
                score += math.log((seen + self.alpha) / denominator) if seen else unseen
            scores[code] = score
        # A topic without examples is never preferred by the learned part (an empty class would
        # otherwise win every unusual text): it gets the lowest score; keywords may lift it.
        lowest = min(scores.values())
        scores |= {code: lowest for code in self.codes if code not in scores}
        top = max(scores.values())
        exp = {code: math.exp(s - top) for code, s in scores.items()}
        total = sum(exp.values())
        return {code: v / total for code, v in exp.items()}

    # ----------------------------------------------------------------- decision

    def topic(self, text: str | None) -> TopicResult:
        """The topic of one text (the rule of the module doc), without the actionable flag."""
        if text is None or not _RUN.search(str(text)):
            return TopicResult("")
        text = str(text)
        hits = self.keyword_hits(text)
        posterior = self.posteriors(text)
        if not hits and max(posterior.values()) < self.tau:
            return TopicResult(OTHER, (), posterior.get(OTHER, 0.0))

        first = next(iter(hits), None)

        def score(code):
            keywords = len(hits.get(code, ())) + (self.first if code == first else 0.0)
            return math.log(max(posterior[code], 1e-300)) + self.beta * keywords

        best = max(self.codes, key=lambda code: (score(code), -self.codes.index(code)))
        return TopicResult(best, hits.get(best, ()), posterior[best])

    def classify(self, text: str | None) -> TopicResult:
        """:meth:`topic` with the actionable flag of seed 002 (``feedback.classify_feedback``)."""
        found = self.topic(text)
        if not found.code:
            return found
        return TopicResult(found.code, found.keywords, found.probability, classify_feedback(text).actionable)

    def codes_of(self, texts: Iterable[str | None]) -> list[str]:
        return [self.topic(t).code for t in texts]


# --------------------------------------------------------------------------- the labelled set


@dataclass(frozen=True)
class LabelledText:
    """One review of ``text_data/topic_labels.tsv`` (labelling guide: ``topic_labels.md``)."""

    text: str
    topic: str  # the main topic
    also: tuple[str, ...]  # other topics the text speaks of
    actionable: bool
    polarity: str  # the corpus's label: pos / neg
    source: str  # "random" sample or "search" (the supplement for the rare topics)


def split_bucket(text: str) -> int:
    """A stable number 0-99 for a text (sha256 of its normalised form, a prefix of its own)."""
    digest = hashlib.sha256(("topic:" + normalize(text)).encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") % 100


HELD_OUT_BUCKETS = range(0, 40)  # 40 %: never trained or tuned on


def labelled_split(text: str) -> str:
    """ "test" (held out) or "train" for a labelled text, by :func:`split_bucket`."""
    return "test" if split_bucket(text) in HELD_OUT_BUCKETS else "train"


MAX_LABELS_BYTES = 2_000_000


def read_labelled(path: Path = LABELS_PATH) -> list[LabelledText]:
    """The labelled reviews: ``text \\t topic \\t other topics (comma) \\t actionable 0/1 \\t pos/neg
    \\t source`` a line."""
    with path.open(encoding="utf-8") as handle:
        content = handle.read(MAX_LABELS_BYTES + 1)
    if len(content) > MAX_LABELS_BYTES:
        raise ValueError(f"{path.name} is larger than {MAX_LABELS_BYTES} bytes.")
    rows = []
    for number, line in enumerate(content.splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) != 6 or parts[1] not in SEED_CODES or parts[3] not in ("0", "1"):
            raise ValueError(f"{path.name}:{number}: expected 6 tab-separated fields, got {line!r}")
        also = tuple(code for code in parts[2].split(",") if code)
        rows.append(LabelledText(parts[0], parts[1], also, parts[3] == "1", parts[4], parts[5]))
    return rows


def training_examples(path: Path = LABELS_PATH) -> list[tuple[str, str]]:
    """(text, topic) of the labelled set's training part: what the shipped model learns from."""
    return [(row.text, row.topic) for row in read_labelled(path) if labelled_split(row.text) == "train"]


def shipped_classifier() -> TopicClassifier:
    """The rule as shipped, without a database: the ten seed topics and the labelled set's
    training part (what ``manyi-text topics`` uses; the company's own list is read by
    ``results.topics``)."""
    return TopicClassifier(seed_definitions(), training_examples())


def seed_definitions() -> list[TopicDef]:
    """The ten seed topics as the rule reads them (what the data migration puts in the list)."""
    return [TopicDef(t.code, t.keywords, t.name_zh) for t in SEED_TOPICS]


@dataclass(frozen=True)
class TopicScores:
    """Accuracy and per-topic precision, recall and F1 of predicted against labelled topics."""

    accuracy: float
    lenient_accuracy: float  # a prediction among the text's labelled topics (main or other) counts
    macro_f1: float
    per_topic: dict[str, tuple[float, float, float, int]]  # code → (precision, recall, F1, support)


def score_topics(gold: Sequence[LabelledText], predicted: Sequence[str]) -> TopicScores:
    """Accuracy on the main topic, lenient accuracy, and per-topic F1 (macro over the topics
    that occur in gold or predictions)."""
    if len(gold) != len(predicted) or not gold:
        raise ValueError("Need as many predictions as labelled texts, and at least one.")
    right = sum(g.topic == p for g, p in zip(gold, predicted, strict=True))
    lenient = sum(p == g.topic or p in g.also for g, p in zip(gold, predicted, strict=True))
    per_topic = {}
    for code in sorted({g.topic for g in gold} | set(predicted)):
        tp = sum(g.topic == code and p == code for g, p in zip(gold, predicted, strict=True))
        fp = sum(g.topic != code and p == code for g, p in zip(gold, predicted, strict=True))
        fn = sum(g.topic == code and p != code for g, p in zip(gold, predicted, strict=True))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_topic[code] = (precision, recall, f1, tp + fn)
    macro = sum(v[2] for v in per_topic.values()) / len(per_topic)
    return TopicScores(right / len(gold), lenient / len(gold), macro, per_topic)
