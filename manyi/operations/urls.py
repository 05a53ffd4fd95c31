from django.urls import path

from . import views

app_name = "operations"

urlpatterns = [
    path("", views.company_setup, name="company"),
    path("categories/", views.category_list, name="categories"),
    path("categories/add/", views.category_add, name="category_add"),
    path("categories/save/", views.category_save, name="category_save"),
    path("categories/move/", views.category_move, name="category_move"),
]
