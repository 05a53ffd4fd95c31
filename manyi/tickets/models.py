"""Feedback and complaint tickets (issue 5)."""
