"""Company setup (公司设置): the company's name and industry, and what the industry brings.

``plan(industry)`` says, without writing, what applying an industry does to the complaint
categories and call scripts; ``apply_industry(industry)`` does it; ``set_up_company`` stores the
company and applies its industry when it is new or changed (or when asked to restore it).

The rule (one place): the industry's categories and scripts are created when missing, made
active and put in the profile's tree and order; a name or script text an administrator changed
is kept. The categories and scripts of the other industries (and the tickets app's first
defaults) are removed when nothing uses them, and deactivated when something does (a ticket,
an improvement, a visit rule or task, a sub-category an administrator added): history keeps
its category. What an administrator added by hand is no profile's and is left alone. Applying
the same industry again changes nothing more.
"""

from dataclasses import dataclass, field

from django.db import transaction

from manyi.tickets.models import Category
from manyi.visits.models import VisitScript

from . import industries
from .choices import Industry
from .models import Company


@dataclass
class Plan:
    """What applying an industry does: names of categories (``"产品质量 › 外观缺陷"``) and scripts."""

    industry: str
    created: list = field(default_factory=list)
    reactivated: list = field(default_factory=list)
    kept: list = field(default_factory=list)
    deactivated: list = field(default_factory=list)
    removed: list = field(default_factory=list)
    scripts_created: list = field(default_factory=list)
    scripts_reactivated: list = field(default_factory=list)
    scripts_kept: list = field(default_factory=list)
    scripts_deactivated: list = field(default_factory=list)
    scripts_removed: list = field(default_factory=list)

    @property
    def changes_anything(self):
        return any(
            (
                self.created,
                self.reactivated,
                self.deactivated,
                self.removed,
                self.scripts_created,
                self.scripts_reactivated,
                self.scripts_deactivated,
                self.scripts_removed,
            )
        )


def _referenced_ids(model):
    """Ids of ``model`` rows that other rows point to (a ticket's category, a rule's script …),
    found over every relation to the model except its own tree (``parent``)."""
    ids = set()
    for relation in model._meta.related_objects:
        if relation.related_model is model or not relation.field.concrete:
            continue
        column = relation.field.attname
        ids.update(
            relation.related_model._base_manager.filter(**{f"{column}__isnull": False})
            .values_list(column, flat=True)
            .distinct()
        )
    return ids


def _label(category, by_pk):
    parent = by_pk.get(category.parent_id)
    return f"{parent.name} › {category.name}" if parent is not None else category.name


def _category_decisions(profile):
    """(placements, retire): placements is [(code, name, parent code or None, position)] in tree
    order; retire maps each category to leave to True (deactivate) or False (remove)."""
    placements = []
    for position, root in enumerate(profile.categories):
        placements.append((root.code, root.name, None, position))
        placements += [(child.code, child.name, root.code, n) for n, child in enumerate(root.children)]
    wanted = {code for code, *_rest in placements}
    managed = industries.known_category_codes() - wanted
    categories = list(Category.objects.all())
    used = _referenced_ids(Category)
    # Children first: a parent can go only when none of its children stays under it.
    leaving = sorted((c for c in categories if c.code in managed), key=lambda c: c.parent_id is None)
    staying_under = {}
    for category in categories:
        if category.code not in managed and category.code not in wanted and category.parent_id:
            staying_under.setdefault(category.parent_id, []).append(category)  # added by hand
    retire = {}
    for category in leaving:
        keep = category.pk in used or bool(staying_under.get(category.pk))
        retire[category] = keep
        if keep and category.parent_id:
            staying_under.setdefault(category.parent_id, []).append(category)
    return placements, retire, categories


def _script_decisions(profile):
    wanted = profile.script_names()
    managed = industries.known_script_names() - set(wanted)
    used = _referenced_ids(VisitScript)
    scripts = {script.name: script for script in VisitScript.objects.all()}
    retire = {script: script.pk in used for name, script in scripts.items() if name in managed}
    return wanted, retire, scripts


def plan(industry):
    """What ``apply_industry(industry)`` would do now, as a Plan; writes nothing."""
    profile = industries.profile(industry)
    result = Plan(industry=industry)
    _plan_categories(result, profile)
    _plan_scripts(result, profile)
    return result


def _plan_categories(result, profile):
    placements, retire, categories = _category_decisions(profile)
    by_code = {c.code: c for c in categories}
    # A category keeps the name it has (an administrator may have changed it); a new one takes
    # the profile's.
    shown = {code: by_code[code].name if code in by_code else name for code, name, *_rest in placements}
    for code, _name, parent_code, _position in placements:
        label = f"{shown[parent_code]} › {shown[code]}" if parent_code else shown[code]
        _sort_into(result.created, result.kept, result.reactivated, by_code.get(code), label)
    by_pk = {c.pk: c for c in categories}
    for category, keep in retire.items():
        _retire_into(result.removed, result.deactivated, category, keep, _label(category, by_pk))
    # Shown by tree: a main category before its own sub-categories.
    result.removed.sort()
    result.deactivated.sort()


def _plan_scripts(result, profile):
    wanted, retire_scripts, scripts = _script_decisions(profile)
    for name in wanted:
        _sort_into(
            result.scripts_created, result.scripts_kept, result.scripts_reactivated, scripts.get(name), name
        )
    for script, keep in retire_scripts.items():
        _retire_into(result.scripts_removed, result.scripts_deactivated, script, keep, script.name)


def _sort_into(created, kept, reactivated, existing, label):
    """A wanted category or script: new, kept as it is, or made active again."""
    if existing is None:
        created.append(label)
    elif existing.is_active:
        kept.append(label)
    else:
        reactivated.append(label)


def _retire_into(removed, deactivated, row, keep, label):
    """A category or script of another industry: removed when nothing uses it, else deactivated."""
    if not keep:
        removed.append(label)
    elif row.is_active:
        deactivated.append(label)


@transaction.atomic
def apply_industry(industry):
    """Give the company ``industry``'s categories and call scripts (the rule in the module's
    docstring); returns the Plan it carried out. KeyError for an unknown industry."""
    profile = industries.profile(industry)
    done = plan(industry)
    _apply_categories(profile)
    _apply_scripts(profile)
    return done


def _apply_categories(profile):
    placements, retire, categories = _category_decisions(profile)
    by_code = {c.code: c for c in categories}
    for code, name, parent_code, position in placements:
        parent = by_code[parent_code] if parent_code else None
        category = by_code.get(code)
        if category is None:
            by_code[code] = Category.objects.create(code=code, name=name, parent=parent, position=position)
            continue
        wanted = {"parent_id": parent.pk if parent else None, "position": position, "is_active": True}
        if any(getattr(category, key) != value for key, value in wanted.items()):
            for key, value in wanted.items():
                setattr(category, key, value)
            category.save(update_fields=["parent", "position", "is_active"])
    for category, keep in retire.items():  # children first
        _retire(category, keep, ["is_active"])


def _apply_scripts(profile):
    _wanted, retire_scripts, scripts = _script_decisions(profile)
    for script in profile.scripts:
        existing = scripts.get(script.name)
        if existing is None:
            VisitScript.objects.create(name=script.name, body=script.body)
        elif not existing.is_active:
            existing.is_active = True
            existing.save(update_fields=["is_active", "updated_at"])
    for script, keep in retire_scripts.items():
        _retire(script, keep, ["is_active", "updated_at"])


def _retire(row, keep, fields):
    """Remove a row of another industry nothing uses; deactivate one something uses."""
    if not keep:
        row.delete()
    elif row.is_active:
        row.is_active = False
        row.save(update_fields=fields)


@transaction.atomic
def set_up_company(name, industry, *, by=None, reapply=False):
    """Store the company's name and industry. The industry's categories and scripts are applied
    on the first setup, when the industry changes, or when ``reapply`` asks to restore them;
    otherwise (a new name only) what administrators edited since stays as it is.

    Returns (company, Plan carried out or None). ValueError for an empty name or unknown industry.
    """
    name = " ".join((name or "").split())
    if not name:
        raise ValueError("The company needs a name.")
    longest = Company._meta.get_field("name").max_length
    if len(name) > longest:
        raise ValueError(f"The company's name has at most {longest} characters.")
    if industry not in Industry.values:
        raise ValueError(f"Unknown industry: {industry!r}")
    company = Company.objects.select_for_update().order_by("pk").first()
    changed = company is None or company.industry != industry
    company = company or Company()
    company.name, company.industry, company.set_up_by = name, industry, by
    company.save()
    applied = apply_industry(industry) if changed or reapply else None
    return company, applied


def offered_templates():
    """(industry label, [template keys]) the company's industry offers first; ("", []) before setup."""
    company = Company.current()
    if company is None:
        return "", []
    profile = industries.profile(company.industry)
    return profile.label, list(profile.templates)
