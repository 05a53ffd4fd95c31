"""The grid of a table question for the shared include surveys/_table_input.html."""

from django import template

from manyi.surveys import tables
from manyi.surveys.naming import PREFIX

register = template.Library()


@register.simple_tag
def table_grid(question, prefix=PREFIX, values=None):
    """[{"number", "cells": [{"column", "name", "value"}]}] of a table question (surveys.tables.grid)."""
    return tables.grid(question, values if isinstance(values, dict) else None, prefix or PREFIX)
