"""Yearly reference numbers (FK-2026-000123, GJ-2026-0042).

Each kind of record that gets a reference keeps its own table of the last number issued per
year; they share the counting, which must stay correct when two requests ask at once.
"""

from django.db import models, transaction
from django.db.models import F


class YearlySequence(models.Model):
    """The last number issued per year; incremented under a row lock.

    A concrete subclass sets ``prefix`` and ``width`` (digits of the zero-padded number).
    """

    prefix = ""
    width = 4

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.year}: {self.last}"

    @classmethod
    def next_number(cls, year):
        """The next number of ``year``, starting at 1.

        Safe under concurrency: the row is updated (and so locked) before it is read, so two
        transactions cannot read the same value.
        """
        with transaction.atomic():
            cls.objects.get_or_create(year=year)
            cls.objects.filter(year=year).update(last=F("last") + 1)
            return cls.objects.select_for_update().get(year=year).last

    @classmethod
    def format_reference(cls, year, number):
        return f"{cls.prefix}-{year}-{number:0{cls.width}d}"

    @classmethod
    def next_reference(cls, year):
        return cls.format_reference(year, cls.next_number(year))
