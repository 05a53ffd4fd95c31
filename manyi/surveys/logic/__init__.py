"""Questionnaire logic (issue 21): conditions that show or hide questions and options.

parser.py reads a condition's text into a syntax tree, evaluate.py evaluates a tree over the
answers, check.py checks a condition against its questionnaire, context.py is the whitelist of
the customer's and invitation's fields a condition may read (customer.type, customer.region,
customer.tags, invitation.channel, …: its docstring has the table), and visibility.py applies the
conditions to a questionnaire's answers (the one rule the answer page, the entry forms, the
server at submit and the validity rule share).
"""

from .parser import ExpressionError, parse, unparse

__all__ = ["ExpressionError", "parse", "unparse"]
