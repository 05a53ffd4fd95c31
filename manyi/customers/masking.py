"""Masking of personal data for readers without the right to see it, and other cell hygiene.

The stored data stays whole; it is masked where it is shown, for the reader: pages through the
`phone`, `email` and `private_text` template filters, the API, exports and reports through the
functions here.

Names are masked the way seed 004 records customers (“记录时用‘*客户’‘A公司’代替真实名称，保护
隐私”): a company becomes “A公司”, “B公司” … (one letter per company, fixed for one export or
report: see NameMask), a person keeps the surname and loses the given name (张伟 → 张*,
王小明 → 王**: `mask_person_name`).

Free text can name people too: the customers and contacts on record (NameMask knows them) and
people who write their own name, which seed 004's rule covers as well ("记录时用‘*客户’‘A公司’代替
真实名称，保护隐私"): a name with a form of address (王先生, 李小明女士) or introduced as one's own (我是
王小明, 我叫…, 我姓王, 姓名：…) after one of the common surnames (`PERSON_NAME_IN_TEXT`). Keywords and
word clouds, which every reader of the analysis sees, are made of text without any of these
(`NameMask.strip`); a reader without the right sees them masked (`NameMask.text`); a reader
with it sees them whole (`NameMask.for_reader` gives `ClearNames`).
"""

import re
import unicodedata

from manyi.accounts import permissions

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# Phones and e-mail addresses written inside free text (open answers, feedback, notes): a
# mobile (13812345678, 138 1234 5678, 138-1234-5678, +86 138...), a landline with its area
# code (0571-88886666, 057188886666, (0571) 88886666), an address. An order number is no phone:
# the digits around a match must not be digits. Full-width digits and hyphens (１３８－…), as
# Chinese keyboards type them, count too (\d matches them).
PHONE_IN_TEXT = re.compile(
    r"(?<![\d+＋])(?:(?:[+＋]|00)86[ \-－]?)?[1１][3-9３-９]\d(?:[ \-－]?\d{4}){2}(?!\d)"
    r"|(?<!\d)(?:[0０]\d{2,3}[ \-－]?|[(（][0０]\d{2,3}[)）] ?)\d{7,8}(?!\d)"
)
# An address is ASCII (read in the NFKC form, where ＠ is @): with \w, the Chinese written right
# before or after it (邮箱zhang@example.com谢谢) was taken for part of it.
EMAIL_IN_TEXT = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")

# Identity documents and bank cards written inside free text, read in the text's NFKC form (so
# full-width digits, hyphens and spaces, as Chinese keyboards type them, count as their ASCII
# forms): the 18-digit resident ID (6-digit region code starting 1-8, birth date 18xx-20xx with
# a real month and day, 3 digits, a check digit or X) and the old 15-digit one (region, YYMMDD,
# 3 digits), both also with a space or hyphen after the region and after the birth date; Chinese
# passports (E or G and 8 digits, E, a letter and 7 digits); bank cards: 16 to 19 digits, whole
# or in groups of four (6222 0212 3456 7890), that start with 62 (UnionPay, which every Chinese
# bank issues; some older cards fail the Luhn check) or with 3, 4 or 5 (American Express, JCB,
# Visa, Mastercard) and pass the Luhn check. An order number starting with 1 or 2 (订单号
# 2026112300001234) is no card, and a number inside a longer run of digits is none of these.
_BIRTH_DATE = r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
RESIDENT_ID_IN_TEXT = re.compile(
    rf"(?<![0-9])[1-8][0-9]{{5}}[ -]?(?:18|19|20)[0-9]{{2}}{_BIRTH_DATE}[ -]?[0-9]{{3}}[0-9Xx](?![0-9A-Za-z])"
    rf"|(?<![0-9])[1-8][0-9]{{5}}[ -]?[0-9]{{2}}{_BIRTH_DATE}[ -]?[0-9]{{3}}(?![0-9])"
)
PASSPORT_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(?:[EeGg][0-9]{8}|[Ee][A-Za-z][0-9]{7})(?![0-9A-Za-z])")
BANK_CARD_IN_TEXT = re.compile(r"(?<![0-9])[3-6][0-9]{3}(?:[ -]?[0-9]{4}){3}(?:[ -]?[0-9]{1,3})?(?![0-9])")


_MAY_HOLD_PERSONAL_DATA = re.compile(r"[\d@＠﹫]")  # \d: full-width digits too


def _luhn(digits: str) -> bool:
    """The Luhn check every card number's last digit makes."""
    total = 0
    for position, digit in enumerate(reversed(digits)):
        value = int(digit) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _is_bank_card(number: str) -> bool:
    digits = "".join(ch for ch in number if ch.isdigit())
    return digits.startswith("62") or (digits[0] in "345" and _luhn(digits))


def _nfkc_positions(text: str) -> tuple[str, list[int]]:
    """(the NFKC form of text, for each of its characters the index of the character of text it
    comes from), so a match in the normalised form marks the right characters of the text."""
    if unicodedata.is_normalized("NFKC", text):
        return text, list(range(len(text)))
    parts, origin = [], []
    for index, ch in enumerate(text):
        # ASCII and the common Han characters are their own NFKC form: only the others are looked up.
        normal = ch if ch < "\x80" or "\u4e00" <= ch <= "\u9fff" else unicodedata.normalize("NFKC", ch)
        parts.append(normal)
        origin.extend([index] * len(normal))
    return "".join(parts), origin


def personal_data_in_text(text: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of each piece of personal data written in free text, in order, not
    overlapping: kind "email", "resident_id", "bank_card", "passport" or "phone" (the patterns
    above, read in the text's NFKC form; positions are in text as given). Where two overlap, the
    kind listed first wins."""
    if not text or not _MAY_HOLD_PERSONAL_DATA.search(text):
        return []  # each kind holds a digit or an @ (most answers hold neither)
    normal, origin = _nfkc_positions(text)
    taken: list[tuple[int, int, str]] = []
    for kind, pattern in (
        ("email", EMAIL_IN_TEXT),
        ("resident_id", RESIDENT_ID_IN_TEXT),
        ("bank_card", BANK_CARD_IN_TEXT),
        ("passport", PASSPORT_IN_TEXT),
        ("phone", PHONE_IN_TEXT),
    ):
        for match in pattern.finditer(normal):
            if kind == "bank_card" and not _is_bank_card(match.group(0)):
                continue
            start, end = origin[match.start()], origin[match.end() - 1] + 1
            if all(end <= s or start >= e for s, e, _ in taken):
                taken.append((start, end, kind))
    return sorted(taken)


def _keep_ends(value: str, first: int, last: int) -> str:
    """value with its letters and digits hidden (*) but the first `first` and last `last` of
    them; separators stay."""
    kept = [i for i, ch in enumerate(value) if ch.isalnum()]
    shown = set(kept[:first]) | set(kept[len(kept) - last :] if last else ())
    return "".join(ch if i in shown or not ch.isalnum() else "*" for i, ch in enumerate(value))


def mask_personal_data(kind: str, value: str) -> str:
    """One piece of personal data (`personal_data_in_text`) as a reader without the right sees
    it: a phone as mask_phone, an address as mask_email, a resident ID its first and last
    character (3***************X), a bank card its last four digits (**** **** **** 1234), a
    passport its letter (E********)."""
    if kind == "phone":
        return mask_phone(value)
    if kind == "email":
        return mask_email(unicodedata.normalize("NFKC", value))
    if kind == "resident_id":
        return _keep_ends(value, 1, 1)
    if kind == "bank_card":
        return _keep_ends(value, 0, 4)
    return _keep_ends(value, 1, 0)


def _replace_personal_data(text: str, replace) -> str:
    parts, at = [], 0
    for start, end, kind in personal_data_in_text(text):
        parts += (text[at:start], replace(kind, text[start:end]))
        at = end
    return "".join(parts) + text[at:] if parts else text


# The common Chinese surnames (about nine in ten people carry one of them) and the compound ones
# still met: a person's name written in free text starts with one.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫"
    "孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童"
    "凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连"
    "芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩"
    "明佘池查麻苑迟邝"
)
COMPOUND_SURNAMES = (
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "令狐",
    "司徒",
    "夏侯",
)
_SURNAME = "(?:" + "|".join(COMPOUND_SURNAMES) + f"|[{SURNAMES}])"
_HAN = "[\u4e00-\u9fff]"
# A person's name in free text that no record names: with a form of address (王先生, 李小明女士:
# group "addressed", the name without the form) or introduced as one's own (我是王小明，我叫李雷。
# 我姓王, 姓名：张伟: group "own", only when the name ends the phrase, so 我是江苏的客户 is no name).
PERSON_NAME_IN_TEXT = re.compile(
    rf"(?P<addressed>{_SURNAME}{_HAN}{{0,2}}?)(?:先生|女士|小姐)"
    rf"|(?<=我是|我叫|我姓|姓名|名字)[:：\s]*(?P<own>{_SURNAME}{_HAN}{{0,2}})(?!{_HAN})"
)


def mask_phone(phone: str) -> str:
    """13812345678 -> 138****5678; 0571-88886666 -> 0571-****6666."""
    if not phone:
        return ""
    digits = [i for i, ch in enumerate(phone) if ch.isdigit()]
    if len(digits) <= 4:
        return "*" * len(phone)
    # Keep what says little about the person: a landline's area code (before the hyphen)
    # or a mobile's first three digits, and the last four digits.
    hyphen = next((i for i, ch in enumerate(phone) if ch in "-－"), None)
    area = hyphen if phone[:1] in "0０" and hyphen is not None else 3
    hidden = {i for i in digits[:-4] if i >= area} if len(digits) > 7 else set(digits[:-4])
    return "".join("*" if i in hidden else ch for i, ch in enumerate(phone))


def mask_email(email: str) -> str:
    """zhang.wei@example.com -> z***@example.com."""
    if not email:
        return ""
    local, sep, domain = email.partition("@")
    if not sep:
        return "***"
    return f"{local[:1]}***@{domain}"


def neutralise_formula(value):
    """Stop spreadsheet programs from running a cell as a formula (CSV/formula injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def mask_text(text: str) -> str:
    """Free text with the phones, e-mail addresses, resident IDs, passports and bank cards in it
    masked (`personal_data_in_text`, `mask_personal_data`)."""
    if not text:
        return text
    return _replace_personal_data(text, mask_personal_data)


def mask_person_name(name: str) -> str:
    """张伟 -> 张*, 王小明 -> 王**: the first character (the surname) and one * for each other
    character (spaces kept: "Li Lei" -> "L* ***")."""
    name = (name or "").strip()
    if not name:
        return ""
    return name[0] + "".join(ch if ch.isspace() else "*" for ch in name[1:]) if len(name) > 1 else "*"


def company_alias(number: int) -> str:
    """The `number`-th company (0, 1, …) as seed 004 writes it: A公司, B公司, … Z公司, AA公司 …"""
    letters = ""
    number += 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return f"{letters}公司"


# A company's legal form at the end of its name, longest first (杭州华星机械有限公司 -> 杭州华星机械).
LEGAL_FORMS = ("集团股份有限公司", "股份有限公司", "有限责任公司", "集团有限公司", "有限公司", "集团", "公司")
PLACE_SUFFIXES = ("省", "市", "自治区", "特别行政区", "区", "县")


def company_names(name, places=()):
    """The ways a company's name is written in free text: in full, without its legal form
    (杭州华星机械), and without the province or city it starts with (华星机械), as customers write
    each other (“华星机械的李娜说…”). `places`: the customer's province and city."""
    name = (name or "").strip()
    forms = [name]
    short = next((name[: -len(form)] for form in LEGAL_FORMS if name.endswith(form)), name)
    forms.append(short)
    for place in (p.strip() for p in places if p and p.strip()):
        bare = next(
            (place[: -len(s)] for s in PLACE_SUFFIXES if place.endswith(s) and len(place) > len(s) + 1), place
        )
        for written in (place, bare):
            if short.startswith(written):
                short = short[len(written) :]
                forms.append(short)
                break
    return [form for form in dict.fromkeys(forms) if len(form) >= 2]


IN_CHUNK = 900  # customers per query: SQLite allows 999 parameters in older builds


class NamesInText:
    """Finds known names (of two characters or more) in free text, the longest at each place,
    reading the text once: names are looked up by their first two characters, then by length.
    A regular expression of all the names (one alternative each) tries every name at every
    character: with 100,000 customers that is about 10 ms per answer."""

    def __init__(self, names):
        self.names = frozenset(names)
        lengths = {}
        for name in self.names:
            lengths.setdefault(name[:2], set()).add(len(name))
        self.lengths = {start: sorted(sizes, reverse=True) for start, sizes in lengths.items()}

    def _at(self, text, i):
        """The longest name written at text[i:], or ""."""
        for size in self.lengths.get(text[i : i + 2], ()):
            word = text[i : i + size]
            if len(word) == size and word in self.names:
                return word
        return ""

    def sub(self, replace, text):
        """`text` with each name found replaced by replace(name)."""
        if not self.lengths or not text:
            return text
        parts, start, i = [], 0, 0
        while i < len(text) - 1:
            word = self._at(text, i)
            if word:
                parts += (text[start:i], replace(word))
                i = start = i + len(word)
            else:
                i += 1
        if not parts:
            return text
        parts.append(text[start:])
        return "".join(parts)


class NameMask:
    """The names of some customers and of their contacts as a reader without the right to
    personal data sees them: a company as “A公司”, “B公司” … (by customer code, so one export
    or report names each company alike wherever it appears), a person (a customer of the kind
    person, or a contact) as its surname and stars (`mask_person_name`).

    `customer(pk)` is the masked name of one of them; `text(t)` masks free text: the phones and
    e-mail addresses in it (`mask_text`) and these customers' and contacts' names written in
    it (names of two characters or more, the longest first).
    """

    def __init__(self, customers, contacts=()):
        """`customers`: (pk, code, name, kind) rows, or (pk, code, name, kind, province, city)
        rows, whose place names are left out of a company's short name; `contacts`: contact
        names."""
        from .choices import CustomerKind

        self.by_pk = {}
        replacements = {}
        companies = 0
        for pk, _code, name, kind, *places in sorted(customers, key=lambda row: row[1]):
            if kind == CustomerKind.PERSON:
                masked = mask_person_name(name)
                written = [(name or "").strip()]
            else:
                masked, companies = company_alias(companies), companies + 1
                written = company_names(name, places)
            self.by_pk[pk] = masked
            for form in written:
                replacements.setdefault(form, masked)
        for name in contacts:
            replacements.setdefault((name or "").strip(), mask_person_name(name))
        self.replacements = {name: masked for name, masked in replacements.items() if len(name) >= 2}
        self._found = None

    @classmethod
    def of_customers(cls, customer_ids):
        """The NameMask of these customers (pks) and all their contacts: two queries per
        IN_CHUNK customers (SQLite takes a limited number of parameters)."""
        from .models import Contact, Customer

        ids = sorted(set(customer_ids))
        customers, contacts = [], []
        for start in range(0, len(ids), IN_CHUNK):
            chunk = ids[start : start + IN_CHUNK]
            customers += Customer.objects.filter(pk__in=chunk).values_list(
                "pk", "code", "name", "kind", "province", "city"
            )
            contacts += Contact.objects.filter(customer_id__in=chunk).values_list("name", flat=True)
        return cls(customers, contacts)

    @classmethod
    def for_reader(cls, reader, customer_ids, contacts=()):
        """How `reader` (a user, or a bool already decided) sees the names of these customers,
        of their contacts and of the further `contacts` (names a ticket or form gives): masked
        (a NameMask) without the right to personal data, whole (ClearNames) with it."""
        if may_see_personal_data(reader):
            return ClearNames()
        names = cls.of_customers(customer_ids)
        for name in contacts:
            names.add_person(name)
        return names

    def add_person(self, name):
        """Also mask this person's name (a contact's name a ticket gives) wherever it is written."""
        name = (name or "").strip()
        if len(name) >= 2 and name not in self.replacements:
            self.replacements[name] = mask_person_name(name)
            self._found = None

    @property
    def found(self):
        """The names to find in free text (made when first needed: an export of names alone
        never needs it)."""
        if self._found is None:
            self._found = NamesInText(self.replacements)
        return self._found

    def customer(self, pk, name="") -> str:
        """The customer's masked name (`name`: the name in clear, which ClearNames gives back)."""
        return self.by_pk.get(pk, "")

    def person(self, name) -> str:
        """A person's masked name: 张伟 -> 张*."""
        return mask_person_name(name)

    def text(self, text: str) -> str:
        if not text:
            return text
        text = mask_text(text)
        text = self.found.sub(self.replacements.__getitem__, text)
        return PERSON_NAME_IN_TEXT.sub(_masked_person_in_text, text)

    def strip(self, text: str) -> str:
        """Free text without personal data, for keyword counts and word clouds (every reader of
        the analysis sees them, and a name is no view of the service): without phones, e-mail
        addresses, these customers' and contacts' names and the names people write as theirs."""
        if not text:
            return text
        text = strip_contacts(text)
        text = self.found.sub(lambda _name: " ", text)
        return PERSON_NAME_IN_TEXT.sub(" ", text)


class ClearNames:
    """The names as a reader with the right to personal data sees them: whole (the NameMask
    interface, for `NameMask.for_reader`)."""

    def customer(self, pk, name="") -> str:
        return name or ""

    def person(self, name) -> str:
        return name or ""

    def text(self, text: str) -> str:
        return text


def _masked_person_in_text(match):
    """A PERSON_NAME_IN_TEXT match with its name masked (王小明先生 -> 王**先生); a surname alone
    (王先生, 我姓欧阳) is already how seed 004 writes a person and stays."""
    group = "addressed" if match.group("addressed") is not None else "own"
    name = match.group(group)
    if len(name) == 1 or name in COMPOUND_SURNAMES:
        return match.group(0)
    start, end = (at - match.start() for at in match.span(group))
    return match.group(0)[:start] + mask_person_name(name) + match.group(0)[end:]


def strip_contacts(text: str) -> str:
    """Free text without the phones, e-mail addresses, resident IDs, passports and bank cards in
    it (`personal_data_in_text`), each replaced by a space: what keyword counts, word clouds and
    topic examples are made of (with names too: `NameMask.strip`)."""
    return _replace_personal_data(text, lambda _kind, _value: " ") if text else text


def may_see_personal_data(reader) -> bool:
    """`reader` is a user (or a bool already decided): may they see phones and e-mail addresses?"""
    if isinstance(reader, bool):
        return reader
    return bool(getattr(reader, "is_authenticated", False) and reader.can(permissions.VIEW_PERSONAL_DATA))


def private_text(text, reader):
    """Free text as `reader` may see it: whole, or with its phones and e-mail addresses masked."""
    if not text:
        return text or ""
    return text if may_see_personal_data(reader) else mask_text(str(text))
