"""Table questions answered (seed 000, 快递调查 四: 快递公司 / 件量占比 / 优势 / 劣势): the public page,
phone entry, drafts, bad cells, the shares rule, and what is stored."""

import pytest

from manyi.campaigns.choices import CampaignState, Channel, ResponseStatus
from manyi.campaigns.models import Answer, Response
from manyi.surveys.choices import QuestionKind, TableColumnKind
from manyi.surveys.models import TableColumn
from manyi.surveys.tables import cell_name
from manyi.testing import make_campaign, make_invitation, make_question, make_questionnaire

pytestmark = pytest.mark.django_db

COLUMNS = [
    ("company", "快递公司", TableColumnKind.TEXT, True),
    ("share", "件量占比", TableColumnKind.PERCENT, False),
    ("pros", "优势", TableColumnKind.TEXT, False),
    ("cons", "劣势", TableColumnKind.TEXT, False),
]


def make_table_question(questionnaire, code="Q4", columns=COLUMNS, **kwargs):
    kwargs.setdefault("text", "目前主要合作快递公司及发件量占比?")
    question = make_question(
        questionnaire, code=code, options=(), kind=QuestionKind.TABLE, scored=False, **kwargs
    )
    for position, (column_code, label, kind, required) in enumerate(columns):
        TableColumn.objects.create(
            question=question, position=position, code=column_code, label=label, kind=kind, required=required
        )
    return question


@pytest.fixture
def survey():
    questionnaire = make_questionnaire(title="快递服务调查")
    rated = make_question(questionnaire, code="Q1", text="派送速度", required=False)
    table = make_table_question(questionnaire, required=False)
    campaign = make_campaign(
        questionnaire, state=CampaignState.RUNNING, channels=[Channel.EMAIL, Channel.PHONE]
    )
    return campaign, make_invitation(campaign), rated, table


def cells(table, rows, action="submit"):
    """Form data for {row number: {column code: text}}."""
    columns = {c.code: c for c in table.columns.all()}
    data = {"action": action}
    for row, values in rows.items():
        for code, value in values.items():
            data[cell_name(table, row, columns[code])] = value
    return data


def stored_cells(response):
    return {
        (a.table_row, a.table_column): a.text or a.number
        for a in Answer.objects.filter(response=response, table_row__isnull=False)
    }


TWO_ROWS = {
    1: {"company": "圆通", "share": "50", "pros": "速度较好", "cons": "售后处理不够快"},
    3: {"company": "顺丰", "share": "30%", "pros": "服务好"},
}


def test_the_answer_page_offers_the_rows_and_columns(client, survey):
    _campaign, invitation, _rated, table = survey
    page = client.get(f"/s/{invitation.token}/").content.decode()
    assert "快递公司" in page and "件量占比" in page and "劣势" in page
    share = table.columns.get(code="share")
    assert f'name="{cell_name(table, 5, share)}"' in page  # five rows by default
    assert f'name="{cell_name(table, 6, share)}"' not in page


def test_two_filled_rows_are_stored_cell_by_cell_and_the_empty_row_is_skipped(client, survey):
    _campaign, invitation, rated, table = survey
    data = cells(table, TWO_ROWS)
    data[f"q-{rated.pk}"] = str(rated.options.get(label="满意").pk)
    page = client.post(f"/s/{invitation.token}/", data)
    assert page.status_code == 302

    response = Response.objects.get()
    assert response.status == ResponseStatus.COMPLETED
    assert stored_cells(response) == {
        (1, "company"): "圆通",
        (1, "share"): 50.0,
        (1, "pros"): "速度较好",
        (1, "cons"): "售后处理不够快",
        (2, "company"): "顺丰",  # row 3 of the page is the second row filled
        (2, "share"): 30.0,
        (2, "pros"): "服务好",
    }
    # Never scored: the index is the rated item's alone (满意 = 8 of 10 points).
    assert response.index == pytest.approx(80.0)
    assert set(response.points) == {"Q1"}


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"company": "圆通", "share": "150"}, "第 Q4 题第 1 行“件量占比”：请填写 0 到 100 之间的百分比。"),
        ({"company": "圆通", "share": "很多"}, "第 Q4 题第 1 行“件量占比”：请填写 0 到 100 之间的百分比。"),
        ({"company": "圆通", "pros": "快" * 301}, "第 Q4 题第 1 行“优势”：最多填写 300 个字。"),
        ({"share": "50", "pros": "便宜"}, "第 Q4 题第 1 行：请填写“快递公司”。"),
    ],
)
def test_a_bad_cell_is_named_in_chinese_and_nothing_is_saved(client, survey, row, message):
    _campaign, invitation, _rated, table = survey
    page = client.post(f"/s/{invitation.token}/", cells(table, {1: row}))
    assert page.status_code == 400
    assert message in page.content.decode()
    assert not Response.objects.exists() and not Answer.objects.exists()


def test_shares_over_100_are_refused_only_when_the_question_says_so(client, survey):
    _campaign, invitation, _rated, table = survey
    over = {1: {"company": "圆通", "share": "70"}, 2: {"company": "中通", "share": "40"}}

    table.table_shares_within_100 = True
    table.save()
    page = client.post(f"/s/{invitation.token}/", cells(table, over))
    assert "第 Q4 题：各行“件量占比”合计 110%，合计应不超过 100%。" in page.content.decode()
    assert not Response.objects.exists()

    table.table_shares_within_100 = False
    table.save()
    assert client.post(f"/s/{invitation.token}/", cells(table, over)).status_code == 302
    assert stored_cells(Response.objects.get())[(2, "share")] == 40.0


def test_a_required_table_needs_one_row_and_a_row_more_than_offered_is_ignored(client, survey):
    _campaign, invitation, _rated, table = survey
    table.required = True
    table.table_max_rows = 2
    table.save()
    page = client.post(f"/s/{invitation.token}/", cells(table, {3: {"company": "圆通"}}))
    assert "请回答第 Q4 题。" in page.content.decode()
    assert not Response.objects.exists()


def test_a_draft_keeps_the_table_cells_and_the_page_shows_them_again(client, survey):
    _campaign, invitation, _rated, table = survey
    client.post(f"/s/{invitation.token}/", cells(table, TWO_ROWS, action="save"))
    draft = Response.objects.get()
    assert draft.status == ResponseStatus.IN_PROGRESS
    page = client.get(f"/s/{invitation.token}/").content.decode()
    company = table.columns.get(code="company")
    share = table.columns.get(code="share")
    assert f'name="{cell_name(table, 1, company)}" id="{cell_name(table, 1, company)}" value="圆通"' in page
    assert f'name="{cell_name(table, 2, share)}" id="{cell_name(table, 2, share)}" value="30"' in page


def test_a_phone_interview_stores_the_table_with_the_agent(client_as, people, survey):
    _campaign, invitation, _rated, table = survey
    client = client_as(people.amy)
    page = client.post(f"/campaigns/entry/invitations/{invitation.pk}/phone/", cells(table, TWO_ROWS))
    assert page.status_code == 302
    response = Response.objects.get()
    assert response.channel == Channel.PHONE and response.agent == people.amy
    assert stored_cells(response)[(2, "company")] == "顺丰"


def test_a_phone_entry_with_a_bad_cell_saves_nothing(client_as, people, survey):
    _campaign, invitation, _rated, table = survey
    page = client_as(people.amy).post(
        f"/campaigns/entry/invitations/{invitation.pk}/phone/",
        cells(table, {1: {"company": "圆通", "share": "-5"}}),
    )
    assert page.status_code == 400
    assert "请填写 0 到 100 之间的百分比" in page.content.decode()
    assert not Response.objects.exists()


def test_the_response_page_masks_contacts_in_table_texts_for_those_without_personal_data(
    client_as, people, survey
):
    from manyi.customers.masking import may_see_personal_data

    _campaign, invitation, _rated, table = survey
    client_as(people.amy).post(
        f"/campaigns/entry/invitations/{invitation.pk}/phone/",
        cells(table, {1: {"company": "圆通", "cons": "投诉请找 13812345678"}}),
    )
    response = Response.objects.get()
    readers = [p for p in (people.alice, people.sam, people.amy, people.ana) if p.can("responses.view")]
    masked = [p for p in readers if not may_see_personal_data(p)]
    assert masked, "some reader of responses must lack personal data to test masking"
    page = client_as(masked[0]).get(f"/campaigns/entry/responses/{response.pk}/").content.decode()
    assert "圆通" in page and "13812345678" not in page


@pytest.fixture
def paper_survey(survey):
    campaign = survey[0]
    campaign.channels = [Channel.EMAIL, Channel.PHONE, Channel.PAPER]
    campaign.save()
    return survey


def test_paper_entry_stores_the_table_on_the_paper_channel(client_as, people, paper_survey):
    _campaign, invitation, _rated, table = paper_survey
    page = client_as(people.amy).post(
        f"/campaigns/entry/invitations/{invitation.pk}/paper/", cells(table, TWO_ROWS)
    )
    assert page.status_code == 302
    response = Response.objects.get()
    assert response.channel == Channel.PAPER
    assert stored_cells(response)[(1, "cons")] == "售后处理不够快"


def paper_file(tmp_path, lines):
    path = tmp_path / "paper.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_paper_file_fills_table_cells_by_their_columns(client_as, people, paper_survey, tmp_path):
    campaign, invitation, _rated, _table = paper_survey
    page = client_as(people.amy).get(f"/campaigns/entry/{campaign.pk}/import/").content.decode()
    assert "Q4.1.company" in page and "Q4.5.cons" in page  # the columns the importer reads
    path = paper_file(
        tmp_path,
        [
            "客户编号,Q1,Q4.1.company,Q4.1.share,Q4.2.company",
            f"{invitation.customer.code},满意,圆通,50%,中通",
        ],
    )
    with path.open("rb") as upload:
        result = client_as(people.amy).post(f"/campaigns/entry/{campaign.pk}/import/", {"file": upload})
    assert result.status_code == 302
    assert stored_cells(Response.objects.get()) == {
        (1, "company"): "圆通",
        (1, "share"): 50.0,
        (2, "company"): "中通",
    }


def test_a_bad_table_cell_in_a_paper_file_imports_nothing(client_as, people, paper_survey, tmp_path):
    campaign, invitation, _rated, _table = paper_survey
    path = paper_file(tmp_path, ["客户编号,Q4.1.company,Q4.1.share", f"{invitation.customer.code},圆通,150"])
    with path.open("rb") as upload:
        page = client_as(people.amy).post(f"/campaigns/entry/{campaign.pk}/import/", {"file": upload})
    assert "第 Q4 题第 1 行“件量占比”：请填写 0 到 100 之间的百分比。" in page.content.decode()
    assert not Response.objects.exists()


@pytest.mark.parametrize("odd", ["nan", "inf", "1e309", "-0.5", "100.0001", "5" * 400, "50\x00"])
def test_odd_shares_are_refused_never_a_server_error(client, survey, odd):
    _campaign, invitation, _rated, table = survey
    page = client.post(f"/s/{invitation.token}/", cells(table, {1: {"company": "圆通", "share": odd}}))
    assert page.status_code == 400
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    ("typed", "stored"), [("５０％", 50.0), (" 12.5 % ", 12.5), ("0", 0.0), ("100", 100.0)]
)
def test_shares_are_read_as_people_type_them(client, survey, typed, stored):
    _campaign, invitation, _rated, table = survey
    page = client.post(f"/s/{invitation.token}/", cells(table, {1: {"company": "圆通", "share": typed}}))
    assert page.status_code == 302
    assert stored_cells(Response.objects.get())[(1, "share")] == stored


def test_a_number_column_wants_a_number(client, survey):
    _campaign, invitation, _rated, table = survey
    TableColumn.objects.create(
        question=table, position=9, code="parcels", label="月发件量", kind=TableColumnKind.NUMBER
    )
    page = client.post(f"/s/{invitation.token}/", cells(table, {1: {"company": "圆通", "parcels": "很多"}}))
    assert "第 Q4 题第 1 行“月发件量”：请填写数字。" in page.content.decode()
    assert (
        client.post(
            f"/s/{invitation.token}/", cells(table, {1: {"company": "圆通", "parcels": "1,200"}})
        ).status_code
        == 302
    )
    assert stored_cells(Response.objects.get())[(1, "parcels")] == 1200.0


def test_a_draft_may_hold_a_half_done_row_but_the_submit_may_not(client, survey):
    _campaign, invitation, _rated, table = survey
    table.table_shares_within_100 = True
    table.save()
    half_done = {1: {"share": "80", "pros": "便宜"}, 2: {"company": "中通", "share": "40"}}
    assert client.post(f"/s/{invitation.token}/", cells(table, half_done, action="save")).status_code == 200
    draft = Response.objects.get()
    assert draft.status == ResponseStatus.IN_PROGRESS and stored_cells(draft)[(1, "pros")] == "便宜"
    # A bad value is refused in a draft too.
    bad = cells(table, {1: {"company": "圆通", "share": "150"}}, action="save")
    assert client.post(f"/s/{invitation.token}/", bad).status_code == 400
    page = client.post(f"/s/{invitation.token}/", cells(table, half_done)).content.decode()
    assert "第 Q4 题第 1 行：请填写“快递公司”。" in page and "合计 120%" in page
    assert Response.objects.get().status == ResponseStatus.IN_PROGRESS
