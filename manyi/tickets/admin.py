"""Administrators configure the category tree, working calendars and SLA policies here."""

from django.contrib import admin

from .models import CalendarDay, Category, SlaPolicy, WorkingCalendar


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["__str__", "code", "position", "is_active"]
    list_filter = ["is_active", "parent"]
    search_fields = ["code", "name"]


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 3


@admin.register(WorkingCalendar)
class WorkingCalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone"]
    inlines = [CalendarDayInline]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "severity",
        "channel",
        "first_response",
        "first_solution",
        "resolution",
        "clock",
        "is_active",
    ]
    list_filter = ["is_active", "clock", "severity", "channel"]
