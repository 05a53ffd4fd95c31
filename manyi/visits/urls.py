from django.urls import path

from . import manage_views, report_views, views

app_name = "visits"

urlpatterns = [
    path("", views.task_list, name="list"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("tasks/<int:pk>/done/", views.task_complete, name="complete"),
    path("tasks/<int:pk>/assign/", views.task_assign, name="assign"),
    path("tasks/<int:pk>/cancel/", views.task_cancel, name="cancel"),
    path("tasks/<int:pk>/after-warranty/", views.task_after_warranty, name="after_warranty"),
    path("tasks/<int:pk>/<str:outcome>/", views.task_outcome, name="outcome"),
    path("customers/<int:pk>/after-warranty/", views.customer_after_warranty, name="customer_after_warranty"),
    path("records/<int:pk>/", views.record_detail, name="record"),
    path("records/<int:pk>/edit/", views.record_edit, name="record_edit"),
    path("records/<int:pk>/review/", views.record_review, name="record_review"),
    path("records/<int:pk>/ticket/", views.record_ticket, name="record_ticket"),
    path("review/", views.review_queue, name="review"),
    path("rules/", manage_views.rule_list, name="rules"),
    path("rules/new/", manage_views.rule_edit, name="rule_new"),
    path("rules/<int:pk>/", manage_views.rule_edit, name="rule_edit"),
    path("rules/plan/", manage_views.plan_now, name="plan_now"),
    path("scripts/", manage_views.script_list, name="scripts"),
    path("scripts/new/", manage_views.script_edit, name="script_new"),
    path("scripts/<int:pk>/", manage_views.script_edit, name="script_edit"),
    path("plans/", manage_views.plan_list, name="plans"),
    path("plans/coming/", manage_views.plan_coming, name="plans_coming"),
    path("plans/new/", manage_views.plan_new, name="plan_new"),
    path("plans/<int:pk>/", manage_views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/delete/", manage_views.plan_delete, name="plan_delete"),
    path("plans/export.xlsx", manage_views.plan_export, name="plan_export"),
    path("report/", report_views.monthly_report, name="report"),
    path("report/export.xlsx", report_views.monthly_report_export, name="report_export"),
    path("report/report.pdf", report_views.monthly_report_pdf, name="report_pdf"),
]
