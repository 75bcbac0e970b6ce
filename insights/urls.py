from django.urls import path

from . import team_views, views

app_name = "insights"

urlpatterns = [
    path("me/", views.my_numbers, name="my_numbers"),
    path("me/export.json", views.my_data_export, name="my_data_export"),
    path("team/", team_views.team_dashboard, name="team"),
    path("team/export.csv", team_views.team_export_csv, name="team_export_csv"),
    path("team/export.xlsx", team_views.team_export_xlsx, name="team_export_xlsx"),
    path("team/advocacy.csv", team_views.team_advocacy_csv, name="team_advocacy_csv"),
    path(
        "team/advocacy.xlsx",
        team_views.team_advocacy_xlsx,
        name="team_advocacy_xlsx",
    ),
    path(
        "team/people/<int:employee_id>/",
        team_views.team_person,
        name="team_person",
    ),
]
