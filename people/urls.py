from django.urls import path

from . import views

app_name = "people"

urlpatterns = [
    path("language/", views.language_set, name="language"),
    path("invitation/<str:token>/", views.invitation, name="invitation"),
]
