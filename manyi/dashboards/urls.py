from django.urls import path

from . import structure_views, topic_views, views

app_name = "dashboards"

urlpatterns = [
    path("campaigns/<int:pk>/", views.campaign_dashboard, name="campaign"),
    path("campaigns/<int:pk>/responses/", views.drill_down, name="drill_down"),
    path("campaigns/<int:pk>/keywords/", views.keywords, name="keywords"),
    path("campaigns/<int:pk>/topics/", topic_views.topic_panel, name="topics"),
    path("campaigns/<int:pk>/topics/answers/", topic_views.topic_answers, name="topic_answers"),
    path("campaigns/<int:pk>/model/", views.satisfaction_model, name="model"),
    path("campaigns/<int:pk>/model/save/", views.save_satisfaction_model, name="model_store"),
    path("campaigns/<int:pk>/crosstab/", views.crosstab, name="crosstab"),
    path("campaigns/<int:pk>/structure/", structure_views.structure, name="structure"),
    path("campaigns/<int:pk>/wordcloud.png", views.word_cloud, name="word_cloud"),
]
