"""Shared by the dashboard tests: the results tests' fixtures."""

from manyi.results.tests.conftest import fresh_datasets  # noqa: F401
