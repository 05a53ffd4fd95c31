from django.contrib import admin

from .models import Contact, Customer, Product, Purchase, Tag


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "customer_type", "lifecycle", "region", "owner"]
    list_filter = ["kind", "customer_type", "lifecycle"]
    search_fields = ["code", "name"]
    inlines = [ContactInline]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "category", "warranty_months"]
    search_fields = ["code", "name"]


admin.site.register(Tag)
admin.site.register(Purchase)
