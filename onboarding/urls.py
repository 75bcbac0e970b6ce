from django.urls import path

from . import views

app_name = "onboarding"

urlpatterns = [
    path("", views.my_path, name="my_path"),
    path("modules/<int:pk>/complete/", views.module_complete, name="module_complete"),
]
