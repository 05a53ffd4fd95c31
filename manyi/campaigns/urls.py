from django.urls import path

from . import quota_views, views

app_name = "campaigns"

urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_create, name="create"),
    path("<int:pk>/", views.campaign_detail, name="detail"),
    path("<int:pk>/edit/", views.campaign_edit, name="edit"),
    path("<int:pk>/preview/", views.campaign_preview, name="preview"),
    path("<int:pk>/counts/", views.campaign_counts, name="counts"),
    path("<int:pk>/start/", views.campaign_start, name="start"),
    path("<int:pk>/close/", views.campaign_close, name="close"),
    path("<int:pk>/reopen/", views.campaign_reopen, name="reopen"),
    path("<int:pk>/next-wave/", views.campaign_next_wave, name="next_wave"),
    path("<int:pk>/non-responders/", views.campaign_non_responders, name="non_responders"),
    path("<int:pk>/quotas/new/", quota_views.quota_edit, name="quota_create"),
    path("<int:pk>/quotas/<int:quota_pk>/", quota_views.quota_edit, name="quota_edit"),
    path("<int:pk>/quotas/<int:quota_pk>/delete/", quota_views.quota_delete, name="quota_delete"),
    path("invitations/<int:pk>/", views.invitation_detail, name="invitation"),
    path("invitations/<int:pk>/chase/", views.invitation_chase, name="invitation_chase"),
    path("invitations/<int:pk>/qr.png", views.invitation_qr, name="invitation_qr"),
    path("invitations/<int:pk>/shared/", views.invitation_shared, name="invitation_shared"),
]
