"""Background jobs of the survey results (Django Tasks API; DESIGN.md)."""

from django_tasks import task


@task()
def build_dataset(campaign_id: int) -> int:
    """Build (or bring up to date) a campaign's dataset for its dashboards, reporting its
    progress for the page that waits for it (results/preparing.py); returns how many responses
    were read from the database."""
    from . import preparing

    return preparing.build(campaign_id)
