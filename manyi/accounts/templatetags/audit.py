from django import template

from ..audit import action_label

register = template.Library()


@register.filter
def audit_action(entry):
    """An audit-log entry's action in the reader's language (新建, 修改, 删除)."""
    return action_label(entry)
