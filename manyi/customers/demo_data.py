"""Demo data for 浙江恒信精密机械有限公司: name lists and a deterministic generator.

No database here: `generate_customers(rng, today, ...)` returns plain records that the
`load_demo` command turns into rows. The same seed and the same day give the same data;
dates are placed relative to `today` so that every lifecycle stage is present whenever the
demo is loaded.
"""

import calendar
import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

COMPANY = "浙江恒信精密机械有限公司"
STAFF_EMAIL_DOMAIN = "hengxin.example.com"
SEED = 20240315

# (code, name)
DEPARTMENTS = [
    ("CS", "客服部"),
    ("MKT", "市场部"),
    ("QA", "质量部"),
    ("TECH", "技术部"),
    ("AS", "售后服务部"),
    ("SALES", "销售部"),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str  # a manyi.accounts.choices.Role value
    department: str  # department code
    last_name: str
    first_name: str
    phone: str
    is_superuser: bool = False


DEMO_USERS = [
    DemoUser("admin", "administrator", "CS", "周", "立新", "13857160001", is_superuser=True),
    DemoUser("chenjing", "supervisor", "CS", "陈", "静", "13857160002"),
    DemoUser("liuyang", "agent", "CS", "刘", "洋", "13857160003"),
    DemoUser("zhaoli", "agent", "CS", "赵", "丽", "13857160004"),
    DemoUser("sunhao", "agent", "AS", "孙", "浩", "13857160005"),
    DemoUser("zhoumin", "handler", "QA", "周", "敏", "13857160006"),
    DemoUser("wulei", "handler", "TECH", "吴", "磊", "13857160007"),
    DemoUser("lina", "analyst", "MKT", "李", "娜", "13857160008"),
    # The 华东区域公司's customer-service supervisor: sees only the 华东 region (organisation units).
    DemoUser("huangwei", "supervisor", "CS", "黄", "伟", "13857160009"),
]

# Each agent looks after the customers of some regions (owner of the record).
AGENT_REGIONS = {
    "liuyang": ("华东",),
    "zhaoli": ("华南", "华中", "西南"),
    "sunhao": ("华北", "西北", "东北"),
}


@dataclass(frozen=True)
class DemoProduct:
    code: str
    name: str
    category: str
    warranty_months: int | None
    unit_price: int  # CNY
    max_quantity: int
    delivery_days: tuple[int, int]
    line: str  # "machine", "pump", "part" or "service"


MARKER_PRODUCT = "HX-CK6150"  # its presence means the demo data has been loaded

PRODUCTS = [
    DemoProduct(MARKER_PRODUCT, "数控车床 CK6150", "数控机床", 24, 186_000, 3, (10, 25), "machine"),
    DemoProduct("HX-VMC850", "立式加工中心 VMC850", "数控机床", 24, 398_000, 2, (15, 30), "machine"),
    DemoProduct("HX-XK7132", "数控铣床 XK7132", "数控机床", 18, 152_000, 3, (10, 25), "machine"),
    DemoProduct("HX-M7130", "卧轴矩台平面磨床 M7130", "普通机床", 12, 88_000, 2, (7, 20), "machine"),
    DemoProduct("HX-HMC630", "卧式加工中心 HMC630", "数控机床", 24, 1_280_000, 1, (30, 45), "machine"),
    DemoProduct("HX-IS100", "单级离心泵 IS100-80-160", "工业泵", 12, 6_800, 10, (3, 10), "pump"),
    DemoProduct("HX-D46", "卧式多级离心泵 D46-30×5", "工业泵", 12, 23_500, 6, (5, 15), "pump"),
    DemoProduct("HX-ISG80", "立式管道泵 ISG80-160", "工业泵", 12, 4_900, 12, (3, 10), "pump"),
    DemoProduct("HX-IH65", "不锈钢化工泵 IH65-50-160", "工业泵", 18, 12_600, 8, (5, 15), "pump"),
    DemoProduct("HX-SP-BRG", "主轴轴承组件", "备品备件", 6, 3_200, 10, (2, 7), "part"),
    DemoProduct("HX-SP-BS", "滚珠丝杠副 FFZD4010", "备品备件", 6, 2_450, 12, (2, 7), "part"),
    DemoProduct("HX-SP-SEAL", "泵用机械密封件", "备品备件", 3, 680, 20, (1, 5), "part"),
    DemoProduct("HX-SP-TUR", "电动刀塔 AK31-8", "备品备件", 12, 15_800, 3, (3, 10), "part"),
    DemoProduct("HX-SV-BAS", "年度维保合同（基础版）", "维保服务", None, 28_000, 1, (1, 3), "service"),
    DemoProduct("HX-SV-PRO", "年度维保合同（全包版）", "维保服务", None, 76_000, 1, (1, 3), "service"),
    DemoProduct("HX-SV-REM", "远程诊断服务（年费）", "维保服务", None, 9_800, 1, (1, 3), "service"),
]
PRODUCTS_BY_CODE = {p.code: p for p in PRODUCTS}

# region -> [(province, short province name, [(city, city pinyin, area code)])]
REGIONS = {
    "华东": [
        (
            "浙江省",
            "浙江",
            [
                ("杭州市", "hangzhou", "0571"),
                ("宁波市", "ningbo", "0574"),
                ("温州市", "wenzhou", "0577"),
                ("绍兴市", "shaoxing", "0575"),
                ("台州市", "taizhou", "0576"),
                ("嘉兴市", "jiaxing", "0573"),
                ("金华市", "jinhua", "0579"),
                ("湖州市", "huzhou", "0572"),
            ],
        ),
        (
            "江苏省",
            "江苏",
            [
                ("苏州市", "suzhou", "0512"),
                ("无锡市", "wuxi", "0510"),
                ("常州市", "changzhou", "0519"),
                ("南京市", "nanjing", "025"),
                ("南通市", "nantong", "0513"),
            ],
        ),
        ("上海市", "上海", [("上海市", "shanghai", "021")]),
        ("安徽省", "安徽", [("合肥市", "hefei", "0551"), ("芜湖市", "wuhu", "0553")]),
        (
            "福建省",
            "福建",
            [("福州市", "fuzhou", "0591"), ("厦门市", "xiamen", "0592"), ("泉州市", "quanzhou", "0595")],
        ),
        (
            "山东省",
            "山东",
            [("济南市", "jinan", "0531"), ("青岛市", "qingdao", "0532"), ("潍坊市", "weifang", "0536")],
        ),
        ("江西省", "江西", [("南昌市", "nanchang", "0791")]),
    ],
    "华南": [
        (
            "广东省",
            "广东",
            [
                ("广州市", "guangzhou", "020"),
                ("深圳市", "shenzhen", "0755"),
                ("佛山市", "foshan", "0757"),
                ("东莞市", "dongguan", "0769"),
                ("中山市", "zhongshan", "0760"),
            ],
        ),
        ("广西壮族自治区", "广西", [("南宁市", "nanning", "0771"), ("柳州市", "liuzhou", "0772")]),
        ("海南省", "海南", [("海口市", "haikou", "0898")]),
    ],
    "华北": [
        ("北京市", "北京", [("北京市", "beijing", "010")]),
        ("天津市", "天津", [("天津市", "tianjin", "022")]),
        (
            "河北省",
            "河北",
            [
                ("石家庄市", "shijiazhuang", "0311"),
                ("唐山市", "tangshan", "0315"),
                ("保定市", "baoding", "0312"),
            ],
        ),
        ("山西省", "山西", [("太原市", "taiyuan", "0351")]),
        ("内蒙古自治区", "内蒙古", [("呼和浩特市", "huhehaote", "0471"), ("包头市", "baotou", "0472")]),
    ],
    "华中": [
        ("河南省", "河南", [("郑州市", "zhengzhou", "0371"), ("洛阳市", "luoyang", "0379")]),
        (
            "湖北省",
            "湖北",
            [("武汉市", "wuhan", "027"), ("襄阳市", "xiangyang", "0710"), ("宜昌市", "yichang", "0717")],
        ),
        ("湖南省", "湖南", [("长沙市", "changsha", "0731"), ("株洲市", "zhuzhou", "0731")]),
    ],
    "西南": [
        ("四川省", "四川", [("成都市", "chengdu", "028"), ("绵阳市", "mianyang", "0816")]),
        ("重庆市", "重庆", [("重庆市", "chongqing", "023")]),
        ("云南省", "云南", [("昆明市", "kunming", "0871")]),
        ("贵州省", "贵州", [("贵阳市", "guiyang", "0851")]),
    ],
    "西北": [
        ("陕西省", "陕西", [("西安市", "xian", "029"), ("宝鸡市", "baoji", "0917")]),
        ("甘肃省", "甘肃", [("兰州市", "lanzhou", "0931")]),
        ("宁夏回族自治区", "宁夏", [("银川市", "yinchuan", "0951")]),
        ("新疆维吾尔自治区", "新疆", [("乌鲁木齐市", "wulumuqi", "0991")]),
    ],
    "东北": [
        ("辽宁省", "辽宁", [("沈阳市", "shenyang", "024"), ("大连市", "dalian", "0411")]),
        ("吉林省", "吉林", [("长春市", "changchun", "0431")]),
        ("黑龙江省", "黑龙江", [("哈尔滨市", "haerbin", "0451"), ("大庆市", "daqing", "0459")]),
    ],
}
# The company is in Zhejiang: most customers are in East China.
REGION_WEIGHTS = {"华东": 45, "华南": 14, "华北": 12, "华中": 10, "西南": 8, "西北": 5, "东北": 6}

# (industry, words used in company names, what they mostly buy)
INDUSTRIES = [
    ("汽车零部件", ["汽车零部件", "汽车配件"], "machine"),
    ("机械制造", ["机械", "机械制造", "重工机械"], "machine"),
    ("模具", ["模具", "精密模具"], "machine"),
    ("五金制品", ["五金", "五金制品"], "machine"),
    ("电力设备", ["电气", "电力设备"], "machine"),
    ("船舶", ["船舶配件", "船舶修造"], "machine"),
    ("化工", ["化工", "精细化工"], "pump"),
    ("水务", ["水务", "供水"], "pump"),
    ("制药", ["制药", "药业"], "pump"),
    ("食品饮料", ["食品", "饮料"], "pump"),
    ("纺织印染", ["纺织", "印染"], "pump"),
    ("环保", ["环保科技", "环境工程"], "pump"),
    ("造纸", ["纸业"], "pump"),
    ("冶金", ["钢铁", "冶金"], "both"),
    ("建材", ["建材", "新型建材"], "both"),
]
PERSON_INDUSTRIES = [
    ("个体机加工", "machine"),
    ("农业灌溉", "pump"),
    ("设备维修", "both"),
    ("小微制造", "machine"),
]


def _words(text):
    return text.split()


def _pairs(text):
    """ "王:wang 李:li" -> [("王", "wang"), ("李", "li")]"""
    return [tuple(item.split(":")) for item in text.split()]


# (word, pinyin): the distinctive part of a company name, also its mail domain
BRANDS = _pairs(
    "宏达:hongda 华宇:huayu 永盛:yongsheng 金鑫:jinxin 鼎盛:dingsheng 天合:tianhe 博远:boyuan 中联:zhonglian "
    "精诚:jingcheng 瑞丰:ruifeng 恒通:hengtong 新锐:xinrui 盛达:shengda 东方:dongfang 远大:yuanda 兴业:xingye "
    "华翔:huaxiang 振华:zhenhua 通力:tongli 润泽:runze 德隆:delong 凯达:kaida 明远:mingyuan 安泰:antai "
    "联创:lianchuang 宏图:hongtu 嘉禾:jiahe 永泰:yongtai 金桥:jinqiao 昌盛:changsheng 信达:xinda "
    "同创:tongchuang 佳瑞:jiarui 海川:haichuan 立信:lixin 荣昌:rongchang 飞跃:feiyue 伟业:weiye 祥和:xianghe "
    "正源:zhengyuan 力拓:lituo 华锐:huarui"
)
COMPANY_SUFFIXES = [("有限公司", 70), ("股份有限公司", 15), ("有限责任公司", 10), ("集团有限公司", 5)]

SURNAMES = _pairs(
    "王:wang 李:li 张:zhang 刘:liu 陈:chen 杨:yang 黄:huang 赵:zhao 吴:wu 周:zhou 徐:xu 孙:sun 马:ma 朱:zhu "
    "胡:hu 郭:guo 何:he 林:lin 罗:luo 高:gao 郑:zheng 梁:liang 谢:xie 宋:song 唐:tang 韩:han 冯:feng 邓:deng "
    "曹:cao 彭:peng 曾:zeng 田:tian 董:dong 潘:pan 袁:yuan 蔡:cai 蒋:jiang 余:yu 杜:du 叶:ye 程:cheng 魏:wei "
    "苏:su 丁:ding 沈:shen 任:ren 姚:yao 卢:lu 方:fang 金:jin"
)
GIVEN_CHARS = _pairs(
    "伟:wei 芳:fang 娜:na 敏:min 静:jing 丽:li 强:qiang 磊:lei 军:jun 洋:yang 勇:yong 艳:yan 杰:jie 娟:juan "
    "涛:tao 明:ming 超:chao 秀:xiu 霞:xia 平:ping 刚:gang 英:ying 华:hua 建:jian 国:guo 文:wen 辉:hui 志:zhi "
    "红:hong 玲:ling 斌:bin 鹏:peng 浩:hao 宇:yu 婷:ting 飞:fei 鑫:xin 波:bo 峰:feng 晨:chen 琳:lin 海:hai "
    "雪:xue 慧:hui 佳:jia 俊:jun 东:dong 春:chun 凯:kai 燕:yan"
)

CONTACT_TITLES = _words(
    "采购经理 设备主管 总经理 生产厂长 设备科科长 技术总监 采购专员 维修班长 副总经理 财务经理 质量经理 车间主任"
)
FIRST_CONTACT_TITLES = ["采购经理", "设备主管", "总经理", "设备科科长"]
CONTACT_NOTES = ["", "", "", "", "决策人", "仅工作日联系", "技术对接人", "新任，原负责人已离职"]

MOBILE_PREFIXES = _words(
    "130 131 132 133 135 136 137 138 139 150 151 152 153 155 156 157 158 159 "
    "166 176 177 178 180 181 182 183 185 186 187 188 189 191 193 195 198 199"
)

ROADS = _words(
    "工业大道 创业路 科技路 兴业路 发展大道 人民路 建设路 解放路 中山路 环城北路 滨江路 长江路 黄河路 新华路 金山路 迎宾大道 凤凰路 东风路 和平路 明珠路"
)
PARKS = ["经济技术开发区", "高新技术产业开发区", "工业园区", "临港工业区", "", ""]

# preferred contact method -> preference texts
PREFERENCES = {
    "phone": [
        "偏好电话沟通",
        "偏好电话沟通，工作日上午联系",
        "请拨打座机，手机常不在身边",
        "偏好电话沟通，下午三点后方便",
    ],
    "wechat": ["习惯微信沟通，可发语音", "请通过企业微信联系", "资料请微信发送"],
    "email": ["重要事项请发邮件，抄送采购部", "报价与合同请邮件发送", "仅接受邮件沟通"],
    "sms": ["短信通知即可，勿频繁来电"],
    "visit": ["需提前一天预约上门，进厂须登记", "设备问题希望上门处理"],
    "": ["午休时间（12:00-14:00）勿扰", "月底财务结账期间勿联系", ""],
}
# A company's type, and each type's shares of lifecycle profiles ("none": no purchase yet).
CUSTOMER_TYPE_WEIGHTS = {"vip": 9, "key": 24, "normal": 67}
PROFILE_WEIGHTS = {
    "vip": {"new": 5, "active": 70, "dormant": 15, "lost": 5, "none": 5},
    "key": {"new": 8, "active": 55, "dormant": 20, "lost": 12, "none": 5},
    "normal": {"new": 13, "active": 33, "dormant": 20, "lost": 22, "none": 12},
}
MOST_PURCHASES = {"vip": 12, "key": 10, "normal": 6}  # a company's; a person has at most 4
OCCASIONAL_TAGS = [("价格敏感", 0.08), ("需上门服务", 0.06), ("投诉过", 0.05)]  # each tag's share

CONTACT_METHOD_WEIGHTS = {"phone": 35, "wechat": 20, "email": 10, "sms": 5, "visit": 5, "": 25}

NOTES = [
    "曾反馈主轴异响，已上门更换轴承。",
    "年底集中采购，预算审批周期长。",
    "付款及时，信誉良好。",
    "对交货期要求高，需提前确认排产。",
    "设备使用强度大，两班倒生产。",
    "曾投诉交货延迟，已处理并回访。",
    "有扩产计划，关注新机型。",
    "维保合同到期前一个月提醒续签。",
]

REGION_TAGS = list(REGION_WEIGHTS)
TAGS = [
    "老客户",
    "重点跟进",
    "偏好电话沟通",
    "已签维保",
    "价格敏感",
    "需上门服务",
    "投诉过",
    "战略合作",
    *REGION_TAGS,
]


@dataclass
class ContactRecord:
    name: str
    title: str
    phone: str
    email: str
    is_primary: bool
    notes: str = ""


@dataclass
class PurchaseRecord:
    product_code: str
    order_number: str
    purchased_on: datetime.date
    quantity: Decimal
    amount: Decimal
    delivered_on: datetime.date | None
    warranty_end: datetime.date | None


@dataclass
class CustomerRecord:
    code: str
    kind: str  # "person" or "company"
    name: str
    customer_type: str  # "vip", "key" or "normal"
    industry: str
    phone: str
    email: str
    region: str
    province: str
    city: str
    address: str
    owner: str  # username of an agent
    created_at: datetime.datetime
    preferred_contact_method: str
    preferences: str
    consent_to_contact: bool
    consent_changed_at: datetime.datetime | None
    notes: str
    tags: list[str] = field(default_factory=list)
    contacts: list[ContactRecord] = field(default_factory=list)
    purchases: list[PurchaseRecord] = field(default_factory=list)


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class _Generator:
    def __init__(self, rng, today, tz, new_days, dormant_after_days, lost_after_days):
        self.rng = rng
        self.today = today
        self.tz = tz
        self.new_days = new_days
        self.dormant_days = dormant_after_days
        self.lost_days = lost_after_days
        # Three years of history, or more when the thresholds ask for it.
        self.horizon = max(3 * 365, lost_after_days + 2 * 365)
        self.names = set()
        self.phones = {u.phone for u in DEMO_USERS}
        self.domains = set()
        self.emails = set()
        self.orders = {}

    # --- people, phones, addresses -------------------------------------------------------
    def person_name(self):
        surname, surname_py = self.rng.choice(SURNAMES)
        chars = self.rng.sample(GIVEN_CHARS, self.rng.choice([1, 2, 2]))
        return surname + "".join(c for c, _ in chars), surname_py, "".join(p for _, p in chars)

    def mobile(self):
        while True:
            number = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def landline(self, area_code):
        while True:
            number = f"{area_code}-{self.rng.randint(2, 8)}{self.rng.randrange(10**7):07d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def unique_email(self, local, domain):
        email, n = f"{local}@{domain}", 1
        while email in self.emails:
            n += 1
            email = f"{local}{n}@{domain}"
        self.emails.add(email)
        return email

    def place(self):
        region = _weighted(self.rng, REGION_WEIGHTS)
        province, province_short, cities = self.rng.choice(REGIONS[region])
        city, city_py, area_code = self.rng.choice(cities)
        return region, province, province_short, city, city_py, area_code

    def company_address(self, city):
        park = self.rng.choice(PARKS)
        return f"{city}{park}{self.rng.choice(ROADS)}{self.rng.randint(1, 1999)}号"

    def home_address(self, city):
        road, number = self.rng.choice(ROADS), self.rng.randint(1, 888)
        if self.rng.random() < 0.5:
            building = f"{self.rng.randint(1, 30)}幢{self.rng.randint(1, 4)}单元{self.rng.randint(1, 18)}0{self.rng.randint(1, 4)}室"
            return f"{city}{road}{number}号{building}"
        return f"{city}{road}{number}号（加工厂）"

    # --- dates -----------------------------------------------------------------------------
    def days_ago(self, days):
        return self.today - datetime.timedelta(days=days)

    def moment(self, day):
        """A working-hours moment on that day, never later than the end of yesterday."""
        day = min(day, self.days_ago(1))
        time = datetime.time(self.rng.randint(8, 17), self.rng.randint(0, 59))
        return datetime.datetime.combine(day, time, tzinfo=self.tz)

    def purchase_ages(self, profile, count):
        """Ages in days (today − purchase date) of `count` purchases for a lifecycle profile."""
        rng = self.rng
        if profile == "new":
            first = rng.randint(0, max(0, self.new_days - 5))
            last = rng.randint(0, first)
        elif profile == "active":
            last = rng.randint(0, max(0, self.dormant_days - 10))
            first = rng.randint(max(last, self.new_days) + 30, self.horizon)
        elif profile == "dormant":
            margin = min(5, (self.lost_days - self.dormant_days - 1) // 2)
            last = rng.randint(self.dormant_days + 1 + margin, self.lost_days - margin)
            first = rng.randint(last, self.horizon) if count > 1 else last
        else:  # lost
            last = rng.randint(self.lost_days + 5, self.horizon - 30)
            first = rng.randint(last, self.horizon) if count > 1 else last
        if count == 1:
            return [first if profile in ("new", "active") else last]
        middle = [rng.randint(last, first) for _ in range(count - 2)]
        return sorted([first, last, *middle], reverse=True)

    # --- purchases -------------------------------------------------------------------------
    def order_number(self, day):
        n = self.orders.get(day, 0) + 1
        self.orders[day] = n
        return f"XS{day:%Y%m%d}{n:03d}"

    def pick_product(self, interest, first, person):
        rng = self.rng
        if person:
            lines = {"machine": ["HX-CK6150", "HX-XK7132", "HX-M7130"], "pump": ["HX-ISG80", "HX-IS100"]}
            if first or rng.random() < 0.4:
                line = interest if interest != "both" else rng.choice(["machine", "pump"])
                return rng.choice(lines[line])
            return rng.choice(["HX-SP-BRG", "HX-SP-BS", "HX-SP-SEAL"])
        if first:
            line = interest if interest != "both" else rng.choice(["machine", "pump"])
        else:
            main = interest if interest != "both" else rng.choice(["machine", "pump"])
            line = _weighted(rng, {main: 40, "part": 35, "service": 25})
        candidates = [p for p in PRODUCTS if p.line == line]
        weights = [1 if p.unit_price > 1_000_000 else 4 for p in candidates]
        return rng.choices(candidates, weights=weights)[0].code

    def purchase(self, product_code, day, customer_type):
        rng = self.rng
        product = PRODUCTS_BY_CODE[product_code]
        most = product.max_quantity if customer_type != "normal" else max(1, product.max_quantity // 2)
        quantity = rng.randint(1, most)
        discount = rng.randint(*{"vip": (86, 93), "key": (90, 96), "normal": (95, 100)}[customer_type])
        amount = (Decimal(product.unit_price) * quantity * discount / 100).quantize(Decimal("0.01"))
        delivered = day + datetime.timedelta(days=rng.randint(*product.delivery_days))
        delivered_on = delivered if delivered <= self.today else None
        warranty_end = None
        if product.warranty_months:
            warranty_end = add_months(delivered_on or delivered, product.warranty_months)
        return PurchaseRecord(
            product_code=product.code,
            order_number=self.order_number(day),
            purchased_on=day,
            quantity=Decimal(quantity),
            amount=amount,
            delivered_on=delivered_on,
            warranty_end=warranty_end,
        )

    # --- customers -------------------------------------------------------------------------
    def company_name(self, city, province_short, words):
        rng = self.rng
        while True:
            brand, brand_py = rng.choice(BRANDS)
            place = province_short if rng.random() < 0.25 else city.removesuffix("市")
            suffix = _weighted(rng, dict(COMPANY_SUFFIXES))
            name = f"{place}{brand}{rng.choice(words)}{suffix}"
            if name not in self.names:
                self.names.add(name)
                return name, brand_py

    def domain(self, brand_py, city_py):
        domain, n = f"{brand_py}-{city_py}.example.com", 1
        while domain in self.domains:
            n += 1
            domain = f"{brand_py}-{city_py}{n}.example.com"
        self.domains.add(domain)
        return domain

    def owner(self, region):
        if self.rng.random() < 0.15:
            return self.rng.choice(list(AGENT_REGIONS))
        return next(agent for agent, regions in AGENT_REGIONS.items() if region in regions)

    def customer(self, kind):
        rng = self.rng
        region, province, province_short, city, city_py, area_code = self.place()
        person = kind == "person"
        if person:
            customer_type = "vip" if rng.random() < 0.03 else "normal"
        else:
            customer_type = _weighted(rng, CUSTOMER_TYPE_WEIGHTS)
        profile = _weighted(rng, PROFILE_WEIGHTS[customer_type])
        if person:
            identity, interest = self.person_identity(city)
        else:
            identity, interest = self.company_identity(
                city, province_short, city_py, area_code, customer_type
            )
        purchases, created_on = self.purchase_history(profile, customer_type, person, interest)
        created_at = self.moment(created_on)
        method = _weighted(rng, CONTACT_METHOD_WEIGHTS)
        preferences = rng.choice(PREFERENCES[method]) if rng.random() < 0.7 else ""
        consent = rng.random() >= 0.05
        consent_changed_at = None
        if not consent:
            changed_on = created_on + datetime.timedelta(days=rng.randint(1, 300))
            consent_changed_at = max(created_at, self.moment(changed_on))
        tags = self.tags(customer_type, profile, method, purchases)
        if not person and rng.random() < 0.3:
            tags.append(region)
        return CustomerRecord(
            code="",  # numbered later, in the order the records were created
            kind=kind,
            customer_type=customer_type,
            region=region,
            province=province,
            city=city,
            owner=self.owner(region),
            created_at=created_at,
            preferred_contact_method=method,
            preferences=preferences,
            consent_to_contact=consent,
            consent_changed_at=consent_changed_at,
            notes=rng.choice(NOTES) if rng.random() < 0.15 else "",
            tags=tags,
            purchases=sorted(purchases, key=lambda p: p.purchased_on),
            **identity,
        )

    def person_identity(self, city):
        """(name, industry, phone, e-mail, address, no contacts), and the line of interest."""
        rng = self.rng
        name, surname_py, given_py = self.person_name()
        while name in self.names:
            name, surname_py, given_py = self.person_name()
        self.names.add(name)
        industry, interest = rng.choice(PERSON_INDUSTRIES)
        phone = self.mobile()
        email = self.unique_email(f"{surname_py}{given_py}{rng.randint(60, 99)}", "example.com")
        email = email if rng.random() < 0.6 else ""
        identity = {
            "name": name,
            "industry": industry,
            "phone": phone,
            "email": email,
            "address": self.home_address(city),
            "contacts": [],
        }
        return identity, interest

    def company_identity(self, city, province_short, city_py, area_code, customer_type):
        """(name, industry, phone, e-mail, address, contacts), and the line of interest."""
        rng = self.rng
        industry, words, interest = rng.choice(INDUSTRIES)
        name, brand_py = self.company_name(city, province_short, words)
        domain = self.domain(brand_py, city_py)
        phone = self.landline(area_code) if rng.random() < 0.85 else self.mobile()
        email = self.unique_email(rng.choice(["info", "office", "purchase", "service"]), domain)
        identity = {
            "name": name,
            "industry": industry,
            "phone": phone,
            "email": email,
            "address": self.company_address(city),
            "contacts": self.contacts(domain, customer_type),
        }
        return identity, interest

    def contacts(self, domain, customer_type):
        """A company's one to three contacts, the first one primary."""
        rng = self.rng
        count = rng.choices([1, 2, 3], weights=[4, 4, 2] if customer_type == "normal" else [2, 4, 4])[0]
        titles = [rng.choice(FIRST_CONTACT_TITLES)]
        titles += rng.sample([t for t in CONTACT_TITLES if t != titles[0]], count - 1)
        contacts = []
        for i, title in enumerate(titles):
            contact_name, surname_py, given_py = self.person_name()
            contact_email = ""
            if rng.random() < 0.7:
                contact_email = self.unique_email(f"{given_py}.{surname_py}", domain)
            contacts.append(
                ContactRecord(
                    name=contact_name,
                    title=title,
                    phone=self.mobile(),
                    email=contact_email,
                    is_primary=i == 0,
                    notes=rng.choice(CONTACT_NOTES),
                )
            )
        return contacts

    def purchase_history(self, profile, customer_type, person, interest):
        """Purchases placed so that the customer ends up in `profile`'s stage, and the day the
        customer was created (some days before the first purchase)."""
        rng = self.rng
        if profile == "none":
            return [], self.days_ago(rng.randint(1, self.horizon))
        top = MOST_PURCHASES[customer_type] if not person else 4
        count = {"new": rng.randint(1, 2), "lost": rng.randint(1, 3)}.get(profile, rng.randint(1, top))
        if profile == "active":
            count = max(count, 2)
        ages = self.purchase_ages(profile, count)
        purchases = [
            self.purchase(self.pick_product(interest, i == 0, person), self.days_ago(age), customer_type)
            for i, age in enumerate(ages)
        ]
        created_on = self.days_ago(min(ages[0] + rng.randint(0, 45), self.horizon + 45))
        return purchases, created_on

    def tags(self, customer_type, profile, method, purchases):
        rng = self.rng
        tags = []
        first_age = (self.today - purchases[0].purchased_on).days if purchases else 0
        if first_age > 2 * 365:
            tags.append("老客户")
        if (customer_type != "normal" and profile in ("dormant", "lost")) or rng.random() < 0.05:
            tags.append("重点跟进")
        if method == "phone" and rng.random() < 0.6:
            tags.append("偏好电话沟通")
        if any(PRODUCTS_BY_CODE[p.product_code].line == "service" for p in purchases):
            tags.append("已签维保")
        if customer_type == "vip" and rng.random() < 0.5:
            tags.append("战略合作")
        for tag, share in OCCASIONAL_TAGS:
            if rng.random() < share:
                tags.append(tag)
        return tags


def generate_customers(
    rng: random.Random,
    today: datetime.date,
    *,
    count: int,
    tz: datetime.tzinfo,
    new_days: int = 90,
    dormant_after_days: int = 180,
    lost_after_days: int = 365,
) -> list[CustomerRecord]:
    """`count` customers (about 70% companies), with codes KH<year>-<nnnn> numbered in the
    order the records were created, each year from 0001."""
    generator = _Generator(rng, today, tz, new_days, dormant_after_days, lost_after_days)
    records = [generator.customer("person" if rng.random() < 0.28 else "company") for _ in range(count)]
    records.sort(key=lambda r: r.created_at)
    per_year = {}
    for record in records:
        year = record.created_at.year
        per_year[year] = per_year.get(year, 0) + 1
        record.code = f"KH{year}-{per_year[year]:04d}"
    return records
