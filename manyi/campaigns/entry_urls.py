"""Staff URLs for entering answers and reading responses; mounted at /campaigns/entry/."""

from django.urls import path

from . import entry_views

app_name = "entry"

urlpatterns = [
    path("<int:campaign_pk>/", entry_views.invitation_list, name="invitations"),
    path("<int:campaign_pk>/import/", entry_views.paper_import, name="import"),
    path("invitations/<int:pk>/<str:channel>/", entry_views.enter, name="enter"),
    path("responses/<int:pk>/", entry_views.response_detail, name="response"),
]
