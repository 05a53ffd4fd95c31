from django.urls import path

from . import page_views, views
from .limesurvey import views as limesurvey_views

app_name = "surveys"

urlpatterns = [
    path("", views.questionnaire_list, name="list"),
    path("templates/", views.template_library, name="templates"),
    path("templates/<slug:key>/use/", views.use_template, name="use_template"),
    path("new/", views.questionnaire_create, name="create"),
    path("limesurvey/import/", limesurvey_views.limesurvey_import, name="limesurvey_import"),
    path(
        "limesurvey/import/confirm/",
        limesurvey_views.limesurvey_import_confirm,
        name="limesurvey_import_confirm",
    ),
    path("<int:pk>/limesurvey.lss", limesurvey_views.limesurvey_export, name="limesurvey_export"),
    path("<int:pk>/", views.questionnaire_detail, name="detail"),
    path("<int:pk>/settings/", views.questionnaire_settings, name="settings"),
    path("<int:pk>/copy/", views.questionnaire_copy, name="copy"),
    path("<int:pk>/archive/", views.questionnaire_archive, name="archive"),
    path("<int:pk>/preview/", views.questionnaire_preview, name="preview"),
    path("<int:pk>/dimensions/new/", views.dimension_edit, name="dimension_create"),
    path("<int:pk>/dimensions/<int:dimension_pk>/", views.dimension_edit, name="dimension_edit"),
    path("<int:pk>/dimensions/<int:dimension_pk>/delete/", views.dimension_delete, name="dimension_delete"),
    path(
        "<int:pk>/dimensions/<int:dimension_pk>/<str:direction>/", views.dimension_move, name="dimension_move"
    ),
    path("<int:pk>/pages/new/", page_views.page_edit, name="page_create"),
    path("<int:pk>/pages/<int:page_pk>/", page_views.page_edit, name="page_edit"),
    path("<int:pk>/pages/<int:page_pk>/delete/", page_views.page_delete, name="page_delete"),
    path("<int:pk>/pages/<int:page_pk>/<str:direction>/", page_views.page_move, name="page_move"),
    path("<int:pk>/questions/new/", views.question_edit, name="question_create"),
    path("<int:pk>/questions/<int:question_pk>/", views.question_edit, name="question_edit"),
    path("<int:pk>/questions/<int:question_pk>/delete/", views.question_delete, name="question_delete"),
    path("<int:pk>/questions/<int:question_pk>/<str:direction>/", views.question_move, name="question_move"),
]
