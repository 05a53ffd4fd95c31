"""Industry profiles (行业模板): what a company of each industry starts with.

One JSON file per industry (``<industry>.json``, the values of ``choices.Industry``):

- ``categories``: the complaint category tree, two levels: ``[{"code", "name", "children":
  [{"code", "name"}]}]``. Codes are unique across the tree; a code shared by two industries
  (``service_attitude``, ``other``) is the same category in both.
- ``scripts``: the call-script library, ``[{"name", "body"}]``; the body uses only the
  placeholders of ``visits.scripts.PLACEHOLDERS``.
- ``templates``: the questionnaire templates the industry offers first, by file name
  (``surveys/questionnaire_templates/<key>.json``), in order.
- ``sources``: where the lists come from (seeds and common practice), for the maintainer.
"""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..choices import Industry

DIRECTORY = Path(__file__).resolve().parent


@dataclass(frozen=True)
class CategoryNode:
    code: str
    name: str
    children: tuple = ()


@dataclass(frozen=True)
class Script:
    name: str
    body: str


@dataclass(frozen=True)
class Profile:
    industry: str
    categories: tuple
    scripts: tuple
    templates: tuple

    @property
    def label(self):
        return Industry(self.industry).label

    def category_codes(self):
        """Every code of the tree, roots and children."""
        return [code for root in self.categories for code in (root.code, *(c.code for c in root.children))]

    def script_names(self):
        return [script.name for script in self.scripts]


def _node(data):
    return CategoryNode(
        code=data["code"],
        name=data["name"],
        children=tuple(_node(child) for child in data.get("children", ())),
    )


@cache
def profile(industry):
    """The profile of ``industry`` (a value of ``Industry``); KeyError for anything else."""
    if industry not in Industry.values:
        raise KeyError(industry)
    with (DIRECTORY / f"{industry}.json").open(encoding="utf-8") as handle:
        data = json.load(handle)
    return Profile(
        industry=industry,
        categories=tuple(_node(root) for root in data["categories"]),
        scripts=tuple(Script(name=s["name"], body=s["body"]) for s in data["scripts"]),
        templates=tuple(data["templates"]),
    )


def profiles():
    """Every industry's profile, in the order of ``Industry``."""
    return [profile(industry) for industry in Industry.values]


# The tree the tickets app installs before any setup (tickets/migrations/0002_defaults.py); a
# test keeps this list equal to the migration's.
FIRST_DEFAULT_CODES = (
    "product_quality",
    "packaging",
    "service_attitude",
    "price",
    "logistics",
    "after_sales",
    "property",
    "property_building",
    "property_equipment",
    "property_security",
    "property_other",
    "other",
)


def known_category_codes():
    """The codes a profile manages: those of any profile and of the first defaults. A category
    an administrator added has none of them and is left alone by every setup."""
    return set(FIRST_DEFAULT_CODES).union(*(p.category_codes() for p in profiles()))


def known_script_names():
    """The call scripts a profile manages: those named in any profile."""
    return set().union(*(p.script_names() for p in profiles()))
