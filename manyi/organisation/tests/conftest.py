from types import SimpleNamespace

import pytest

from manyi.accounts.choices import Role
from manyi.organisation.choices import UnitKind
from manyi.organisation.models import Unit
from manyi.testing import make_customer, make_user


@pytest.fixture
def tree(db, people):
    """集团 → 华东区域公司 (east: 翠湖花园 project) and 华南区域公司 (south: 滨江府 project); a
    supervisor of each region (eva east, sid south), a group-level supervisor (gus), one customer
    in each project and one of no unit (the whole company's)."""
    group = Unit.objects.create(name="集团", code="G", kind=UnitKind.GROUP)
    east = Unit.objects.create(name="华东区域公司", code="E", kind=UnitKind.REGION, parent=group)
    south = Unit.objects.create(name="华南区域公司", code="S", kind=UnitKind.REGION, parent=group)
    garden = Unit.objects.create(name="翠湖花园", code="E1", kind=UnitKind.PROJECT, parent=east)
    river = Unit.objects.create(name="滨江府", code="S1", kind=UnitKind.PROJECT, parent=south)
    return SimpleNamespace(
        group=group,
        east=east,
        south=south,
        garden=garden,
        river=river,
        eva=make_user("eva", Role.SUPERVISOR, department=people.service, unit=east, last_name="伊"),
        sid=make_user("sid", Role.SUPERVISOR, department=people.service, unit=south, last_name="施"),
        gus=make_user("gus", Role.SUPERVISOR, department=people.service, unit=group, last_name="顾"),
        east_customer=make_customer(name="华东客户", code="C-E", unit=garden),
        south_customer=make_customer(name="华南客户", code="C-S", unit=river),
        company_customer=make_customer(name="总部客户", code="C-0"),
    )
