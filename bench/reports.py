"""Reports benchmark: the satisfaction report as PDF and the SPSS export over 100,000 responses.

Run with `.venv/bin/python bench/reports.py` (or `make bench-reports`). It creates a throwaway
PostgreSQL database (manyi_bench_reports_<pid> on 127.0.0.1:5432; BENCH_PG_URL to change) and,
in a child process with DATABASE_URL pointing at it:

1. migrates, creates a questionnaire of 20 rated items in 4 weighted dimensions, an NPS
   question, a multiple-choice question and an open question; 5,000 customers; an earlier wave
   of 2,000 responses and the campaign itself with 100,000 completed responses (scores
   computed by analytics.scoring, as answering stores them), one in ten with an open answer
   and every one with a multiple choice (the answer rows the export reads);
2. times, with django.test.Client as an analyst (the process first warmed on the earlier
   wave's report, as a running server is), the PDF of a draft report (its figures of the
   moment: the dashboard summary, counts, keywords of the open answers, six charts, WeasyPrint)
   and the .sav export: each with nothing prepared (the dataset read from the database), as
   the first use of a prepared campaign (median of 3) and warm (median of 3).

Prints `BENCH reports.pdf_100k_s` and `BENCH reports.sav_100k_s`: the first request for the
campaign in a running server, with the campaign's dataset saved on disk as `manage.py periodic`
keeps it for running and recently closed campaigns (targets ≤ 10 s each); `…_warm_s`: the
same request again; `…_uncached_s`: with the dataset read from the database first (a campaign
periodic did not prepare). BENCH_PROFILE=1 prints a profile of each warm request.
RESPONSES=<n> changes the size (default 100,000).
"""

import os
import shutil
import statistics
import sys
import time
from pathlib import Path

from common import SEED, bench, child_arguments, log, postgres_database, run_child, setup_django

RESPONSES = int(os.environ.get("RESPONSES", "100000"))
EARLIER = 2000
CUSTOMERS = 5000
ITEMS = 20
DIMENSIONS = 4
REGIONS = ["华东", "华北", "华南", "西南", "西北", "东北"]
OPEN_ANSWERS = [
    "交货太慢，希望缩短交货周期",
    "售后服务响应及时，工程师很专业",
    "价格偏高，希望有更多优惠",
    "产品质量稳定，包装可以改进",
    "客服电话经常占线，等待时间长",
    "技术支持很好，培训还需加强",
    "物流信息更新不及时",
    "整体满意，会继续合作",
]


def populate_and_time(database_url, folder):
    """Runs inside the child process."""
    setup_django(folder, database_url)
    import numpy as np
    from django.db import connection

    survey = Survey()
    store = ResponseStore(np.random.default_rng(SEED), survey, make_customers())
    store.store(survey.earlier, EARLIER, -0.1)
    store.store(survey.campaign, RESPONSES, 0.0)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    (pdf_first, pdf_warm, pdf_cold), (sav_first, sav_warm, sav_cold) = time_downloads(folder, survey)
    print(
        f"RESULT {pdf_first:.3f} {pdf_warm:.3f} {pdf_cold:.3f} {sav_first:.3f} {sav_warm:.3f} {sav_cold:.3f}",
        flush=True,
    )


class Survey:
    """The questionnaire (20 rated items in 4 weighted dimensions, an NPS, a multiple-choice and
    an open question), last year's wave and this year's campaign."""

    def __init__(self):
        from django.utils import timezone

        from manyi.campaigns.choices import CampaignState, Channel
        from manyi.surveys.choices import QuestionKind
        from manyi.surveys.models import Dimension
        from manyi.testing import make_campaign, make_question, make_questionnaire

        self.questionnaire = questionnaire = make_questionnaire(title="年度顾客满意度调查（基准）")
        self.dimensions = [
            Dimension.objects.create(
                questionnaire=questionnaire, code=f"D{d + 1}", title=title, weight=w, position=d
            )
            for d, (title, w) in enumerate([("产品质量", 30), ("交付", 25), ("服务", 25), ("价格", 20)])
        ]
        for i in range(ITEMS):
            make_question(
                questionnaire,
                code=f"Q{i + 1}",
                text=f"评价项目{i + 1}",
                dimension=self.dimensions[i % DIMENSIONS],
            )
        self.nps = make_question(
            questionnaire, code="NPS", text="推荐意愿", kind=QuestionKind.NPS, options=(), scored=False
        )
        self.channels = make_question(
            questionnaire,
            code="CH",
            text="您通过哪些渠道了解我们",
            kind=QuestionKind.MULTIPLE,
            options=[("网站", None, False), ("展会", None, False), ("朋友介绍", None, False)],
            scored=False,
            required=False,
        )
        self.opened = make_question(
            questionnaire,
            code="OPEN",
            text="您的意见和建议",
            kind=QuestionKind.TEXT,
            options=(),
            scored=False,
        )
        self.channel_options = list(self.channels.options.all())
        now = timezone.now()
        wave = {"series": "年度调查", "state": CampaignState.CLOSED, "channels": [Channel.EMAIL]}
        self.earlier = make_campaign(
            questionnaire,
            name="2025年调查",
            wave="2025年",
            invite_at=now - timezone.timedelta(days=365),
            **wave,
        )
        self.campaign = make_campaign(
            questionnaire,
            name="2026年调查",
            wave="2026年",
            target_index=85,
            invite_at=now - timezone.timedelta(days=30),
            **wave,
        )
        self.scheme = questionnaire.layout().scheme


def make_customers():
    """5,000 customers in 6 regions; their ids as an array."""
    import numpy as np

    from manyi.customers.models import Customer

    customers = Customer.objects.bulk_create(
        [
            Customer(
                code=f"B{n:06d}",
                name=f"基准客户{n}",
                region=REGIONS[n % len(REGIONS)],
                phone=f"139{n:08d}",
                email=f"kehu{n}@example.com",
            )
            for n in range(CUSTOMERS)
        ],
        batch_size=5000,
    )
    return np.array([c.pk for c in customers])


class ResponseStore:
    """Completed responses scored as answering scores them, with their answer rows (the NPS,
    a multiple choice, an open answer in one of ten) that the export reads."""

    def __init__(self, rng, survey, customer_ids):
        self.rng, self.survey, self.customer_ids = rng, survey, customer_ids
        self.keys = [item.key for item in survey.scheme.items]

    def store(self, target, total, shift):
        from manyi.campaigns.models import Answer, Response

        started = time.perf_counter()
        batch = 20_000
        for first in range(0, total, batch):
            rows, nps = self.batch(target, min(batch, total - first), shift)
            created = Response.objects.bulk_create(rows, batch_size=5000)
            Answer.objects.bulk_create(self.answers(created, nps), batch_size=10_000)
        log(f"  {total:,} responses stored in {time.perf_counter() - started:.0f} s")

    def batch(self, target, n, shift):
        """``n`` unsaved responses around a latent satisfaction (mean ``shift``), 2% items
        missing; and their NPS answers."""
        import numpy as np
        from django.utils import timezone

        from manyi.analytics.scoring import score_matrix
        from manyi.campaigns.choices import Channel, ResponseStatus
        from manyi.campaigns.models import Response

        rng, scheme = self.rng, self.survey.scheme
        level = rng.normal(shift, 1.0, n)[:, None]
        raw = level + rng.normal(0.0, 0.8, (n, ITEMS)) + rng.normal(0.3, 0.2, ITEMS)
        points = np.clip(np.round(raw * 1.2 + 3.5), 1, 5) * 2
        points[rng.random((n, ITEMS)) < 0.02] = np.nan
        nps = np.clip(np.round(level[:, 0] * 2 + 7.5 + rng.normal(0, 1.2, n)), 0, 10)
        scores = score_matrix(scheme, points)
        grades = scores.grades(scheme.bands)
        seconds = rng.integers(0, 20 * 86400, n)
        who = rng.choice(self.customer_ids, n)
        dimension_codes = [d.code for d in self.survey.dimensions]
        rows = []
        for r in range(n):
            valid = bool(scores.valid[r])
            rows.append(
                Response(
                    campaign=target,
                    questionnaire=self.survey.questionnaire,
                    customer_id=int(who[r]),
                    channel=Channel.EMAIL,
                    status=ResponseStatus.COMPLETED,
                    started_at=target.invite_at,
                    completed_at=target.invite_at + timezone.timedelta(seconds=int(seconds[r])),
                    valid=valid,
                    invalid_reason="" if valid else str(scores.invalid_reason[r]),
                    index=float(scores.index[r]) if valid else None,
                    grade=grades[r] or "",
                    satisfied=bool(scores.satisfied[r]),
                    nps=int(nps[r]),
                    points=present(self.keys, points[r]),
                    dimension_scores=present(dimension_codes, scores.dimension_scores[r]),
                )
            )
        return rows, nps

    def answers(self, responses, nps):
        from manyi.campaigns.models import Answer

        survey = self.survey
        answers = []
        for r, response in enumerate(responses):
            answers.append(Answer(response=response, question_id=survey.nps.pk, number=float(nps[r])))
            answers.append(
                Answer(response=response, question=survey.channels, option=survey.channel_options[r % 3])
            )
            if r % 10 == 0:
                answers.append(
                    Answer(response=response, question=survey.opened, text=OPEN_ANSWERS[(r // 10) % 8])
                )
        return answers


def present(keys, values):
    """{key: value} of the values that are not NaN."""
    return {key: float(value) for key, value in zip(keys, values, strict=True) if value == value}


def time_downloads(folder, survey):
    """((first use, warm, uncached) seconds of the PDF, the same of the .sav export), as an
    analyst, in a process first warmed on the earlier wave's report (imports, fonts, the
    segmenter's dictionary) as a running server is."""
    from django.core.cache import cache
    from django.test import Client
    from django.urls import reverse

    from manyi.accounts.choices import Role
    from manyi.reports.models import Report
    from manyi.results import dataset
    from manyi.testing import make_user

    analyst = make_user("analyst", Role.ANALYST)
    client = Client(HTTP_HOST="localhost")
    client.force_login(analyst)
    report = Report.objects.create(
        campaign=survey.campaign, title="2026年顾客满意度分析报告", created_by=analyst
    )
    pdf_url = reverse("reports:pdf", args=[report.pk])
    sav_url = reverse("reports:export", args=[survey.campaign.pk]) + "?format=sav"

    def cold():
        """Nothing of this campaign in memory, on disk or in the cache."""
        dataset.forget()
        shutil.rmtree(Path(folder) / "analysis", ignore_errors=True)
        cache.clear()

    def first():
        """What `periodic` leaves (the dataset saved on disk), in a process that has not used it."""
        dataset.forget()
        cache.clear()

    def timed(url, prepare):
        prepare()
        started = time.perf_counter()
        size = download(client, url)
        return time.perf_counter() - started, size

    download(
        client, reverse("reports:pdf", args=[Report.objects.create(campaign=survey.earlier, title="预热").pk])
    )
    results = []
    for label, url in (("pdf", pdf_url), ("sav", sav_url)):
        uncached, size = timed(url, cold)
        first_use = statistics.median(timed(url, first)[0] for _ in range(3))
        warm = statistics.median(timed(url, lambda: None)[0] for _ in range(3))
        results.append((first_use, warm, uncached))
        log(
            f"  {label}: first use {first_use:.2f} s (dataset on disk), warm {warm:.2f} s, "
            f"dataset read from the database {uncached:.2f} s; {size / 1024:.0f} KiB"
        )
    if os.environ.get("BENCH_PROFILE"):
        profile_downloads(client, (pdf_url, sav_url))
    return results


def download(client, url):
    """The size of the page or file at ``url`` (which must answer 200)."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    body = response.content if not response.streaming else b"".join(response.streaming_content)
    return len(body)


def profile_downloads(client, urls):
    import cProfile
    import pstats

    for url in urls:
        profile = cProfile.Profile()
        profile.enable()
        download(client, url)
        profile.disable()
        pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(30)


def main():
    name = f"manyi_bench_reports_{os.getpid()}"
    with postgres_database(name) as url:
        log(f"PostgreSQL ({name}), {RESPONSES:,} responses:")
        (figures, *_rest) = run_child(__file__, url, "manyi-bench-reports-")
    for name, value in zip(
        (
            "pdf_100k_s",
            "pdf_100k_warm_s",
            "pdf_100k_uncached_s",
            "sav_100k_s",
            "sav_100k_warm_s",
            "sav_100k_uncached_s",
        ),
        figures,
        strict=True,
    ):
        bench(f"reports.{name}", f"{float(value):.2f}")


if __name__ == "__main__":
    child = child_arguments()
    if child:
        populate_and_time(*child)
    else:
        main()
