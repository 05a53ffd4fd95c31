from django.urls import path

from . import views

app_name = "inspections"

urlpatterns = [
    path("", views.inspection_list, name="list"),
    path("mine/", views.my_inspections, name="mine"),
    path("new/", views.plan_new, name="plan"),
    path("results/", views.results, name="results"),
    path("findings/", views.finding_list, name="findings"),
    path("<int:pk>/", views.inspection_detail, name="detail"),
    path("<int:pk>/form/", views.inspection_form, name="form"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/follow-up/", views.follow_up, name="follow_up"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/photos/<int:photo_pk>/", views.photo, name="photo"),
    path("<int:pk>/form/photos/<int:photo_pk>/", views.form_photo, name="form_photo"),
    path("checklists/", views.template_list, name="templates"),
    path("checklists/new/", views.template_new, name="template_new"),
    path("checklists/<int:pk>/", views.template_detail, name="template"),
    path("checklists/<int:pk>/activate/", views.template_activate, name="template_activate"),
    path("checklists/<int:pk>/new-version/", views.template_new_version, name="template_new_version"),
    path("checklists/<int:pk>/items/<int:item_pk>/", views.item_edit, name="item_edit"),
    path("checklists/<int:pk>/items/<int:item_pk>/delete/", views.item_delete, name="item_delete"),
]
