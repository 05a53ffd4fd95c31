from django.urls import path

from . import views

app_name = "forums"

urlpatterns = [
    path("", views.forum_list, name="list"),
    path("new/", views.forum_new, name="new"),
    path("<int:pk>/", views.forum_detail, name="detail"),
    path("<int:pk>/edit/", views.forum_edit, name="edit"),
    path("<int:pk>/delete/", views.forum_delete, name="delete"),
    path("<int:pk>/invite/", views.invite, name="invite"),
    path(
        "<int:pk>/invitations/<int:invitation_pk>/remove/", views.invitation_remove, name="invitation_remove"
    ),
    path("<int:pk>/attendance/", views.attendance, name="attendance"),
    path("<int:pk>/opinions/", views.opinion_add, name="opinion_add"),
    path("<int:pk>/opinions/<int:opinion_pk>/delete/", views.opinion_delete, name="opinion_delete"),
    path("<int:pk>/opinions/<int:opinion_pk>/ticket/", views.opinion_ticket, name="opinion_ticket"),
    path(
        "<int:pk>/opinions/<int:opinion_pk>/improvement/",
        views.opinion_improvement,
        name="opinion_improvement",
    ),
    path("<int:pk>/minutes/", views.minutes_upload, name="minutes_upload"),
    path("<int:pk>/minutes/<int:file_pk>/", views.minutes, name="minutes"),
    path("<int:pk>/minutes/<int:file_pk>/delete/", views.minutes_delete, name="minutes_delete"),
]
