"""A table question summed up per company (seed 000, 快递调查 四), checked against a hand count."""

import pytest

from manyi.analytics.table_summary import normalise_name, summarise

RESPONDENTS = [
    [  # R1: the seed's example row and two more
        {"company": "圆通", "share": 50.0, "pros": "速度较好", "cons": "售后处理不够快"},
        {"company": "中通", "share": 30.0, "pros": "便宜"},
        {"company": "顺丰", "share": 20.0},
    ],
    [  # R2: 圆通 with spaces, 中通 without a share
        {"company": " 圆 通 ", "share": 60.0, "cons": "丢件"},
        {"company": "中通 ", "pros": "网点多"},
    ],
    [  # R3: 圆通 on two rows (one respondent, 30 + 20), sf in lower case
        {"company": "圆通", "share": 30.0},
        {"company": "圆通", "share": 20.0, "pros": "价格低"},
        {"company": "sf", "share": 10.0},
    ],
    [  # R4: full-width capitals, and a row without a name
        {"company": "ＳＦ", "cons": "贵"},
        {"company": "", "share": 40.0, "pros": "无名"},
    ],
]


def test_names_match_whatever_their_case_spaces_and_width():
    assert normalise_name(" 圆 通 ") == normalise_name("圆通")
    assert normalise_name("ＳＦ") == normalise_name("sf") == normalise_name("S F") == "sf"
    assert normalise_name("中通") != normalise_name("申通")


def test_the_summary_matches_a_hand_count():
    rows = summarise(RESPONDENTS, key="company", numbers=["share"], texts=["pros", "cons"])
    # By hand: 圆通 named by R1, R2, R3 → 3; shares 50, 60 and 30 + 20 = 50 → (50 + 60 + 50) / 3.
    # sf by R3 and R4 → 2, one share 10; 中通 by R1 and R2 → 2, one share 30; 顺丰 by R1 → 1, 20.
    assert [(r.name, r.respondents) for r in rows] == [("圆通", 3), ("sf", 2), ("中通", 2), ("顺丰", 1)]
    by_name = {r.name: r for r in rows}
    assert by_name["圆通"].means["share"] == pytest.approx(160 / 3)
    assert by_name["圆通"].counts["share"] == 3
    assert by_name["中通"].means["share"] == pytest.approx(30.0) and by_name["中通"].counts["share"] == 1
    assert by_name["sf"].means["share"] == pytest.approx(10.0)
    assert by_name["顺丰"].means["share"] == pytest.approx(20.0)
    assert by_name["圆通"].texts == {"pros": ["速度较好", "价格低"], "cons": ["售后处理不够快", "丢件"]}
    assert by_name["中通"].texts == {"pros": ["便宜", "网点多"], "cons": []}
    assert by_name["sf"].texts == {"pros": [], "cons": ["贵"]}
    assert "无名" not in str(rows)  # a row without a name is left out


def test_a_company_nobody_gave_a_share_for_has_no_mean():
    rows = summarise([[{"company": "韵达"}]], key="company", numbers=["share"], texts=[])
    assert rows[0].means == {"share": None} and rows[0].counts == {"share": 0}


def test_no_respondents_no_rows():
    assert summarise([], key="company", numbers=["share"], texts=["pros"]) == []
