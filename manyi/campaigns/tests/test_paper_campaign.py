"""A paper (mail, fax, Excel) campaign issues its invitations and takes its sample's answers.

Seed 000, 2018 report: "以EMAIL或邮寄问卷调查为主,佐以电话催收问卷,回收方式为传真、邮寄或EMAIL".
"""

import pytest
from django.core import mail

from manyi.campaigns import workflow
from manyi.campaigns.answering import import_paper_answers
from manyi.campaigns.channels import send_invitations
from manyi.campaigns.choices import Channel, InvitationStatus, SamplingMethod
from manyi.testing import make_campaign, make_customer, make_question, make_questionnaire

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_messages():
    from django.utils import translation

    with translation.override("en"):
        yield


def paper_campaign(channels, **kwargs):
    questionnaire = make_questionnaire(title="纸质问卷")
    for n in (1, 2):
        make_question(questionnaire, code=f"Q{n}", text=f"第{n}项")
    return make_campaign(questionnaire, channels=channels, **kwargs)


def test_a_paper_only_campaign_issues_its_sample_and_imports_their_answers(people, tmp_path):
    customers = [make_customer(code=f"P{n:02d}", email=f"p{n}@example.com") for n in range(10)]
    campaign = paper_campaign(
        [Channel.PAPER], sampling_method=SamplingMethod.SIMPLE, sample_size=6, sampling_seed=7
    )
    campaign = workflow.start(campaign, by=people.sam)

    invitations = list(campaign.invitations.select_related("customer"))
    assert len(invitations) == 6
    assert {i.channel for i in invitations} == {Channel.PAPER}
    assert {i.status for i in invitations} == {InvitationStatus.ISSUED}
    # Nothing is sent by e-mail although the customers have addresses: the sheet goes by post.
    assert send_invitations(campaign) == (0, 0)
    assert mail.outbox == []
    assert {i.status for i in campaign.invitations.all()} == {InvitationStatus.ISSUED}

    sampled = sorted(i.customer.code for i in invitations)
    left_out = sorted({c.code for c in customers} - set(sampled))
    path = tmp_path / "paper.csv"
    # Four of the six sampled customers sent their sheet back: 10+8 points, 8+6, 6+6, 10+10.
    rows = ["客户编号,Q1,Q2"] + [
        f"{code},{a},{b}" for code, (a, b) in zip(sampled, [(10, 8), (8, 6), (6, 6), (10, 10)], strict=False)
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = import_paper_answers(campaign, path, agent=people.amy)
    assert result.errors == [] and result.imported == 4

    counts = workflow.campaign_counts(campaign)
    assert (counts["issued"], counts["returned"], counts["valid"]) == (6, 4, 4)
    assert counts["response_rate"] == round(100 * 4 / 6, 1)
    assert counts["uninvited_completed"] == 0

    # A customer outside the sample is refused, and the file imports nothing.
    path.write_text(f"客户编号,Q1,Q2\n{sampled[4]},10,10\n{left_out[0]},10,10\n", encoding="utf-8")
    result = import_paper_answers(campaign, path, agent=people.amy)
    assert result.errors == [(3, f"Customer {left_out[0]} is not invited in this campaign.")]
    assert workflow.campaign_counts(campaign)["returned"] == 4


def test_a_phone_only_campaign_issues_phone_invitations_that_are_not_sent(people):
    for n in range(3):
        make_customer(email=f"t{n}@example.com")
    campaign = workflow.start(paper_campaign([Channel.PHONE]), by=people.sam)
    assert (
        sorted(campaign.invitations.values_list("channel", "status"))
        == [(Channel.PHONE, InvitationStatus.ISSUED)] * 3
    )
    assert send_invitations(campaign) == (0, 0)
    assert mail.outbox == []


def test_an_anonymous_only_campaign_still_invites_nobody(people):
    make_customer()
    campaign = workflow.start(paper_campaign([Channel.ANONYMOUS]), by=people.sam)
    assert not campaign.invitations.exists()


def test_paper_and_e_mail_together_e_mail_whoever_has_an_address(people):
    with_address = make_customer(email="a@example.com")
    without = make_customer()
    campaign = workflow.start(paper_campaign([Channel.EMAIL, Channel.PAPER]), by=people.sam)
    channels = dict(campaign.invitations.values_list("customer_id", "channel"))
    assert channels == {with_address.pk: Channel.EMAIL, without.pk: Channel.PAPER}
