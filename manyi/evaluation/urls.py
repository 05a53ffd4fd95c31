from django.urls import path

from . import views

app_name = "evaluation"

urlpatterns = [
    path("", views.scheme_list, name="schemes"),
    path("new/", views.scheme_new, name="scheme_new"),
    path("<int:pk>/", views.scheme_detail, name="scheme"),
    path("<int:pk>/edit/", views.scheme_edit, name="scheme_edit"),
    path("<int:pk>/indicators/", views.indicator_add, name="indicator_add"),
    path("indicators/<int:pk>/delete/", views.indicator_delete, name="indicator_delete"),
    path("<int:pk>/compute/", views.scheme_compute, name="compute"),
    path("<int:pk>/publish/", views.scheme_publish, name="publish"),
    path("<int:pk>/correct/", views.scheme_correct, name="correct"),
    path("<int:pk>/rewards.xlsx", views.rewards_export, name="rewards_export"),
    path("results/<int:pk>/", views.result_detail, name="result"),
    path("results/<int:pk>/rewards/", views.reward_add, name="reward_add"),
]
