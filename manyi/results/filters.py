"""Which responses a figure reads: the filters' selection as a row mask (`mask`), the analysed rows
(`analysed`: one voice, valid) and the rows behind one figure (`rows_behind`). The form that
reads the selection from the query string is the dashboard page's (dashboards/forms.py)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from manyi.campaigns.choices import Channel
from manyi.customers.choices import CustomerType

SEGMENTS = {
    "region": _("Region"),
    "customer_type": _("Customer type"),
    "owner": _("Account manager"),
    "channel": _("Channel"),
    "agent": _("Interviewer"),
    "month": _("Month"),
}
# The breakdown can also be by product: a response then counts under each product its
# customer bought (groups overlap, so products are no cross-tab variable).
BREAKDOWNS = {**SEGMENTS, "product": _("Product")}


def category_names(name, values):
    """What people call each stored value of a category, in the same order: the dataset keeps
    what the rows hold (customer type and channel codes, staff usernames), which are
    identifiers, not words for a page."""
    if name == "customer_type":
        known = dict(CustomerType.choices)
    elif name == "channel":
        known = dict(Channel.choices)
    elif name in ("owner", "agent"):
        users = get_user_model().objects.filter(username__in=[v for v in values if v])
        known = {user.username: str(user) for user in users.only("username", "first_name", "last_name")}
    else:
        known = {}
    return [str(known.get(value, value)) for value in values]


@dataclass(frozen=True)
class Selection:
    """What the filters chose (empty = everyone)."""

    region: str = ""
    customer_type: str = ""
    owner: str = ""
    agent: str = ""
    channel: str = ""
    product: int | None = None
    date_from: object = None
    date_to: object = None
    # An organisation unit chosen (its id): its subtree's customers' answers.
    unit: int | None = None
    # The units whose customers' answers the viewer may see (organisation/access.py
    # visible_unit_ids): None = every answer. Set from the user, never from the query string.
    units: frozenset | None = None

    @classmethod
    def from_form(cls, cleaned, units=None):
        product = cleaned.get("product")
        unit = cleaned.get("unit")
        return cls(
            unit=getattr(unit, "pk", unit) or None,
            units=units,
            region=cleaned.get("region") or "",
            customer_type=cleaned.get("customer_type") or "",
            owner=cleaned.get("owner") or "",
            agent=cleaned.get("agent") or "",
            channel=cleaned.get("channel") or "",
            product=int(product) if product else None,
            date_from=cleaned.get("date_from"),
            date_to=cleaned.get("date_to"),
        )

    def as_query(self):
        """The filter as query-string pairs (for drill-down links)."""
        pairs = {
            "region": self.region,
            "customer_type": self.customer_type,
            "owner": self.owner,
            "agent": self.agent,
            "channel": self.channel,
            "product": self.product or "",
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
            "unit": self.unit or "",
        }
        return {key: value for key, value in pairs.items() if value}

    def cache_key(self):
        """What a cached figure of this selection depends on: the filters and whose answers the
        viewer may see (two viewers of different units never share a cached figure)."""
        units = None if self.units is None else sorted(self.units)
        return [self.as_query(), units]


def mask(dataset, selection, every_answer=False):
    """Boolean row mask of the responses the selection keeps: every figure reads its rows
    through here. Under the campaign's default voice rule a customer who answered more than
    once counts once, with their latest answer; under the contact rule each contact person
    does (`every_answer`: all the rows, for saying how many were set aside)."""
    if dataset.voice in ("customer", "contact") and not every_answer:
        keep = dataset.latest_of_each_voice().copy()
    else:
        keep = np.ones(dataset.size, bool)
    for name in ("region", "customer_type", "owner", "agent", "channel"):
        label = getattr(selection, name)
        if label:
            labels = dataset.labels[name]
            code = labels.index(label) if label in labels else -2  # -2 matches nothing
            keep &= dataset.codes[name] == code
    if selection.product is not None:
        rows = dataset.products.get(selection.product, np.empty(0, np.int64))
        chosen = np.zeros(dataset.size, bool)
        chosen[rows] = True
        keep &= chosen
    if selection.unit is not None or selection.units is not None:
        keep &= unit_rows(dataset, selection)
    if selection.date_from or selection.date_to:
        days = _local_days(dataset)
        if selection.date_from:
            keep &= days >= np.datetime64(selection.date_from, "D")
        if selection.date_to:
            keep &= days <= np.datetime64(selection.date_to, "D")
    return keep


def unit_rows(dataset, selection):
    """Rows answered by customers of the chosen unit's subtree (`selection.unit`) among the units
    the viewer sees (`selection.units`): the organisation unit is a customer attribute, read as
    the customer belongs now (a customer moved to another project counts there). Anonymous
    answers belong to no unit: only a viewer who sees everything and chose no unit keeps them."""
    from manyi.customers.models import Customer
    from manyi.organisation.models import Unit

    customers = Customer.objects.all()
    if selection.unit is not None:
        chosen = Unit.objects.filter(pk=selection.unit).first()
        customers = customers.filter(unit__in=Unit.objects.within(chosen)) if chosen else customers.none()
    if selection.units is not None:
        customers = customers.filter(unit_id__in=sorted(selection.units))
    ids = np.fromiter(customers.values_list("pk", flat=True).order_by(), np.int64)
    return np.isin(dataset.customer, ids)


def analysed(dataset, selection, kept=None):
    """The rows every figure is computed from: the selection's responses (one voice per
    customer) that are valid under the questionnaire's rule. Seed 000: "遗漏2项以上评分的调查表
    按无效卷不予统计" (invalid questionnaires are not counted), so items, dimensions, the index,
    bands, NPS, quadrants, key drivers, cross tabs and the model all read these rows.
    `kept`: the selection's mask when the caller has it already (not computed twice)."""
    return (mask(dataset, selection) if kept is None else kept) & dataset.valid


def _local_days(dataset):
    from .dataset import _utc_offset_seconds

    return (dataset.completed + np.timedelta64(_utc_offset_seconds(), "s")).astype("datetime64[D]")


def rows_behind(dataset, selection, scheme, segment, *, item="", points=None, group="", without=False):
    """(rows, imputed rows, description) behind one figure of the dashboard: the analysed
    responses (those every figure reads: one voice, valid) the filters keep, narrowed to an
    item's answer (`item`, `points`) and to a segment's group (`group`, or `without` for the
    "(none)" row). For the item's neutral answer, the valid questionnaires that left the item
    out count as it under seed 000's rule ("遗漏一项的按'一般'记3分"), as the item table counts
    them; `imputed` marks them. Masks are boolean over the dataset's rows."""
    from manyi.customers.models import Product
    from manyi.forms import parse_id

    keep = analysed(dataset, selection)
    imputed = np.zeros(dataset.size, bool)
    described = []
    if item in dataset.item_keys and points is not None:
        column = dataset.item_keys.index(item)
        chosen = dataset.points[:, column] == points
        rows = dataset.imputed_rows(scheme).get(column)
        if rows is not None and {spec.key: spec.neutral for spec in scheme.items}.get(item) == points:
            imputed[rows] = True
        keep &= chosen | imputed
        imputed &= keep
        described.append(f"{item} = {points:g}")
    if segment in dataset.codes and (group or without):
        labels = dataset.labels[segment]
        if group:
            keep &= dataset.codes[segment] == (labels.index(group) if group in labels else -2)
            described.append(category_names(segment, [group])[0])
        else:  # the "(none)" row: responses with no value for the segment
            keep &= dataset.codes[segment] == -1
            described.append(f"{SEGMENTS[segment]}: {_('(none)')}")
    elif segment == "product" and group:
        product = parse_id(group)  # None matches no product
        bought = np.zeros(dataset.size, bool)
        bought[dataset.products.get(product, np.empty(0, np.int64))] = True
        keep &= bought
        described.append(Product.objects.filter(pk=product).values_list("name", flat=True).first() or group)
    elif segment == "month" and group:
        year, _dash, month = (parse_id(part) for part in group.partition("-"))
        valid = year is not None and month is not None and year <= 9999 and month <= 12
        keep &= dataset.months() == (year * 100 + month if valid else -1)
        described.append(group)
    return keep, imputed & keep, described
