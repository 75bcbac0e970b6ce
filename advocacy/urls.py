from django.urls import path

from . import views

app_name = "advocacy"

urlpatterns = [
    path("", views.hub, name="hub"),
    path("consent/", views.consent, name="consent"),
    path("posts/<int:pk>/share/", views.share, name="share"),
    path("posts/<int:pk>/card/", views.post_card, name="post_card"),
]
