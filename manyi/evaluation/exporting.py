"""The rewards and penalties of a scheme as XLSX for payroll and HR (text cells neutralised
against formula injection, as every export of Manyi)."""

from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _

from manyi.customers.masking import neutralise_formula

from .models import RewardPenalty


def rewards_of(scheme):
    return (
        RewardPenalty.objects.filter(result__scheme=scheme)
        .select_related("result__unit", "result__employee", "person", "approver")
        .order_by("result__unit__path", "pk")
    )


def filename(scheme):
    return f"rewards-{scheme.period_start:%Y}-v{scheme.version}-{timezone.localdate():%Y%m%d}.xlsx"


def _person(user):
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def rows(rewards):
    for reward in rewards:
        yield [
            reward.result.unit.code if reward.result.unit else "",
            reward.result.unit.name if reward.result.unit else "",
            _person(reward.person),
            reward.person.get_username() if reward.person else "",
            reward.get_kind_display(),
            float(reward.amount) if reward.amount is not None else None,
            reward.title,
            reward.reason,
            reward.result.total,
            reward.result.rank,
            _person(reward.approver),
            reward.approved_on,
        ]


def headers():
    return [
        _("Unit code"),
        _("Unit"),
        _("Person concerned"),
        _("User name"),
        _("Kind"),
        _("Amount (yuan)"),
        _("Title"),
        _("Reason"),
        _("Score"),
        _("Rank"),
        _("Approver"),
        _("Approved on"),
    ]


def rewards_xlsx(scheme, rewards):
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(_("Rewards and penalties"))[:31])
    sheet.append([neutralise_formula(str(h)) for h in headers()])
    for row in rows(rewards):
        sheet.append([neutralise_formula(str(v)) if isinstance(v, str) else v for v in row])
    out = BytesIO()
    workbook.save(out)
    out.seek(0)
    return out
