"""Readable descriptions of audit-log entries (django-auditlog), for pages and timelines."""

from auditlog.models import LogEntry
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

# Bookkeeping fields that say nothing to a reader.
HIDDEN_FIELDS = {"id", "search_text", "created_at", "updated_at", "password", "last_login"}


def _display(field, value):
    if value in (None, "None", ""):
        return ""
    if getattr(field, "choices", None):
        return str(dict(field.choices).get(value, value))
    internal = field.get_internal_type()
    if internal == "BooleanField":
        return _("Yes") if value in ("True", True) else _("No")
    if internal in ("ForeignKey", "OneToOneField"):
        related = field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related else str(value)
    return str(value)


def describe_changes(entry, masks=None):
    """[(field label, old, new)] for one log entry; `masks` maps field name -> masking function.

    Creation entries list no fields: the record itself shows the values.
    """
    if entry.action == entry.Action.CREATE:
        return []
    model = entry.content_type.model_class()
    masks = masks or {}
    rows = []
    for name, values in (entry.changes_dict or {}).items():
        if name in HIDDEN_FIELDS or model is None:
            continue
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        label = str(getattr(field, "verbose_name", name))
        if isinstance(values, dict) and values.get("type") == "m2m":
            sign = "+" if values.get("operation") == "add" else "−"
            rows.append((label, "", f"{sign} {', '.join(values.get('objects', []))}"))
            continue
        if not isinstance(values, list | tuple) or len(values) != 2:
            continue
        if not field.concrete or field.many_to_many or field.one_to_many:
            continue
        old, new = (_display(field, v) for v in values)
        if name in masks:
            old, new = masks[name](old), masks[name](new)
        rows.append((label, old, new))
    return rows


# django-auditlog's own action names ("create", "update") come untranslated into zh-hans.
ACTION_LABELS = {
    LogEntry.Action.CREATE: pgettext_lazy("audit action", "Created"),
    LogEntry.Action.UPDATE: pgettext_lazy("audit action", "Changed"),
    LogEntry.Action.DELETE: pgettext_lazy("audit action", "Deleted"),
    LogEntry.Action.ACCESS: pgettext_lazy("audit action", "Viewed"),
}


def action_label(entry):
    """What was done, in the reader's language."""
    return ACTION_LABELS.get(entry.action, entry.get_action_display())
