from django.urls import path

from . import io_views, views

app_name = "customers"

urlpatterns = [
    path("", views.customer_list, name="list"),
    path("import/", io_views.customer_import, name="import"),
    path("import/template/", io_views.customer_import_template, name="import_template"),
    path("import/done/", io_views.customer_import_done, name="import_done"),
    path("import/<str:token>/", io_views.customer_import_map, name="import_map"),
    path("import/<str:token>/cancel/", io_views.customer_import_cancel, name="import_cancel"),
    path("export/", io_views.customer_export, name="export"),
    path("export/purchases/", io_views.purchase_export, name="export_purchases"),
    path("new/", views.customer_create, name="create"),
    path("products/", views.product_list, name="products"),
    path("products/new/", views.product_edit, name="product_create"),
    path("products/<int:pk>/edit/", views.product_edit, name="product_edit"),
    path("<int:pk>/", views.customer_detail, name="detail"),
    path("<int:pk>/edit/", views.customer_edit, name="edit"),
    path("<int:pk>/erase/", views.customer_erase, name="erase"),
    path("<int:pk>/purchases/new/", views.purchase_create, name="purchase_create"),
    path("<int:pk>/purchases/<int:purchase_pk>/edit/", views.purchase_edit, name="purchase_edit"),
    path("<int:pk>/purchases/<int:purchase_pk>/delete/", views.purchase_delete, name="purchase_delete"),
]
