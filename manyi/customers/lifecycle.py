"""The lifecycle stage of a customer, from purchase dates. Pure: no database, no clock."""

from datetime import date

from .choices import Lifecycle


def lifecycle_stage(
    today: date,
    created_on: date,
    first_purchase_on: date | None,
    last_purchase_on: date | None,
    *,
    new_days: int,
    dormant_after_days: int,
    lost_after_days: int,
) -> str:
    """Classify a customer as new, active, dormant or lost.

    - new: the first purchase (or, with none yet, the record itself) is at most `new_days` old;
    - active: the last purchase is at most `dormant_after_days` old;
    - dormant: the last purchase is older than that but at most `lost_after_days` old;
    - lost: the last purchase is older than `lost_after_days`.
    A customer who never bought and was recorded long ago counts as dormant, then lost,
    by the age of the record.
    """
    if not 0 < dormant_after_days < lost_after_days:
        raise ValueError("thresholds must satisfy 0 < dormant_after_days < lost_after_days")
    start = first_purchase_on or created_on
    if (today - start).days <= new_days:
        return Lifecycle.NEW
    last = last_purchase_on or created_on
    age = (today - last).days
    if last_purchase_on is not None and age <= dormant_after_days:
        return Lifecycle.ACTIVE
    if age <= lost_after_days:
        return Lifecycle.DORMANT
    return Lifecycle.LOST
