"""Open-answer analysis tests. Expected words and counts are worked out by hand from the rules in
manyi/analytics/text.py's docstring (and written out here), never copied from the functions' output."""

import io
import math
import os
import threading
from collections import Counter
from pathlib import Path

import pytest
from PIL import Image, ImageFont

from manyi.analytics import text
from manyi.analytics.scoring import EDGE_TOLERANCE
from manyi.analytics.text import (
    NEGATIVE,
    NEUTRAL,
    POSITIVE,
    CJKFontNotFoundError,
    KeywordCount,
    answer_terms,
    distinctive_keywords,
    find_cjk_font,
    font_renders_cjk,
    keyword_frequencies,
    keywords_by_group,
    load_lexicon,
    score_sentiment,
    segment,
    summarise_answers,
    word_cloud_png,
)

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


# --------------------------------------------------------------------------- segmentation


def test_domain_terms_stay_whole_in_a_sentence():
    tokens = segment("售后服务响应速度太慢")
    assert "售后服务" in tokens
    assert "响应速度" in tokens


@pytest.mark.parametrize(
    ("sentence", "terms"),
    [
        ("快递慢包装破损", ["快递慢", "包装破损"]),
        ("交货期经常延误", ["交货期"]),
        ("上门安装的师傅很专业", ["上门安装"]),
        ("物业费太贵了", ["物业费"]),
        ("退换货太麻烦", ["退换货"]),
        ("维修及时，服务态度也好", ["维修及时", "服务态度"]),
        ("客服热线打不通", ["客服热线", "打不通"]),
        ("这款产品性价比高", ["性价比"]),
    ],
)
def test_domain_terms_in_context(sentence, terms):
    tokens = segment(sentence)
    for term in terms:
        assert term in tokens, (sentence, tokens)


def test_every_domain_entry_is_cut_whole_on_its_own():
    for word, _, _ in load_lexicon().domain_entries:
        assert segment(word) == [word]


def test_domain_dictionary_has_the_seed_terms():
    domain = load_lexicon().domain
    for term in ("售后服务", "交货期", "响应速度", "服务态度", "性价比", "包装破损", "上门安装", "退换货"):
        assert term in domain
    for term in ("客服热线", "物业费", "维修及时", "交货信誉", "包装运输", "快递慢"):
        assert term in domain
    assert not any(word.startswith("#") for word in domain)  # comments are not words


def test_stop_words_punctuation_and_numbers_are_removed():
    terms = answer_terms("我们觉得，售后服务的响应速度非常慢！！3天都没回复。123")
    assert "售后服务" in terms.keywords
    assert "响应速度" in terms.keywords
    for dropped in ("我们", "觉得", "的", "非常", "，", "！", "。", "123", "3"):
        assert dropped not in terms.keywords
    assert all(any(ch.isalnum() for ch in word) for word in terms.keywords)


def test_single_characters_are_kept_only_when_in_the_domain_dictionary():
    domain = load_lexicon().domain
    corpus = ["价格贵，车多，人也多", "饭菜一般，房间小，太吵", "电梯坏了，水管漏", "服务差，还乱收费"]
    singles = [w for t in corpus for w in answer_terms(t).keywords if len(w) == 1]
    assert singles  # 贵, 吵, 漏, 差 are domain words
    assert all(w in domain for w in singles)
    assert "贵" in answer_terms("价格贵").keywords


def test_degree_prefix_is_folded_into_the_domain_word():
    # 太慢 / 很慢 / 好慢 are one complaint: 慢.
    assert answer_terms("太慢").keywords == ("慢",)
    assert answer_terms("物流很慢").keywords == ("物流", "慢")


def test_english_words_are_lowercased_and_english_stop_words_dropped():
    terms = answer_terms("The APP is slow, 但是 Service 还行")
    assert "app" in terms.keywords
    assert "service" in terms.keywords
    assert "slow" in terms.keywords
    assert not {"the", "is", "APP"} & set(terms.keywords)


def test_full_width_letters_are_normalised():
    assert "app" in answer_terms("ＡＰＰ经常闪退").keywords


def test_generic_praise_is_kept_apart_from_keywords():
    terms = answer_terms("挺好的，不错，赞！")
    assert terms.keywords == ()
    assert terms.generic == ("挺好", "不错", "赞")
    assert terms.content_free


@pytest.mark.parametrize("empty", ["无", "没有", "暂无"])
def test_empty_answers_are_generic(empty):
    terms = answer_terms(empty)
    assert terms.keywords == ()
    assert terms.generic == (empty,)


def test_negation_is_joined_to_evaluative_words_only():
    assert answer_terms("维修不及时").keywords == ("维修", "不及时")
    assert answer_terms("师傅不够专业").keywords == ("师傅", "不专业")
    assert answer_terms("不是很满意").generic == ("不满意",)
    # A negator before a plain noun stays apart: "no quality problem" is not "没质量".
    assert "质量" not in answer_terms("没有售后网点").keywords
    assert answer_terms("没有售后网点").keywords == ("售后网点",)
    assert answer_terms("没有售后网点").generic == ("没有",)


def test_blank_answers_have_no_terms():
    for blank in (None, "", "   ", "\n"):
        assert answer_terms(blank).keywords == ()
        assert answer_terms(blank).generic == ()


# --------------------------------------------------------------------------- counting

CORPUS = [
    "售后服务太慢，售后服务电话打不通",  # 售后服务 ×2, 慢, 电话打不通
    "售后服务很好",  # 售后服务; generic 很好
    "包装破损，快递慢",  # 包装破损, 快递慢
    "包装破损",  # 包装破损
    "无",  # generic 无
    None,  # not an answer
    "",  # not an answer
    "   ",  # not an answer
]
HAND_ANSWERS = 5
HAND_DOCS = {"售后服务": 2, "包装破损": 2, "慢": 1, "电话打不通": 1, "快递慢": 1}
HAND_OCCURRENCES = {"售后服务": 3, "包装破损": 2, "慢": 1, "电话打不通": 1, "快递慢": 1}


def test_keyword_counts_equal_hand_counts():
    rows = keyword_frequencies(CORPUS)
    expected_order = sorted(HAND_DOCS, key=lambda w: (-HAND_DOCS[w], w))
    assert [r.word for r in rows] == expected_order
    for row in rows:
        assert row.count == HAND_DOCS[row.word]
        assert row.occurrences == HAND_OCCURRENCES[row.word]
        assert row.share == pytest.approx(HAND_DOCS[row.word] / HAND_ANSWERS)


def test_each_answer_counts_a_word_once():
    rows = {r.word: r for r in keyword_frequencies(["物流慢物流慢物流慢", "物流"])}
    assert rows["物流"].count == 2
    assert rows["物流"].occurrences == 4
    assert rows["物流"].share == 1.0


def test_sort_by_occurrences_and_top():
    rows = keyword_frequencies(CORPUS, sort_by="occurrences")
    expected = sorted(HAND_OCCURRENCES, key=lambda w: (-HAND_OCCURRENCES[w], w))
    assert [r.word for r in rows] == expected
    assert [r.word for r in keyword_frequencies(CORPUS, top=2)] == ["包装破损", "售后服务"]
    assert {r.word for r in keyword_frequencies(CORPUS, min_count=2)} == {"包装破损", "售后服务"}
    with pytest.raises(ValueError, match="sort_by"):
        keyword_frequencies(CORPUS, sort_by="tf-idf")


def test_generic_words_are_counted_separately():
    corpus = ["挺好", "挺好的", "很满意，物流快", "不错", "物流慢"]
    keywords = {r.word for r in keyword_frequencies(corpus)}
    assert not keywords & {"挺好", "满意", "很满意", "不错"}
    generic = {r.word: r.count for r in keyword_frequencies(corpus, generic=True)}
    assert generic["挺好"] == 2
    assert generic["不错"] == 1
    summary = summarise_answers(corpus)
    assert summary.answers == 5
    assert summary.content_free == 3  # 挺好 / 挺好的 / 不错 say nothing concrete
    assert {r.word: r.count for r in summary.keywords}["物流"] == 2


# --------------------------------------------------------------------------- groups


@pytest.mark.parametrize(
    ("index", "expected"),
    [
        (100, POSITIVE),
        (75, POSITIVE),
        (75 - EDGE_TOLERANCE / 10, POSITIVE),  # float noise on the edge
        (74.99, NEUTRAL),
        (60, NEUTRAL),
        (60 - EDGE_TOLERANCE / 10, NEUTRAL),
        (59.99, NEGATIVE),
        (0, NEGATIVE),
        (None, None),
        (math.nan, None),
    ],
)
def test_score_sentiment_thresholds(index, expected):
    assert score_sentiment(index) == expected


def test_score_sentiment_custom_thresholds():
    assert score_sentiment(80, positive=85, negative=70) == NEUTRAL
    assert score_sentiment(85, positive=85, negative=70) == POSITIVE
    assert score_sentiment(69.9, positive=85, negative=70) == NEGATIVE
    with pytest.raises(ValueError):
        score_sentiment(50, positive=60, negative=75)


def test_keywords_grouped_by_score_sentiment():
    answers = [
        ("服务态度好，送货上门", 90.0),
        ("送货上门很方便", 75.0),
        ("交货期太长", 74.9),
        ("交货期一般", 60.0),
        ("包装破损，交货期太长", 59.9),
        ("包装破损", 20.0),
        ("包装破损", None),  # invalid response: no sentiment, left out
    ]
    texts = [t for t, _ in answers]
    groups = [score_sentiment(i) for _, i in answers]
    result = keywords_by_group(texts, groups)
    assert list(result) == [POSITIVE, NEUTRAL, NEGATIVE]
    assert [result[g].answers for g in result] == [2, 2, 2]
    positive = {r.word: r.count for r in result[POSITIVE].keywords}
    assert positive == {"服务态度": 1, "送货上门": 2, "方便": 1}
    negative = {r.word: r.count for r in result[NEGATIVE].keywords}
    assert negative["包装破损"] == 2
    assert negative["交货期"] == 1
    assert {r.word: r.count for r in result[NEUTRAL].keywords}["交货期"] == 2
    assert {r.word for r in result[NEUTRAL].generic} == {"一般"}


def test_group_labels_must_match_texts():
    with pytest.raises(ValueError):
        keywords_by_group(["a", "b"], ["x"])


def test_distinctive_keywords_find_what_sets_a_group_apart():
    texts = ["物流慢，客服好"] * 6 + ["价格贵，客服好"] * 6 + ["物流慢"]
    groups = ["A"] * 6 + ["B"] * 6 + ["B"]
    result = distinctive_keywords(texts, groups)
    # 物流 and 慢 come together in A (same counts, same z); 价格 and 贵 in B.
    assert {r.word for r in result["A"][:2]} == {"物流", "慢"}
    assert result["A"][0].z == pytest.approx(result["A"][1].z)
    assert {r.word for r in result["B"][:2]} == {"价格", "贵"}
    # 客服 is in every answer of both groups: not distinctive of B (6 of 20 mentions vs 6 of 18 in
    # A), barely of A, far behind 物流.
    assert "客服" not in {r.word for r in result["B"]}
    kefu = next((r for r in result["A"] if r.word == "客服"), None)
    assert kefu is None or kefu.z < result["A"][0].z / 4
    # The z of 物流 in A, by hand: docs per group, prior α = all-answers count.
    a = {"物流": 6, "慢": 6, "客服": 6}
    b = {"价格": 6, "贵": 6, "客服": 6, "物流": 1, "慢": 1}
    total = Counter(a) + Counter(b)
    n_a, n_b, n = sum(a.values()), sum(b.values()), sum(total.values())
    alpha, a0 = total["物流"], n
    delta = math.log((6 + alpha) / (n_a + a0 - 6 - alpha)) - math.log((1 + alpha) / (n_b + a0 - 1 - alpha))
    z = delta / math.sqrt(1 / (6 + alpha) + 1 / (1 + alpha))
    row = next(r for r in result["A"] if r.word == "物流")
    assert row.z == pytest.approx(z)
    assert (row.count, row.share, row.rest_count, row.rest_share) == (6, 1.0, 1, pytest.approx(1 / 7))


def test_distinctive_keywords_of_a_single_group_are_empty():
    assert distinctive_keywords(["物流慢", "物流快"], ["A", "A"]) == {"A": ()}


# The text's sentiment (the trained model) is tested in test_sentiment.py.


# --------------------------------------------------------------------------- tokenizer


def test_tokenizer_cache_goes_to_the_given_directory(tmp_path):
    tok = text.build_tokenizer(cache_dir=str(tmp_path))
    assert any(p.name.startswith("manyi-jieba") for p in tmp_path.iterdir())
    assert "售后服务" in tok.lcut("售后服务响应速度太慢")
    assert tok is not text.tokenizer()


def test_shared_tokenizer_is_built_once_under_concurrency(monkeypatch):
    calls = []
    real = text.build_tokenizer

    def counting_build(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(text, "_TOKENIZER", None)
    monkeypatch.setattr(text, "build_tokenizer", counting_build)
    results = []
    threads = [threading.Thread(target=lambda: results.append(text.tokenizer())) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1
    assert len({id(r) for r in results}) == 1


# --------------------------------------------------------------------------- word cloud

CLOUD_WORDS = {
    "售后服务": 40,
    "响应速度": 32,
    "包装破损": 25,
    "交货期": 20,
    "性价比": 18,
    "上门安装": 15,
    "退换货": 12,
    "客服热线": 10,
    "物业费": 8,
    "维修及时": 7,
    "服务态度": 6,
    "app": 5,
}


def _png(data: bytes) -> Image.Image:
    assert data.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_word_cloud_is_a_png_of_the_requested_size_and_not_blank():
    data = word_cloud_png(CLOUD_WORDS, width=640, height=400)
    image = _png(data).convert("RGB")
    assert image.size == (640, 400)
    colours = {colour: count for count, colour in image.getcolors(maxcolors=640 * 400)}
    assert image.getpixel((0, 0)) == (255, 255, 255)  # white background
    assert colours[(255, 255, 255)] < 0.95 * 640 * 400  # words drawn
    assert len(colours) > 10  # several colours (and anti-aliasing)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "wordcloud_example.png").write_bytes(word_cloud_png(CLOUD_WORDS))


def test_word_cloud_accepts_keyword_rows_and_is_deterministic():
    rows = keyword_frequencies(CORPUS)
    first = word_cloud_png(rows, width=300, height=200)
    assert first == word_cloud_png(rows, width=300, height=200)
    assert first == word_cloud_png({r.word: r.count for r in rows}, width=300, height=200)
    assert _png(first).size == (300, 200)
    assert isinstance(rows[0], KeywordCount)


def test_word_cloud_needs_words():
    with pytest.raises(ValueError):
        word_cloud_png({})
    with pytest.raises(ValueError):
        word_cloud_png({"售后服务": 0})


def test_chosen_font_really_draws_chinese_glyphs():
    font = find_cjk_font()
    face = ImageFont.truetype(font.path, 64, index=font.index)
    missing = face.getmask("\ue000")  # private use: the font's .notdef (tofu) glyph
    for ch in "售后服务满意":
        glyph = face.getmask(ch)
        assert glyph.getbbox() is not None
        assert (glyph.size, bytes(glyph)) != (missing.size, bytes(missing))
    # Different characters give different bitmaps (tofu boxes would all be the same).
    assert bytes(face.getmask("售")) != bytes(face.getmask("服"))
    assert "SC" in face.getname()[0] or not font.path.endswith(".ttc")


def test_a_latin_only_font_is_rejected():
    dejavu = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    if not os.path.isfile(dejavu):
        pytest.skip("DejaVu Sans is not installed")
    assert not font_renders_cjk(dejavu)
    assert font_renders_cjk(dejavu, sample="abc")


def test_no_cjk_font_gives_a_clear_error(monkeypatch):
    monkeypatch.delenv("MANYI_CJK_FONT", raising=False)
    monkeypatch.setattr(text, "KNOWN_CJK_FONTS", ())
    monkeypatch.setattr(text, "_fontconfig_candidates", list)
    find_cjk_font.cache_clear()
    try:
        with pytest.raises(CJKFontNotFoundError, match="fonts-noto-cjk"):
            find_cjk_font()
    finally:
        find_cjk_font.cache_clear()
    with pytest.raises(CJKFontNotFoundError, match="not found"):
        word_cloud_png(CLOUD_WORDS, font_path="/nonexistent/font.ttc")


def test_web_addresses_are_not_keywords():
    rows = keyword_frequencies(["售后响应慢，详见http://example.com/a?b=1谢谢", "www.abc.cn 物流慢"])
    words = {r.word for r in rows}
    assert not words & {"http", "example", "com", "www", "abc", "cn", "https"}
    assert {"售后响应", "物流"} <= words
    assert text.segment("见https://x.cn/p到货")[-1] == "到货"
