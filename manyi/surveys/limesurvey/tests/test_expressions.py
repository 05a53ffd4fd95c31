"""Relevance equations to conditions: the conversion table of EXPRESSIONS.md, and never a crash."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from manyi.surveys.limesurvey.expressions import NotConverted, QuestionRef, relevance_to_condition
from manyi.surveys.logic import parse

QUESTIONS = {
    "Q1": QuestionRef("Q1"),
    "Q3": QuestionRef("Q3", subcodes={"SQ001": "SQ001", "SQ002": "Q3_SQ002"}),
    "Q5": QuestionRef("Q5", multiple=True, subcodes={"SQ001": "SQ001"}),
    "Q6": QuestionRef("Q6"),
}
QIDS = {"17": "Q3"}


@pytest.mark.parametrize(
    ("relevance", "condition"),
    [
        ("1", ""),
        ("", ""),
        ('Q1.NAOK == "A1"', 'Q1 == "A1"'),
        ('Q1.value eq "A1" or Q1.code ne "A2"', 'Q1 == "A1" or Q1 != "A2"'),
        ("Q1.valueNAOK lt 3", "Q1.points < 3"),
        ("Q1.shown == 'A1'", "Q1 == 'A1'"),
        ('Q3_SQ001.NAOK == "A5"', 'Q3.SQ001 == "A5"'),
        ('Q3_SQ002.NAOK == "A5"', 'Q3.Q3_SQ002 == "A5"'),  # a row whose code took its question's
        ('Q5_SQ001 == "Y"', 'any_of(Q5, "SQ001")'),
        ('Q5_SQ001.NAOK != "Y"', 'not any_of(Q5, "SQ001")'),
        ("is_empty(Q5_SQ001)", 'not any_of(Q5, "SQ001")'),
        ("!is_empty(Q6) && Q6.NAOK ge 9", "!empty(Q6) && Q6 >= 9"),
        ("count(Q1, Q6) > 1 and sum(Q6) le 20", "count(Q1, Q6) > 1 and sum(Q6) <= 20"),
        ('123456X2X17SQ001 == "A1"', 'Q3.SQ001 == "A1"'),  # the old SGQA names
    ],
)
def test_the_common_subset_is_converted_and_parses(relevance, condition):
    converted = relevance_to_condition(relevance, QUESTIONS, QIDS)
    assert converted == condition
    if converted:
        parse(converted)


@pytest.mark.parametrize(
    "relevance",
    [
        "regexMatch('/^1/', Q1)",
        'if(Q1 == "A1", 1, 0)',
        'TOKEN:ATTRIBUTE_1 == "VIP"',
        "self.NAOK > 1",
        'Q1 = "A1"',
        'Q9.NAOK == "A1"',  # no such question
        "Q1.relevanceStatus",
        "strlen(Q1) > 3",
    ],
)
def test_the_rest_is_not_converted(relevance):
    with pytest.raises(NotConverted):
        relevance_to_condition(relevance, QUESTIONS, QIDS)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_text_converts_to_a_condition_that_parses_or_is_refused(text):
    try:
        converted = relevance_to_condition(text, QUESTIONS, QIDS)
    except NotConverted:
        return
    if converted:
        parse(converted)
