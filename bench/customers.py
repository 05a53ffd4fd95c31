"""Customer archive benchmark: import 100,000 customers from Excel, then search the list page.

Run with `make bench-customers`. It builds a fresh SQLite database in a temporary directory
(nothing of ./var is touched), writes an .xlsx of realistic Chinese customers, imports it
through the same code as the web import (read + validate + write), and then times the customer
list page with several searches through Django's test client.

Progress goes to stderr; the figures go to stdout as

    BENCH customers.import_100k_s <seconds>
    BENCH customers.search_ms <median milliseconds>

Targets: import <= 60 s on 2 cores, search <= 100 ms. BENCH_ROWS=10000 makes a quick run.
"""

import os
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from common import SEED, bench, log, setup_django

ROWS = int(os.environ.get("BENCH_ROWS", "100000"))

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史黎贺顾毛郝龚邵万钱覃武戴孔汤庞樊兰殷施陶洪翟安颜倪严牛温芦季俞章鲁葛伍申尤毕聂柴焦向柳邢岳齐沿梅莫庄辛管祝左涂谷祁时舒耿牟卜路詹关苗凌费纪靳盛童欧甄项曲成游阳裴席卫查屈鲍位覃霍翁隋植甘景薄单包司柏宁柯阮桂闵欧阳解强丛华车冉房边辜吉饶刁瞿戚丘古米池滕晋苑邬臧畅宫来嵺苟全褚廉简娄盖符奚木穆党燕郎邸冀谈姬屠连郜晏栾郁商蒙计喻揭窦迟宇敖糜鄢冷卓花艾蓝都巩稽井练仲乐虞卞封竺冼原官衣楚佟栗匡宗应台巫鞠僧桑荆谌银扬明沙薄伏岑习胥保和蔺"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍鹏建华飞鑫波斌宇浩凯健俊帆帅旭宁婷雪琳晨欣怡子涵梓轩浩然一诺雨桐思远嘉怡"
CITIES = {
    "华东": [
        ("浙江", "杭州"),
        ("浙江", "宁波"),
        ("江苏", "苏州"),
        ("江苏", "南京"),
        ("上海", "上海"),
        ("山东", "青岛"),
    ],
    "华北": [("北京", "北京"), ("天津", "天津"), ("河北", "石家庄"), ("山西", "太原")],
    "华南": [("广东", "广州"), ("广东", "深圳"), ("广东", "东莞"), ("福建", "厦门")],
    "华中": [("湖北", "武汉"), ("湖南", "长沙"), ("河南", "郑州")],
    "西南": [("四川", "成都"), ("重庆", "重庆"), ("云南", "昆明")],
    "西北": [("陕西", "西安"), ("甘肃", "兰州")],
    "东北": [("辽宁", "沈阳"), ("吉林", "长春"), ("黑龙江", "哈尔滨")],
}
TRADE_NAMES = [
    "精工",
    "海天",
    "华信",
    "明达",
    "恒通",
    "宏远",
    "金鼎",
    "天成",
    "瑞丰",
    "鑫源",
    "博雅",
    "东方",
    "新华",
    "长城",
    "中联",
    "鼎盛",
    "汇丰",
    "永安",
    "富达",
    "盛世",
    "远航",
    "启明",
    "正泰",
    "德力",
    "安泰",
    "凯旋",
    "万达",
    "锦程",
    "华美",
    "联创",
]
INDUSTRIES = [
    ("机械", "制造业"),
    ("电子", "电子信息"),
    ("塑机", "制造业"),
    ("科技", "软件和信息技术"),
    ("贸易", "批发零售"),
    ("物流", "交通运输"),
    ("医疗器械", "医疗"),
    ("建材", "建筑"),
    ("食品", "食品饮料"),
    ("汽车配件", "汽车"),
]
SUFFIXES = ["有限公司", "股份有限公司", "集团有限公司", "有限责任公司"]
TITLES = ["采购经理", "总经理", "设备主管", "技术总监", "财务", "行政主管", "厂长"]
TAGS = ["老客户", "重点", "华东", "展会", "渠道", "VIP客户", "新签"]
PINYIN = [
    "wang",
    "li",
    "zhang",
    "liu",
    "chen",
    "yang",
    "huang",
    "zhao",
    "wu",
    "zhou",
    "xu",
    "sun",
    "ma",
    "zhu",
    "hu",
    "guo",
    "he",
    "gao",
    "lin",
    "luo",
]
DOMAINS = ["qq.com", "163.com", "126.com", "sina.com", "aliyun.com", "example.cn"]
HEADERS = [
    "客户编码",
    "客户名称",
    "个人/企业",
    "客户类型",
    "电话",
    "邮箱",
    "地区",
    "省份",
    "城市",
    "地址",
    "行业",
    "负责人",
    "标签",
    "联系人",
    "联系人职务",
    "联系人电话",
    "同意联系",
]


def mobile(rng):
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


def person_name(rng):
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def generate_rows(count, owners, rng):
    for n in range(1, count + 1):
        region = rng.choice(list(CITIES))
        province, city = rng.choice(CITIES[region])
        person = rng.random() < 0.1
        if person:
            name = person_name(rng)
            industry = ""
        else:
            word, industry = rng.choice(INDUSTRIES)
            name = f"{city}{rng.choice(TRADE_NAMES)}{word}{rng.choice(SUFFIXES)}"
        kind = "个人" if person else "企业"
        customer_type = rng.choices(["VIP", "大客户", "普通"], weights=(5, 15, 80))[0]
        email = f"{rng.choice(PINYIN)}{rng.choice(PINYIN)}{n}@{rng.choice(DOMAINS)}"
        tags = "、".join(rng.sample(TAGS, rng.choice((0, 0, 1, 2))))
        contact = "" if person else person_name(rng)
        yield [
            f"C{n:07d}",
            name,
            kind,
            customer_type,
            mobile(rng)
            if rng.random() < 0.85
            else f"0{rng.randrange(10, 99)}{rng.randrange(1, 9)}-{rng.randrange(10**7):07d}",
            email if rng.random() < 0.7 else "",
            region,
            province,
            city,
            f"{city}市{rng.choice(TRADE_NAMES)}路{rng.randrange(1, 999)}号",
            industry,
            rng.choice(owners),
            tags,
            contact,
            rng.choice(TITLES) if contact else "",
            mobile(rng) if contact else "",
            rng.choice(["是", "是", "是", "否"]),
        ]


def write_workbook(path: Path, count, owners):
    from openpyxl import Workbook

    rng = random.Random(SEED)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("客户")
    sheet.append(HEADERS)
    for row in generate_rows(count, owners, rng):
        sheet.append(row)
    workbook.save(path)


def bench_import(path: Path, user):
    from manyi.customers import importing

    started = time.perf_counter()
    headers, _preview = importing.check_file(path)  # the upload step
    mapping = importing.auto_map(importing.ImportKind.CUSTOMERS, headers)
    outcome = importing.run_import(path, importing.ImportKind.CUSTOMERS, mapping, user=user)
    elapsed = time.perf_counter() - started
    if not outcome.ok:
        for error in outcome.errors[:20]:
            log(f"  row {error.row} {error.column}: {error.message}")
        raise SystemExit(f"the benchmark file did not import: {len(outcome.errors)} errors")
    return elapsed, outcome


def bench_search(agent, repeats=5):
    from django.test import Client

    from manyi.customers.forms import CustomerFilterForm
    from manyi.customers.models import Customer

    client = Client()
    client.force_login(agent)
    sample = Customer.objects.order_by("pk")[ROWS // 2]
    queries = {
        "name fragment": {"q": "精工机械"},
        "code fragment": {"q": sample.code[:-2]},
        "phone fragment": {"q": sample.phone[3:9]},
        "no match": {"q": "不存在的客户xyz"},
        "filter + sort": {"customer_type": "vip", "region": "华东", "sort": "-purchase_total"},
        "search + filter + sort": {"q": "有限公司", "lifecycle": "new", "sort": "name"},
    }
    client.get("/customers/", {"q": "warm-up"})
    timings = []
    for label, params in queries.items():
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            response = client.get("/customers/", params)
            times.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"GET /customers/ {params} answered {response.status_code}")
        form = CustomerFilterForm(params)
        count = form.filter(Customer.objects.all()).count() if form.is_valid() else "?"
        log(f"  {label:<24} {statistics.median(times):7.1f} ms median  ({count} customers match)")
        timings += times
    return statistics.median(timings)


def main():
    folder = Path(tempfile.mkdtemp(prefix="manyi-bench-"))
    try:
        log(f"Fresh SQLite database in {folder}")
        setup_django(
            folder,
            f"sqlite:///{folder / 'bench.sqlite3'}",
            env={"ALLOWED_HOSTS": "testserver,127.0.0.1,localhost"},
            env_defaults={"LOG_LEVEL": "WARNING"},
        )
        from manyi.accounts.choices import Role
        from manyi.testing import make_user

        supervisor = make_user("bench_supervisor", Role.SUPERVISOR)
        agent = make_user("bench_agent", Role.AGENT)
        owners = [make_user(f"agent{i:02d}", Role.AGENT).username for i in range(1, 21)] + [""]

        path = folder / "customers.xlsx"
        log(f"Writing {ROWS:,} customers to {path.name} …")
        started = time.perf_counter()
        write_workbook(path, ROWS, owners)
        log(f"  written in {time.perf_counter() - started:.1f} s ({path.stat().st_size / 1e6:.1f} MB)")

        log("Importing (read + validate + write, as the web import does) …")
        seconds, outcome = bench_import(path, supervisor)
        log(
            f"  {outcome.created:,} customers created in {seconds:.2f} s "
            f"({outcome.read_seconds:.1f} s reading and validating, {outcome.write_seconds:.1f} s writing)"
        )
        suffix = "100k" if ROWS == 100_000 else f"{ROWS}"
        bench(f"customers.import_{suffix}_s", f"{seconds:.2f}")

        log("Searching the customer list page …")
        bench("customers.search_ms", f"{bench_search(agent):.2f}")
    finally:
        if os.environ.get("BENCH_KEEP") != "1":
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
