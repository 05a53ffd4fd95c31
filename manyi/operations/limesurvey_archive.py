"""Moving a LimeSurvey survey in whole: the questionnaire, and from an archive (.lsa) its
participants and responses.

The questionnaire is planned and written by `manyi.surveys.limesurvey` (see its table of
question types). Participants (the archive's .lst) become invitations in a closed campaign,
each to a customer matched by e-mail (a customer's own, else a contact's) or created; the
completed responses (.lsr rows with a submit date) become completed responses with their
start and submit dates, scored by the normal scoring (`campaigns.answering.apply_scores`), so
every figure reads them like any other. LimeSurvey's response columns are named by survey,
group and question id (123456X2X15, a subquestion's code after it, "other", "comment"; in the
XML with a leading "_" and "#" written "-"), or in newer versions by question and
subquestion id (Q15, Q15_S31).
"""

import re
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from manyi.campaigns.answering import OTHER, apply_scores, build_answers
from manyi.campaigns.choices import CampaignState, Channel, InvitationStatus, ResponseStatus
from manyi.campaigns.models import Answer, Campaign, Invitation, Response
from manyi.customers.models import Contact, Customer
from manyi.surveys.choices import QuestionKind
from manyi.surveys.limesurvey import mapping, reader, structure
from manyi.surveys.limesurvey.importing import create_questionnaire
from manyi.surveys.naming import field_name

_COLUMN = re.compile(r"^_?(\d+)X(\d+)X(\d+)(.*)$")
# Newer LimeSurvey names response columns by question and subquestion id: Q15, Q15_S31, Q15other.
_Q_COLUMN = re.compile(r"^_?Q(\d+)(?:_S(\d+))?_?(.*)$")
CHOICE_ONE = {QuestionKind.RATING, QuestionKind.SINGLE, QuestionKind.YES_NO}


@dataclass
class ImportResult:
    plan: mapping.Plan
    is_archive: bool = False
    questionnaire: object = None
    campaign: object = None
    created_customers: int = 0
    matched_customers: int = 0
    token_rows: list = field(default_factory=list)
    response_rows: list = field(default_factory=list)

    @property
    def report(self):
        return self.plan.report

    def as_json(self):
        data = self.report.as_json()
        data.update(
            {
                "archive": self.is_archive,
                "questionnaire_id": self.questionnaire.pk if self.questionnaire else None,
                "campaign_id": self.campaign.pk if self.campaign else None,
                "customers_created": self.created_customers,
                "customers_matched": self.matched_customers,
            }
        )
        return data


def read(path):
    """The ImportResult (plan and report, nothing written) of a .lss or .lsa file.

    Raises reader.LimeSurveyFileError with the user's message when the file is not read."""
    archive = reader.read_path(path)
    plan = mapping.plan_questionnaire(structure.read_survey(archive.survey))
    result = ImportResult(plan=plan, is_archive=archive.is_archive)
    if archive.is_archive:
        result.token_rows = archive.token_rows()
        result.response_rows = archive.response_rows()
        plan.report.participants = len(result.token_rows)
        completed = [row for row in result.response_rows if row.get("submitdate", "").strip()]
        plan.report.responses = len(completed)
        if len(completed) < len(result.response_rows):
            plan.report.add("incomplete_responses", count=len(result.response_rows) - len(completed))
        for name in archive.skipped:
            plan.report.add("timings", name)
    return result


def import_limesurvey(path, *, by=None, dry_run=False):
    """Read a .lss / .lsa file and (unless dry_run) create what it holds; the ImportResult."""
    result = read(path)
    if not dry_run:
        save(result, by=by)
    return result


@transaction.atomic
def save(result, *, by=None):
    """Write what `read` planned: the questionnaire, and for an archive the campaign with its
    invitations and responses."""
    result.questionnaire = create_questionnaire(result.plan, by=by)
    if not result.is_archive:
        return result
    result.campaign = Campaign.objects.create(
        name=_("%(title)s (from LimeSurvey)") % {"title": result.plan.title[:170]},
        questionnaire=result.questionnaire,
        state=CampaignState.CLOSED,
        channels=[Channel.EMAIL],
        purpose=result.plan.description,
        created_by=by,
    )
    invitations = _invitations(result)
    _responses(result, invitations)
    return result


def _when(text):
    """A LimeSurvey date ("2026-03-02 10:15:00", in the server's time zone) or None."""
    text = (text or "").strip()
    if not text or text.upper() == "N":
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _customer(row, sid, result):
    email = row.get("email", "").strip()[:254]
    if email:
        found = Customer.objects.filter(email__iexact=email).first()
        if found is None:
            contact = Contact.objects.filter(email__iexact=email).select_related("customer").first()
            found = contact.customer if contact else None
        if found is not None:
            result.matched_customers += 1
            return found, email
    first, last = row.get("firstname", "").strip(), row.get("lastname", "").strip()
    chinese = re.search("[\u3400-\u9fff]", first + last)
    name = last + first if chinese else " ".join(filter(None, [first, last]))
    code = f"LS{sid}-{row.get('tid', '').strip() or row.get('token', '')}"[:40]
    customer, created = Customer.objects.get_or_create(
        code=code, defaults={"name": (name or email or code)[:200], "email": email if "@" in email else ""}
    )
    if created:
        result.created_customers += 1
    else:
        result.matched_customers += 1
    return customer, email


def _invitations(result):
    """LimeSurvey token -> Invitation, one per participant row."""
    sid = result.plan.sid
    by_token = {}
    for row in result.token_rows:
        customer, email = _customer(row, sid, result)
        completed_at, sent_at = _when(row.get("completed")), _when(row.get("sent"))
        # LimeSurvey writes a date, "Y" when it kept none, or "N".
        done, sent = (row.get(name, "").strip().upper() not in ("", "N") for name in ("completed", "sent"))
        status = (
            InvitationStatus.COMPLETED if done else InvitationStatus.SENT if sent else InvitationStatus.ISSUED
        )
        invitation = Invitation.objects.create(
            campaign=result.campaign,
            customer=customer,
            email=email if "@" in email else "",
            channel=Channel.EMAIL,
            status=status,
            sent_at=sent_at,
            completed_at=completed_at,
        )
        token = row.get("token", "").strip()
        if token:
            by_token[token] = invitation
    return by_token


class _Columns:
    """Where each response column goes: (question, matrix row or None, suffix)."""

    def __init__(self, result):
        questionnaire = result.questionnaire
        questions = {q.code: q for q in questionnaire.layout().questions}
        self.questions = {p.qid: questions.get(p.code) for p in result.plan.questions if p.qid}
        self.rows = {}
        for planned in result.plan.questions:
            question = questions.get(planned.code)
            if question is not None:
                by_code = {r.code: r for r in questionnaire.layout().rows[question.pk]}
                self.rows[planned.qid] = {lime: by_code.get(mine) for mine, _t, lime in planned.rows}
        self.options = {
            q.pk: {getattr(o, "code", "") or str(o.position + 1): o for o in q.options.all()}
            for q in questions.values()
        }
        self.subquestion_codes = {p.qid: p.subquestion_codes for p in result.plan.questions}
        self.planned_codes = {
            p.code: {o.code: n for n, o in enumerate(p.options)} for p in result.plan.questions
        }

    def locate(self, key):
        """(question id, suffix) of a response column, None for the columns of no question
        (id, token, submitdate …)."""
        match = _COLUMN.match(key)
        if match:
            return match.group(3), match.group(4).replace("-", "#")
        match = _Q_COLUMN.match(key)
        if match is None:
            return None
        qid, sub, rest = match.groups()
        sub_code = self.subquestion_codes.get(qid, {}).get(sub, "") if sub else ""
        return qid, sub_code + rest.replace("-", "#")

    def option(self, question, code):
        """The option of a question by its LimeSurvey answer code (by position when the
        options hold no code yet)."""
        options = self.options[question.pk]
        if code in options:
            return options[code]
        position = self.planned_codes.get(question.code, {}).get(code)
        return next((o for o in options.values() if o.position == position), None)


def _other(columns, question, qid, suffix, value, cleaned):
    name = field_name(question)
    if question.kind == QuestionKind.MULTIPLE:
        cleaned.setdefault(name, []).append(OTHER)
    else:
        cleaned[name] = OTHER
    cleaned[field_name(question, suffix=OTHER)] = value
    return True


def _one_choice(columns, question, qid, suffix, value, cleaned):
    if suffix:
        return False
    if value == "-oth-":  # "other" chosen: its text is in the "other" column
        return True
    option = columns.option(question, value)
    if option is not None:
        cleaned[field_name(question)] = str(option.pk)
    return option is not None


def _multiple(columns, question, qid, suffix, value, cleaned):
    code = suffix if value.upper() == "Y" else value  # M: SQ001 = "Y"; R (ranking): 1 = code
    option = columns.option(question, code)
    if option is not None:
        cleaned.setdefault(field_name(question), []).append(str(option.pk))
    return option is not None


def _matrix(columns, question, qid, suffix, value, cleaned):
    sub, _hash, scale = suffix.partition("#")
    row = columns.rows.get(qid, {}).get(sub)
    option = columns.option(question, value)
    if row is None or option is None or scale not in ("", "0"):
        return False
    cleaned[field_name(question, row)] = str(option.pk)
    return True


def _nps(columns, question, qid, suffix, value, cleaned):
    try:
        number = float(value)
    except ValueError:
        return False
    if suffix or not 0 <= number <= 10 or number != int(number):
        return False
    cleaned[field_name(question)] = int(number)
    return True


def _text(columns, question, qid, suffix, value, cleaned):
    if suffix:
        return False
    cleaned[field_name(question)] = value
    return True


_CELLS = {
    **dict.fromkeys(CHOICE_ONE, _one_choice),
    QuestionKind.MULTIPLE: _multiple,
    QuestionKind.MATRIX: _matrix,
    QuestionKind.NPS: _nps,
    QuestionKind.TEXT: _text,
}


def _cell(columns, question, qid, suffix, value, cleaned):
    """Put one response cell into the form data; False when it fits nowhere (comments, a
    dual scale's second scale, tables, a code no option has)."""
    if suffix == "other" and question.allow_other:
        return _other(columns, question, qid, suffix, value, cleaned)
    fill = _CELLS.get(question.kind)
    return fill is not None and fill(columns, question, qid, suffix, value, cleaned)


def _form_data(columns, row, report):
    cleaned = {}
    for key, raw in row.items():
        value = (raw or "").strip()
        located = columns.locate(key) if value else None
        if located is None:
            continue
        qid, suffix = located
        question = columns.questions.get(qid)
        if question is None or not _cell(columns, question, qid, suffix, value, cleaned):
            report.add("unmatched_answers", key.lstrip("_"))
    return cleaned


def _responses(result, invitations):
    columns = _Columns(result)
    questionnaire, report = result.questionnaire, result.report
    for row in result.response_rows:
        submitted = _when(row.get("submitdate"))
        if submitted is None:
            continue
        invitation = invitations.get(row.get("token", "").strip())
        if invitation is not None and hasattr(invitation, "imported_response"):
            invitation = None  # a token answered twice (LimeSurvey's uses-left): the second stands alone
        answers = build_answers(questionnaire, _form_data(columns, row, report))
        response = Response(
            campaign=result.campaign,
            questionnaire=questionnaire,
            invitation=invitation,
            customer_id=invitation.customer_id if invitation else None,
            channel=Channel.EMAIL if invitation else Channel.WEB,
            status=ResponseStatus.COMPLETED,
            started_at=_when(row.get("startdate")) or submitted,
            completed_at=submitted,
        )
        apply_scores(response, answers)
        response.save()
        for answer in answers:
            answer.response = response
        Answer.objects.bulk_create(answers)
        if invitation is not None:
            invitation.imported_response = response
            if invitation.completed_at is None:
                invitation.status, invitation.completed_at = InvitationStatus.COMPLETED, submitted
                invitation.save(update_fields=["status", "completed_at"])
