"""Demo inspections for `manage.py load_demo` (issue 19, point 7): this year's site inspections
and mystery-customer visits of the demo company's projects, with failed items whose findings
became corrective-action tickets; one finding corrected and closed by a re-inspection, one
still open with its action planned, and inspections still to do on the inspectors' lists.

Everything goes through ``workflow`` (and the tickets' own workflow for the actions), dated in
the past with the verbs' ``now``, so the demo holds nothing the pages could not have made.
"""

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from manyi.accounts.models import Department
from manyi.organisation.models import Unit
from manyi.tickets import workflow as tickets
from manyi.tickets.attachments import check_uploads

from . import workflow
from .choices import Answer, TemplateStatus
from .models import ChecklistTemplate, Finding

DAY = datetime.timedelta(days=1)
# The projects inspected (organisation/unit_demo.py); a demo without units gets no inspections.
PROJECTS = ["HX-E-ZJ", "HX-E-JS", "HX-S-GD", "HX-S-HZ", "HX-S-XN"]
# What the inspector writes when an item fails: by a word of the item.
NOTES = {
    "清洁": "单元楼道堆放纸箱和旧家具，两处垃圾桶满溢。",
    "绿化": "中心花园有三株灌木枯死未补种。",
    "消防": "3号楼消防通道停放电动车四辆，灭火器压力不足。",
    "电梯": "2号楼电梯年检标志过期。",
    "门禁": "东门门禁刷卡失灵，保安未登记来访人员。",
    "照明": "地下车库B区两盏灯不亮。",
    "规范用语": "前台接待未使用规范用语，未主动问候。",
    "闭单": "两张报修单超过承诺时限未闭单回访。",
    "敏感点": "业主反映的顶层渗漏未登记跟进。",
    "渗漏": "5号楼外墙有裂缝，雨后渗水。",
    "案场": "洽谈区资料散乱，饮水机无水。",
    "样板房": "样板房地面有施工遗留灰尘，阳台门把手松动。",
    "迎接": "进门约两分钟无人接待。",
    "置业顾问": "置业顾问着装不统一，未佩戴工牌。",
    "语速": "讲解语速过快，对问题显得不耐烦。",
    "规划设计": "对配套学校的情况介绍不准确。",
    "交付期限": "口头承诺提前交房，与合同约定不符。",
    "异议": "客户提出价格异议时与客户争辩。",
    "回访": "留下电话后三天内无人回访。",
    "反馈速度": "询问贷款政策，两天后才答复。",
}
# Items failed on purpose in each project's first inspection (so the demo always shows findings).
PLANNED_FAILURES = {
    "HX-E-ZJ": "消防",
    "HX-E-JS": "清洁",
    "HX-S-GD": "电梯",
    "HX-S-HZ": "敏感点",
    "HX-S-XN": "门禁",
}


def _photo(seed):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (120 + seed * 23 % 100, 90, 60)).save(buffer, "JPEG")
    return SimpleUploadedFile(f"现场{seed}.jpg", buffer.getvalue(), content_type="image/jpeg")


def _note_for(text):
    return next((note for word, note in NOTES.items() if word in text), "现场检查发现问题，需整改。")


def _answer(result, rng, fail_word):
    """A plausible answer: mostly full marks, now and then a point or two off or a fail."""
    item = result.item
    must_fail = fail_word is not None and fail_word in item.text
    if item.is_pass_fail:
        failed = must_fail or rng.random() < 0.08
        return (Answer.FAIL if failed else Answer.PASS), None, _note_for(item.text) if failed else ""
    if "样板房" in item.text and not must_fail and rng.random() < 0.2:
        return Answer.NOT_APPLICABLE, None, "样板房装修中，未开放。"
    points = item.max_points - (rng.choice((1, 2)) if must_fail else rng.choice((0, 0, 0, 0, 0, 1)))
    return "", points, _note_for(item.text) if points < item.max_points else ""


def _carry_out(inspection, inspector, rng, when, fail_word=None, seed=0):
    answers, photos = {}, {}
    for result in inspection.results.select_related("item"):
        answer, points, note = _answer(result, rng, fail_word)
        answers[result.pk] = (answer, points, note)
        failed = answer == Answer.FAIL or (points is not None and points < result.item.max_points)
        if failed and result.item.photo_on_failure:
            photos[result.pk] = check_uploads([_photo(seed + result.pk)])
    workflow.save_answers(
        inspection,
        by=inspector,
        answers=answers,
        photos=photos,
        summary="按检查表逐项检查。",
        submit=True,
        now=when,
    )


def load_demo_inspections(users, rng, today=None):
    """This year's inspections of the demo projects. Returns the number of inspections."""
    today = today or timezone.localdate()
    manager, inspectors = users.get("chenjing"), [users[n] for n in ("liuyang", "zhaoli") if n in users]
    units = {u.code: u for u in Unit.objects.filter(code__in=PROJECTS)}
    site = ChecklistTemplate.objects.filter(
        code="property-site-inspection", status=TemplateStatus.ACTIVE
    ).first()
    mystery = ChecklistTemplate.objects.filter(
        code="sales-office-mystery-visit", status=TemplateStatus.ACTIVE
    ).first()
    if manager is None or not inspectors or not units or site is None or mystery is None:
        return 0
    now = timezone.now()
    count = 0
    for n, code in enumerate(code for code in PROJECTS if code in units):
        unit, inspector = units[code], inspectors[n % len(inspectors)]
        # A site inspection every quarter so far and a mystery visit in between, each reviewed.
        for k, (template, days_ago) in enumerate(((site, 200), (mystery, 150), (site, 110), (mystery, 60))):
            when = now - days_ago * DAY + n * DAY
            inspection = workflow.plan(
                by=manager,
                template=template,
                unit=unit,
                inspector=inspector,
                due_on=timezone.localdate(when) + 5 * DAY,
                now=when,
            )
            fail_word = PLANNED_FAILURES[code] if k == 0 else None
            _carry_out(inspection, inspector, rng, when + 2 * DAY, fail_word, seed=n * 10 + k)
            workflow.review(inspection, by=manager, note="已审核，问题转整改工单。", now=when + 3 * DAY)
            count += 1
        # One still to do on the inspector's list, due next week.
        workflow.plan(by=manager, template=site, unit=unit, inspector=inspector, due_on=today + (7 + n) * DAY)
        count += 1
    _correct_and_re_inspect(users, now)
    return count + 1  # and the re-inspection


def _correct_and_re_inspect(users, now):
    """The first finding: its ticket worked through to a corrective action done, then a
    re-inspection finds the item passing and closes it; the second: its action is planned."""
    quality = Department.objects.filter(code="QA").first()
    handler, manager, agent = users.get("zhoumin"), users.get("chenjing"), users.get("liuyang")
    findings, seen = [], set()
    rows = Finding.objects.filter(ticket__isnull=False).select_related("ticket", "inspection").order_by("pk")
    for finding in rows:
        if finding.inspection_id not in seen and len(findings) < 2:  # two findings of two inspections
            seen.add(finding.inspection_id)
            findings.append(finding)
    if quality is None or handler is None or agent is None or not findings:
        return
    for finding, done in zip(findings, (True, False), strict=False):
        ticket, start = finding.ticket, finding.inspection.reviewed_at + DAY
        tickets.acknowledge(ticket, agent, now=start)
        tickets.assign(ticket, manager, quality, handler, now=start)
        tickets.start_investigation(ticket, handler, now=start + DAY)
        tickets.record_root_cause(ticket, handler, "日常巡查不到位，责任人不明确。", now=start + DAY)
        action = tickets.add_action(
            ticket,
            handler,
            description=f"整改：{finding.result.item.text}；明确责任人，每日巡查。",
            owner=handler,
            deadline=timezone.localdate(start) + (14 if done else 200) * DAY,
            now=start + DAY,
        )
        if not done:
            continue
        tickets.complete_action(
            action, handler, "已整改完毕，张贴告示并纳入每日巡查表。", now=start + 5 * DAY
        )
        follow_up = workflow.plan_follow_up(
            finding.inspection,
            by=manager,
            inspector=finding.inspection.inspector,
            due_on=timezone.localdate(start) + 10 * DAY,
            now=start + 6 * DAY,
        )
        answers = {}
        for result in follow_up.results.select_related("item"):
            item = result.item
            answers[result.pk] = (Answer.PASS, None, "") if item.is_pass_fail else ("", item.max_points, "")
        workflow.save_answers(
            follow_up, by=follow_up.inspector, answers=answers, submit=True, now=start + 8 * DAY
        )
        workflow.review(follow_up, by=manager, note="复查合格。", now=start + 9 * DAY)
