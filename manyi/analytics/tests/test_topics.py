"""The topic rule of open answers and tickets (analytics/topics.py): keywords, learned examples,
"other", the labelled set and its held-out figures."""

import pytest

from manyi.analytics import topic_bench, topics
from manyi.analytics.topics import OTHER, TopicClassifier, TopicDef


def seeds():
    return TopicClassifier(topics.seed_definitions())


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        ("快递太慢了，等了一个星期", "delivery"),
        ("包装破损，里面的杯子也碎了", "product_quality"),
        ("客服态度很差，爱理不理", "service_attitude"),
        ("保修期内维修还要收上门费", "after_sales"),
        ("价格太贵了，性价比不高", "price"),
        ("软件经常死机，系统不稳定", "technical"),
        ("小区环境脏乱，电梯老是坏", "environment"),
        ("物业费乱收费，账单看不懂", "billing"),
        ("打了三次电话都没人回复", "communication"),
    ],
)
def test_seed_topics_read_plain_complaints(answer, code):
    assert seeds().topic(answer).code == code


@pytest.mark.parametrize("answer", ["挺好", "不错", "赞", "非常满意"])
def test_generic_praise_is_other_and_not_actionable(answer):
    # Seed 002: 挺好、不错、赞 are 无效反馈 — no topic to act on.
    found = seeds().classify(answer)
    assert found.code == OTHER
    assert not found.actionable


def test_concrete_feedback_is_actionable_by_the_one_rule():
    # Seed 002: 包装破损、快递慢 are 有效反馈; the flag is feedback.classify_feedback's.
    from manyi.analytics.feedback import classify_feedback

    for answer in ("包装破损", "快递慢"):
        found = seeds().classify(answer)
        assert found.actionable
        assert found.actionable == classify_feedback(answer).actionable


@pytest.mark.parametrize("answer", [None, "", "   ", "。。。！！", "\x00\x01"])
def test_blank_or_letterless_text_has_no_topic(answer):
    assert seeds().topic(answer).code == ""


def test_keywords_are_matched_longest_first_without_overlap():
    model = TopicClassifier([TopicDef("after_sales", ("客服",)), TopicDef("service_attitude", ("服务",))])
    assert model.keyword_hits("客服务必回电") == {"after_sales": ("客服",)}


def test_the_first_keyword_breaks_a_tie():
    model = seeds()
    assert model.topic("快递很慢，价格也贵").code == "delivery"
    assert model.topic("价格也贵，快递很慢").code == "price"


def test_learned_examples_teach_a_topic_without_keywords():
    # A topic the company added with no keywords yet learns from the choices people made.
    definitions = [TopicDef("parking", ()), TopicDef("price", ("价格",))]
    examples = [("地库车位太少", "parking"), ("地库车位不够停", "parking"), ("价格偏高", "price")] * 3
    model = TopicClassifier(definitions, examples, tau=0.0)
    assert model.topic("晚上回来地库没有车位").code == "parking"
    # Without examples nothing names it: no keyword, so "other".
    assert TopicClassifier(definitions, ()).topic("晚上回来地库没有车位").code == OTHER


def test_examples_of_unknown_topics_are_ignored():
    model = TopicClassifier([TopicDef("price", ("价格",))], [("快递慢", "delivery")])
    assert model.example_count == 0
    assert set(model.codes) == {"price", OTHER}


def test_scores_count_main_and_other_topics():
    gold = [
        topics.LabelledText("a", "price", ("delivery",), True, "neg", "random"),
        topics.LabelledText("b", "delivery", (), True, "neg", "random"),
        topics.LabelledText("c", "other", (), False, "pos", "random"),
        topics.LabelledText("d", "price", (), True, "neg", "random"),
    ]
    scores = topics.score_topics(gold, ["delivery", "delivery", "other", "price"])
    assert scores.accuracy == 0.75
    assert scores.lenient_accuracy == 1.0
    # delivery: tp 1, fp 1, fn 0 → P 0.5 R 1 F1 2/3; price: tp 1 fn 1 → F1 2/3; other F1 1.
    assert scores.per_topic["delivery"][2] == pytest.approx(2 / 3)
    assert scores.per_topic["price"][2] == pytest.approx(2 / 3)
    assert scores.macro_f1 == pytest.approx((2 / 3 + 2 / 3 + 1) / 3)


def test_the_labelled_set_is_read_and_split_apart():
    rows = topics.read_labelled()
    assert len(rows) == 600
    assert {row.topic for row in rows} == set(topics.SEED_CODES)
    train = {row.text for row in rows if topics.labelled_split(row.text) == "train"}
    test = {row.text for row in rows if topics.labelled_split(row.text) == "test"}
    assert not train & test
    assert 0.3 < len(test) / len(rows) < 0.5
    assert {text for text, _ in topics.training_examples()} == train


def test_a_malformed_labels_file_is_refused(tmp_path):
    path = tmp_path / "labels.tsv"
    path.write_text("快递慢\tnot_a_topic\t\t1\tneg\trandom\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"labels\.tsv:1"):
        topics.read_labelled(path)


# Measured when the rule was tuned (make bench-text prints it): a retuned rule that does worse
# on the held-out part fails here.
HELD_OUT_ACCURACY_FLOOR = 0.65
HELD_OUT_LENIENT_FLOOR = 0.75


def test_held_out_reviews_are_labelled_as_measured():
    measure = topic_bench.held_out_scores()
    assert measure.texts > 200
    assert measure.scores.accuracy >= HELD_OUT_ACCURACY_FLOOR
    assert measure.scores.lenient_accuracy >= HELD_OUT_LENIENT_FLOOR
    # Better than naming every text with the commonest topic of the training part.
    assert measure.scores.accuracy > 0.3
