"""Writes the sample LimeSurvey files beside this script (run once; the files are committed).

Our own samples reproduce the structure of LimeSurvey's exports (checked against LimeSurvey's
own test surveys): `satisfaction_ls2.lss` as LimeSurvey 2.0x writes it (DBVersion 184: texts in
the rows, no survey group, no question themes, groups without randomization; Chinese base,
English and German added), `satisfaction_ls3.lss` as LimeSurvey 3 writes it (DBVersion 359: texts in
the rows, one row per language), `satisfaction_ls6.lss` as LimeSurvey 6 does (DBVersion 640:
texts in *_l10ns), and the responses and participants of the 6.x survey for an archive.
Both surveys: a satisfaction list with assessment values, a relevance-driven follow-up, an
array, a dual-scale array (type 1), multiple choice with comments (P), numeric inputs, an
array of texts, yes/no, a date, a text display and an equation, in zh-Hans and English.

    .venv/bin/python manyi/surveys/limesurvey/tests/data/make_samples.py
"""

from pathlib import Path

from manyi.surveys.limesurvey.export import QUESTION_FIELDS, write_document

HERE = Path(__file__).parent
SID = "471152"
LEVELS = [
    ("A1", "很满意", "Very satisfied", 5),
    ("A2", "满意", "Satisfied", 4),
    ("A3", "一般", "Neutral", 3),
    ("A4", "不满意", "Dissatisfied", 2),
    ("A5", "很不满意", "Very dissatisfied", 1),
]
# (qid, gid, type, code, order, mandatory, other, relevance, zh, en)
QUESTIONS = [
    (1, 1, "L", "Q1", 1, "Y", "N", "1", "您对我们的总体满意度如何?", "Overall, how satisfied are you?"),
    (
        2,
        1,
        "T",
        "Q2",
        2,
        "N",
        "N",
        '((Q1.NAOK == "A4" or Q1.NAOK == "A5"))',
        "请说明不满意的原因。",
        "Why are you dissatisfied?",
    ),
    (3, 1, "F", "Q3", 3, "Y", "N", "1", "请评价以下方面:", "Please rate:"),
    (4, 1, "1", "Q4", 4, "N", "N", "1", "满意度与重要性:", "Satisfaction and importance:"),
    (5, 2, "P", "Q5", 5, "N", "Y", "1", "您选择我们的原因(可多选):", "Why did you choose us?"),
    (
        6,
        2,
        "N",
        "Q6",
        6,
        "N",
        "N",
        "1",
        "您向朋友推荐我们的可能性(0-10)?",
        "How likely are you to recommend us?",
    ),
    (7, 2, "N", "Q7", 7, "N", "N", "1", "年采购量(吨):", "Yearly volume (tons):"),
    (8, 2, "M", "Q8", 8, "N", "N", 'Q5_SQ001.NAOK == "Y"', "价格方面您最看重:", "On price you value:"),
    (
        9,
        2,
        "5",
        "Q9",
        9,
        "N",
        "N",
        "!is_empty(Q6) and Q6.NAOK ge 9",
        "请评价售后服务:",
        "Rate the after-sales service:",
    ),
    (10, 2, "X", "Q10", 10, "N", "N", "1", "<p>以下问题关于交付。</p>", "<p>About delivery.</p>"),
    (11, 2, "T", "Q11", 11, "N", "N", "regexMatch('/^1/', Q7)", "大客户备注:", "Key account notes:"),
    (12, 2, "Y", "Q12", 12, "N", "N", 'Q3_SQ002.NAOK == "A5"', "是否需要回访?", "Shall we call you back?"),
    (13, 2, ";", "Q13", 13, "N", "N", "1", "主要供应商:", "Main suppliers:"),
    (14, 2, "D", "Q14", 14, "N", "N", "1", "最近一次采购日期:", "Date of your last purchase:"),
    (15, 2, "*", "Q15", 15, "N", "N", "1", "{Q6.NAOK * 10}", "{Q6.NAOK * 10}"),
]
# (qid, parent, type, code, order, scale, zh, en)
SUBQUESTIONS = [
    (31, 3, "T", "SQ001", 1, 0, "交付及时", "On-time delivery"),
    (32, 3, "T", "SQ002", 2, 0, "产品质量", "Product quality"),
    (41, 4, "T", "SQ001", 1, 0, "交付", "Delivery"),
    (42, 4, "T", "SQ002", 2, 0, "价格", "Price"),
    (51, 5, "T", "SQ001", 1, 0, "价格", "Price"),
    (52, 5, "T", "SQ002", 2, 0, "服务", "Service"),
    (53, 5, "T", "SQ003", 3, 0, "交期", "Lead time"),
    (81, 8, "T", "SQ001", 1, 0, "价格透明", "Clear prices"),
    (82, 8, "T", "SQ002", 2, 0, "账期", "Payment terms"),
    (131, 13, "T", "SQ001", 1, 0, "第一", "First"),
    (132, 13, "T", "SQ002", 2, 0, "第二", "Second"),
    (133, 13, "T", "SC1", 1, 1, "公司名称", "Company"),
    (134, 13, "T", "SC2", 2, 1, "优势", "Strength"),
]
ANSWERS = (
    [(1, code, zh, en, points, 0) for code, zh, en, points in LEVELS]
    + [(3, code, zh, en, points, 0) for code, zh, en, points in LEVELS]
    + [
        (4, "1", "不满意", "Dissatisfied", 0, 0),
        (4, "2", "一般", "Neutral", 0, 0),
        (4, "3", "满意", "Satisfied", 0, 0),
    ]
    + [(4, "1", "不重要", "Unimportant", 0, 1), (4, "2", "重要", "Important", 0, 1)]
)
ATTRIBUTES = [(6, "min_num_value_n", "0"), (6, "max_num_value_n", "10"), (7, "min_num_value_n", "0")]
TEXTS = {
    "zh-Hans": (
        "客户满意度调查",
        "年度调查",
        "感谢您抽出5分钟参加本次调查,您的回答将严格保密。",
        "感谢您的参与!",
    ),
    "en": ("Customer satisfaction survey", "Yearly", "Thank you for taking 5 minutes.", "Thank you!"),
}
GROUPS = [(1, 1, "总体评价", "Overall"), (2, 2, "服务与采购", "Service and purchasing")]
SURVEY_FIELDS = [
    "sid",
    "gsid",
    "admin",
    "anonymized",
    "format",
    "language",
    "additional_languages",
    "datestamp",
    "assessments",
    "usetokens",
]
SETTINGS_FIELDS = [
    "surveyls_survey_id",
    "surveyls_language",
    "surveyls_title",
    "surveyls_description",
    "surveyls_welcometext",
    "surveyls_endtext",
    "surveyls_dateformat",
]


def _survey(base, extra, assessments):
    survey = {
        "sid": SID,
        "gsid": "1",
        "admin": "Admin",
        "anonymized": "N",
        "format": "G",
        "language": base,
        "additional_languages": extra,
        "datestamp": "Y",
        "assessments": assessments,
        "usetokens": "Y",
    }
    settings = [
        dict(zip(SETTINGS_FIELDS, [SID, language, *TEXTS[language], "6"], strict=True)) for language in TEXTS
    ]
    return [("surveys", SURVEY_FIELDS, [survey]), ("surveys_languagesettings", SETTINGS_FIELDS, settings)]


def _question_row(q, sub=False, language=None):
    if sub:
        qid, parent, lime_type, code, order, scale, zh, en = q
        gid = next(row[1] for row in QUESTIONS if row[0] == parent)
        row = {
            "qid": qid,
            "parent_qid": parent,
            "type": lime_type,
            "title": code,
            "question_order": order,
            "scale_id": scale,
            "relevance": "1",
            "other": "N",
            "mandatory": "N",
        }
    else:
        qid, gid, lime_type, code, order, mandatory, other, relevance, zh, en = q
        row = {
            "qid": qid,
            "parent_qid": 0,
            "type": lime_type,
            "title": code,
            "question_order": order,
            "scale_id": 0,
            "relevance": relevance,
            "other": other,
            "mandatory": mandatory,
        }
    row.update({"sid": SID, "gid": gid, "encrypted": "N", "same_default": "0", "same_script": "0"})
    if language:
        row.update({"language": language, "question": zh if language == "zh-Hans" else en, "help": ""})
    return row


def ls3():
    """LimeSurvey 3.x: English base, Chinese added; texts in the rows; no assessments."""
    fields3 = [f for f in QUESTION_FIELDS if f not in ("encrypted", "question_theme_name", "same_script")]
    fields3 += ["question", "help", "language"]
    languages = ["en", "zh-Hans"]
    questions = [_question_row(q, language=lang) for q in QUESTIONS for lang in languages]
    subs = [_question_row(s, sub=True, language=lang) for s in SUBQUESTIONS for lang in languages]
    answers = [
        {
            "qid": qid,
            "code": code,
            "answer": zh if lang == "zh-Hans" else en,
            "sortorder": n,
            "assessment_value": 0,
            "language": lang,
            "scale_id": scale,
        }
        for n, (qid, code, zh, en, _points, scale) in enumerate(ANSWERS)
        for lang in languages
    ]
    groups = [
        {
            "gid": gid,
            "sid": SID,
            "group_name": zh if lang == "zh-Hans" else en,
            "group_order": order,
            "description": "",
            "language": lang,
            "randomization_group": "",
            "grelevance": "1",
        }
        for gid, order, zh, en in GROUPS
        for lang in languages
    ]
    sections = [
        (
            "answers",
            ["qid", "code", "answer", "sortorder", "assessment_value", "language", "scale_id"],
            answers,
        ),
        (
            "groups",
            [
                "gid",
                "sid",
                "group_name",
                "group_order",
                "description",
                "language",
                "randomization_group",
                "grelevance",
            ],
            groups,
        ),
        ("questions", fields3, questions),
        ("subquestions", fields3, subs),
        (
            "question_attributes",
            ["qid", "attribute", "value", "language"],
            [{"qid": q, "attribute": a, "value": v} for q, a, v in ATTRIBUTES],
        ),
        *_survey("en", "zh-Hans", "N"),
    ]
    return write_document(sections, languages, db_version=359)


def ls2():
    """LimeSurvey 2.0x (DBVersion 184): Chinese base, English and German added; texts in the rows;
    the fields of its time (no gsid, encrypted, question themes or randomisation groups)."""
    languages = ["zh-Hans", "en", "de"]

    def text(zh, en, lang):
        return zh if lang == "zh-Hans" else en

    fields2 = ["qid", "parent_qid", "sid", "gid", "type", "title", "question", "preg", "help", "other",
               "mandatory", "question_order", "language", "scale_id", "same_default", "relevance"]  # fmt: skip
    questions = [_question_row(q, language=lang) for q in QUESTIONS for lang in languages]
    subs = [_question_row(s, sub=True, language=lang) for s in SUBQUESTIONS for lang in languages]
    for row in questions + subs:
        if row["language"] == "de":
            english = next(r for r in questions + subs if r["qid"] == row["qid"] and r["language"] == "en")
            row["question"] = english["question"]
    answers = [
        {"qid": qid, "code": code, "answer": text(zh, en, lang), "sortorder": n, "assessment_value": 0,
         "language": lang, "scale_id": scale}
        for n, (qid, code, zh, en, _points, scale) in enumerate(ANSWERS)
        for lang in languages
    ]  # fmt: skip
    groups = [
        {"gid": gid, "sid": SID, "group_name": text(zh, en, lang), "group_order": order, "description": "",
         "language": lang, "grelevance": "1"}
        for gid, order, zh, en in GROUPS
        for lang in languages
    ]  # fmt: skip
    survey = {"sid": SID, "admin": "Admin", "anonymized": "N", "format": "G", "language": "zh-Hans",
              "additional_languages": "en de", "datestamp": "Y", "assessments": "N", "usetokens": "Y"}  # fmt: skip
    texts = {**TEXTS, "de": ("Kundenzufriedenheit", "Jährlich", "Danke für 5 Minuten.", "Danke!")}
    settings = [dict(zip(SETTINGS_FIELDS, [SID, lang, *texts[lang], "6"], strict=True)) for lang in languages]
    sections = [
        (
            "answers",
            ["qid", "code", "answer", "sortorder", "assessment_value", "language", "scale_id"],
            answers,
        ),
        (
            "groups",
            ["gid", "sid", "group_name", "group_order", "description", "language", "grelevance"],
            groups,
        ),
        ("questions", fields2, questions),
        ("subquestions", fields2, subs),
        (
            "question_attributes",
            ["qid", "attribute", "value"],
            [{"qid": q, "attribute": a, "value": v} for q, a, v in ATTRIBUTES],
        ),
        ("surveys", [f for f in SURVEY_FIELDS if f != "gsid"], [survey]),
        ("surveys_languagesettings", SETTINGS_FIELDS, settings),
    ]
    return write_document(sections, languages, db_version=184)


def ls6():
    """LimeSurvey 6.x: Chinese base, English added; texts in the l10n sections; assessments on."""
    languages = ["zh-Hans", "en"]
    answers, answer_texts = [], []
    for aid, (qid, code, zh, en, points, scale) in enumerate(ANSWERS, start=1):
        answers.append(
            {
                "aid": aid,
                "qid": qid,
                "code": code,
                "sortorder": aid,
                "assessment_value": points,
                "scale_id": scale,
            }
        )
        answer_texts += [
            {"id": f"{aid}{lang}", "aid": aid, "answer": zh if lang == "zh-Hans" else en, "language": lang}
            for lang in languages
        ]
    texts = [
        {
            "id": f"{row[0]}{lang}",
            "qid": row[0],
            "question": (row[-2] if lang == "zh-Hans" else row[-1]),
            "help": "",
            "language": lang,
        }
        for row in QUESTIONS + SUBQUESTIONS
        for lang in languages
    ]
    sections = [
        ("answers", ["aid", "qid", "code", "sortorder", "assessment_value", "scale_id"], answers),
        ("answer_l10ns", ["id", "aid", "answer", "language"], answer_texts),
        (
            "groups",
            ["gid", "sid", "group_order", "randomization_group", "grelevance"],
            [{"gid": g, "sid": SID, "group_order": o, "grelevance": "1"} for g, o, _z, _e in GROUPS],
        ),
        (
            "group_l10ns",
            ["id", "gid", "group_name", "description", "language"],
            [
                {"id": f"{g}{lang}", "gid": g, "group_name": z if lang == "zh-Hans" else e, "language": lang}
                for g, _o, z, e in GROUPS
                for lang in languages
            ],
        ),
        ("questions", QUESTION_FIELDS, [_question_row(q) for q in QUESTIONS]),
        ("subquestions", QUESTION_FIELDS, [_question_row(s, sub=True) for s in SUBQUESTIONS]),
        ("question_l10ns", ["id", "qid", "question", "help", "script", "language"], texts),
        (
            "question_attributes",
            ["qid", "attribute", "value", "language"],
            [{"qid": q, "attribute": a, "value": v} for q, a, v in ATTRIBUTES],
        ),
        (
            "conditions",
            ["cid", "qid", "cqid", "cfieldname", "method", "value", "scenario"],
            [
                {
                    "cid": 1,
                    "qid": 2,
                    "cqid": 1,
                    "cfieldname": f"{SID}X1X1",
                    "method": "==",
                    "value": "A4",
                    "scenario": 1,
                }
            ],
        ),
        *_survey("zh-Hans", "en", "Y"),
    ]
    return write_document(sections, languages, db_version=640)


def tokens():
    fields = [
        "tid",
        "participant_id",
        "firstname",
        "lastname",
        "email",
        "emailstatus",
        "token",
        "language",
        "sent",
        "completed",
        "usesleft",
    ]
    rows = [
        {
            "tid": 1,
            "firstname": "伟",
            "lastname": "王",
            "email": "wang.wei@example.com",
            "emailstatus": "OK",
            "token": "tokA",
            "language": "zh-Hans",
            "sent": "2026-03-01 09:00",
            "completed": "2026-03-02 10:15",
        },
        {
            "tid": 2,
            "firstname": "Anna",
            "lastname": "Li",
            "email": "anna.li@example.com",
            "emailstatus": "OK",
            "token": "tokB",
            "language": "en",
            "sent": "2026-03-01 09:00",
            "completed": "2026-03-03 16:40",
        },
        {
            "tid": 3,
            "firstname": "静",
            "lastname": "张",
            "email": "zhang.jing@example.com",
            "emailstatus": "OK",
            "token": "tokC",
            "language": "zh-Hans",
            "sent": "2026-03-01 09:00",
            "completed": "N",
        },
    ]
    return write_document([("tokens", fields, rows)], [], doc_type="Tokens", db_version=640)


def responses():
    def col(gid, qid, suffix=""):
        return f"_{SID}X{gid}X{qid}{suffix}"

    fields = [
        "id",
        "token",
        "submitdate",
        "lastpage",
        "startlanguage",
        "seed",
        "startdate",
        "datestamp",
        col(1, 1),
        col(1, 2),
        col(1, 3, "SQ001"),
        col(1, 3, "SQ002"),
        col(1, 4, "SQ001-0"),
        col(1, 4, "SQ001-1"),
        col(2, 5, "SQ001"),
        col(2, 5, "SQ002"),
        col(2, 5, "SQ003"),
        col(2, 5, "other"),
        col(2, 5, "SQ001comment"),
        col(2, 6),
        col(2, 7),
        col(2, 8, "SQ001"),
        col(2, 9),
        col(2, 12),
    ]
    rows = [
        dict(
            zip(
                fields,
                [
                    1,
                    "tokA",
                    "2026-03-02 10:15:00",
                    2,
                    "zh-Hans",
                    1,
                    "2026-03-02 10:05:00",
                    "2026-03-02 10:15:00",
                    "A4",
                    "交期太长",
                    "A2",
                    "A5",
                    "2",
                    "1",
                    "Y",
                    "",
                    "",
                    "",
                    "便宜",
                    "9",
                    "120",
                    "Y",
                    "4",
                    "Y",
                ],
                strict=True,
            )
        ),
        dict(
            zip(
                fields,
                [
                    2,
                    "tokB",
                    "2026-03-03 16:40:00",
                    2,
                    "en",
                    2,
                    "2026-03-03 16:30:00",
                    "2026-03-03 16:40:00",
                    "A1",
                    "",
                    "A1",
                    "A2",
                    "3",
                    "2",
                    "",
                    "Y",
                    "Y",
                    "快速响应",
                    "",
                    "10",
                    "80",
                    "",
                    "5",
                    "N",
                ],
                strict=True,
            )
        ),
        dict(
            zip(
                fields,
                [
                    3,
                    "tokC",
                    "",
                    1,
                    "zh-Hans",
                    3,
                    "2026-03-04 09:00:00",
                    "2026-03-04 09:02:00",
                    "A3",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                ],
                strict=True,
            )
        ),
    ]
    return write_document([("responses", fields, rows)], [], doc_type="Responses", db_version=640)


if __name__ == "__main__":
    (HERE / "satisfaction_ls2.lss").write_bytes(ls2())
    (HERE / "satisfaction_ls3.lss").write_bytes(ls3())
    (HERE / "satisfaction_ls6.lss").write_bytes(ls6())
    (HERE / f"survey_{SID}_tokens.lst").write_bytes(tokens())
    (HERE / f"survey_{SID}_responses.lsr").write_bytes(responses())
