"""Default categories, working calendar and SLA policies from the seeds; administrators edit them.

Categories: seed 002 (产品质量、服务态度、产品包装、快递服务、售后服务; price from REQUIREMENTS §5)
and the property-management set of seed 002's 物业 procedure (房屋管理类、设备管理类、安全管理类;
the seed text breaks off after the third, so the rest goes to 其他物业服务).
Policies: seed 004 (negative survey feedback answered within 1 hour, a first solution in 24
hours), seed 002 (forwarded within half a working day, a reply within a week).
"""

from datetime import timedelta

from django.db import migrations

CATEGORIES = [
    ("product_quality", "产品质量", []),
    ("packaging", "产品包装", []),
    ("service_attitude", "服务态度", []),
    ("price", "价格", []),
    ("logistics", "物流配送", []),
    ("after_sales", "售后服务", []),
    (
        "property",
        "物业管理",
        [
            ("property_building", "房屋管理"),
            ("property_equipment", "设备管理"),
            ("property_security", "安全管理"),
            ("property_other", "其他物业服务"),
        ],
    ),
    ("other", "其他", []),
]

OFFICE_DAY = ["08:30-12:00", "13:30-17:30"]  # 7.5 working hours
CALENDAR_NAME = "标准工作日"


def add_defaults(apps, schema_editor):
    Category = apps.get_model("tickets", "Category")
    WorkingCalendar = apps.get_model("tickets", "WorkingCalendar")
    SlaPolicy = apps.get_model("tickets", "SlaPolicy")
    for position, (code, name, children) in enumerate(CATEGORIES):
        parent, _ = Category.objects.get_or_create(code=code, defaults={"name": name, "position": position})
        for child_position, (child_code, child_name) in enumerate(children):
            Category.objects.get_or_create(
                code=child_code, defaults={"name": child_name, "parent": parent, "position": child_position}
            )
    calendar, _ = WorkingCalendar.objects.get_or_create(
        name=CALENDAR_NAME, defaults={"hours": {str(day): OFFICE_DAY for day in range(5)}}
    )
    if not SlaPolicy.objects.exists():
        SlaPolicy.objects.create(
            name="标准 (seed 002)",
            first_response=timedelta(hours=3, minutes=45),  # half a working day
            first_solution=timedelta(hours=37, minutes=30),  # a working week
            resolution=timedelta(hours=75),  # two working weeks
            clock="working",
            calendar=calendar,
        )
        SlaPolicy.objects.create(
            name="调查负面评价 (seed 004)",
            channel="survey",
            first_response=timedelta(hours=1),
            first_solution=timedelta(hours=24),
            resolution=timedelta(days=7),
            clock="calendar",
        )
        SlaPolicy.objects.create(
            name="严重投诉",
            severity="serious",
            first_response=timedelta(hours=1),
            first_solution=timedelta(hours=24),
            resolution=timedelta(days=7),
            clock="calendar",
        )


def remove_defaults(apps, schema_editor):
    Category = apps.get_model("tickets", "Category")
    SlaPolicy = apps.get_model("tickets", "SlaPolicy")
    WorkingCalendar = apps.get_model("tickets", "WorkingCalendar")
    SlaPolicy.objects.all().delete()
    WorkingCalendar.objects.filter(name=CALENDAR_NAME).delete()
    children = [code for _, _, kids in CATEGORIES for code, _ in kids]
    Category.objects.filter(code__in=children).delete()
    Category.objects.filter(code__in=[code for code, _, _ in CATEGORIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, remove_defaults)]
