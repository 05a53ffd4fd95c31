"""The demo company's organisation units (issue 19): 恒信集团 → 华东区域公司 and 华南区域公司 →
their projects; customers placed by where they are, and a supervisor of the 华东 region who sees
only it. Customers of the north (华北, 西北, 东北) belong to the group itself (集团直属)."""

from manyi.customers.models import Customer
from manyi.organisation.choices import UnitKind
from manyi.organisation.models import Unit

# (code, name, kind, parent code, [(customer region, province or "" for the whole region)])
UNITS = [
    ("HX", "恒信集团", UnitKind.GROUP, None, [("华北", ""), ("西北", ""), ("东北", "")]),
    ("HX-E", "华东区域公司", UnitKind.REGION, "HX", [("华东", "")]),
    ("HX-E-ZJ", "浙江项目部", UnitKind.PROJECT, "HX-E", [("华东", "浙江省")]),
    ("HX-E-JS", "江苏上海项目部", UnitKind.PROJECT, "HX-E", [("华东", "江苏省"), ("华东", "上海市")]),
    ("HX-S", "华南区域公司", UnitKind.REGION, "HX", []),
    ("HX-S-GD", "华南项目部", UnitKind.PROJECT, "HX-S", [("华南", "")]),
    ("HX-S-HZ", "华中项目部", UnitKind.PROJECT, "HX-S", [("华中", "")]),
    ("HX-S-XN", "西南项目部", UnitKind.PROJECT, "HX-S", [("西南", "")]),
]
# The demo users who belong to a unit; the others (the group's customer department) see all.
USER_UNITS = {"huangwei": "HX-E", "admin": "HX"}


def load_demo_units(users):
    """Create the units, place every customer in the unit of its region or province (the most
    precise rule wins: a province's project before its region), and give the demo users theirs.
    Returns the units by code."""
    units = {}
    for code, name, kind, parent, _places in UNITS:
        units[code] = Unit.objects.create(code=code, name=name, kind=kind, parent=units.get(parent))
    # Whole regions first, then the provinces' projects over them.
    for precise in (False, True):
        for code, _name, _kind, _parent, places in UNITS:
            for region, province in places:
                if bool(province) != precise:
                    continue
                customers = Customer.objects.filter(region=region)
                if province:
                    customers = customers.filter(province=province)
                customers.update(unit=units[code])
    for username, code in USER_UNITS.items():
        user = users.get(username)
        if user is not None:
            user.unit = units[code]
            user.save(update_fields=["unit"])
    return units
