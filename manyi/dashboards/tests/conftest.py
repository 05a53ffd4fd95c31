"""Shared by the dashboard tests."""

import pytest

from manyi.dashboards import dataset as dataset_module


@pytest.fixture
def fresh_datasets(settings, tmp_path):
    """Datasets saved under a test's own folder and none kept in memory from another test."""
    settings.VAR_DIR = tmp_path
    dataset_module.forget()
    yield
    dataset_module.forget()
