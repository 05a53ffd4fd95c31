from django.urls import path

from . import topic_views, unit_views, views

app_name = "operations"

urlpatterns = [
    path("", views.company_setup, name="company"),
    path("categories/", views.category_list, name="categories"),
    path("categories/add/", views.category_add, name="category_add"),
    path("categories/save/", views.category_save, name="category_save"),
    path("categories/move/", views.category_move, name="category_move"),
    path("topics/", topic_views.topic_list, name="topics"),
    path("topics/new/", topic_views.topic_edit, name="topic_create"),
    path("topics/<int:pk>/", topic_views.topic_edit, name="topic_edit"),
    path("topics/retrain/", topic_views.topic_retrain, name="topic_retrain"),
    path("units/", unit_views.unit_list, name="units"),
    path("units/new/", unit_views.unit_edit, name="unit_create"),
    path("units/<int:pk>/edit/", unit_views.unit_edit, name="unit_edit"),
]
