from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Department, User


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_active"]
    search_fields = ["code", "name"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "last_name", "first_name", "role", "department", "unit", "is_active"]
    list_filter = ["role", "department", "unit", "is_active"]
    fieldsets = BaseUserAdmin.fieldsets + (
        (
            _("Manyi"),
            {
                "fields": (
                    "role",
                    "department",
                    "unit",
                    "phone",
                    "may_view_personal_data",
                    "may_view_confidential_responses",
                )
            },
        ),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + ((_("Manyi"), {"fields": ("role", "department", "unit")}),)
