"""Agents enter phone interviews and paper questionnaires; the response page and its rights."""

import pytest

from manyi.campaigns.choices import CampaignState, Channel, InvitationStatus, ResponseStatus
from manyi.campaigns.models import Response
from manyi.testing import make_campaign, make_customer, make_invitation, make_question, make_questionnaire

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_messages():
    """These tests read the messages in English (the msgids); pages show them translated."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def survey():
    questionnaire = make_questionnaire(title="电话回访")
    questions = [make_question(questionnaire, code=f"Q{n}", text=f"第{n}项") for n in (1, 2, 3)]
    campaign = make_campaign(questionnaire, state=CampaignState.RUNNING, channels=[Channel.PHONE])
    invitation = make_invitation(campaign)
    return campaign, invitation, questions


def answers(questions, labels=("很满意", "满意", "可以接受"), action="submit"):
    data = {
        f"q-{q.pk}": str(q.options.get(label=label).pk) for q, label in zip(questions, labels, strict=False)
    }
    data["action"] = action
    return data


def enter_url(invitation, channel="phone"):
    return f"/campaigns/entry/invitations/{invitation.pk}/{channel}/"


def completed_response(campaign, invitation, questions, agent):
    from manyi.campaigns.answering import AnswerForm, save_response

    form = AnswerForm(campaign.questionnaire, data=answers(questions))
    assert form.is_valid()
    response, _ = save_response(
        campaign=campaign,
        questionnaire=campaign.questionnaire,
        cleaned_data=form.cleaned_data,
        channel=Channel.PHONE,
        invitation=invitation,
        agent=agent,
    )
    return response


def test_a_phone_interview_records_the_agent_and_the_channel(client_as, people, survey):
    _campaign, invitation, questions = survey
    client = client_as(people.amy)

    assert client.get(enter_url(invitation)).status_code == 200
    result = client.post(enter_url(invitation), answers(questions))

    assert result.status_code == 302
    response = Response.objects.get()
    assert response.channel == Channel.PHONE and response.agent == people.amy
    assert response.status == ResponseStatus.COMPLETED and response.index == pytest.approx(80.0)
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.COMPLETED


def test_paper_entry_records_the_paper_channel(client_as, people, survey):
    _campaign, invitation, questions = survey
    client_as(people.sam).post(enter_url(invitation, "paper"), answers(questions))
    assert Response.objects.get().channel == Channel.PAPER


def test_a_missing_answer_in_entry_is_named_and_nothing_is_saved(client_as, people, survey):
    _campaign, invitation, questions = survey
    result = client_as(people.amy).post(enter_url(invitation), answers(questions[:2]))
    assert result.status_code == 400
    assert "Q3" in result.content.decode()
    assert not Response.objects.exists()


def test_an_agent_can_save_a_draft_and_finish_it_later(client_as, people, survey):
    _campaign, invitation, questions = survey
    client = client_as(people.amy)
    client.post(enter_url(invitation), answers(questions[:1], action="save"))
    assert Response.objects.get().status == ResponseStatus.IN_PROGRESS

    page = client.get(enter_url(invitation)).content.decode()
    assert f'value="{questions[0].options.get(label="很满意").pk}" autocomplete="off" checked' in page
    client.post(enter_url(invitation), answers(questions))
    assert Response.objects.get().status == ResponseStatus.COMPLETED


def test_no_entry_for_a_campaign_that_is_not_running(client_as, people, survey):
    campaign, invitation, questions = survey
    campaign.state = CampaignState.CLOSED
    campaign.save()
    result = client_as(people.amy).post(enter_url(invitation), answers(questions))
    assert result.status_code == 302
    assert not Response.objects.exists()


def test_an_unknown_entry_channel_is_404(client_as, people, survey):
    assert client_as(people.amy).get(enter_url(survey[1], "web")).status_code == 404


@pytest.mark.parametrize(
    ("who", "status"), [("alice", 200), ("sam", 200), ("amy", 200), ("hank", 403), ("ana", 403)]
)
def test_who_may_enter_answers(client_as, people, survey, who, status):
    campaign, invitation, _questions = survey
    client = client_as(getattr(people, who))
    assert client.get(enter_url(invitation)).status_code == status
    assert client.get(f"/campaigns/entry/{campaign.pk}/").status_code == status


def test_anonymous_users_go_to_the_login_page(client, survey):
    campaign, invitation, _questions = survey
    for url in (
        enter_url(invitation),
        f"/campaigns/entry/{campaign.pk}/",
        f"/campaigns/entry/{campaign.pk}/import/",
    ):
        result = client.get(url)
        assert result.status_code == 302 and result["Location"].startswith("/accounts/login/")


def test_the_invitation_list_links_to_entry(client_as, people, survey):
    campaign, invitation, _questions = survey
    page = client_as(people.amy).get(f"/campaigns/entry/{campaign.pk}/").content.decode()
    assert enter_url(invitation) in page and invitation.customer.name in page


@pytest.mark.parametrize(
    ("who", "status"), [("alice", 200), ("sam", 200), ("amy", 200), ("hank", 403), ("ana", 200)]
)
def test_who_may_see_a_response(client_as, people, survey, who, status):
    response = completed_response(*survey, agent=people.amy)
    result = client_as(getattr(people, who)).get(f"/campaigns/entry/responses/{response.pk}/")
    assert result.status_code == status
    if status == 200:
        page = result.content.decode()
        assert "80.0" in page and "满意" in page


@pytest.mark.parametrize(
    ("who", "status"), [("alice", 200), ("sam", 403), ("amy", 403), ("hank", 403), ("ana", 200)]
)
def test_a_confidential_response_is_only_for_those_granted_it(client_as, people, survey, who, status):
    campaign = survey[0]
    campaign.confidential = True
    campaign.save()
    response = completed_response(*survey, agent=people.amy)
    result = client_as(getattr(people, who)).get(f"/campaigns/entry/responses/{response.pk}/")
    assert result.status_code == status


def test_the_response_page_needs_a_login(client, people, survey):
    response = completed_response(*survey, agent=people.amy)
    result = client.get(f"/campaigns/entry/responses/{response.pk}/")
    assert result.status_code == 302 and result["Location"].startswith("/accounts/login/")


def test_the_timeline_shows_invitations_and_responses_and_hides_confidential_scores(people, survey):
    from django.utils import timezone

    from manyi.campaigns import timeline

    campaign, invitation, questions = survey
    invitation.sent_at = invitation.opened_at = timezone.now()
    invitation.save()
    response = completed_response(campaign, invitation, questions, agent=people.amy)
    customer = invitation.customer

    titles = [entry.title for entry in timeline.invitations(customer, people.amy)]
    assert len(titles) == 2
    (entry,) = timeline.responses(customer, people.amy)
    assert "80.0" in entry.detail and "满意" in entry.detail
    assert entry.url == f"/campaigns/entry/responses/{response.pk}/"

    campaign.confidential = True
    campaign.save()
    (hidden,) = timeline.responses(customer, people.amy)
    assert hidden.url == "" and "80.0" not in hidden.detail
    (shown,) = timeline.responses(customer, people.ana)
    assert shown.url


def paper_file(tmp_path, lines):
    path = tmp_path / "paper.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_paper_answers_import_by_label_or_points(client_as, people, survey, tmp_path):
    campaign, invitation, _questions = survey
    other = make_invitation(campaign)
    path = paper_file(
        tmp_path,
        [
            "客户编号,Q1,Q2,Q3",
            f"{invitation.customer.code},很满意,满意,可以接受",
            f"{other.customer.code},10,8,6",
        ],
    )
    with path.open("rb") as upload:
        result = client_as(people.amy).post(f"/campaigns/entry/{campaign.pk}/import/", {"file": upload})

    assert result.status_code == 302
    responses = Response.objects.all()
    assert responses.count() == 2
    assert {r.channel for r in responses} == {Channel.PAPER}
    assert {r.agent for r in responses} == {people.amy}
    assert all(r.index == pytest.approx(80.0) for r in responses)


def test_one_bad_row_imports_nothing_and_names_the_row(client_as, people, survey, tmp_path):
    campaign, invitation, _questions = survey
    path = paper_file(
        tmp_path,
        [
            "客户编号,Q1,Q2,Q3",
            f"{invitation.customer.code},很满意,满意,可以接受",
            "NOBODY,10,8,6",
            f"{invitation.customer.code},10,7,",
        ],
    )
    with path.open("rb") as upload:
        result = client_as(people.amy).post(f"/campaigns/entry/{campaign.pk}/import/", {"file": upload})

    assert result.status_code == 400
    page = result.content.decode()
    assert "NOBODY" in page and "<td>3</td>" in page and "<td>4</td>" in page
    assert not Response.objects.exists()


def test_a_missing_required_answer_in_the_file_is_an_error(people, survey, tmp_path):
    from manyi.campaigns.answering import import_paper_answers

    campaign, invitation, _questions = survey
    path = paper_file(tmp_path, ["客户编号,Q1,Q2,Q3", f"{invitation.customer.code},很满意,,可以接受"])
    result = import_paper_answers(campaign, path, agent=people.amy)
    assert result.errors == [(2, "Please answer question Q2.")]
    assert not Response.objects.exists()


def test_an_unknown_question_column_is_an_error(people, survey, tmp_path):
    from manyi.campaigns.answering import import_paper_answers

    campaign, invitation, _questions = survey
    path = paper_file(tmp_path, ["客户编号,Q1,Q9", f"{invitation.customer.code},很满意,满意"])
    result = import_paper_answers(campaign, path)
    assert result.errors and "Q9" in result.errors[0][1]


@pytest.mark.parametrize(("who", "status"), [("alice", 200), ("amy", 200), ("hank", 403), ("ana", 403)])
def test_who_may_import_paper_answers(client_as, people, survey, who, status):
    assert (
        client_as(getattr(people, who)).get(f"/campaigns/entry/{survey[0].pk}/import/").status_code == status
    )


def test_the_campaign_page_links_agents_to_answer_entry(people, client_as):
    campaign = make_campaign(make_questionnaire(), state=CampaignState.RUNNING)
    entry = f"/campaigns/entry/{campaign.pk}/"
    assert entry in client_as(people.amy).get(f"/campaigns/{campaign.pk}/").content.decode()
    assert entry not in client_as(people.ana).get(f"/campaigns/{campaign.pk}/").content.decode()


def test_the_import_page_lists_the_columns_the_importer_reads(client_as, people, tmp_path):
    from manyi.surveys.choices import QuestionKind

    questionnaire = make_questionnaire(title="纸质问卷")
    make_question(questionnaire, code="Q1", text="产品质量")
    make_question(
        questionnaire, code="M", text="服务", kind=QuestionKind.MATRIX, rows=(("M1", "响应"), ("M2", "态度"))
    )
    make_question(questionnaire, code="Q3", text="价格")
    campaign = make_campaign(questionnaire, state=CampaignState.RUNNING, channels=[Channel.PAPER])
    invitation = make_invitation(campaign)
    client = client_as(people.amy)

    page = client.get(f"/campaigns/entry/{campaign.pk}/import/").content.decode()
    # Matrix rows stand in their question's place, each as a column of its own.
    assert ", Q1, M1, M2, Q3</code>" in page

    path = paper_file(
        tmp_path, ["客户编号,Q1,M1,M2,Q3", f"{invitation.customer.code},很满意,满意,10,可以接受"]
    )
    with path.open("rb") as upload:
        result = client.post(f"/campaigns/entry/{campaign.pk}/import/", {"file": upload})
    assert result.status_code == 302
    # 很满意 = 10, 满意 = 8, 10 points, 可以接受 = 6: each column reached its question or row.
    assert Response.objects.get().points == {"Q1": 10.0, "M1": 8.0, "M2": 10.0, "Q3": 6.0}


def test_paper_rows_of_one_customer_answer_each_contacts_invitation(people, survey, tmp_path):
    """A customer whose people were each invited hands in one paper questionnaire per person:
    each row with the customer's code answers the next invitation still open."""
    from manyi.campaigns.answering import import_paper_answers
    from manyi.testing import make_contact

    campaign, _invitation, _questions = survey
    customer = make_customer(code="KH-9")
    first = make_invitation(campaign, customer, contact=make_contact(customer, name="甲"))
    second = make_invitation(campaign, customer, contact=make_contact(customer, name="乙"))
    rows = ["客户编号,Q1,Q2,Q3", "KH-9,很满意,满意,可以接受", "KH-9,10,10,10", "KH-9,8,8,8"]
    result = import_paper_answers(campaign, paper_file(tmp_path, rows), agent=people.amy)
    assert result.errors == [(4, "Customer KH-9 has already answered.")]
    assert not Response.objects.exists()  # one bad row imports nothing
    result = import_paper_answers(campaign, paper_file(tmp_path, rows[:3]), agent=people.amy)
    assert not result.errors
    answered = {r.invitation_id: r.index for r in Response.objects.all()}
    assert answered == {first.pk: pytest.approx(80.0), second.pk: pytest.approx(100.0)}


def test_past_its_deadline_the_entry_list_offers_no_entry_and_says_why(client_as, people, survey):
    from datetime import timedelta

    from django.utils import timezone, translation

    from manyi.campaigns.choices import AnswerRefusal

    campaign, invitation, _questions = survey
    client = client_as(people.amy)
    page = client.get(f"/campaigns/entry/{campaign.pk}/").content.decode()
    assert enter_url(invitation) in page and "import-link" in page

    campaign.deadline = timezone.now() - timedelta(minutes=1)  # running until the periodic job runs
    campaign.save()
    page = client.get(f"/campaigns/entry/{campaign.pk}/").content.decode()
    assert enter_url(invitation) not in page and "import-link" not in page
    with translation.override("zh-hans"):  # the page's language
        assert str(AnswerRefusal.PAST_DEADLINE.label) in page
