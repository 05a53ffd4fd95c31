from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("campaigns/<int:pk>/export/", views.export_responses, name="export"),
    path("new/", views.report_create, name="new"),
    path("campaigns/<int:pk>/new/", views.report_create, name="create"),
    path("campaigns/<int:pk>/schedules/", views.schedule_create, name="schedule"),
    path("schedules/<int:pk>/stop/", views.schedule_stop, name="schedule_stop"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/edit/", views.report_edit, name="edit"),
    path("<int:pk>/publish/", views.report_publish, name="publish"),
    path("<int:pk>/revise/", views.report_revise, name="revise"),
    path("<int:pk>/report.pdf", views.report_pdf, name="pdf"),
    path("<int:pk>/report.xlsx", views.report_xlsx, name="xlsx"),
]
