"""Administrators configure the category tree, working calendars, SLA policies and the rule
for tickets from survey answers here."""

from django.contrib import admin

from .models import CalendarDay, Category, SlaPolicy, SurveyTicketRule, WorkingCalendar


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
        "demand",
        "first_response",
        "forwarding",
        "first_solution",
        "resolution",
        "clock",
        "is_active",
    ]
    list_filter = ["is_active", "clock", "severity", "channel", "demand"]


@admin.register(SurveyTicketRule)
class SurveyTicketRuleAdmin(admin.ModelAdmin):
    """One rule: it can be added once, then only changed (deleting it falls back to the settings)."""

    list_display = ["__str__", "max_item_score", "max_nps", "min_index"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not SurveyTicketRule.objects.exists()
