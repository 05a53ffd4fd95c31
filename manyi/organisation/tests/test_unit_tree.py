import pytest

from manyi.organisation.choices import UnitKind
from manyi.organisation.models import Unit

pytestmark = pytest.mark.django_db


def make_tree():
    group = Unit.objects.create(name="集团", code="G", kind=UnitKind.GROUP)
    south = Unit.objects.create(name="华南区域", code="S", kind=UnitKind.REGION, parent=group)
    north = Unit.objects.create(name="华北区域", code="N", kind=UnitKind.REGION, parent=group)
    garden = Unit.objects.create(name="翠湖花园", code="S1", kind=UnitKind.PROJECT, parent=south)
    return group, south, north, garden


def test_a_unit_contains_itself_and_everything_below_it():
    group, south, north, garden = make_tree()
    assert set(Unit.objects.within(south)) == {south, garden}
    assert set(Unit.objects.within(group)) == {group, south, north, garden}
    assert list(Unit.objects.within(garden)) == [garden]


def test_moving_a_unit_moves_its_subtree():
    _group, south, north, garden = make_tree()
    south.parent = north
    south.save()
    garden.refresh_from_db()
    assert set(Unit.objects.within(north)) == {north, south, garden}
    assert [u.name for u in garden.ancestors()] == ["集团", "华北区域", "华南区域"]


def test_a_unit_cannot_go_under_its_own_subtree():
    from django.core.exceptions import ValidationError

    _group, south, _north, garden = make_tree()
    south.parent = garden
    with pytest.raises(ValidationError):
        south.full_clean()


def test_units_with_similar_ids_do_not_contain_each_other():
    # "/1/" must not match "/12/": the path ends every id with a slash.
    units = [Unit.objects.create(name=f"U{i}", code=f"U{i}", kind=UnitKind.REGION) for i in range(13)]
    first = units[0]
    assert list(Unit.objects.within(first)) == [first]
