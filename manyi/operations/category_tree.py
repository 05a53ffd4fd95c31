"""Administrators edit the complaint category tree (投诉分类) after setup: add, rename,
reorder, deactivate. Two levels: a category is a root or the child of a root.

Categories are never deleted here: a ticket or improvement keeps the category it was filed
under, so a category no longer wanted is deactivated (it leaves the public feedback form and
the staff ticket forms, a root with its children; the queue filters still find its tickets).
"""

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from manyi.tickets.models import Category

MAX_CODE = 40


class CategoryError(ValueError):
    """A change the tree refuses; the message is for the user."""


def tree():
    """[(root, [children])] in the order the forms offer them, active or not."""
    categories = list(Category.objects.all())
    children = {}
    for category in categories:
        if category.parent_id is not None:
            children.setdefault(category.parent_id, []).append(category)
    return [(root, children.get(root.pk, [])) for root in categories if root.parent_id is None]


def _siblings(parent):
    return Category.objects.filter(parent=parent)


def _check_name(name, parent, exclude=None):
    name = " ".join((name or "").split())
    if not name:
        raise CategoryError(_("Give the category a name."))
    same = _siblings(parent).filter(name=name)
    if exclude is not None:
        same = same.exclude(pk=exclude.pk)
    if same.exists():
        raise CategoryError(_("There is already a category “%(name)s” here.") % {"name": name})
    return name


def _new_code(parent):
    """A free code for a category added without one: the parent's code and a number."""
    stem = (parent.code if parent else "category")[: MAX_CODE - 4]
    taken = set(Category.objects.filter(code__startswith=stem).values_list("code", flat=True))
    number = 1
    while f"{stem}_{number}" in taken:
        number += 1
    return f"{stem}_{number}"


@transaction.atomic
def add_category(name, parent=None, code=""):
    """A new active category at the end of its parent's list (a root when ``parent`` is None)."""
    if parent is not None and parent.parent_id is not None:
        raise CategoryError(_("Categories have two levels: choose a main category as the parent."))
    name = _check_name(name, parent)
    if code and Category.objects.filter(code=code).exists():
        raise CategoryError(_("The code “%(code)s” is already in use.") % {"code": code})
    last = _siblings(parent).aggregate(last=Max("position"))["last"]
    return Category.objects.create(
        parent=parent,
        name=name,
        code=code or _new_code(parent),
        position=0 if last is None else last + 1,
    )


@transaction.atomic
def update_category(category, name, is_active):
    """Rename and (de)activate one category."""
    category.name = _check_name(name, category.parent, exclude=category)
    category.is_active = is_active
    category.save(update_fields=["name", "is_active"])
    return category


@transaction.atomic
def move_category(category, direction):
    """Swap the category with its neighbour above (``"up"``) or below (``"down"``) among its
    siblings; the siblings' positions become 0, 1, 2 … in the order shown. False at either end."""
    if direction not in ("up", "down"):
        return False
    siblings = list(_siblings(category.parent).select_for_update().order_by("position", "code"))
    index = next(n for n, sibling in enumerate(siblings) if sibling.pk == category.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(siblings):
        return False
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings):
        if sibling.position != position:
            sibling.position = position
            sibling.save(update_fields=["position"])
    return True
