"""Quotas (配额) per stratum of a campaign's respondents (issue 21): e.g. 50 VIP customers.

A quota counts the completed valid responses of its stratum: customers of a type (VIP, key
account, normal), of a region, or respondents who gave one answer to a screening question
(Q1 == "A2"). `Quota.completed` is raised in the transaction that completes a response by

    UPDATE quota SET completed = completed + 1 WHERE id = … AND completed < limit

which PostgreSQL runs under the quota row's lock and re-checks after a concurrent submit
commits, so two submits at once never pass the limit (tests/…/test_quotas.py races them); a
response that is not valid (the validity rule) does not count.

When a stratum's quota is full, the public answer page closes for that stratum, as
LimeSurvey's "terminate survey" quotas do:
- a new respondent of the stratum sees a polite page instead of the questionnaire;
- a respondent already answering sees the polite page at their next "next" or their submit
  (an answer-based quota as soon as they give the screening answer); what they answered is kept
  as their unfinished response, never lost, and not counted;
- staff entry (phone, paper, a visit) is never refused: its response counts while the quota has
  room and is kept uncounted when it is full.
"""

from __future__ import annotations

from django.db.models import F

from .choices import QuotaStratum, ResponseStatus
from .models import Quota


class QuotaFull(Exception):
    """The respondent's stratum has no room left (`quota` is the full one)."""

    def __init__(self, quota):
        super().__init__(quota.name)
        self.quota = quota


def _customer_values(customer):
    if customer is None:
        return {}
    return {QuotaStratum.CUSTOMER_TYPE: customer.customer_type, QuotaStratum.REGION: customer.region}


def falls_in(quota, customer_values, codes):
    """Whether a respondent (their customer's type and region, their answers' option codes
    {question code: [codes]}) belongs to the quota's stratum."""
    if quota.stratum == QuotaStratum.ANSWER:
        return quota.value in codes.get(quota.question_code, ())
    value = customer_values.get(quota.stratum)
    return value is not None and value == quota.value


def answer_codes(answers):
    """{question code: [option codes]} of Answer objects (or of the answer form: see form_codes)."""
    codes = {}
    for answer in answers:
        if answer.option_id and answer.option is not None:
            codes.setdefault(answer.question.code, []).append(answer.option.code)
    return codes


def form_codes(layout, cleaned):
    """{question code: [option codes]} of an answer form's cleaned data."""
    from manyi.surveys.naming import field_name

    codes = {}
    for question in layout.questions:
        value = cleaned.get(field_name(question))
        picked = value if isinstance(value, list) else [value]
        options = layout.options.get(question.pk, {})
        chosen = [options[str(p)].code for p in picked if p is not None and str(p) in options]
        if chosen:
            codes[question.code] = chosen
    return codes


def full_quota(campaign, invitation=None, codes=None):
    """The first full quota the respondent (their invitation's customer, their answers' codes)
    falls in, or None. Read fresh, since a quota fills while people answer; the customer and
    the codes (a dict, or a function giving it) are read only when a quota is full."""
    full = list(Quota.objects.filter(campaign=campaign, completed__gte=F("limit")))
    if not full:
        return None
    values = _customer_values(invitation.customer if invitation is not None else None)
    codes = (codes() if callable(codes) else codes) or {}
    return next((quota for quota in full if falls_in(quota, values, codes)), None)


def count_completed(campaign, response, answers, *, enforce):
    """Count a response being completed toward the quotas its respondent falls in (called in
    the transaction that stores it). A response that is not valid counts toward none. With
    `enforce`, a full quota raises QuotaFull (the transaction is rolled back by the caller)."""
    quotas = list(Quota.objects.filter(campaign=campaign))
    if not quotas or response.valid is False or response.status != ResponseStatus.COMPLETED:
        return
    customer = response.customer if response.customer_id else None
    values, codes = _customer_values(customer), answer_codes(answers)
    for quota in quotas:
        if not falls_in(quota, values, codes):
            continue
        counted = Quota.objects.filter(pk=quota.pk, completed__lt=F("limit")).update(
            completed=F("completed") + 1
        )
        if not counted and enforce:
            raise QuotaFull(quota)


def recount(campaign):
    """Set every quota of the campaign to the completed valid responses of its stratum (at most
    its limit): after responses were deleted or quotas added to a running campaign."""
    from .models import Response

    responses = (
        Response.objects.filter(campaign=campaign, status=ResponseStatus.COMPLETED)
        .exclude(valid=False)
        .select_related("customer")
        .prefetch_related("answers__option", "answers__question")
    )
    rows = [(_customer_values(r.customer), answer_codes(r.answers.all())) for r in responses]
    for quota in Quota.objects.filter(campaign=campaign):
        filled = sum(1 for values, codes in rows if falls_in(quota, values, codes))
        Quota.objects.filter(pk=quota.pk).update(completed=min(filled, quota.limit))


def copy_quotas(source, target):
    """The quotas of `source` for its next wave `target`: the same strata and limits, none
    filled yet (campaigns.workflow.copy_as_next_wave)."""
    Quota.objects.bulk_create(
        Quota(
            campaign=target,
            name=quota.name,
            stratum=quota.stratum,
            value=quota.value,
            question_code=quota.question_code,
            limit=quota.limit,
        )
        for quota in Quota.objects.filter(campaign=source)
    )
