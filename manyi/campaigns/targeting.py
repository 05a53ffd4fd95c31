"""Who a campaign asks: the target list from the customer list's filters, then the sample.

Plain functions, no HTTP. The target list always leaves out customers who may not be contacted
(no consent, personal data erased, opted out of surveys). Sampling reads only primary keys and
the one column it needs (``values_list``), never model instances, so 100,000 customers take well
under a second; the choice itself is ``manyi.analytics.sampling.draw`` with the campaign's seed.
"""

from django.db.models import Exists, OuterRef
from django.http import QueryDict
from django.utils.translation import gettext as _

from manyi.analytics import sampling
from manyi.customers.forms import CustomerFilterForm
from manyi.customers.models import Customer

from .choices import SamplingMethod
from .models import OptOut

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


class TargetingError(ValueError):
    """The target filters or the sampling design cannot be used; the message is for the user."""


def clean_filters(filters):
    """Only the known filter parameters, as plain strings, blanks dropped."""
    return {name: str(filters[name]) for name in FILTER_FIELDS if filters.get(name) not in (None, "")}


def target_customers(filters):
    """The customers the filters select, minus everyone who may not be asked.

    ``filters`` are the customer list's GET parameters (kind, customer_type, lifecycle, region,
    owner, tag, consent); they are validated by ``CustomerFilterForm``. Unknown values raise
    ``TargetingError``. The result is not ordered (sampling sorts by id itself).
    """
    data = QueryDict(mutable=True)
    data.update(clean_filters(filters or {}))
    form = CustomerFilterForm(data)
    if not form.is_valid():
        problems = "; ".join(
            f"{form.fields[name].label}: {' '.join(errors)}" for name, errors in form.errors.items()
        )
        raise TargetingError(_("The target filters are not valid (%(problems)s).") % {"problems": problems})
    customers = form.filter(Customer.objects.all())
    opted_out = OptOut.objects.filter(customer=OuterRef("pk"))
    return (
        customers.filter(consent_to_contact=True, erased_at__isnull=True)
        .exclude(Exists(opted_out))
        .order_by()
    )


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
    customers = target_customers(campaign.target_filters)
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


def population_size(filters):
    return target_customers(filters).count()


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
