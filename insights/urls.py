from django.urls import path

from . import views

app_name = "insights"

urlpatterns = [
    path("me/", views.my_numbers, name="my_numbers"),
    path("me/export.json", views.my_data_export, name="my_data_export"),
]
