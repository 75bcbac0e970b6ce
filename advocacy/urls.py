from django.urls import path

from . import views

app_name = "advocacy"

urlpatterns = [
    path("", views.hub, name="hub"),
    path("consent/", views.consent, name="consent"),
    path("posts/<int:pk>/share/", views.share, name="share"),
    path("posts/<int:pk>/card/", views.post_card, name="post_card"),
    path("suggest/", views.suggest, name="suggest"),
    path("milestones/<int:pk>/close/", views.milestone_close, name="milestone_close"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("notifications/<int:pk>/", views.notification_item, name="notification_item"),
    path("leaderboard/", views.leaderboard, name="leaderboard"),
]
