"""The checklists Manyi ships (REQUIREMENTS §10, seed 003), installed by migration 0002.

Seed 003 (客户体验与满意度管理规定 4.1.2-4.1.3): the group's customer department runs 项目品质巡检
and 神秘客户暗访, and "定期检查各销售案场、示范区、样板房、小区等品质执行情况，及时发现产品及服务
品质存在的问题和业主敏感点，并监督整改". The items take the seed's terms: the sales staff's
语言沟通与表达能力、专业技术能力、服务态度、问题处理能力及客户问题的反馈速度 (4.1.3 of the
管理规程); the visiting staff's 规范用语, 语言组织应流畅, 语速适中, 不允许与顾客发生争执 (4.4
行为规范); the satisfaction indicators 规划设计, 户型设计, 配套设施, 物业管理 (4.2.2.2) and the
evaluation indicators 交付期限, 售后服务, 人员素质 (考评制度 三).

Each item: (Chinese, English, scoring, maximum points, weight, photo required on failure).
"""

P, PF = "points", "pass_fail"

CHECKLISTS = [
    {
        "code": "property-site-inspection",
        "kind": "site",
        "name": "物业项目品质巡检表",
        "name_en": "Property site quality inspection",
        "description": "集团客户管理部定期检查小区的品质执行情况，发现问题和业主敏感点并监督整改（种子003）。",
        "sections": [
            (
                "小区环境与公共区域",
                "Community environment and common areas",
                [
                    (
                        "公共区域清洁，无垃圾、杂物堆放",
                        "Common areas clean, no rubbish or clutter",
                        P,
                        5,
                        2,
                        True,
                    ),
                    (
                        "绿化养护良好，无枯死、缺株",
                        "Planting kept up, no dead or missing plants",
                        P,
                        5,
                        1,
                        True,
                    ),
                    (
                        "道路、停车场秩序良好，标识清晰",
                        "Roads and car park orderly, signs clear",
                        P,
                        5,
                        1,
                        False,
                    ),
                ],
            ),
            (
                "安全与设施设备",
                "Safety and facilities",
                [
                    (
                        "消防通道畅通，消防设施完好有效",
                        "Fire lanes clear, fire equipment in working order",
                        PF,
                        5,
                        3,
                        True,
                    ),
                    (
                        "电梯运行正常，年检标志在有效期内",
                        "Lifts running, inspection certificate valid",
                        PF,
                        5,
                        3,
                        True,
                    ),
                    ("门禁、监控系统运行正常", "Access control and CCTV working", PF, 5, 2, False),
                    ("公共照明完好", "Common lighting working", P, 5, 1, False),
                ],
            ),
            (
                "客户服务",
                "Customer service",
                [
                    (
                        "客服前台着装规范、使用规范用语",
                        "Front desk dressed properly, uses the standard phrases",
                        P,
                        5,
                        2,
                        False,
                    ),
                    (
                        "报修、投诉按时处理并闭单回访",
                        "Repairs and complaints handled in time, closed with a callback",
                        P,
                        5,
                        2,
                        False,
                    ),
                    (
                        "业主敏感点（渗漏、噪音、异味等）已登记并跟进",
                        "Owners' sensitive points (leaks, noise, smells) logged and followed up",
                        P,
                        5,
                        2,
                        True,
                    ),
                ],
            ),
            (
                "房屋质量",
                "Building quality",
                [
                    (
                        "外墙、公共部位无渗漏、开裂",
                        "No leaks or cracks in facades and common parts",
                        P,
                        5,
                        2,
                        True,
                    ),
                ],
            ),
        ],
    },
    {
        "code": "sales-office-mystery-visit",
        "kind": "mystery",
        "name": "售楼处神秘客户暗访表",
        "name_en": "Sales office mystery-customer visit",
        "description": "暗访人员以购房客户身份到访销售案场、示范区和样板房，按本表评分（种子003）。",
        "sections": [
            (
                "案场环境",
                "Sales office, show area and show flat",
                [
                    ("销售案场整洁，物料摆放有序", "Sales office tidy, materials in order", P, 5, 1, True),
                    (
                        "示范区、样板房开放，保洁到位，无安全隐患",
                        "Show area and show flat open, clean and safe",
                        P,
                        5,
                        2,
                        True,
                    ),
                    ("停车与引导标识清晰", "Parking and signposting clear", PF, 5, 1, False),
                ],
            ),
            (
                "接待礼仪",
                "Reception",
                [
                    ("客户进门30秒内有人迎接", "Greeted within 30 seconds of entering", PF, 5, 2, False),
                    (
                        "置业顾问着装规范、使用规范用语",
                        "Sales consultant dressed properly, uses the standard phrases",
                        P,
                        5,
                        2,
                        False,
                    ),
                    (
                        "语言组织流畅、语速适中，耐心解答",
                        "Speaks fluently at a moderate pace, answers patiently",
                        P,
                        5,
                        2,
                        False,
                    ),
                ],
            ),
            (
                "专业能力",
                "Professional competence",
                [
                    (
                        "准确介绍规划设计、户型设计和配套设施",
                        "Explains the site plan, floor plans and amenities accurately",
                        P,
                        5,
                        3,
                        False,
                    ),
                    (
                        "如实告知交付期限、物业管理和收费标准，无夸大承诺",
                        "States delivery dates, property management and fees truthfully, no inflated promises",
                        PF,
                        5,
                        3,
                        False,
                    ),
                    (
                        "妥善处理客户异议，不与客户争执",
                        "Handles objections well, never argues with the customer",
                        P,
                        5,
                        2,
                        False,
                    ),
                ],
            ),
            (
                "跟进",
                "Follow-up",
                [
                    (
                        "留下客户联系方式并在约定时间内回访",
                        "Takes the contact details and calls back when agreed",
                        PF,
                        5,
                        2,
                        False,
                    ),
                    ("客户问题的反馈速度", "Speed of answering the customer's questions", P, 5, 1, False),
                ],
            ),
        ],
    },
]

# The ticket category a finding's ticket is filed under, made by the first finding (not by a
# migration: a company's category tree is its industry's until a finding needs this one).
FINDING_CATEGORY = {
    "code": "inspection-finding",
    "name": "品质巡检发现",
}  # tickets Category.INSPECTION_FINDING


def install(template_model, section_model, item_model):
    """Create the shipped checklists (in use, version 1) unless their code exists. Takes the
    model classes (a migration passes its own)."""
    made = []
    for checklist in CHECKLISTS:
        if template_model.objects.filter(code=checklist["code"]).exists():
            continue
        template = template_model.objects.create(
            code=checklist["code"],
            version=1,
            kind=checklist["kind"],
            name=checklist["name"],
            name_en=checklist["name_en"],
            description=checklist["description"],
            status="active",
        )
        for s_position, (title, title_en, items) in enumerate(checklist["sections"], start=1):
            section = section_model.objects.create(
                template=template, position=s_position, title=title, title_en=title_en
            )
            for i_position, (text, text_en, scoring, max_points, weight, photo) in enumerate(items, start=1):
                item_model.objects.create(
                    section=section,
                    position=i_position,
                    text=text,
                    text_en=text_en,
                    scoring=scoring,
                    max_points=max_points,
                    weight=weight,
                    photo_on_failure=photo,
                )
        made.append(template)
    return made
