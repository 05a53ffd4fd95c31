"""Who a campaign asks: the target list from the customer list's filters, then the sample.

Plain functions, no HTTP. The target list always leaves out customers who may not be contacted
(no consent, personal data erased, opted out of surveys). Sampling reads only primary keys and
the one column it needs (``values_list``), never model instances, so 100,000 customers take well
under a second; the choice itself is ``manyi.analytics.sampling.draw`` with the campaign's seed.
"""

from datetime import date

from django.db.models import Exists, OuterRef, Q
from django.http import QueryDict
from django.utils.translation import gettext as _

from manyi.analytics import sampling
from manyi.customers.forms import CustomerFilterForm
from manyi.customers.models import Customer, Product, Purchase

from .channels import may_be_contacted
from .choices import SamplingMethod

# The customer fields a campaign may stratify by: value -> (column read, label for the form).
STRATIFY_FIELDS = {
    "customer_type": "customer_type",
    "region": "region",
    "province": "province",
    "lifecycle": "lifecycle",
    "kind": "kind",
    "owner": "owner_id",
}

# The customer list filter parameters a campaign keeps (no search text, sorting or paging).
FILTER_FIELDS = ("kind", "customer_type", "lifecycle", "region", "owner", "tag", "consent")

# Rules on the customers' purchases: dates as YYYY-MM-DD, the product by its code, the category
# as the products' category is written. REQUIREMENTS §3: "Target list from the archive by
# filters (type, region, owner, purchase date …)"; the seeds survey the buyers of a product
# ("感谢您购买我们的产品", seed 000's return-visit form, which notes 产品购买时间) and the
# customers delivered in a period ("工程验收交付后半年内 … 负责定期回访", seed 000; "选择合适的调查
# 时间点,例如产品购买后、售后服务结束后", seed 003).
PURCHASE_FIELDS = (
    "purchased_from",
    "purchased_to",
    "delivered_from",
    "delivered_to",
    "product",
    "product_category",
)
DATE_RULES = (
    ("purchased_from", "purchased_to", "purchased_on"),
    ("delivered_from", "delivered_to", "delivered_on"),
)
TARGET_FIELDS = FILTER_FIELDS + PURCHASE_FIELDS


class TargetingError(ValueError):
    """The target filters or the sampling design cannot be used; the message is for the user
    (``field``: the target filter it is about, when one is)."""

    field = None


def clean_filters(filters):
    """Only the known filter parameters, as plain strings, blanks dropped."""
    return {name: str(filters[name]) for name in TARGET_FIELDS if filters.get(name) not in (None, "")}


def _day(filters, name):
    text = filters.get(name)
    if text in (None, ""):
        return None
    try:
        return date.fromisoformat(str(text))
    except ValueError:
        raise TargetingError(_("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": text}) from None


def purchase_rule(filters):
    """The purchase the target list's customers must have made, as a condition on Purchase, or
    None when the filters say nothing of purchases.

    One purchase must meet every purchase rule at once: "bought product X between these dates"
    is one purchase of X in the period, not any purchase in the period by someone who once
    bought X. Dates are inclusive; a purchase without a delivery date is never "delivered
    between". Refuses (TargetingError) a date that is no date, a period that ends before it
    starts, a product code or a category that no product has.
    """
    rule = Q()
    for start_name, end_name, column in DATE_RULES:
        start, end = _day(filters, start_name), _day(filters, end_name)
        if start and end and end < start:
            error = TargetingError(_("The period ends before it starts."))
            error.field = end_name
            raise error
        if start:
            rule &= Q(**{f"{column}__gte": start})
        if end:
            rule &= Q(**{f"{column}__lte": end})
    code = filters.get("product")
    if code:
        product = Product.objects.filter(code=code).values_list("pk", flat=True).first()
        if product is None:
            raise TargetingError(_("There is no product with the code %(code)s.") % {"code": code})
        rule &= Q(product_id=product)
    category = filters.get("product_category")
    if category:
        if not Product.objects.filter(category=category).exists():
            raise TargetingError(_("No product is in the category %(category)s.") % {"category": category})
        rule &= Q(product__category=category)
    return rule or None


def target_customers(filters, unit=None):
    """The customers the filters select, minus everyone who may not be asked.

    ``filters`` are the customer list's GET parameters (kind, customer_type, lifecycle, region,
    owner, tag, consent); they are validated by ``CustomerFilterForm``; and the purchase rules
    (purchase_rule: purchased or delivered between dates, a product, a product category).
    Unknown values raise ``TargetingError``. The result is not ordered (sampling sorts by id
    itself). ``unit``: the campaign's organisation unit; a unit's campaign asks only the
    customers of that unit and the units below it.
    """
    filters = clean_filters(filters or {})
    purchases = purchase_rule(filters)
    data = QueryDict(mutable=True)
    data.update({name: value for name, value in filters.items() if name in FILTER_FIELDS})
    form = CustomerFilterForm(data)
    if not form.is_valid():
        problems = "; ".join(
            f"{form.fields[name].label}: {' '.join(errors)}" for name, errors in form.errors.items()
        )
        raise TargetingError(_("The target filters are not valid (%(problems)s).") % {"problems": problems})
    customers = form.filter(Customer.objects.all())
    if unit is not None:
        from manyi.organisation.models import Unit

        customers = customers.filter(unit__in=Unit.objects.within(unit))
    if purchases is not None:
        customers = customers.filter(Exists(Purchase.objects.filter(purchases, customer=OuterRef("pk"))))
    return customers.filter(may_be_contacted()).order_by()


def design_for(campaign):
    """The campaign's sampling choice as an ``analytics.sampling.SampleDesign``."""
    try:
        return sampling.SampleDesign(
            method=campaign.sampling_method,
            n=campaign.sample_size,
            seed=campaign.sampling_seed,
            stratify_by=campaign.stratify_by or None,
            share=campaign.volume_share,
        )
    except ValueError as error:
        raise TargetingError(str(error)) from error


def _population(campaign):
    """(ids, strata or None, volumes or None) of the target list, read as plain values."""
    customers = target_customers(campaign.target_filters, unit=campaign.unit)
    method = campaign.sampling_method
    if method == SamplingMethod.STRATIFIED:
        column = STRATIFY_FIELDS.get(campaign.stratify_by)
        if column is None:
            raise TargetingError(_("Choose the customer field to stratify by."))
        rows = list(customers.values_list("pk", column))
        return [r[0] for r in rows], [r[1] for r in rows], None
    if method == SamplingMethod.TOP_VOLUME:
        rows = list(customers.values_list("pk", "purchase_total"))
        return [r[0] for r in rows], None, [r[1] or 0 for r in rows]
    return list(customers.values_list("pk", flat=True)), None, None


def draw_sample(campaign):
    """The sorted ids of the customers this campaign invites. Same seed, same list."""
    ids, strata, volumes = _population(campaign)
    design = design_for(campaign)
    if design.n is not None and design.method != SamplingMethod.ALL and design.n > len(ids):
        raise TargetingError(
            _("The sample size (%(n)s) is larger than the target list (%(population)s customers).")
            % {"n": design.n, "population": len(ids)}
        )
    try:
        return sampling.draw(design, ids, strata=strata, volumes=volumes)
    except ValueError as error:
        raise TargetingError(str(error)) from error


def stratum_names(field, labels):
    """How each stratum label is shown: the choice's label, the owner's name, or "(not filled in)"."""
    names = {}
    if field == "owner":
        from manyi.accounts.models import User

        users = {user.pk: user for user in User.objects.filter(pk__in=[label for label in labels if label])}
        names = {pk: user.display_name for pk, user in users.items()}
    else:
        choices = dict(Customer._meta.get_field(field).flatchoices or [])
        names = {label: str(choices.get(label, label)) for label in labels if label is not None}
    return {label: names.get(label) or _("(not filled in)") for label in labels}


def population_size(filters, unit=None):
    """How many customers the filters target among `unit`'s (and its subtree's; None: every
    customer), as the campaign that runs in that unit would ask them."""
    return target_customers(filters, unit=unit).count()


def sample_preview(campaign):
    """Counts for the preview step: population, sample size, and the plan or the volume summary.

    Returns a dict: ``population``, ``sample_size``, ``sample_ids`` (sorted), ``plan`` (list of
    (label, population, allocated) for stratified sampling) and ``volume`` ((count, covered,
    total) for top-volume sampling); ``error`` holds the message when the design cannot be drawn.
    """
    preview = {"population": 0, "sample_size": 0, "sample_ids": [], "plan": None, "volume": None, "error": ""}
    try:
        ids, strata, volumes = _population(campaign)
        preview["population"] = len(ids)
        design = design_for(campaign)
        if design.method == SamplingMethod.STRATIFIED:
            plan = sampling.stratified_plan(strata, design.n)
            names = stratum_names(campaign.stratify_by, list(plan))
            preview["plan"] = [(names[label], size, k) for label, (size, k) in plan.items()]
        if design.method == SamplingMethod.TOP_VOLUME:
            preview["volume"] = sampling.top_volume_summary(ids, volumes, design.share)
        if design.n is not None and design.method != SamplingMethod.ALL and design.n > len(ids):
            raise TargetingError(
                _("The sample size (%(n)s) is larger than the target list (%(population)s customers).")
                % {"n": design.n, "population": len(ids)}
            )
        preview["sample_ids"] = sampling.draw(design, ids, strata=strata, volumes=volumes)
    except ValueError as error:  # TargetingError included
        preview["error"] = str(error)
    preview["sample_size"] = len(preview["sample_ids"])
    return preview
