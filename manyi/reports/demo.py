"""Demo reports: last year's wave published (a frozen, versioned report), this year's a draft."""

from manyi.campaigns.demo import SERIES
from manyi.campaigns.models import Campaign

from .publishing import new_draft, publish

CONCLUSIONS = (
    "2025年度顾客满意度综合指数达到公司目标的主要差距集中在交货及时性和售后响应速度。"
    "建议：一、优化排产与物流衔接，缩短交货周期；二、设立售后专线，承诺2小时内首次响应；"
    "三、对不满意客户逐一回访，跟踪整改措施的落实情况。"
)


def load_demo_reports(users):
    """Returns the number of reports made. The campaigns come from campaigns.demo."""
    analyst = users.get("lina") or next(iter(users.values()))
    campaigns = list(Campaign.objects.filter(series=SERIES).order_by("created_at", "pk"))
    if not campaigns:
        return 0
    made = 0
    *earlier, current = campaigns
    for campaign in earlier:
        report = new_draft(campaign, by=analyst)
        report.conclusions = CONCLUSIONS
        report.save(update_fields=["conclusions"])
        publish(report, by=analyst)
        made += 1
    new_draft(current, by=analyst)
    return made + 1
