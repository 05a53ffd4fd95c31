"""Shared by the results tests (and the dashboard tests, which import it)."""

import pytest

from manyi.results import dataset as dataset_module


@pytest.fixture(autouse=True)
def fresh_datasets(settings, tmp_path):
    """Datasets saved under a test's own folder and none kept in memory from another test."""
    settings.VAR_DIR = tmp_path
    dataset_module.forget()
    yield
    dataset_module.forget()
