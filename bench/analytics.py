"""Analysis benchmark: the campaign dashboard over 1,000,000 responses, and the PLS engine.

Run with `make bench-analytics`. For each database (PostgreSQL on 127.0.0.1:5432 — a throwaway
database manyi_bench_<pid>, BENCH_PG_URL to change — and a temporary SQLite file):

1. migrate, create a questionnaire of 20 rated items (10/8/6/4/2) in 4 dimensions plus an NPS
   question, a campaign, 20,000 customers in 7 regions with 3 types and 12 account managers;
2. store 1,000,000 completed responses over 12 months, scored by the product's own scoring
   engine (analytics.scoring.score_matrix) and written as the answer page writes them
   (points, item and dimension scores, index, grade, NPS on the response row). The answer
   rows are not generated: the dashboard never reads them (results/dataset.py);
3. time the dashboard summary (index, items, dimensions, NPS, monthly trend, a breakdown by
   region): cold, the responses read into the campaign's dataset (results/reading.py: COPY on
   PostgreSQL, plain tuples on SQLite) with nothing in memory or on disk, COLD_RUNS times (3);
   warm, what every later page view costs (a count/max query, then arrays).

Prints `BENCH analytics.dashboard_1m_pg_s`, `analytics.dashboard_1m_sqlite_s` (warm; targets
≤ 1 s and ≤ 2 s), the cold figures (median of the cold runs) as
`analytics.dashboard_1m_pg_cold_s` and `analytics.dashboard_1m_sqlite_cold_s` (targets ≤ 10 s
and ≤ 15 s; issue 17) and the whole page's
server time as `analytics.dashboard_page_1m_*_s` (no target of its own), the same campaign counted
one voice per customer (the default) as `analytics.dashboard_1m_*_one_voice_s`; then the PLS
figures from bench/analytics_pls.py. RESPONSES=<n> changes the size (default 1,000,000).
"""

import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from common import SEED, bench, child_arguments, log, postgres_database, run_child, setup_django

RESPONSES = int(os.environ.get("RESPONSES", "1000000"))
COLD_RUNS = int(os.environ.get("COLD_RUNS", "3"))
ITEMS, DIMENSIONS, CUSTOMERS, OWNERS = 20, 4, 20_000, 12
REGIONS = ["华东", "华北", "华南", "华中", "西南", "西北", "东北"]


def populate_and_time(database_url, folder):
    """Runs inside a child process (one Django setup per database)."""
    setup_django(folder, database_url)
    import numpy as np

    rng = np.random.default_rng(SEED)
    campaign, dimensions, customer_ids = make_campaign()
    store_responses(rng, campaign, dimensions, customer_ids)
    analyze()
    cold, warm = time_dashboard(campaign)
    page = time_page(campaign)
    voice = time_one_voice(campaign)
    print(f"RESULT {cold:.3f} {warm:.3f} {page:.3f} {voice:.3f}", flush=True)


def make_campaign():
    """The questionnaire (20 rated items in 4 dimensions, an NPS question), its campaign and
    20,000 customers; returns (campaign, dimensions, the customers' ids as an array)."""
    import numpy as np

    from manyi.accounts.models import User
    from manyi.campaigns.choices import CampaignState, Channel, VoiceRule
    from manyi.customers.models import Customer
    from manyi.surveys.choices import QuestionKind
    from manyi.surveys.models import Dimension
    from manyi.testing import make_campaign, make_question, make_questionnaire

    questionnaire = make_questionnaire(title="年度顾客满意度调查（基准）")
    dimensions = [
        Dimension.objects.create(
            questionnaire=questionnaire, code=f"D{d + 1}", title=title, weight=w, position=d
        )
        for d, (title, w) in enumerate([("产品质量", 30), ("交付", 25), ("服务", 25), ("价格", 20)])
    ]
    for i in range(ITEMS):
        make_question(
            questionnaire, code=f"Q{i + 1}", text=f"评价项目{i + 1}", dimension=dimensions[i % DIMENSIONS]
        )
    make_question(questionnaire, code="NPS", text="推荐意愿", kind=QuestionKind.NPS, options=(), scored=False)
    # Every answer counted: 1,000,000 responses from 20,000 customers would otherwise be
    # 20,000 voices (one per customer, the product's default, timed separately below).
    campaign = make_campaign(
        questionnaire, state=CampaignState.CLOSED, channels=[Channel.EMAIL], voice=VoiceRule.RESPONSE
    )
    owners = [User.objects.create(username=f"manager{n}", first_name=f"经理{n}") for n in range(OWNERS)]
    customers = Customer.objects.bulk_create(
        [
            Customer(
                code=f"B{n:06d}",
                name=f"基准客户{n}",
                region=REGIONS[n % len(REGIONS)],
                customer_type=("vip", "key", "normal")[n % 3],
                owner=owners[n % OWNERS],
            )
            for n in range(CUSTOMERS)
        ],
        batch_size=5000,
    )
    return campaign, dimensions, np.array([c.pk for c in customers])


def store_responses(rng, campaign, dimensions, customer_ids):
    """RESPONSES completed responses over the last 12 months, in batches of 20,000."""
    from django.utils import timezone

    from manyi.campaigns.models import Response

    log(f"  storing {RESPONSES:,} responses …")
    started = time.perf_counter()
    start_time = timezone.now() - timezone.timedelta(days=365)
    scheme = campaign.questionnaire.layout().scheme
    batch = 20_000
    for first in range(0, RESPONSES, batch):
        n = min(batch, RESPONSES - first)
        rows = response_batch(rng, n, campaign, scheme, dimensions, customer_ids, start_time)
        Response.objects.bulk_create(rows, batch_size=5000)
        if (first // batch) % 10 == 9:
            log(f"    {first + n:,} stored ({time.perf_counter() - started:.0f} s)")
    log(f"  stored in {time.perf_counter() - started:.0f} s")


def response_batch(rng, n, campaign, scheme, dimensions, customer_ids, start_time):
    """``n`` unsaved responses scored by the product's scoring engine: a latent satisfaction per
    response, items around it, 2% missing answers."""
    import numpy as np
    from django.utils import timezone

    from manyi.analytics.scoring import score_matrix
    from manyi.campaigns.choices import Channel, ResponseStatus
    from manyi.campaigns.models import Response

    keys = [item.key for item in scheme.items]
    level = rng.normal(0.0, 1.0, n)[:, None]
    raw = level + rng.normal(0.0, 0.8, (n, ITEMS)) + rng.normal(0.3, 0.2, ITEMS)
    points = np.clip(np.round(raw * 1.2 + 3.5), 1, 5) * 2
    points[rng.random((n, ITEMS)) < 0.02] = np.nan
    nps = np.clip(np.round(level[:, 0] * 2 + 7.5 + rng.normal(0, 1.2, n)), 0, 10)
    scores = score_matrix(scheme, points)
    seconds = rng.integers(0, 365 * 86400, n)
    who = rng.choice(customer_ids, n)
    rows = []
    for r in range(n):
        valid = bool(scores.valid[r])
        rows.append(
            Response(
                campaign=campaign,
                questionnaire=campaign.questionnaire,
                customer_id=int(who[r]),
                channel=Channel.EMAIL,
                status=ResponseStatus.COMPLETED,
                started_at=start_time,
                completed_at=start_time + timezone.timedelta(seconds=int(seconds[r])),
                valid=valid,
                invalid_reason="" if valid else str(scores.invalid_reason[r]),
                index=float(scores.index[r]) if valid else None,
                satisfied=bool(scores.satisfied[r]),
                nps=int(nps[r]),
                points=present(keys, points[r]),
                item_scores=present(keys, scores.item_scores[r]),
                dimension_scores=present([d.code for d in dimensions], scores.dimension_scores[r]),
            )
        )
    return rows


def present(keys, values):
    """{key: value} of the values that are not NaN."""
    return {key: float(value) for key, value in zip(keys, values, strict=True) if value == value}


def analyze():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "VACUUM ANALYZE campaigns_response" if connection.vendor == "postgresql" else "ANALYZE"
        )


def time_dashboard(campaign):
    """(cold, warm) seconds of the dashboard summary. Cold: the campaign's dataset built from
    the database (nothing in memory, no saved file), then the figures; median of COLD_RUNS.
    Warm: the median of three later calls, what every later page view costs."""
    from manyi.results import dataset as datasets
    from manyi.results.filters import Selection
    from manyi.results.summary import dashboard_summary

    selection = Selection()
    cold_runs, build_runs = [], []
    for _ in range(COLD_RUNS):
        datasets.forget()
        for saved in datasets._folder().glob("*.npz"):
            saved.unlink()
        started = time.perf_counter()
        built = datasets.campaign_dataset(campaign)
        build_runs.append(time.perf_counter() - started)
        summary = dashboard_summary(campaign, selection, segment="region", dataset=built)
        cold_runs.append(time.perf_counter() - started)
    cold = statistics.median(cold_runs)
    warm_runs = []
    for _ in range(3):
        started = time.perf_counter()
        summary = dashboard_summary(campaign, selection, segment="region")
        warm_runs.append(time.perf_counter() - started)
    warm = sorted(warm_runs)[1]
    log(
        f"  dashboard: cold {cold:.2f} s (runs {', '.join(f'{c:.2f}' for c in cold_runs)}; of which the "
        f"dataset build {', '.join(f'{b:.2f}' for b in build_runs)}), warm {warm:.3f} s "
        f"(runs {', '.join(f'{w:.3f}' for w in warm_runs)}); "
        f"n={summary['headline']['responses']:,}, index={summary['headline']['index']:.2f}"
    )
    return cold, warm


def time_page(campaign):
    """The whole page a user opens (figures, counts, filter form, charts' data, template), as
    an analyst sees it: server time of the view, median of 3."""
    from django.test import Client
    from django.urls import reverse

    from manyi.accounts.choices import Role
    from manyi.accounts.models import User

    analyst = User.objects.create(username="bench-analyst", role=Role.ANALYST)
    client = Client(HTTP_HOST="localhost")
    client.force_login(analyst)
    url = reverse("dashboards:campaign", args=[campaign.pk])
    page_runs = []
    for _ in range(3):
        started = time.perf_counter()
        response = client.get(url)
        page_runs.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    page = sorted(page_runs)[1]
    log(f"  dashboard page: {page:.3f} s (runs {', '.join(f'{p:.3f}' for p in page_runs)})")
    return page


def time_one_voice(campaign):
    """One voice per customer (the default): each customer's latest answer, found by sorting the
    million rows once per dataset change, then every figure over those rows; median of 3."""
    from manyi.campaigns.choices import VoiceRule
    from manyi.results.filters import Selection
    from manyi.results.summary import dashboard_summary

    campaign.voice = VoiceRule.CUSTOMER
    campaign.save(update_fields=["voice"])
    voice_runs = []
    for _ in range(3):
        started = time.perf_counter()
        summary = dashboard_summary(campaign, Selection(), segment="region")
        voice_runs.append(time.perf_counter() - started)
    voice = sorted(voice_runs)[1]
    log(
        f"  one voice per customer: {voice:.3f} s (runs {', '.join(f'{v:.3f}' for v in voice_runs)}); "
        f"n={summary['headline']['responses']:,}, set aside {summary['headline']['set_aside']:,}"
    )
    return voice


def child_result(database_url, label):
    (cold, warm, page, voice), *_ = run_child(__file__, database_url, f"manyi-bench-{label}-")
    return float(cold), float(warm), float(page), float(voice)


def bench_postgres():
    name = f"manyi_bench_{os.getpid()}"
    with postgres_database(name) as url:
        log(f"PostgreSQL ({name}):")
        return child_result(url, "pg")


def bench_sqlite():
    folder = Path(tempfile.mkdtemp(prefix="manyi-bench-sqlite-"))
    try:
        log("SQLite:")
        return child_result(f"sqlite:///{folder / 'bench.sqlite3'}", "sqlite")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main():
    cold, warm, page, voice = bench_postgres()
    bench("analytics.dashboard_1m_pg_s", f"{warm:.3f}")
    bench("analytics.dashboard_1m_pg_cold_s", f"{cold:.2f}")
    bench("analytics.dashboard_page_1m_pg_s", f"{page:.3f}")
    bench("analytics.dashboard_1m_pg_one_voice_s", f"{voice:.3f}")
    cold, warm, page, voice = bench_sqlite()
    bench("analytics.dashboard_1m_sqlite_s", f"{warm:.3f}")
    bench("analytics.dashboard_1m_sqlite_cold_s", f"{cold:.2f}")
    bench("analytics.dashboard_page_1m_sqlite_s", f"{page:.3f}")
    bench("analytics.dashboard_1m_sqlite_one_voice_s", f"{voice:.3f}")
    import analytics_pls

    analytics_pls.run()


if __name__ == "__main__":
    child = child_arguments()
    if child:
        populate_and_time(*child)
    else:
        main()
