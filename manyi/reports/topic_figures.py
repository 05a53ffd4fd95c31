"""The report's main problems as the open answers name them (issue 18): topics by their number
of actionable complaints, with examples.

Seed 004: "报告结构:调查背景、样本概况、总体满意度、各维度得分分析、主要问题与建议、改进优先级排序";
"若“问题解决及时性”维度平均分3.2,且30%客户提及“售后响应慢”,则需优先优化售后流程". A complaint is
an actionable answer (seed 002: "包装破损, 快递慢" are; "挺好, 不错, 赞" are not) that is negative
or mixed (results/topics.py); the share is of the analysed answers that were written. The
examples carry no personal data (the texts the keywords are made of); a reader who may not read
the campaign's individual answers gets the counts without them (sections.problems)."""

from manyi.results import topics

TOPICS_KEPT = 10


def topic_problem_figures(dataset, selection):
    """[{code, name, problems, answers, share, examples}] most complaints first (plain JSON)."""
    rows = topics.campaign_topics(dataset, selection)
    answered = len(rows)
    return [
        {
            "code": row["code"],
            "name": str(row["name"]),
            "problems": row["problems"],
            "answers": row["answers"],
            "share": row["problems"] / answered if answered else 0.0,
            "examples": row["examples"],
        }
        for row in topics.main_problems(rows, top=TOPICS_KEPT)
    ]
