from django.urls import path

from . import views

app_name = "onboarding"

urlpatterns = [
    path("", views.my_path, name="my_path"),
    path("modules/<int:pk>/complete/", views.module_complete, name="module_complete"),
    path("modules/<int:pk>/check/", views.check_start, name="check_start"),
    path("modules/<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("modules/<int:pk>/reflection/", views.reflection, name="reflection"),
    path("modules/<int:pk>/pulse/", views.pulse, name="pulse"),
    path("attempts/<int:pk>/", views.attempt_submit, name="attempt_submit"),
    path("todo/", views.todo, name="todo"),
    path(
        "todo/<int:enrolment_id>/<int:module_id>/done/",
        views.task_done,
        name="task_done",
    ),
    path("certificates/<str:code>/", views.certificate, name="certificate"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
