"""Deadline (SLA) policies and complaint categories keep who changed what, and from what
(REQUIREMENTS §9 "Audit trail of who changed what"). Both are edited in the admin site (the
categories also on the category tree page); their change pages there show the trail."""

from datetime import timedelta

from auditlog.models import LogEntry
from django.urls import reverse

from manyi.tickets.models import Category, SlaPolicy


def test_changing_a_deadline_policy_leaves_its_old_deadlines_in_the_trail(people, client_as):
    policy = SlaPolicy.objects.filter(is_active=True).order_by("pk").first()  # the seeded ones
    old = policy.resolution
    policy.name = "严重投诉（新）"
    policy.resolution = old + timedelta(days=2)
    policy.is_active = False
    policy.save()
    change = LogEntry.objects.get_for_object(policy).get(action=LogEntry.Action.UPDATE).changes_dict
    assert change["resolution"] == [str(old), str(old + timedelta(days=2))]
    assert change["is_active"] == ["True", "False"]
    # Readable on the audit log page and on the policy's own page in the admin site.
    html = client_as(people.alice).get(reverse("audit_log") + "?q=严重投诉").content.decode()
    assert str(old) in html and str(old + timedelta(days=2)) in html
    page = client_as(people.alice).get(reverse("admin:tickets_slapolicy_change", args=[policy.pk]))
    trail = page.content.decode()[page.content.decode().index('id="audit-trail"') :]
    assert str(old) in trail and str(old + timedelta(days=2)) in trail and "严重投诉（新）" in trail
    assert (
        client_as(people.sam).get(reverse("admin:tickets_slapolicy_change", args=[policy.pk])).status_code
        == 302
    )


def test_renaming_or_withdrawing_a_category_leaves_the_old_values_in_the_trail(people, client_as):
    root = Category.objects.create(code="audit-quality", name="产品质量")
    child = Category.objects.create(code="audit-noise", name="噪音", parent=root)
    child.name = "异响"
    child.is_active = False
    child.save()
    child.parent = None
    child.save()
    changes = [
        e.changes_dict
        for e in LogEntry.objects.get_for_object(child)
        .filter(action=LogEntry.Action.UPDATE)
        .order_by("timestamp", "pk")
    ]
    assert changes[0]["name"] == ["噪音", "异响"]
    assert changes[0]["is_active"] == ["True", "False"]
    assert changes[1]["parent"] == [str(root.pk), "None"]
    page = client_as(people.alice).get(reverse("admin:tickets_category_change", args=[child.pk]))
    trail = page.content.decode()[page.content.decode().index('id="audit-trail"') :]
    assert "噪音" in trail and "异响" in trail
