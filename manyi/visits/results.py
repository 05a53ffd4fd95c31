"""Where a return visit's questionnaire answers belong (issue 14, deliverable 1).

A visit asks the questionnaire of a survey campaign (its rule's, plan row's or task's):

- The customer holds an open invitation of that survey: the visit answers it (回收 by phone or
  on site, seed 000's 电话催收). The survey counts one more returned questionnaire, by the
  visit's channel, in its response rate.
- Otherwise the customer is outside the survey's sample, or answered it already. The answers
  belong to the visit programme's own results: the survey's *visit results* campaign,
  "<survey> · 回访结果", made at the first such answer, with the survey's questionnaire, period
  (deadline), target index, confidentiality and one-voice rule, and no invitations. It has its
  own dashboard, report and export; the plan table, the rules and the record link to it.

Why not the survey campaign itself: a wave's figures describe its sample. Seed 000 counts a
survey as issued and returned (发放 15 份，回收 15 份，回收率 100%), and an auditor must be able
to redo every figure from the wave's list. Visits reach customers picked by events (a delivery,
a warranty ending, a closed complaint): a different population, whose answers would move the
wave's index and put answers in it that no invitation accounts for. A customer who already
answered the survey would be one voice with two answers.

Why one per survey rather than one per plan row, per rule or for all time: a plan row is one
visit, a rule one trigger among several; what a quality manager sets beside the wave is the
visit programme's answers to the same questionnaire over the same period. The results campaign
follows its survey (open while it is, with its deadline). It belongs to no series: a series is
the waves of one survey, compared wave by wave and measured for improvements; the visit results
are compared with their own survey, which links them.
"""

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from manyi.campaigns.choices import CampaignState, Channel, VoiceRule
from manyi.campaigns.models import Campaign, CampaignEvent

from .models import VisitResults


def _results_name(name):
    """'<survey name> · 回访结果' within the 200 characters of a campaign's name."""
    text = _("%(name)s · visit results") % {"name": name}
    overflow = len(text) - 200
    return _("%(name)s · visit results") % {"name": name[:-overflow]} if overflow > 0 else text


def results_campaign(survey, *, now):
    """The survey's visit results campaign, made at the first answer that needs it, and open as
    long as the survey is (a reopened survey reopens it with the same deadline)."""
    with transaction.atomic():
        # The survey's row is locked: two visits answered at once make one results campaign.
        survey = Campaign.objects.select_for_update().get(pk=survey.pk)
        link = VisitResults.objects.select_related("campaign").filter(survey=survey).first()
        if link is not None:
            return _follow(link.campaign, survey, now)
        # Stored names and notes in the site's language, not in the visiting agent's.
        with translation.override(settings.LANGUAGE_CODE):
            campaign = Campaign.objects.create(
                name=_results_name(survey.name),
                wave=survey.wave,
                questionnaire=survey.questionnaire,
                state=CampaignState.RUNNING,
                channels=[Channel.PHONE, Channel.VISIT],
                purpose=_(
                    "Answers of return visits to customers who had no open invitation of %(survey)s "
                    "(not in its sample, or answered it already). They are kept apart so that the "
                    "survey's figures hold only its own sample; the questionnaire is the same, so the "
                    "two can be compared."
                )
                % {"survey": survey.name},
                deadline=survey.deadline,
                reminder_days=[],
                target_response_rate=0,  # nobody is invited: there is no response rate to reach
                target_index=survey.target_index,
                confidential=survey.confidential,
                voice=survey.voice,
                created_by=survey.created_by,
                created_at=now,
            )
            note = _("Made for the return visits' answers.")
        CampaignEvent.objects.create(campaign=campaign, at=now, to_state=CampaignState.RUNNING, note=note)
        VisitResults.objects.create(survey=survey, campaign=campaign, created_at=now)
    return campaign


def _follow(campaign, survey, now):
    """Open with the survey's deadline, recording the reopening (closed with it at the deadline)."""
    if campaign.state == CampaignState.RUNNING and campaign.deadline == survey.deadline:
        return campaign
    if campaign.state != CampaignState.RUNNING:
        with translation.override(settings.LANGUAGE_CODE):
            note = _("Reopened with its survey for a return visit's answers.")
        CampaignEvent.objects.create(
            campaign=campaign, at=now, from_state=campaign.state, to_state=CampaignState.RUNNING, note=note
        )
    campaign.state, campaign.deadline = CampaignState.RUNNING, survey.deadline
    Campaign.objects.filter(pk=campaign.pk).update(state=campaign.state, deadline=campaign.deadline)
    return campaign


def open_invitation(campaign, customer_id, *, contact_id=None, now=None):
    """The customer's invitation to this campaign that may be answered now
    (Invitation.refusal_to_answer: not answered, not opted out, the campaign open), if any: a
    visit that asks the questionnaire answers it (回收 by phone or on site, seed 000's 电话催收),
    so the campaign counts one returned questionnaire, not an invitation left open beside a
    second answer.

    When the campaign asks each contact person (VoiceRule.CONTACT), a visit to one person
    answers only that person's invitation (or one that names nobody), never a colleague's: the
    buyer's answers must not fill in the engineer's questionnaire."""
    now = now or timezone.now()
    invitations = campaign.invitations.filter(customer_id=customer_id).order_by("pk")
    if campaign.voice == VoiceRule.CONTACT:
        invitations = invitations.filter(Q(contact_id=contact_id) | Q(contact__isnull=True))
    return next((i for i in invitations if i.refusal_to_answer(now) is None), None)


def where_answers_go(survey, customer_id, *, contact_id=None, now):
    """(campaign, invitation) for a visit's answers to the survey's questionnaire: the survey
    and the customer's (or the visited person's) open invitation, or the survey's visit results
    and none."""
    invitation = open_invitation(survey, customer_id, contact_id=contact_id, now=now)
    if invitation is not None:
        return survey, invitation
    return results_campaign(survey, now=now), None


def surveys_and_results(surveys):
    """[(survey, its visit results campaign or None)] of the distinct surveys given, by name: what
    the plan table and the rules page link to."""
    distinct = {survey.pk: survey for survey in surveys if survey is not None}
    results = {
        link.survey_id: link.campaign
        for link in VisitResults.objects.filter(survey_id__in=distinct).select_related("campaign")
    }
    return [(survey, results.get(pk)) for pk, survey in sorted(distinct.items(), key=lambda x: x[1].name)]
